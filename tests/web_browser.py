#!/usr/bin/python3
"""Drives a headless chromium through panicsage web over the DevTools
protocol on a pipe (--remote-debugging-pipe: commands on the child's fd 3,
answers and events on its fd 4, each a JSON text ended by a NUL), with
python3's standard library alone.

    web_browser.py CHROMIUM URL TOKEN OUTDIR

Signs in with TOKEN through the page's own form, saves screenshots of the
main pages into OUTDIR (index.png, queue.png, bucket.png, signin.png),
sets the first queued bucket's label to "hardware" through the queue's
form, and prints one line per fact for the shell test to check:

    status PAGE N           HTTP status of the page's main response
    scripts PAGE N          <script> elements in its DOM
    text PAGE WORDS...      a word of its visible text (first lines)
    labelled BUCKET LABEL   the bucket labelled through the form
    after PAGE-TITLE        the title of the page the form led to
"""
import base64
import fcntl
import json
import os
import subprocess
import sys
import tempfile
import time


class Chrome:
    def __init__(self, exe, profile):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():
            # to fds 3 and 4 by way of fds that cannot be 3 or 4
            a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--remote-debugging-pipe", "--ignore-certificate-errors", "--no-first-run",
                "--hide-scrollbars", "--user-data-dir=" + profile, "--window-size=1200,900",
                "about:blank"]
        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read_msg(self, deadline):
        import select
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("chromium did not answer")
            r, _, _ = select.select([self.from_child], [], [], left)
            if r:
                chunk = os.read(self.from_child, 1 << 20)
                if not chunk:
                    raise EOFError("chromium closed the pipe")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True, timeout=30):
        self.next_id += 1
        m = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            m["sessionId"] = self.session
        os.write(self.to_child, json.dumps(m).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            r = self._read_msg(deadline)
            if r.get("id") == self.next_id:
                if "error" in r:
                    raise RuntimeError("%s: %s" % (method, r["error"]))
                return r.get("result", {})
            self.events.append(r)

    def wait_event(self, name, timeout=30):
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    del self.events[i]
                    return e
            self.events.append(self._read_msg(deadline))

    def close(self):
        try:
            self.call("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    exe, url, token, out = sys.argv[1:5]
    url = url.rstrip("/")
    with tempfile.TemporaryDirectory() as profile:
        c = Chrome(exe, profile)
        try:
            run(c, url, token, out)
        finally:
            c.close()


def run(c, url, token, out):
    targets = c.call("Target.getTargets", session=False)["targetInfos"]
    page = [t for t in targets if t["type"] == "page"][0]
    c.session = c.call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True},
                       session=False)["sessionId"]
    c.call("Page.enable")
    c.call("Network.enable")

    def status_of_last():
        # the main document's response among the events seen so far
        st = None
        for e in c.events:
            if e.get("method") == "Network.responseReceived" and e["params"].get("type") == "Document":
                st = e["params"]["response"]["status"]
        c.events = [e for e in c.events if e.get("method") != "Network.responseReceived"]
        return st

    def load(action):
        c.events = []
        action()
        c.wait_event("Page.loadEventFired")
        return status_of_last()

    def ev(expr):
        r = c.call("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        return r["result"].get("value")

    def shot(name):
        m = c.call("Page.getLayoutMetrics")["cssContentSize"]
        w, h = min(int(m["width"]), 1400), min(int(m["height"]), 1800)
        png = c.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                 "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}})
        with open(os.path.join(out, name + ".png"), "wb") as f:
            f.write(base64.b64decode(png["data"]))

    def report(name, st):
        print("status", name, st)
        print("scripts", name, ev("document.getElementsByTagName('script').length"))
        print("text", name, " ".join(ev("document.body.innerText").split()[:60]))

    # not signed in: the sign-in page, 401
    st = load(lambda: c.call("Page.navigate", {"url": url + "/"}))
    report("signin", st)
    shot("signin")
    # sign in through the form: a session cookie, then the buckets
    ev("document.querySelector('input[name=token]').value = %s" % json.dumps(token))
    st = load(lambda: ev("document.querySelector('form[action=\"/login\"] button').click()"))
    report("index", st)
    shot("index")
    st = load(lambda: c.call("Page.navigate", {"url": url + "/queue"}))
    report("queue", st)
    shot("queue")
    bucket = ev("document.querySelector('form[action=\"/label\"] input[name=bucket]').value")
    # the first bucket of the queue: label it through its form
    ev("document.querySelector('form[action=\"/label\"] select[name=label]').value = 'hardware'")
    st = load(lambda: ev("document.querySelector('form[action=\"/label\"] button').click()"))
    print("labelled", bucket, "hardware")
    print("after", ev("document.title").replace(" ", "_"), st)
    st = load(lambda: c.call("Page.navigate", {"url": url + "/bucket/" + bucket}))
    report("bucket", st)
    shot("bucket")


if __name__ == "__main__":
    main()
