"""DashScope hosts on the loopback: the test server as a plain-HTTP proxy.

qwenchat treats a base URL by its host (region, plan, the fields DashScope expects). With
`HTTP_PROXY` pointed at the test server and a base URL on `http://dashscope…aliyuncs.com`,
the SDK sends the request, absolute URL and all, to the test server: qwenchat believes it
talks to DashScope and nothing leaves the machine.
"""

from __future__ import annotations

from tests.conftest import Cli

BEIJING = "http://dashscope.aliyuncs.com/compatible-mode/v1"
SINGAPORE = "http://dashscope-intl.aliyuncs.com/compatible-mode/v1"
VIRGINIA = "http://dashscope-us.aliyuncs.com/compatible-mode/v1"
HONG_KONG = "http://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1"
WORKSPACE_SG = "http://ws-fake1234.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1"
CODING = "http://coding-intl.dashscope.aliyuncs.com/v1"
TOKEN_PLAN = "http://token-plan.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1"


def via_proxy(cli: Cli, url: str = BEIJING, **extra: str) -> dict[str, str]:
    """The environment for `cli` with `url` as the base URL, reached through the test server."""
    proxy = f"http://127.0.0.1:{cli.server.port}"
    return cli.env(QWENCHAT_BASE_URL=url, HTTP_PROXY=proxy, http_proxy=proxy, **extra)
