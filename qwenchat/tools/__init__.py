"""Tools the model may call: built-ins, user functions, their schemas, consent and execution.

Nothing here imports the openai SDK or Rich; the tool loop (`qwenchat.engine.tool_loop`) drives it.
"""
