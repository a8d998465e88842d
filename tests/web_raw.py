#!/usr/bin/python3
"""Sends one raw HTTP request (stdin, bytes as they are) to panicsage web
over TLS (the server's certificate is not checked: the request is the
point) and prints the status code of the answer, or "closed" when the
server closed the connection without one.  The body goes to stdout after
the status line with --body.

    web_raw.py PORT [--cert CRT --key KEY] [--body] [--slow SECONDS] < request
--slow sends the request's bytes one every SECONDS instead of at once."""
import socket
import ssl
import sys
import time

args = sys.argv[1:]
port = int(args.pop(0))
cert = key = None
body = False
slow = 0.0
while args:
    a = args.pop(0)
    if a == "--cert":
        cert = args.pop(0)
    elif a == "--key":
        key = args.pop(0)
    elif a == "--body":
        body = True
    elif a == "--slow":
        slow = float(args.pop(0))
req = sys.stdin.buffer.read()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if cert:
    ctx.load_cert_chain(cert, key)
data = b""
try:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        with ctx.wrap_socket(raw) as s:
            if slow:
                for i in range(len(req)):
                    s.sendall(req[i:i + 1])
                    time.sleep(slow)
            else:
                s.sendall(req)
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
except (OSError, ssl.SSLError):
    pass
if not data.startswith(b"HTTP/1.1 "):
    print("closed")
    sys.exit(0)
print(data[9:12].decode())
if body:
    sys.stdout.flush()
    sys.stdout.buffer.write(data.split(b"\r\n\r\n", 1)[-1])
