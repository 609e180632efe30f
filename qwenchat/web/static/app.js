// qwenchat's page: plain JavaScript, no build step, nothing loaded from elsewhere.
// Everything the model or a server says is shown as text, or as Markdown with raw HTML
// escaped and the result sanitised by DOMPurify (no scripts, no event handlers, links only
// to http(s) and mailto, remote images never loaded: shown as links to click).
"use strict";

const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
const $ = (id) => document.getElementById(id);
const state = { models: [], current: null, turn: null, busy: false, files: [] };

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}

function safeHref(href) {
  return /^(https?:|mailto:)/i.test(String(href || "").trim()) ? String(href).trim() : null;
}

marked.use({
  gfm: true,
  breaks: false,
  renderer: {
    html(token) { return escapeHtml(token.text); },  // raw HTML from the model is text
    link(token) {
      const text = this.parser.parseInline(token.tokens);
      const href = safeHref(token.href);
      return href ? `<a href="${escapeHtml(href)}">${text}</a>` : text;
    },
    image(token) {  // never loaded by itself: a link the user may click
      const href = safeHref(token.href);
      const label = `[image: ${escapeHtml(token.text || token.href || "")}]`;
      return href ? `<a class="image-link" href="${escapeHtml(href)}">${label}</a>` : label;
    },
  },
});

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

const ALLOWED = {
  ALLOWED_TAGS: ["p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul",
    "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr",
    "th", "td", "input", "span"],
  ALLOWED_ATTR: ["href", "class", "start", "align", "type", "checked", "disabled",
    "target", "rel"],
  ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
};

function markdown(text) {
  return DOMPurify.sanitize(marked.parse(String(text), { async: false }), ALLOWED);
}

async function api(path, body) {
  const init = { headers: { Authorization: `Bearer ${token}` } };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function say(text) { $("notice").textContent = text || ""; }

// ---- models and options
function fillModels(models, chosen) {
  const select = $("model");
  select.textContent = "";
  const groups = {};
  for (const model of models) {
    if (!groups[model.group]) {
      groups[model.group] = document.createElement("optgroup");
      groups[model.group].label = model.group;
      select.append(groups[model.group]);
    }
    const option = new Option(model.name, model.name);
    groups[model.group].append(option);
  }
  if (!models.some((m) => m.name === chosen)) {
    select.append(new Option(chosen, chosen));
  }
  select.value = chosen;
  thinkingFor(chosen);
}

function modelInfo(name) {
  return state.models.find((m) => m.name === name) || { thinking: "none", vision: false };
}

function thinkingFor(name) {
  const info = modelInfo(name), box = $("think");
  box.disabled = info.thinking !== "hybrid";
  box.checked = info.thinking === "only" || (info.thinking === "hybrid" && info.thinking_default);
  box.parentElement.title = info.thinking === "none" ? "This model does not think"
    : info.thinking === "only" ? "This model always thinks" : "Ask the model to think first";
}

function chosenThink() {
  const info = modelInfo($("model").value);
  return info.thinking === "hybrid" ? $("think").checked : null;
}

// ---- the conversation list
async function loadConversations() {
  const list = $("conversations");
  const items = await api("/api/conversations");
  list.textContent = "";
  for (const item of items) {
    const li = document.createElement("li");
    li.dataset.id = item.id;
    if (item.id === state.current) li.classList.add("current");
    const title = document.createElement("span");
    title.className = "title";
    title.textContent = item.name || item.title || `#${item.id}`;
    title.title = `#${item.id} · ${item.source} · ${item.turns} turns`;
    const rename = button("✎", "Rename", () => renameConversation(item));
    const remove = button("×", "Delete", () => deleteConversation(item));
    li.append(title, rename, remove);
    li.addEventListener("click", () => openConversation(item.id));
    list.append(li);
  }
}

function button(text, label, action) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", (e) => { e.stopPropagation(); action(); });
  return b;
}

