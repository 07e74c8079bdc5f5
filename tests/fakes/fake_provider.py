#!/usr/bin/env python3
"""A fake AI provider for tests: a real HTTP (or HTTPS) server on 127.0.0.1.

It speaks the OpenAI chat-completions wire format (also OpenRouter's and
custom gateways') on any path ending in /chat/completions, Anthropic's
Messages format on /v1/messages, and lists models on .../models. It records
every request (method, path, headers, JSON body), counts the TCP connections
it accepts, and can be scripted per test through a control API:

  POST /_control/script    {"responses": [RESPONSE, ...]}  queued, used in order
  GET  /_control/requests  the recorded requests
  GET  /_control/stats     {"connections": N, "requests": N, "abandoned": N}
                           (abandoned: streams the client closed mid-answer)
  POST /_control/reset     forget script, requests and counters

RESPONSE fields (all optional):
  status        HTTP status (default 200)
  chunks        text pieces to stream (default: echo of the user message)
  delay_ms      pause before each chunk; first_delay_ms before the first
  head_delay_ms pause before sending anything at all (status line included)
  comments      OpenRouter-style ": OPENROUTER PROCESSING" lines first
  headers       extra response headers, e.g. {"Retry-After": "7"}
  error         message for an error body (with a non-2xx status), or for an
                error inside the stream (with status 200)
  reset_after   close the connection abruptly after this many chunks
  raw           send this text as the body verbatim (malformed streams)
  body          send this text verbatim as the whole body, with `status`,
                streamed or not (hostile JSON: wrong types, nulls)
  gzip_mb       send a gzip-compressed body (Content-Encoding: gzip) that
                expands to this many MB of zeros: a compression bomb
  stall_after   send this many chunks, then nothing for stall_s seconds
                (default 3600) while holding the connection open
  flood_mb      stream this many MB of text, in 64 KiB deltas, as fast as
                the client takes them
  usage         {"prompt_tokens": N, "completion_tokens": N}, or null for
                a provider that reports none (OpenAI wire: no usage at all).
                A request with usage.include (OpenRouter's) also gets a
                cost: 0.0001 per token

Without scripted chunks, the answer is decided from the request alone, as a
real model's would be in kind (deterministically, for tests):
  - the last message is a tool result: "Tool result: <its text>";
  - tools offered (and tool_choice not "none"): a call of the forced tool, or
    of the first, whose arguments fill its JSON Schema (strings with the
    last user message, integers 42, numbers 4.5, booleans true, arrays of
    one item, enums their first value);
  - response_format json_schema: an instance of the schema, as JSON text;
    json_object: {"answer": <the last user message>};
  - images in the last user message: "I see N image(s): image/png, 68
    bytes; https://..." (data: URLs decoded), then the text;
  - otherwise "Echo: <the last user message>".
Anthropic's forced tool (tool_choice {type: tool}) is a tool call like any
other.

In error, chunks, body and raw, "{auth}" stands for the request's
Authorization (or x-api-key) header as received and "{key}" for the key in
it; "{key:A:B}" is a slice of the key (Python's [A:B]). A hostile provider
that echoes credentials back, whole or split across events.

GET .../models takes the next scripted response too, when one is queued
(only status, headers, body and gzip_mb apply).

The server is as unkind as real ones: it does not set TCP_NODELAY unless
started with --nodelay (benchmarks measure our latency, not Nagle's).

Usage: fake_provider.py PORT_FILE [--nodelay] [--tls CERT KEY]
The chosen port is written to PORT_FILE once the server listens.
"""

import base64
import gzip
import http.server
import io
import json
import re
import socket
import ssl
import sys
import threading
import time

