#!/usr/bin/python3
"""A local stand-in for an OpenAI-compatible /v1/chat/completions
endpoint (used by tests/t_summarize.sh; stdlib only).

    fake_llm.py PORTFILE LOGFILE [CERT KEY]

With CERT and KEY it speaks HTTPS.
Listens on 127.0.0.1 (a free port, written to PORTFILE), records every
request body as one JSON line in LOGFILE, and answers according to the
model name the client asks for:

    good        a JSON object with clues/reasoning/summary/label
    fenced      the same object inside prose and a ```json fence, chunked
    prose       plain text, no JSON (the client must fall back)
    flaky       HTTP 500 on the first request, then like "good"
    slow        waits 5 s before answering (the client times out)
    badkey      HTTP 401 unless the Authorization header is "Bearer sekrit"
    evil        "good" with terminal escape sequences (OSC title, clear
                screen, C1 CSI) in the summary, clues and reasoning
    evilerr     HTTP 400 whose error message carries escape sequences
    dribble     like "good", its summary quoting "Content-Length: 0", chunked
                so that a chunk starts with those words, and every byte of the
                response sent on its own
    gated       like "good", once the file LOGFILE.gate exists (waits for it
                up to 30 s): the test acts while the client waits for the answer
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SEEN = {"flaky": 0}


def answer_object(body):
    user = body["messages"][-1]["content"]
    clue = next((l for l in user.splitlines() if "BUG:" in l or "panic" in l), "no clue")
    return {
        "clues": [clue.strip()],
        "reasoning": "The oops header names a NULL pointer dereference in the driver.",
        "summary": "A NULL pointer dereference in cachefs_evict_entry crashed the kernel; "
                   "check the cachefs writeback path.",
        "label": "null-deref",
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def dribble(self, payload):
        """A chunked 200 response, one byte per send; a chunk starts at
        the body's "Content-Length" (a client must not take it for a
        header)."""
        import socket
        data = json.dumps(payload).encode()
        cut = data.index(b"Content-Length")
        body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (data[:cut], data[cut:]))
        raw = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body + b"0\r\n\r\n")
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(raw)):
            self.wfile.write(raw[i:i + 1])
            time.sleep(0.0005)
        self.close_connection = True

    def reply(self, status, payload, chunked=False):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(data), 50):
                part = data[i:i + 50]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        self.close_connection = True

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        try:
            body = json.loads(raw)
        except ValueError:
            return self.reply(400, {"error": {"message": "request is not JSON"}})
        with LOCK:
            with open(sys.argv[2], "a") as log:
                log.write(json.dumps({"path": self.path,
                                      "auth": self.headers.get("Authorization"),
                                      "body": body}) + "\n")
        if self.path != "/v1/chat/completions":
            return self.reply(404, {"error": {"message": "no such path " + self.path}})
        model = body.get("model", "")
        if model == "badkey" and self.headers.get("Authorization") != "Bearer sekrit":
            return self.reply(401, {"error": {"message": "invalid API key"}})
        if model == "flaky":
            with LOCK:
                SEEN["flaky"] += 1
                first = SEEN["flaky"] == 1
            if first:
                return self.reply(500, {"error": {"message": "model is loading"}})
        if model == "slow":
            time.sleep(5)
        if model == "gated":
            gate = sys.argv[2] + ".gate"
            for _ in range(600):
                if os.path.exists(gate):
                    break
                time.sleep(0.05)
        evil = "\x1b]0;owned\x07\x1b[2J\u009b31m"
        if model == "evilerr":
            return self.reply(400, {"error": {"message": "bad request " + evil}})
        obj = answer_object(body)
        if model == "evil":
            obj["summary"] = evil + obj["summary"]
            obj["clues"].append(evil + "clue")
            obj["reasoning"] = evil + obj["reasoning"]
            obj["label"] = evil
        content = json.dumps(obj)
        if model == "fenced":
            content = "Here is my analysis:\n```json\n" + json.dumps(obj, indent=2) + "\n```\n"
        if model == "prose":
            content = "The kernel crashed because of a NULL pointer. Check the driver."
        if model == "dribble":
            obj["summary"] = "Content-Length: 0 is what the driver logged; " + obj["summary"]
            content = json.dumps(obj)
        resp = {
            "id": "chatcmpl-test", "object": "chat.completion", "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
        }
        if model == "dribble":
            return self.dribble(resp)
        return self.reply(200, resp, chunked=(model == "fenced"))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if len(sys.argv) > 4:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    # Bounded life: a test that forgets to stop it does not leave it running.
    threading.Timer(300, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