async function renameConversation(item) {
  const name = prompt("Name this conversation", item.name || item.title || "");
  if (!name) return;
  try { await api(`/api/conversations/${item.id}/rename`, { name }); } catch (e) { say(e.message); }
  loadConversations();
}

async function deleteConversation(item) {
  if (!confirm(`Delete “${item.name || item.title}”?`)) return;
  try { await api(`/api/conversations/${item.id}/delete`, {}); } catch (e) { say(e.message); }
  if (state.current === item.id) newConversation();
  loadConversations();
}

function newConversation() {
  state.current = null;
  $("messages").textContent = "";
  $("total").textContent = "";
  document.body.classList.remove("side-open");
  loadConversations().catch((e) => say(e.message));
}

async function openConversation(id) {
  if (state.busy) return;
  say("");
  const data = await api(`/api/conversations/${id}`).catch((e) => { say(e.message); });
  if (!data) return;
  state.current = data.id;
  $("messages").textContent = "";
  for (const turn of data.turns) {
    userMessage(turn.user, turn.attachments);
    const view = assistantMessage(turn.model);
    view.reasoning(turn.reasoning);
    view.answer(turn.answer);
    view.status(turn.status);
    view.usage(turn.usage);
  }
  if (data.model) fillModels(state.models, data.model);
  $("system").value = data.system || "";
  $("total").textContent = data.total ? `conversation: ${data.total}` : "";
  document.body.classList.remove("side-open");
  loadConversations();
}

// ---- messages
function userMessage(text, attachments) {
  const div = document.createElement("div");
  div.className = "message user";
  div.textContent = text;
  if (attachments && attachments.length) {
    const files = document.createElement("div");
    files.className = "attachments";
    files.textContent = attachments.map((a) => `attached: ${a}`).join("  ");
    div.append(files);
  }
  $("messages").append(div);
}

function assistantMessage(model) {
  const div = document.createElement("div");
  div.className = "message assistant";
  const meta = document.createElement("div");
  meta.className = "meta";
  const status = document.createElement("span");
  status.className = "status";
  const name = document.createElement("span");
  name.textContent = model || "";
  const usage = document.createElement("span");
  usage.className = "usage";
  meta.append(status, name, usage);
  const thinking = document.createElement("details");
  thinking.className = "thinking";
  thinking.hidden = true;
  const summary = document.createElement("summary");
  summary.textContent = "Thinking";
  const reasoning = document.createElement("div");
  reasoning.className = "reasoning";
  thinking.append(summary, reasoning);
  const answer = document.createElement("div");
  answer.className = "answer";
  const errorLine = document.createElement("div");
  errorLine.className = "error-line";
  div.append(meta, thinking, answer, errorLine);
  $("messages").append(div);
  let answerText = "", reasoningText = "", pending = false;
  const draw = () => { pending = false; answer.innerHTML = markdown(answerText); scrollDown(); };
  return {
    element: div,
    status(value) {
      if (["finished", "stopped", "error"].includes(value)) draw();  // the whole answer first
      status.textContent = value;
      status.className = `status ${value}`;
    },
    reasoning(text) {
      if (!text) return;
      reasoningText += text;
      reasoning.textContent = reasoningText;
      thinking.hidden = false;
    },
    openThinking(open) { thinking.open = open; },
    answer(text) {
      answerText += text;
      if (!pending) { pending = true; requestAnimationFrame(draw); }
    },
    usage(text) { usage.textContent = text || ""; },
    error(text) { errorLine.textContent = text; },
    notice(text) {
      const line = document.createElement("div");
      line.className = "meta";
      line.textContent = text;
      div.append(line);
    },
  };
}

function scrollDown() {
  const box = $("messages");
  box.scrollTop = box.scrollHeight;
}

