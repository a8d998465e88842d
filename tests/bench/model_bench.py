#!/usr/bin/python3
"""Benchmark of the model side; prints numbers, never fails on a slow machine.

1. panicsage-kdump on a 1 MiB dmesg with the built-in default model:
   wall time and peak RSS (median / max of repeated runs), against the
   targets of DESIGN.md (< 20 ms, < 32 MiB).
2. The classifier stages alone, from the report's own timings.
3. Training time of `panicsage train` and of 5-fold cross-validation on
   ../shared/corpus/syzkaller when it is there (says so when it is not).

Run from the repository root: /usr/bin/python3 tests/bench/model_bench.py"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

B = os.environ.get("B", "build")
KDUMP = os.path.join(B, "panicsage-kdump")
PS = os.path.join(B, "panicsage")
SHARED = os.path.join("..", "shared", "corpus", "syzkaller")
if not os.path.isdir(SHARED):
    SHARED = "/work/shared/corpus/syzkaller"
RUNS = int(os.environ.get("RUNS", "15"))


def case_body(path):
    text = open(path, "rb").read()
    i = text.find(b"\n\n")
    return text[i + 2:] if text.startswith(b"LABEL:") and i >= 0 else text


NOISE = [
    "e1000 0000:00:{a:02x}.0 eth{b}: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX",
    "audit: type=1400 audit({t}.{n}:{m}): apparmor=\"STATUS\" operation=\"profile_load\" name=\"{w}\" pid={p}",
    "systemd[1]: Started {w}.service - {W} Service.",
    "systemd[1]: Starting {w}.service...",
    "EXT4-fs (vda{b}): mounted filesystem {u} with ordered data mode. Quota mode: none.",
    "usb {b}-{a}: new high-speed USB device number {n} using xhci_hcd",
    "usb {b}-{a}: New USB device found, idVendor={x:04x}, idProduct={y:04x}, bcdDevice= {b}.{a:02d}",
    "sd {b}:0:0:0: [sd{c}] {n} 512-byte logical blocks: ({g} GB/{g} GiB)",
    "IPv6: ADDRCONF(NETDEV_CHANGE): eth{b}: link becomes ready",
    "{w}[{p}]: segfault at {x:x} ip {z:016x} sp {z:016x} error 4 in {w}[{x:x}+{y:x}]",
    "TCP: request_sock_TCP: Possible SYN flooding on port {n}. Sending cookies.",
    "device veth{x:x} entered promiscuous mode",
    "docker0: port {b}(veth{x:x}) entered forwarding state",
    "nf_conntrack: default automatic helper assignment has been turned off",
    "NFSD: Using UMH upcall client tracking operations.",
    "perf: interrupt took too long ({n} > {m}), lowering kernel.perf_event_max_sample_rate to {t}",
    "kauditd_printk_skb: {n} callbacks suppressed",
    "rfkill: input handler disabled",
    "loop{b}: detected capacity change from 0 to {n}",
    "{w}: module verification failed: signature and/or required key missing - tainting kernel",
    "input: {W} {w} as /devices/pci0000:00/0000:00:{a:02x}.0/input/input{b}",
    "ACPI: \\_SB_.PCI0.S{a:02X}_: PCI hotplug slot {n} registered",
    "virtio_net virtio{b} ens{a}: renamed from eth{b}",
    "random: crng reseeded on system resumption",
    "Bluetooth: hci{b}: command 0x{x:04x} tx timeout",
    "cgroup: fork rejected by pids controller in /user.slice/user-{n}.slice/session-{m}.scope",
]
WORDS = ["cron", "sshd", "nginx", "postgres", "journald", "udevd", "dbus", "chronyd", "snapd",
         "containerd", "kubelet", "rsyslog", "polkit", "networkd", "resolved", "timesyncd"]


def make_log(path, size=1 << 20):
    """Boot and runtime noise up to `size` bytes (generated, varied like
    a real dmesg), then one crash report (tests/data/example.log)."""
    import random
    rnd = random.Random(1)
    crash = open("tests/data/example.log", "rb").read()
    out, total, ts = [], 0, 1.0
    while total < size - len(crash):
        w = rnd.choice(WORDS)
        msg = rnd.choice(NOISE).format(
            a=rnd.randrange(32), b=rnd.randrange(8), c=chr(97 + rnd.randrange(8)), n=rnd.randrange(1, 99999),
            m=rnd.randrange(1, 9999), t=rnd.randrange(1, 10**9), p=rnd.randrange(1, 65535),
            x=rnd.randrange(1 << 16), y=rnd.randrange(1 << 16), z=rnd.randrange(1 << 63),
            g=rnd.randrange(1, 2000), u=f"{rnd.randrange(1 << 64):032x}", w=w, W=w.capitalize())
        line = f"[{ts:12.6f}] {msg}\n".encode()
        ts += rnd.random() * 0.2
        out.append(line)
        total += len(line)
    data = b"".join(out)[: size - len(crash)]
    data = data[: data.rfind(b"\n") + 1] + crash
    open(path, "wb").write(data)
    return "generated boot/runtime noise (26 message kinds), then tests/data/example.log (a NULL dereference)", len(data)


def run_rusage(cmd):
    """Exit code, wall time and peak RSS of one child, via wait4."""
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execv(cmd[0], cmd)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    return os.waitstatus_to_exitcode(status), wall, ru.ru_maxrss * 1024


def main():
    if not os.path.exists(KDUMP) or not os.path.exists(PS):
        print(f"build first: make ({KDUMP}, {PS})")
        return 0
    print("== panicsage-kdump on a 1 MiB log, built-in default model ==")
    subprocess.run([PS, "model", "inspect"], check=False, stdout=subprocess.PIPE)
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "1mib.log")
        src, n = make_log(log)
        print(f"input: {n} bytes from {src}")
        walls, rss = [], []
        for _ in range(RUNS):
            rc, wall, peak = run_rusage([KDUMP, "--no-deliver", log])
            walls.append(wall)
            rss.append(peak)
        print(f"exit code {rc}; {RUNS} runs")
        print(f"wall time (process start to exit): median {statistics.median(walls) * 1e3:.1f} ms, "
              f"min {min(walls) * 1e3:.1f} ms, max {max(walls) * 1e3:.1f} ms  (target < 20 ms)")
        print(f"peak RSS: median {statistics.median(rss) / 2**20:.1f} MiB, max {max(rss) / 2**20:.1f} MiB  "
              f"(target < 32 MiB)")
        out = subprocess.run([KDUMP, "--no-deliver", "--json", log], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE).stdout
        try:
            rep = json.loads(out)
            print(f"label {rep.get('label')} ({rep.get('confidence')}), "
                  f"{len(rep.get('neighbors', []))} neighbours")
            t = rep.get("timing_us") or rep.get("timings_us") or {}
            if t:
                print("stage timings (us): " + ", ".join(f"{k} {v}" for k, v in t.items()))
        except ValueError:
            print("(no JSON report to read timings from)")

    print("\n== training ==")
    if not os.path.isdir(SHARED):
        print(f"{SHARED} not found: training benchmark skipped")
        return 0
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        r = subprocess.run([PS, "train", "--quiet", "--out", os.path.join(d, "m.psm"), SHARED],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        t = time.perf_counter() - t0
        print(f"panicsage train on {SHARED} (458 cases): {t:.1f} s, exit {r.returncode}, "
              f"model {os.path.getsize(os.path.join(d, 'm.psm')) / 2**20:.2f} MiB (float + int8)")
        t0 = time.perf_counter()
        r = subprocess.run([PS, "eval", "--cv", "5", "--no-baselines", "--quiet", SHARED],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        t = time.perf_counter() - t0
        last = r.stdout.decode().strip().splitlines()[-1] if r.stdout else ""
        print(f"panicsage eval --cv 5 (5 trainings + 458 classifications): {t:.1f} s, {last}")
    return 0


sys.exit(main())