LOCK = threading.Lock()
STATE = {"script": [], "requests": [], "connections": 0, "abandoned": 0}
NODELAY = False


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops SYNs under load tests, and
    # TCP's retransmit back-off then adds whole seconds.
    request_queue_size = 4096

    def get_request(self):
        conn, addr = super().get_request()
        if NODELAY:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with LOCK:
            STATE["connections"] += 1
        return conn, addr


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is visible

    def log_message(self, fmt, *args):
        pass

    # ---- plumbing ----------------------------------------------------------
    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return {"_unparsed": raw.decode("utf-8", "replace")}

    def _send_json(self, status, obj, extra=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _chunk(self, text):
        data = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    # ---- control API -------------------------------------------------------
    def do_GET(self):
        if self.path == "/_control/requests":
            with LOCK:
                return self._send_json(200, STATE["requests"])
        if self.path == "/_control/stats":
            with LOCK:
                return self._send_json(200, {"connections": STATE["connections"],
                                             "requests": len(STATE["requests"]),
                                             "abandoned": STATE["abandoned"]})
        if self.path.endswith("/models"):
            self._record(None)
            with LOCK:
                script = STATE["script"].pop(0) if STATE["script"] else {}
            script = self._echo(script)
            if self._hostile_body(script):
                return
            return self._send_json(script.get("status", 200), {"object": "list", "data": [
                {"id": "fake/model-a"}, {"id": "fake/model-b"}]}, script.get("headers"))
        self._send_json(404, {"error": {"message": "no route " + self.path}})

    def do_POST(self):
        body = self._body()
        if self.path == "/_control/script":
            with LOCK:
                STATE["script"].extend(body.get("responses", []))
            return self._send_json(200, {"queued": len(body.get("responses", []))})
        if self.path == "/_control/reset":
            with LOCK:
                STATE.update(script=[], requests=[], connections=0, abandoned=0)
            return self._send_json(200, {})
        if self.path.endswith("/chat/completions"):
            return self._complete(body, anthropic=False)
        if self.path.endswith("/messages"):
            return self._complete(body, anthropic=True)
        self._send_json(404, {"error": {"message": "no route " + self.path}})

    def _record(self, body):
        with LOCK:
            STATE["requests"].append({"method": self.command, "path": self.path,
                                      "headers": {k.lower(): v for k, v in self.headers.items()},
                                      "body": body})

    def _hostile_body(self, script):
        """Sends a scripted verbatim or compressed body; False if none."""
        if "body" not in script and "gzip_mb" not in script:
            return False
        if "gzip_mb" in script:
            buf = io.BytesIO()
            with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as z:
                block = b"\0" * (1 << 20)
                for _ in range(int(script["gzip_mb"])):
                    z.write(block)
            data = buf.getvalue()
        else:
            data = script["body"].encode("utf-8", "surrogateescape")
        self.send_response(script.get("status", 200))
        self.send_header("Content-Type", "application/json")
        if "gzip_mb" in script:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        for k, v in script.get("headers", {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        return True

    # ---- the provider ------------------------------------------------------
    def _echo(self, script):
        """Fills the {auth} and {key} placeholders with what this request carried."""
        auth = self.headers.get("Authorization") or self.headers.get("x-api-key") or ""
        key = auth[len("Bearer "):] if auth.startswith("Bearer ") else auth

        def fill(text):
            def one(m):
                if m.group(1) == "auth":
                    return auth
                if m.group(2) is None:
                    return key
                a = int(m.group(2)) if m.group(2) else None
                b = int(m.group(3)) if m.group(3) else None
                return key[a:b]
            return re.sub(r"\{(auth|key)(?::(-?\d*):(-?\d*))?\}", one, text)

        out = dict(script)
        for field in ("error", "body", "raw"):
            if isinstance(out.get(field), str):
                out[field] = fill(out[field])
        if isinstance(out.get("chunks"), list):
            out["chunks"] = [fill(c) if isinstance(c, str) else c for c in out["chunks"]]
        return out

    def _complete(self, body, anthropic):
        self._record(body)
        with LOCK:
            script = STATE["script"].pop(0) if STATE["script"] else {}
        script = self._echo(script)
        time.sleep(script.get("head_delay_ms", 0) / 1000.0)
        if self._hostile_body(script):
            return
        status = script.get("status", 200)
        extra = script.get("headers", {})
        if status >= 300:
            msg = script.get("error", "scripted failure")
            if anthropic:
                err = {"type": "error", "error": {"type": "api_error", "message": msg}}
            else:
                err = {"error": {"message": msg, "type": "scripted", "code": status}}
            return self._send_json(status, err, extra)
        tool = None
        if "chunks" in script:
            chunks = script["chunks"]
        else:
            text, tool = answer(body or {}, anthropic)
            chunks = [] if tool else ["Echo: ", text[len("Echo: "):]] if text.startswith("Echo: ") else [text]
        usage = script.get("usage", {"prompt_tokens": 7, "completion_tokens": max(len(chunks), 1)})
        if usage is not None and ((body or {}).get("usage") or {}).get("include"):
            # OpenRouter's cost, when asked: a made-up price per token.
            usage = dict(usage, cost=0.0001 * (usage["prompt_tokens"] + usage["completion_tokens"]))
        model = (body or {}).get("model", "")
        if not (body or {}).get("stream"):
            text = "".join(chunks)
            if anthropic:
                content = [{"type": "text", "text": text}]
                if tool:
                    content = [{"type": "tool_use", "id": tool[0], "name": tool[1],
                                "input": json.loads(tool[2])}]
                reply = {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                         "content": content, "stop_reason": "tool_use" if tool else "end_turn",
                         "usage": {"input_tokens": usage["prompt_tokens"],
                                   "output_tokens": usage["completion_tokens"]}}
            else:
                message = {"role": "assistant", "content": text}
                if tool:
                    message = {"role": "assistant", "content": None, "tool_calls": [
                        {"id": tool[0], "type": "function",
                         "function": {"name": tool[1], "arguments": tool[2]}}]}
                reply = {"id": "chatcmpl-fake", "object": "chat.completion", "model": model,
                         "choices": [{"index": 0, "finish_reason": "tool_calls" if tool else "stop",
                                      "message": message}]}
                if usage is not None:
                    reply["usage"] = with_total(usage)
            return self._send_json(200, reply, extra)

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        if "raw" in script:
            self._chunk(script["raw"])
            self.wfile.write(b"0\r\n\r\n")
            return
        for _ in range(script.get("comments", 0)):
            self._chunk(": OPENROUTER PROCESSING\n\n")
        try:
            if "flood_mb" in script:
                return self._flood(script["flood_mb"], anthropic)
            self._stream(script, anthropic, chunks, usage, model, tool)
        except (BrokenPipeError, ConnectionResetError):
            # The client (aixd) cancelled the request mid-stream.
            with LOCK:
                STATE["abandoned"] += 1
            self.close_connection = True

    def _flood(self, mb, anthropic):
        text = "x" * 65536
        if anthropic:
            ev = "event: content_block_delta\ndata: " + json.dumps(
                {"type": "content_block_delta", "delta": {"type": "text_delta", "text": text}}) + "\n\n"
            end = "event: message_stop\ndata: {\"type\": \"message_stop\"}\n\n"
        else:
            ev = "data: " + json.dumps({"choices": [{"delta": {"content": text}}]}) + "\n\n"
            end = "data: [DONE]\n\n"
        for _ in range(int(mb * 16)):
            self._chunk(ev)
        self._chunk(end)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _stream(self, script, anthropic, chunks, usage, model, tool):
        events = self._anthropic_events if anthropic else self._openai_events
        for i, piece in enumerate(events(chunks, usage, model, script.get("error"), tool)):
            if isinstance(piece, int):  # index of a text chunk about to go out
                if "reset_after" in script and piece >= script["reset_after"]:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if "stall_after" in script and piece >= script["stall_after"]:
                    time.sleep(script.get("stall_s", 3600))
                    self.close_connection = True
                    return
                delay = script.get("first_delay_ms" if piece == 0 else "delay_ms",
                                   script.get("delay_ms", 0))
                time.sleep(delay / 1000.0)
                continue
            self._chunk(piece)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    @staticmethod
    def _openai_events(chunks, usage, model, error, tool):
        def ev(obj):
            return "data: " + json.dumps(obj) + "\n\n"
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model}
        for i, text in enumerate(chunks):
            yield i
            yield ev(dict(base, choices=[{"index": 0, "delta": {"content": text},
                                          "finish_reason": None}]))
        if tool:
            yield 0
            yield ev(dict(base, choices=[{"index": 0, "finish_reason": None, "delta": {
                "role": "assistant", "content": None, "tool_calls": [
                    {"index": 0, "id": tool[0], "type": "function",
                     "function": {"name": tool[1], "arguments": ""}}]}}]))
            for piece in pieces(tool[2]):
                yield ev(dict(base, choices=[{"index": 0, "finish_reason": None, "delta": {
                    "tool_calls": [{"index": 0, "function": {"arguments": piece}}]}}]))
            yield ev(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]))
            if usage is not None:
                yield ev(dict(base, choices=[], usage=with_total(usage)))
            yield "data: [DONE]\n\n"
            return
        if error:
            yield ev(dict(base, error={"code": "server_error", "message": error},
                          choices=[{"index": 0, "delta": {"content": ""},
                                    "finish_reason": "error"}]))
            return
        yield ev(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
        if usage is not None:
            yield ev(dict(base, choices=[], usage=with_total(usage)))
        yield "data: [DONE]\n\n"

    @staticmethod
    def _anthropic_events(chunks, usage, model, error, tool):
        def ev(name, obj):
            obj = dict(obj, type=name)
            return "event: %s\ndata: %s\n\n" % (name, json.dumps(obj))
        yield ev("message_start", {"message": {"id": "msg_fake", "model": model,
                                               "usage": {"input_tokens": usage["prompt_tokens"],
                                                         "output_tokens": 1}}})
        if tool:
            yield 0
            yield ev("content_block_start", {"index": 0, "content_block": {
                "type": "tool_use", "id": tool[0], "name": tool[1], "input": {}}})
            for piece in pieces(tool[2]):
                yield ev("content_block_delta", {"index": 0, "delta": {
                    "type": "input_json_delta", "partial_json": piece}})
            yield ev("content_block_stop", {"index": 0})
            yield ev("message_delta", {"delta": {"stop_reason": "tool_use"},
                                       "usage": {"output_tokens": usage["completion_tokens"]}})
            yield ev("message_stop", {})
            return
        yield ev("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
        yield ev("ping", {})
        for i, text in enumerate(chunks):
            yield i
            yield ev("content_block_delta", {"index": 0,
                                             "delta": {"type": "text_delta", "text": text}})
        if error:
            yield ev("error", {"error": {"type": "overloaded_error", "message": error}})
            return
        yield ev("content_block_stop", {"index": 0})
        yield ev("message_delta", {"delta": {"stop_reason": "end_turn"},
                                   "usage": {"output_tokens": usage["completion_tokens"]}})
        yield ev("message_stop", {})


# ---- answers decided from the request ------------------------------------

def with_total(usage):
    """OpenAI's usage object: the counts and their total."""
    return dict(usage, total_tokens=usage["prompt_tokens"] + usage["completion_tokens"])


def pieces(text, size=7):
    """Splits text the way a model streams it: in short fragments."""
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def text_of(content):
    """The text of a message's content: a string, or its text parts/blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content
                       if isinstance(p, dict) and p.get("type") == "text")
    return ""


def instance(schema, text):
    """A value that fits a JSON Schema, filled deterministically."""
    if not isinstance(schema, dict):
        return text
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return instance(schema[key][0], text)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {k: instance(v, text) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [instance(schema.get("items", {}), text)]
    return {"integer": 42, "number": 4.5, "boolean": True, "null": None}.get(kind, text)


def images_of(content, anthropic):
    """Describes the images of a message's content."""
    found = []
    for part in content if isinstance(content, list) else []:
        if not isinstance(part, dict):
            continue
        if anthropic and part.get("type") == "image":
            src = part.get("source", {})
            if src.get("type") == "base64":
                found.append("%s, %d bytes" % (src.get("media_type"),
                                                len(base64.b64decode(src.get("data", "")))))
            else:
                found.append(src.get("url", "?"))
        elif not anthropic and part.get("type") == "image_url":
            url = part.get("image_url", {}).get("url", "")
            m = re.match(r"data:([^;]+);base64,(.*)", url, re.S)
            found.append("%s, %d bytes" % (m.group(1), len(base64.b64decode(m.group(2))))
                         if m else url)
    return found


def answer(body, anthropic):
    """(text, tool): the fake model's answer to a request; tool is (id, name,
    arguments as JSON text) for a tool call, else None."""
    messages = body.get("messages") or []
    last = messages[-1] if messages else {}
    content = last.get("content", "")
    results = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"] \
        if anthropic and isinstance(content, list) else []
    if last.get("role") == "tool" or results:
        said = text_of(content) if not results else "; ".join(
            r["content"] if isinstance(r.get("content"), str) else text_of(r.get("content"))
            for r in results)
        return "Tool result: " + said, None
    user = ""
    for m in reversed(messages):
        if m.get("role") == "user":
            user = text_of(m.get("content", ""))
            break
    tools = body.get("tools") or []
    choice = body.get("tool_choice")
    if tools and choice not in ("none", {"type": "none"}):
        if anthropic:
            name = choice.get("name") if isinstance(choice, dict) and choice.get("type") == "tool" \
                else tools[0]["name"]
            schema = next(t for t in tools if t["name"] == name).get("input_schema", {})
        else:
            name = choice["function"]["name"] if isinstance(choice, dict) \
                else tools[0]["function"]["name"]
            schema = next(t for t in tools if t["function"]["name"] == name)["function"].get(
                "parameters", {})
        return "", ("toolu_fake_1" if anthropic else "call_fake_1", name,
                    json.dumps(instance(schema, user)))
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return json.dumps(instance(fmt["json_schema"].get("schema", {}), user)), None
    if fmt.get("type") == "json_object":
        return json.dumps({"answer": user}), None
    seen = images_of(content, anthropic)
    if seen:
        return "I see %d image(s): %s. %s" % (len(seen), "; ".join(seen), user), None
    return "Echo: " + text_of(content), None


def main(argv):
    global NODELAY
    port_file = argv[1]
    args = argv[2:]
    if args and args[0] == "--nodelay":
        NODELAY = True
        args = args[1:]
    server = Server(("127.0.0.1", 0), Handler)
    if len(args) >= 3 and args[0] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args[1], args[2])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
