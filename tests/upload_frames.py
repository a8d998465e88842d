#!/usr/bin/python3
"""Hostile and odd clients for `panicsage serve` (used by tests/t_upload.sh).

    upload_frames.py PORT PKIDIR SCENARIO [ARGS...]
    upload_frames.py 0 PKIDIR noack-server PORTFILE LOG

Speaks TLS with PKIDIR/client.{crt,key} and sends crafted frames (the
format of core/frame.h, re-implemented here independently), then prints
what the collector did: "error CODE MSG", "ack ID DUP" (a version 1 ACK),
"ack2 ID DUP bucket=B cases=N machines=M cause=C advice=A url=U" (a
version 2 ACK, texts as Python reprs), "closed" or "timeout".  Exit 0
when the collector behaved as the scenario expects.

    upload_frames.py PORT PKIDIR v1-case|v2-case REPORT [MACHINE]
        one CASE of the JSON report in file REPORT, as an old client
        (version 1) or a new one (version 2) sends it
    upload_frames.py 0 PKIDIR serve-v1 PORTFILE LOG
    upload_frames.py 0 PKIDIR serve-evil PORTFILE LOG
        a collector on 127.0.0.1 (PKIDIR/server.{crt,key}, client
        certificates of PKIDIR/ca.crt required) that writes its port to
        PORTFILE and serves until killed: serve-v1 speaks version 1 only,
        as collectors did before version 2 (a frame of another version
        gets ERROR 1 "unsupported frame version" and the connection is
        closed; a version 1 CASE is checked and acknowledged); serve-evil
        answers every CASE with a version 2 ACK whose cause carries a
        terminal escape sequence.  Each CASE's version and id go to LOG.
"""
import hashlib
import os
import socket
import ssl
import struct
import sys
import time

MAGIC = b"PSGF"
CASE, ACK, ERROR = 1, 2, 3


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def frame(ftype, payload, version=1, flags=0, length=None, crc=None):
    n = len(payload) if length is None else length
    head = MAGIC + struct.pack("<BBHI", version, ftype, flags, n)
    if crc is None:
        crc = crc32c(head + payload)
    return head + struct.pack("<I", crc) + payload


def case_payload(report, label=b"oops", release=b"6.1.0-test", machine=b"m1",
                 capture_us=None, bad_id=False):
    if capture_us is None:
        capture_us = int(time.time() * 1e6)
    rest = struct.pack("<QI", capture_us, 900000)
    for field in (release, machine, label):
        rest += struct.pack("<H", len(field)) + field
    rest += struct.pack("<I", len(report)) + report
    digest = hashlib.sha256(rest).digest()
    if bad_id:
        digest = bytes(32)
    return digest + rest


def connect(port, pki):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(pki + "/ca.crt")
    ctx.load_cert_chain(pki + "/client.crt", pki + "/client.key")
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    return ctx.wrap_socket(raw)


def read_answer(s):
    """One frame from the collector, or 'closed'/'timeout'."""
    buf = b""
    try:
        while len(buf) < 16:
            chunk = s.recv(16 - len(buf))
            if not chunk:
                return "closed"
            buf += chunk
        magic, ver, ftype, flags, n, crc = struct.unpack("<4sBBHII", buf)
        body = b""
        while len(body) < n:
            chunk = s.recv(n - len(body))
            if not chunk:
                return "closed"
            body += chunk
    except socket.timeout:
        return "timeout"
    except (ssl.SSLError, ConnectionError, OSError):
        return "closed"
    if magic != MAGIC or crc32c(buf[:12] + body) != crc:
        return "bad-answer"
    if ftype == ACK and ver == 2:
        return "ack2 %s %d %s" % (body[:32].hex(), body[32], ack2_fields(body))
    if ftype == ACK:
        if ver != 1 or n != 33:
            return "bad-answer"
        return "ack %s %d" % (body[:32].hex(), body[32])
    if ftype == ERROR:
        code, mlen = struct.unpack("<HH", body[:4])
        return "error %d %s" % (code, body[4:4 + mlen].decode())
    return "bad-answer"