// ---- sending and streaming
async function send() {
  const text = $("input").value;
  if (state.busy || !text.trim()) return;
  say("");
  const model = $("model").value;
  const maxTokens = parseInt($("max-tokens").value, 10);
  const body = {
    conversation: state.current, text, model, think: chosenThink(),
    max_tokens: Number.isFinite(maxTokens) ? maxTokens : null,
    system: $("system").value || null,
    attachments: state.files.map((f) => ({ name: f.name, data: f.data })),
  };
  userMessage(text, state.files.map((f) => f.name));
  const view = assistantMessage(model);
  view.status("waiting");
  $("input").value = "";
  state.files = [];
  $("attached").textContent = "";
  busy(true);
  try {
    await stream(body, view);
  } catch (e) {
    view.status("error");
    view.error(e.message || "the connection to qwenchat serve was lost");
  } finally {
    busy(false);
    state.turn = null;
    loadConversations().catch(() => {});
  }
}

async function stream(body, view) {
  const response = await fetch("/api/chat", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new Error(data.error || `HTTP ${response.status}`);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of frame.split("\n")) {
        if (!line.startsWith("data: ")) continue;
        const data = line.slice(6);
        if (data === "[DONE]") return;
        handle(JSON.parse(data), view);
      }
    }
  }
}

function handle(frame, view) {
  switch (frame.type) {
    case "start": state.turn = frame.turn; break;
    case "status":
      view.status(frame.status);
      if (frame.status === "thinking") view.openThinking(true);
      if (frame.status === "generating") view.openThinking(false);
      break;
    case "reasoning": view.reasoning(frame.text); break;
    case "answer": view.answer(frame.text); break;
    case "notice": view.notice(frame.text); break;
    case "finish":
      view.status(frame.status);
      view.usage(frame.usage);
      break;
    case "error":
      view.status("error");
      view.error(frame.text);
      break;
    case "saved":
      if (frame.conversation !== null) state.current = frame.conversation;
      $("total").textContent = frame.total ? `conversation: ${frame.total}` : "";
      break;
    default: break;
  }
}

function busy(on) {
  state.busy = on;
  $("send").hidden = on;
  $("stop").hidden = !on;
}

async function stop() {
  if (state.turn) await api("/api/stop", { turn: state.turn }).catch((e) => say(e.message));
}

// ---- attachments
function attach(files) {
  for (const file of files) {
    const reader = new FileReader();
    reader.onload = () => {
      const data = String(reader.result).split(",", 2)[1] || "";
      state.files.push({ name: file.name, data });
      $("attached").textContent = state.files.map((f) => `attached: ${f.name}`).join("  ");
    };
    reader.readAsDataURL(file);
  }
}

// ---- start
async function start() {
  if (!token) {
    say("Open the address `qwenchat serve` printed: it carries this launch's token.");
    return;
  }
  const data = await api("/api/state").catch((e) => { say(e.message); });
  if (!data) return;
  state.models = data.models;
  fillModels(data.models, data.model);
  $("system").value = data.system || "";
  for (const role of data.roles) {
    const option = new Option(role.name, role.name);
    option.dataset.system = role.system || "";
    option.dataset.model = role.model || "";
    $("role").append(option);
  }
  if (!data.key) say("No API key is set where qwenchat serve runs: set DASHSCOPE_API_KEY and restart it.");
  loadConversations().catch((e) => say(e.message));
}

$("composer").addEventListener("submit", (e) => { e.preventDefault(); send(); });
$("input").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
});
$("stop").addEventListener("click", stop);
$("new").addEventListener("click", newConversation);
$("menu").addEventListener("click", () => document.body.classList.toggle("side-open"));
$("model").addEventListener("change", () => thinkingFor($("model").value));
$("files").addEventListener("change", (e) => { attach(e.target.files); e.target.value = ""; });
$("role").addEventListener("change", (e) => {
  const option = e.target.selectedOptions[0];
  if (!option || !option.value) return;
  $("system").value = option.dataset.system;
  if (option.dataset.model) fillModels(state.models, option.dataset.model);
});
start();
