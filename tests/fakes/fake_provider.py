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
  comments      OpenRouter-style ": OPENROUTER PROCESSING" lines first
  headers       extra response headers, e.g. {"Retry-After": "7"}
  error         message for an error body (with a non-2xx status), or for an
                error inside the stream (with status 200)
  reset_after   close the connection abruptly after this many chunks
  raw           send this text as the body verbatim (malformed streams)
  usage         {"prompt_tokens": N, "completion_tokens": N}

Usage: fake_provider.py PORT_FILE [--tls CERT KEY]
The chosen port is written to PORT_FILE once the server listens.
"""

import http.server
import json
import socket
import ssl
import sys
import threading
import time

LOCK = threading.Lock()
STATE = {"script": [], "requests": [], "connections": 0, "abandoned": 0}


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops SYNs under load tests, and
    # TCP's retransmit back-off then adds whole seconds.
    request_queue_size = 4096

    def get_request(self):
        conn, addr = super().get_request()
        # Small SSE writes must leave at once, as real providers' do.
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
            return self._send_json(200, {"object": "list", "data": [
                {"id": "fake/model-a"}, {"id": "fake/model-b"}]})
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

    # ---- the provider ------------------------------------------------------
    def _complete(self, body, anthropic):
        self._record(body)
        with LOCK:
            script = STATE["script"].pop(0) if STATE["script"] else {}
        status = script.get("status", 200)
        extra = script.get("headers", {})
        if status >= 300:
            msg = script.get("error", "scripted failure")
            if anthropic:
                err = {"type": "error", "error": {"type": "api_error", "message": msg}}
            else:
                err = {"error": {"message": msg, "type": "scripted", "code": status}}
            return self._send_json(status, err, extra)
        messages = (body or {}).get("messages", [])
        user = messages[-1]["content"] if messages else ""
        chunks = script.get("chunks", ["Echo: ", str(user)])
        usage = script.get("usage", {"prompt_tokens": 7, "completion_tokens": len(chunks)})
        model = (body or {}).get("model", "")
        if not (body or {}).get("stream"):
            text = "".join(chunks)
            if anthropic:
                reply = {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                         "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                         "usage": {"input_tokens": usage["prompt_tokens"],
                                   "output_tokens": usage["completion_tokens"]}}
            else:
                reply = {"id": "chatcmpl-fake", "object": "chat.completion", "model": model,
                         "choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": text}}],
                         "usage": dict(usage, total_tokens=sum(usage.values()))}
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
            self._stream(script, anthropic, chunks, usage, model)
        except (BrokenPipeError, ConnectionResetError):
            # The client (aixd) cancelled the request mid-stream.
            with LOCK:
                STATE["abandoned"] += 1
            self.close_connection = True

    def _stream(self, script, anthropic, chunks, usage, model):
        events = self._anthropic_events if anthropic else self._openai_events
        for i, piece in enumerate(events(chunks, usage, model, script.get("error"))):
            if isinstance(piece, int):  # index of a text chunk about to go out
                if "reset_after" in script and piece >= script["reset_after"]:
                    self.connection.shutdown(socket.SHUT_RDWR)
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
    def _openai_events(chunks, usage, model, error):
        def ev(obj):
            return "data: " + json.dumps(obj) + "\n\n"
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model}
        for i, text in enumerate(chunks):
            yield i
            yield ev(dict(base, choices=[{"index": 0, "delta": {"content": text},
                                          "finish_reason": None}]))
        if error:
            yield ev(dict(base, error={"code": "server_error", "message": error},
                          choices=[{"index": 0, "delta": {"content": ""},
                                    "finish_reason": "error"}]))
            return
        yield ev(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
        yield ev(dict(base, choices=[], usage=dict(usage, total_tokens=sum(usage.values()))))
        yield "data: [DONE]\n\n"

    @staticmethod
    def _anthropic_events(chunks, usage, model, error):
        def ev(name, obj):
            obj = dict(obj, type=name)
            return "event: %s\ndata: %s\n\n" % (name, json.dumps(obj))
        yield ev("message_start", {"message": {"id": "msg_fake", "model": model,
                                               "usage": {"input_tokens": usage["prompt_tokens"],
                                                         "output_tokens": 1}}})
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


def main(argv):
    port_file = argv[1]
    server = Server(("127.0.0.1", 0), Handler)
    if len(argv) >= 5 and argv[2] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(argv[3], argv[4])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