def ack2_fields(body):
    """The fields after the version 1 part of a version 2 ACK."""
    off = 33
    out = []

    def text():
        nonlocal off
        n = struct.unpack_from("<H", body, off)[0]
        off += 2
        t = body[off:off + n]
        off += n
        return t

    bucket = text()
    cases, machines = struct.unpack_from("<II", body, off)
    off += 8
    cause, advice, url = text(), text(), text()
    out.append("bucket=%s cases=%d machines=%d" % (bucket.decode(), cases, machines))
    out.append("cause=%r advice=%r url=%r" % (cause.decode(), advice.decode(), url.decode()))
    if off != len(body):
        out.append("TRAILING")
    return " ".join(out)


def ack2(case_id, cause, advice=b"", url=b"", bucket=b"0123456789abcdef", cases=1, machines=1):
    p = case_id + b"\0"
    p += struct.pack("<H", len(bucket)) + bucket + struct.pack("<II", cases, machines)
    for t in (cause, advice, url):
        p += struct.pack("<H", len(t)) + t
    return frame(ACK, p, version=2)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def serve(pki, mode, portfile, log):
    """A fake collector: see the module's docstring."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki + "/server.crt", pki + "/server.key")
    ctx.load_verify_locations(pki + "/ca.crt")
    ctx.verify_mode = ssl.CERT_REQUIRED
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(8)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    while True:
        raw, _ = lsock.accept()
        raw.settimeout(10)
        try:
            s = ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            continue
        try:
            while True:
                head = recv_exact(s, 16)
                if head is None:
                    break
                magic, ver, ftype, flags, n, crc = struct.unpack("<4sBBHII", head)
                body = recv_exact(s, n) if magic == MAGIC and n <= 300000 else None
                with open(log, "a") as f:
                    f.write("frame version=%d type=%d id=%s\n" % (ver, ftype, body[:32].hex() if body else "-"))
                if body is None or crc32c(head[:12] + body) != crc:
                    s.sendall(frame(ERROR, struct.pack("<HH", 1, 14) + b"bad checksum!!"))
                    break
                if mode == "serve-v1" and ver != 1:
                    msg = b"unsupported frame version"
                    s.sendall(frame(ERROR, struct.pack("<HH", 1, len(msg)) + msg))
                    break
                if hashlib.sha256(body[32:]).digest() != body[:32]:
                    msg = b"case id is not the SHA-256 of the case"
                    s.sendall(frame(ERROR, struct.pack("<HH", 2, len(msg)) + msg))
                    continue
                if mode == "serve-evil":
                    s.sendall(ack2(body[:32], b"\x1b]0;owned\x07\x1b[2J\x1b[31mred", b"\x9b31m"))
                else:
                    s.sendall(frame(ACK, body[:32] + b"\0"))
        except (ssl.SSLError, OSError):
            pass
        try:
            s.close()
        except OSError:
            pass


def expect_closed(s, within):
    s.settimeout(within)
    got = read_answer(s)
    return got in ("closed",)


def noack_server(pki, port_file, log):
    """A collector that completes the handshake (client certificate
    required, as `panicsage serve`), reads one whole CASE frame, checks
    it, notes "read case ID LEN" in `log`, then closes the connection
    without an ACK.  Serves until killed; its port goes to `port_file`."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(pki + "/server.crt", pki + "/server.key")
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(pki + "/ca.crt")
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(lsock.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    while True:
        raw, _ = lsock.accept()
        raw.settimeout(10)
        try:
            s = ctx.wrap_socket(raw, server_side=True)
            buf = b""
            while len(buf) < 16:
                chunk = s.recv(16 - len(buf))
                if not chunk:
                    raise ConnectionError("closed in the header")
                buf += chunk
            magic, ver, ftype, flags, n, crc = struct.unpack("<4sBBHII", buf)
            body = b""
            while len(body) < n:
                chunk = s.recv(min(65536, n - len(body)))
                if not chunk:
                    raise ConnectionError("closed in the payload")
                body += chunk
            ok = magic == MAGIC and ftype == CASE and crc32c(buf[:12] + body) == crc
            with open(log, "a") as f:
                f.write("%s case %s %d\n" % ("read" if ok else "bad", body[:32].hex(), n + 16))
        except (ssl.SSLError, OSError) as e:
            with open(log, "a") as f:
                f.write("failed %s\n" % e)
        finally:
            raw.close()      # no ACK, no ERROR: the case was read and dropped


def main():
    if sys.argv[3] == "noack-server":
        noack_server(sys.argv[2], sys.argv[4], sys.argv[5])
        return 0
    port, pki, scenario = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    report = b'{"label":"oops","segment":[]}'

    if scenario in ("serve-v1", "serve-evil"):
        serve(pki, scenario, sys.argv[4], sys.argv[5])
        return 0

    if scenario == "half-open":
        # TCP only, never a TLS byte: the collector must hang up.
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        raw.settimeout(10)
        t0 = time.time()
        try:
            data = raw.recv(100)
        except (socket.timeout, ConnectionError):
            data = None
        dt = time.time() - t0
        print("half-open closed after %.1fs (%r)" % (dt, data))
        return 0 if data == b"" and dt < 8 else 1
    if scenario.startswith("idle"):
        # "idleN": N TCP connections without a TLS byte; exit 0 when the
        # collector has hung up on every one within 10 s (its --timeout).
        socks = [socket.create_connection(("127.0.0.1", port), timeout=10)
                 for _ in range(int(scenario[4:]))]
        t0 = time.time()
        closed = 0
        for s in socks:
            s.settimeout(max(0.1, 10 - (time.time() - t0)))
            try:
                closed += s.recv(100) == b""
            except ConnectionError:
                closed += 1
            except socket.timeout:
                pass
            s.close()
        print("collector hung up on %d of %d idle connections in %.1fs" % (
            closed, len(socks), time.time() - t0))
        return 0 if closed == len(socks) else 1
    if scenario.startswith("hold"):
        # "holdN READY RELEASE": N idle TLS sessions (fills --max-clients).
        # A finished handshake means the collector accepted the
        # connection and counts it.  With all N up, writes READY, then
        # holds them until the file RELEASE exists (at most 60 s), and
        # exit 0 only if the collector kept every one of them open.
        ready, release = sys.argv[4], sys.argv[5]
        socks = [connect(port, pki) for _ in range(int(scenario[4:]))]
        with open(ready + ".tmp", "w") as f:
            f.write("%d\n" % len(socks))
        os.rename(ready + ".tmp", ready)
        t0 = time.time()
        while not os.path.exists(release) and time.time() - t0 < 60:
            time.sleep(0.05)
        released = os.path.exists(release)
        still_open = 0
        for s in socks:
            s.setblocking(False)
            try:
                data = s.recv(1)
            except ssl.SSLWantReadError:
                still_open += 1
                data = None
            except (ssl.SSLError, OSError):
                data = None
            s.close()
        print("held %d sessions for %.1fs, %d still open, %s" % (
            len(socks), time.time() - t0, still_open,
            "released" if released else "never released"))
        return 0 if released and still_open == len(socks) else 1
    if scenario.startswith("flood"):
        # "floodN READY STOP [SRC]": N TCP connections from source address
        # SRC (default 127.0.0.1) that never send a byte, each one opened
        # again as soon as the collector closes it, until the file STOP
        # exists (at most 120 s).  Writes READY once N are open.  Prints
        # how many connections it opened and the collector closed.
        import selectors
        ready, stop = sys.argv[4], sys.argv[5]
        src = sys.argv[6] if len(sys.argv) > 6 else "127.0.0.1"
        sel = selectors.DefaultSelector()
        opened = closed = failed = 0

        def open_one():
            nonlocal opened, failed
            try:
                c = socket.create_connection(("127.0.0.1", port), timeout=5,
                                             source_address=(src, 0))
            except OSError:
                failed += 1
                return
            opened += 1
            sel.register(c, selectors.EVENT_READ)

        for _ in range(int(scenario[5:])):
            open_one()
        with open(ready + ".tmp", "w") as f:
            f.write("%d\n" % opened)
        os.rename(ready + ".tmp", ready)
        t0 = time.time()
        while not os.path.exists(stop) and time.time() - t0 < 120:
            for key, _ in sel.select(timeout=0.05):
                c = key.fileobj
                try:
                    data = c.recv(100)
                except OSError:
                    data = b""
                if not data:
                    closed += 1
                    sel.unregister(c)
                    c.close()
                    open_one()
        for key in list(sel.get_map().values()):
            key.fileobj.close()
        print("flood from %s: opened %d connections, the collector closed %d, %d connects failed" % (
            src, opened, closed, failed))
        return 0

    if scenario == "tcp-garbage":
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 10)
        raw.settimeout(10)
        try:
            while raw.recv(4096):
                pass
        except (socket.timeout, ConnectionError):
            pass
        print("tcp-garbage: connection ended")
        return 0

    s = connect(port, pki)
    if scenario == "garbage":
        s.sendall(b"GET / HTTP/1.1\r\nHost: collector\r\n\r\n")
        got = read_answer(s)
        ok = got.startswith("error 1")
    elif scenario == "oversized":
        s.sendall(frame(CASE, b"", length=0x7FFFFFF0))
        got = read_answer(s)
        ok = got.startswith("error 1") and "too large" in got
    elif scenario == "bad-crc":
        s.sendall(frame(CASE, case_payload(report), crc=1234))
        got = read_answer(s)
        ok = got.startswith("error 1") and "checksum" in got
    elif scenario == "bad-version":
        s.sendall(frame(CASE, case_payload(report), version=9))
        got = read_answer(s)
        ok = got.startswith("error 1")
    elif scenario == "wrong-type":
        s.sendall(frame(ACK, bytes(33)))
        got = read_answer(s)
        ok = got.startswith("error 4")
    elif scenario == "truncated":
        whole = frame(CASE, case_payload(report))
        s.sendall(whole[:len(whole) // 2])
        s.shutdown(socket.SHUT_WR) if False else None
        s.close()
        got, ok = "sent half a frame and closed", True
    elif scenario == "slow":
        # A header, then silence: the frame must be given up on.
        whole = frame(CASE, case_payload(report))
        s.sendall(whole[:20])
        t0 = time.time()
        s.settimeout(10)
        got = read_answer(s)
        dt = time.time() - t0
        got += " after %.1fs" % dt
        ok = got.startswith("closed") and dt < 8
    elif scenario == "bad-id-then-good":
        # A well-framed case with a wrong id is rejected, the session
        # goes on, and the next good case is stored.
        s.sendall(frame(CASE, case_payload(report, bad_id=True)))
        first = read_answer(s)
        good = case_payload(report, label=b"after-bad-id")
        s.sendall(frame(CASE, good))
        second = read_answer(s)
        got = first + " / " + second
        ok = first.startswith("error 2") and second.startswith("ack " + good[:32].hex())
    elif scenario == "bad-json":
        s.sendall(frame(CASE, case_payload(b'{"label": oops')))
        got = read_answer(s)
        ok = got.startswith("error 2") and "JSON" in got
    elif scenario == "bad-field":
        p = bytearray(case_payload(report))
        struct.pack_into("<H", p, 44, 60000)   # release length past the end
        s.sendall(frame(CASE, bytes(p)))
        got = read_answer(s)
        ok = got.startswith("error 2")
    elif scenario in ("v1-case", "v2-case"):
        with open(sys.argv[4], "rb") as f:
            rep = f.read()
        machine = sys.argv[5].encode() if len(sys.argv) > 5 else b"old-client"
        p = case_payload(rep, label=b"", machine=machine)
        s.sendall(frame(CASE, p, version=1 if scenario == "v1-case" else 2))
        got = read_answer(s)
        want = "ack " if scenario == "v1-case" else "ack2 "
        ok = got.startswith(want + p[:32].hex() + " 0")
    elif scenario == "many":
        # Several cases on one connection, each acknowledged in order.
        got, ok = "", True
        for i in range(20):
            p = case_payload(report, label=b"many", capture_us=1000 + i)
            s.sendall(frame(CASE, p))
            a = read_answer(s)
            ok = ok and a == "ack %s 0" % p[:32].hex()
            got = a
    else:
        print("unknown scenario", scenario)
        return 2
    print("%s: %s" % (scenario, got))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
