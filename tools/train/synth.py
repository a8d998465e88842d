#!/usr/bin/python3
"""Synthetic crash cases from the catalogue of the kernel's fault messages.

For each header entry of model/catalogue.tsv that is not harmless, writes
case files: a plausible kernel log around the entry's message -- boot
noise (the catalogue's harmless lines and a few boot messages), the
message with its printf conversions filled in (addresses in the ranges
of the architecture; below the first page where the entry is a NULL
dereference or its label depends on the address), the report body in
the architecture's style (register dump and call trace, older or newer
layout by the kernel version), and a panic line where the kind panics.
Kernel versions come from the entry's era column.  Every case says
`SOURCE: synthetic` with `ARCH:`, `ERA:`, `FORM:` and `CATALOGUE:`
headers for evaluation (the classifier never reads headers).

Log forms: the plain `[ts] text` log is rendered through
`panicsage logform` (--panicsage PROGRAM) in a form drawn from --forms
(all: every form of `panicsage logform --list`, and each of its wrappers
on the plain log, e.g. `plain+quoted`); without a program that has the
logform command, only `plain`.

Split: an entry belongs to the development set when a hash of its id
falls in the --dev-share, so the two sets hold different entries; the
development set also uses different seeds (--split dev adds 1000003).

Everything written here is made from the kernel's message formats (the
catalogue) and this file's own tables; no report text is copied.

  tools/train/synth.py --split train --seed 1 --per-entry 2 \\
      [--panicsage build/panicsage] [--forms all|plain,syslog,...] OUTDIR
"""
import argparse
import hashlib
import os
import random
import re
import subprocess
import sys

ARCHS = ["x86", "arm64", "arm", "powerpc", "s390", "mips", "riscv"]
BITS = {"x86": 64, "arm64": 64, "arm": 32, "powerpc": 64, "s390": 64, "mips": 32, "riscv": 64}

# kernel versions a case may claim, oldest first
VERSIONS = ["2.6.18", "2.6.32", "3.2.0", "3.10.0", "3.16.0", "4.4.0", "4.9.0", "4.14.0",
            "4.19.0", "5.4.0", "5.10.0", "5.15.0", "6.1.0", "6.5.0", "6.8.0"]

FUNCS = ["vfs_write", "vfs_read", "ksys_write", "ksys_ioctl", "__x64_sys_ioctl", "do_sys_openat2",
         "path_openat", "ext4_file_write_iter", "ext4_da_write_begin", "xfs_file_buffered_write",
         "generic_perform_write", "filemap_fault", "handle_mm_fault", "do_user_addr_fault",
         "process_one_work", "worker_thread", "kthread", "ret_from_fork", "tcp_sendmsg",
         "sock_sendmsg", "__sys_sendto", "netif_receive_skb", "__napi_poll", "net_rx_action",
         "__do_softirq", "irq_exit_rcu", "blk_mq_dispatch_rq_list", "blk_mq_run_hw_queue",
         "nvme_queue_rq", "scsi_queue_rq", "usb_submit_urb", "dev_ioctl", "sock_ioctl",
         "kmem_cache_alloc", "kfree", "__kmalloc", "copy_page_range", "unmap_page_range",
         "do_exit", "do_group_exit", "get_signal", "schedule", "__schedule", "mutex_lock",
         "down_write", "rcu_core", "call_timer_fn", "run_timer_softirq", "drm_ioctl",
         "i915_gem_do_execbuffer", "amdgpu_cs_ioctl", "e1000_clean", "ixgbe_poll", "mlx5e_napi_poll",
         "btrfs_commit_transaction", "jbd2_journal_commit_transaction", "nfs_file_write",
         "configfs_write_iter", "sysfs_kf_write", "kernfs_fop_write_iter", "seq_read_iter"]
MODULES = ["", "", "", " [ext4]", " [xfs]", " [nvme]", " [e1000e]", " [i915]", " [mlx5_core]",
           " [btrfs]", " [nfs]", " [usbcore]"]
ENTRY = {
    "x86": ["do_syscall_64", "entry_SYSCALL_64_after_hwframe"],
    "arm64": ["invoke_syscall", "el0_svc_common", "do_el0_svc", "el0_svc", "el0t_64_sync_handler",
              "el0t_64_sync"],
    "arm": ["ret_fast_syscall", "vector_swi"],
    "powerpc": ["system_call_exception", "system_call_vectored_common"],
    "s390": ["__do_syscall", "system_call"],
    "mips": ["syscall_common"],
    "riscv": ["do_trap_ecall_u", "ret_from_exception"],
}
COMMS = ["kworker/0:1", "kworker/u16:3", "systemd", "bash", "swapper/0", "swapper/3", "sshd", "insmod",
         "python3", "java", "nginx", "postgres", "ksoftirqd/2", "udevd", "modprobe", "dd", "fio", "qemu-kvm"]
WORDS = ["eth0", "sda", "nvme0n1", "sdb1", "dm-0", "md0", "enp3s0", "wlan0", "ttyS0", "usb1", "card0",
         "loop0", "sr0", "vda1", "mmcblk0p2", "ata1", "0000:03:00.0", "0000:00:1f.2", "xhci_hcd",
         "ext4", "xfs", "btrfs", "nfs", "cgroup", "kswapd0", "init", "read", "write", "vmalloc"]
BOOT = [
    "Linux version {ver} (builder@buildhost) (gcc version {gcc}) #1 SMP {date}",
    "Command line: BOOT_IMAGE=/boot/vmlinuz-{ver} root=UUID={uuid} ro quiet",
    "Memory: {mem}K/{memt}K available ({kc}K kernel code, {kr}K rwdata)",
    "NET: Registered PF_INET protocol family",
    "NET: Registered protocol family 10",
    "Freeing unused kernel memory: {kc}K",
    "EXT4-fs ({dev}): mounted filesystem with ordered data mode. Opts: (null)",
    "random: crng init done",
    "{eth}: Link is Up - 1Gbps/Full - flow control rx/tx",
    "IPv6: ADDRCONF(NETDEV_CHANGE): {eth}: link becomes ready",
    "Adding {mem}k swap on /dev/{dev}.  Priority:-2 extents:1 across:{mem}k FS",
    "audit: type=1130 audit({sec}.{ms}:{n}): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='unit=systemd-udevd comm=\"systemd\" res=success'",
    "systemd[1]: Started Journal Service.",
    "clocksource: Switched to clocksource tsc",
    "SCSI subsystem initialized",
    "usb 1-1: new high-speed USB device number 2 using xhci_hcd",
    "loop: module loaded",
]
PANIC = {   # the panic that follows a report of the kind, when it panics
    "null-deref": ["Fatal exception", "Fatal exception in interrupt"],
    "bad-access": ["Fatal exception", "Fatal exception in interrupt"],
    "kernel-bug": ["Fatal exception", "Fatal exception in interrupt"],
    "stack-corruption": ["Fatal exception"],
    "memory-corruption": ["Fatal exception", "panic_on_warn set ..."],
    "cpu-lockup": ["softlockup: hung tasks", "Hard LOCKUP"],
    "hung-task": ["hung_task: blocked tasks"],
    "locking": ["panic_on_warn set ..."],
    "out-of-memory": ["System is deadlocked on memory"],
}
OOPS_LABELS = {"null-deref", "bad-access", "kernel-bug", "stack-corruption", "memory-corruption",
               "locking", "cpu-lockup", "hung-task"}


def vtuple(v):
    m = re.match(r"(\d+)\.(\d+|x)(?:\.(\d+))?", v)
    if not m:
        return None
    minor = 99 if m.group(2) == "x" else int(m.group(2))
    return (int(m.group(1)), minor, int(m.group(3) or 0))


def versions_in(era):
    """Kernel versions of VERSIONS inside an era column (6.1, 4.0-4.15, 5.1-, 2.6.0-3.x)."""
    if era == "6.1":
        lo, hi = (4, 19, 0), (6, 99, 99)      # the 6.1 wording, stable since well before
    else:
        a, _, b = era.partition("-")
        lo = vtuple(a) or (0, 0, 0)
        hi = vtuple(b) if b else (99, 0, 0)
        if b and hi and len(b.split(".")) == 2 and b.split(".")[1] != "x":
            hi = (hi[0], hi[1], 999)
    vs = [v for v in VERSIONS if lo <= vtuple(v) <= hi]
    return vs or [VERSIONS[-1] if lo >= (6, 0, 0) else VERSIONS[0]]


def era_bucket(ver):
    t = vtuple(ver)
    return "2.6" if t[0] == 2 else "%d.x" % t[0]


class Gen:
    def __init__(self, rnd, arch, ver):
        self.r = rnd
        self.arch = arch
        self.ver = ver
        self.bits = BITS[arch]
        self.t = vtuple(ver)
        self.abi = rnd.randrange(1, 40)

    def kaddr(self):
        r = self.r
        if self.arch == "x86":
            return r.choice([0xffffffff81000000 + r.randrange(0x1000000), 0xffff888000000000 +
                             r.randrange(1 << 36), 0xffffffffc0000000 + r.randrange(1 << 24)])
        if self.arch == "arm64":
            return r.choice([0xffff800008000000 + r.randrange(1 << 28), 0xffff000000000000 + r.randrange(1 << 36)])
        if self.arch == "powerpc":
            return 0xc000000000000000 + r.randrange(1 << 32)
        if self.arch == "s390":
            return 0x100000 + r.randrange(1 << 30)
        if self.arch == "riscv":
            return r.choice([0xffffffff80000000 + r.randrange(1 << 24), 0xff60000000000000 + r.randrange(1 << 32)])
        return 0x80000000 + r.randrange(1 << 28) if self.arch == "mips" else 0xc0000000 + r.randrange(1 << 28)

    def hexw(self, v, w=None):
        return "%0*x" % (w or self.bits // 4, v)

    def sym(self, f=None, mod=True):
        f = f or self.r.choice(FUNCS)
        size = self.r.choice([0x80, 0x100, 0x1c0, 0x240, 0x3a0, 0x600])
        return "%s+0x%x/0x%x%s" % (f, self.r.randrange(4, size, 4), size, self.r.choice(MODULES) if mod else "")

    def conv(self, spec, conv, is_addr, low):
        """A value for one printf conversion."""
        r = self.r
        flags = re.match(r"[-+ #0]*", spec).group(0)
        width = re.match(r"[-+ #0]*(\d*)", spec).group(1)
        if is_addr:
            v = r.randrange(0, 4096, 8) if low else self.kaddr()
            if conv in ("p", "px", "pK"):
                return self.hexw(v)
            return "%0*x" % (int(width), v) if width and "0" in flags else "%x" % v
        if conv in ("d", "i", "u"):
            n = r.choice([r.randrange(0, 8), r.randrange(0, 256), r.randrange(1, 40000)])
            return "%0*d" % (int(width), n) if width and "0" in flags else str(n)
        if conv in ("x", "X"):
            n = r.choice([r.randrange(0, 16), r.randrange(0, 1 << 16), r.randrange(0, 1 << 32)])
            s = "%0*x" % (int(width), n) if width and "0" in flags else "%x" % n
            return s.upper() if conv == "X" else s
        if conv in ("p", "px", "pK"):
            return self.hexw(self.kaddr())
        if conv in ("pS", "pB", "pF", "ps", "pf"):
            return self.sym() if conv in ("pS", "pB", "pF") else r.choice(FUNCS)
        if conv == "c":
            return r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if conv == "s":
            return r.choice(WORDS + FUNCS[:8] + COMMS[:4])
        return "0"

    def fill(self, pattern, addr_conv, low):
        out, i, n = [], 0, 0
        rx = re.compile(r"%([-+ #0]*\d*(?:\.\d+)?)(hh|h|ll|l|z|t|j)?(p[SBFsfxK]?|[diuxXsc%])")
        for m in rx.finditer(pattern):
            out.append(pattern[i:m.start()])
            i = m.end()
            if m.group(3) == "%":
                out.append("%")
                continue
            n += 1
            out.append(self.conv(m.group(1), m.group(3), n == addr_conv, low))
        out.append(pattern[i:])
        return "".join(out).rstrip()

    # ---- report bodies, in each architecture's style ----

    def cpu_line(self):
        r = self.r
        taint = r.choice(["Not tainted", "Tainted: G        W", "Tainted: G           O",
                          "Tainted: P           OE"])
        line = "CPU: %d PID: %d Comm: %s %s %s #1" % (r.randrange(8), r.randrange(1, 40000),
                                                        r.choice(COMMS), taint, self.uname())
        hw = {"x86": "QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014",
              "arm64": "linux,dummy-virt (DT)", "arm": "Generic DT based system",
              "powerpc": "IBM pSeries (emulated by qemu) POWER9 (raw) 0x4e1202 0xf000005 of:SLOF,HEAD pSeries",
              "s390": "IBM 3906 M04 704 (z/VM 7.2.0)", "mips": "img,boston", "riscv": "riscv-virtio,qemu (DT)"}
        return [line, "Hardware name: " + hw[self.arch]]

    def uname(self):
        sfx = {"x86": "amd64", "arm64": "arm64", "arm": "armmp", "powerpc": "powerpc64le",
               "s390": "s390x", "mips": "octeon", "riscv": "riscv64"}[self.arch]
        return "%s-%d-%s" % (self.ver, self.abi, sfx)

    def frames(self, n):
        fs = [self.r.choice(FUNCS) for _ in range(n)]
        return fs + ENTRY[self.arch]

    def regs(self, names, per_line, fmt=None):
        lines, cur = [], []
        for nm in names:
            cur.append((fmt or "%s: %s") % (nm, self.hexw(self.r.choice([0, self.kaddr(), self.r.randrange(1 << 16)]))))
            if len(cur) == per_line:
                lines.append(" ".join(cur))
                cur = []
        if cur:
            lines.append(" ".join(cur))
        return lines

    def body(self, nframes):
        a, r, old = self.arch, self.r, self.t < (4, 10, 0)
        fr = self.frames(nframes)
        L = []
        if a == "x86":
            pc = self.kaddr()
            if old:
                L.append("IP: [<%s>] %s" % (self.hexw(pc), self.sym(fr[0])))
            L += self.cpu_line()
            if old:
                L.append("RIP: 0010:[<%s>]  [<%s>] %s" % (self.hexw(pc), self.hexw(pc), self.sym(fr[0])))
            else:
                L.append("RIP: 0010:" + self.sym(fr[0]))
            L.append("RSP: 0018:%s EFLAGS: %08x" % (self.hexw(self.kaddr()), r.choice([0x10246, 0x10282, 0x10202])))
            L += self.regs(["RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R08", "R09", "R10", "R11",
                            "R12", "R13", "R14", "R15"], 3)
            L.append("Call Trace:")
            if self.t >= (5, 17, 0):
                L.append(" <TASK>")
            for f in fr[1:]:
                L.append((" [<%s>] " % self.hexw(self.kaddr()) if old else " ") + self.sym(f, mod=False))
            if self.t >= (5, 17, 0):
                L.append(" </TASK>")
        elif a == "arm64":
            L += self.cpu_line()
            if old:
                L.append("PC is at " + self.sym(fr[0]))
                L.append("LR is at " + self.sym(fr[1]))
                L.append("pc : [<%s>] lr : [<%s>] pstate: %08x" % (self.hexw(self.kaddr()), self.hexw(self.kaddr()), 0x60000145))
            else:
                L.append("pstate: 60400005 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)")
                L.append("pc : " + self.sym(fr[0]))
                L.append("lr : " + self.sym(fr[1]))
            L.append("sp : " + self.hexw(self.kaddr()))
            L += self.regs(["x%d" % i for i in range(29, -1, -1)], 3)
            L.append("Call trace:" if not old else "Call trace:")
            for f in fr[1:]:
                L.append((" [<%s>] " % self.hexw(self.kaddr()) if old else " ") + self.sym(f, mod=False))
        elif a == "arm":
            L += self.cpu_line()
            L.append("PC is at " + self.sym(fr[0]))
            L.append("LR is at " + self.sym(fr[1]))
            L.append("pc : [<%s>]    lr : [<%s>]    psr: %08x" % (self.hexw(self.kaddr()), self.hexw(self.kaddr()), 0x60000013))
            L += self.regs(["r%d" % i for i in range(10, -1, -1)], 4)
            L.append("Flags: nZCv  IRQs on  FIQs on  Mode SVC_32  ISA ARM  Segment none")
            L.append("Backtrace: ")
            for f, g in zip(fr, fr[1:]):
                L.append("[<%s>] (%s) from [<%s>] (%s)" % (self.hexw(self.kaddr()), self.sym(f, mod=False),
                                                          self.hexw(self.kaddr()), self.sym(g, mod=False)))
        elif a == "powerpc":
            L += self.cpu_line()
            L.append("NIP:  %s LR: %s CTR: %s" % (self.hexw(self.kaddr()), self.hexw(self.kaddr()), self.hexw(self.kaddr())))
            L.append("REGS: %s TRAP: 0300   %s  (%s)" % (self.hexw(self.kaddr()), "Not tainted", self.uname()))
            L.append("MSR:  8000000000009033 <SF,EE,ME,IR,DR,RI,LE>  CR: 28002224  XER: 20000000")
            for i in range(0, 32, 4):
                L.append("GPR%02d: %s" % (i, " ".join(self.hexw(self.r.choice([0, self.kaddr()])) for _ in range(4))))
            L.append("NIP [%s] %s" % (self.hexw(self.kaddr()), self.sym(fr[0])))
            L.append("LR [%s] %s" % (self.hexw(self.kaddr()), self.sym(fr[1])))
            L.append("Call Trace:")
            for f in fr[1:]:
                L.append("[%s] [%s] %s" % (self.hexw(self.kaddr()), self.hexw(self.kaddr()), self.sym(f, mod=False)))
        elif a == "s390":
            L += self.cpu_line()
            L.append("Krnl PSW : 0704c00180000000 %s (%s)" % (self.hexw(self.kaddr()), self.sym(fr[0])))
            L.append("           R:0 T:1 IO:1 EX:1 Key:0 M:1 W:0 P:0 AS:3 CC:0 PM:0 RI:0 EA:3")
            L.append("Krnl GPRS: " + " ".join(self.hexw(self.kaddr()) for _ in range(4)))
            for _ in range(3):
                L.append("           " + " ".join(self.hexw(self.kaddr()) for _ in range(4)))
            L.append("Call Trace:")
            for f in fr:
                L.append(" [<%s>] %s" % (self.hexw(self.kaddr()), self.sym(f, mod=False)))
            L.append("Last Breaking-Event-Address:")
            L.append(" [<%s>] %s" % (self.hexw(self.kaddr()), self.sym(fr[1], mod=False)))
        elif a == "riscv":
            L += self.cpu_line()
            L.append("epc : " + self.sym(fr[0]))
            L.append(" ra : " + self.sym(fr[1]))
            L.append("epc : %s ra : %s sp : %s" % (self.hexw(self.kaddr()), self.hexw(self.kaddr()), self.hexw(self.kaddr())))
            L += [" " + s for s in self.regs(["gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4"], 3)]
            L.append("status: 0000000200000120 badaddr: %s cause: 000000000000000d" % self.hexw(0))
            L.append("Call Trace:" if self.t >= (5, 10, 0) else "---[ stack trace ]---")
            for f in fr[1:]:
                L.append("[<%s>] %s" % (self.hexw(self.kaddr()), self.sym(f, mod=False)))
        else:   # mips
            L += self.cpu_line()
            for i in range(0, 32, 4):
                L.append("$%2d   : %s" % (i, " ".join(self.hexw(self.r.choice([0, self.kaddr()])) for _ in range(4))))
            L.append("Hi    : %s" % self.hexw(0))
            L.append("Lo    : %s" % self.hexw(r.randrange(1 << 16)))
            L.append("epc   : %s %s" % (self.hexw(self.kaddr()), self.sym(fr[0])))
            L.append("ra    : %s %s" % (self.hexw(self.kaddr()), self.sym(fr[1])))
            L.append("Status: 1000ff03\tKERNEL EXL IE")
            L.append("Cause : 00800008 (ExcCode 02)")
            L.append("BadVA : %s" % self.hexw(0))
            L.append("Call Trace:")
            for f in fr[1:]:
                L.append("[<%s>] %s" % (self.hexw(self.kaddr()), self.sym(f, mod=False)))
        return L


def load_catalogue(path):
    ents = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            c = line.rstrip("\n").split("\t")
            if len(c) < 10:
                continue
            ents.append(dict(id=c[0], label=c[1], strength=c[2], harmless=c[3] == "yes", anchor=c[4],
                             arch=c[5], era=c[6], addr=c[7], source=c[8], pattern="\t".join(c[9:])))
    return ents


def is_dev(eid, share):
    h = int(hashlib.sha256(eid.encode()).hexdigest()[:8], 16)
    return h % 1000 < share * 1000


def make_case(rnd, ent, noise, arch, ver):
    g = Gen(rnd, arch, ver)
    label, addr_conv, low = ent["label"], 0, False
    if ent["addr"] != "-":
        m = re.match(r"(\d+)(?:<(\w+):([\w-]+))?$", ent["addr"])
        if m:
            addr_conv = int(m.group(1))
            if m.group(2):
                if rnd.random() < 0.5:
                    low, label = True, m.group(3)
            elif label == "null-deref":
                low = True
    header = g.fill(ent["pattern"], addr_conv, low)
    if ent["anchor"] == "any" and label in ("driver", "filesystem") and rnd.random() < 0.3 \
            and not header.startswith(("Kernel panic", "BUG", "WARNING", "Oops")):
        header = rnd.choice(WORDS[:10]) + ": " + header
    lines = []
    boot = sorted(rnd.sample(range(len(BOOT)), rnd.randrange(5, len(BOOT))))
    for b in boot:
        if noise and rnd.random() < 0.4:
            e = rnd.choice(noise)
            if e["arch"] in ("any", arch):
                lines.append(g.fill(e["pattern"], 0, False))
        lines.append(BOOT[b].format(
            ver=g.uname(), gcc=rnd.choice(["4.9.2", "6.3.0", "8.3.0", "10.2.1", "12.2.0"]),
            date="Debian " + ver, uuid="%08x-1c2d-4e5f-8a9b-%012x" % (rnd.randrange(1 << 32), rnd.randrange(1 << 48)),
            mem=rnd.randrange(1 << 20, 1 << 24), memt=1 << 24, kc=rnd.randrange(8000, 20000),
            kr=rnd.randrange(2000, 8000), dev=rnd.choice(["sda1", "vda1", "nvme0n1p2", "dm-0"]),
            eth=rnd.choice(["eth0", "enp3s0", "ens5"]), sec=1700000000 + rnd.randrange(1 << 24),
            ms=rnd.randrange(1000), n=rnd.randrange(1000)))
    lines.append(header)
    is_panic = header.lstrip().startswith("Kernel panic - not syncing")
    if not is_panic and label in OOPS_LABELS:
        if label in ("null-deref", "bad-access") or header.startswith(("Unable", "BUG: unable")):
            lines.append("#PF: supervisor read access in kernel mode" if arch == "x86" and g.t >= (5, 8, 0)
                         else "Oops: %04x [#1] SMP" % rnd.choice([0, 2, 0x10]) if arch == "x86"
                         else "Internal error: Oops: %08x [#1] SMP" % rnd.choice([0x96000005, 0x96000045, 0x817])
                         if arch in ("arm64", "arm") else "Oops: Kernel access of bad area, sig: 11 [#1]"
                         if arch == "powerpc" else "Oops: 0004 ilc:3 [#1] SMP" if arch == "s390"
                         else "Oops [#1]")
        lines.append("Modules linked in: " + " ".join(rnd.sample(
            ["ext4", "mbcache", "jbd2", "xfs", "nvme", "nvme_core", "e1000e", "i915", "drm", "sd_mod",
             "ahci", "libahci", "virtio_net", "virtio_blk", "crc32c_generic", "btrfs", "nfs", "sunrpc"], 6)))
        lines += g.body(rnd.randrange(4, 12))
        lines.append("---[ end trace %016x ]---" % rnd.randrange(1 << 64))
        if label in PANIC and rnd.random() < 0.6:
            reason = rnd.choice(PANIC[label])
            lines.append("Kernel panic - not syncing: " + reason)
            is_panic = True
    elif not is_panic and label in PANIC and rnd.random() < 0.3:
        lines.append("Kernel panic - not syncing: " + rnd.choice(PANIC[label]))
        is_panic = True
    if is_panic:
        if rnd.random() < 0.5:
            lines.append("Kernel Offset: 0x%x from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)"
                         % (rnd.randrange(1 << 12) << 20) if arch == "x86" else "Rebooting in 10 seconds..")
        last = [l for l in lines if l.startswith("Kernel panic - not syncing")]
        if last and rnd.random() < 0.7:
            lines.append("---[ end " + last[-1] + " ]---")
    # timestamps
    ts, out = rnd.uniform(0, 2), []
    for i, l in enumerate(lines):
        ts += rnd.expovariate(1 / (0.3 if i < len(lines) - 40 else 0.002))
        out.append("[%12.6f] %s" % (ts, l))
    return label, header, "\n".join(out) + "\n"


def logform_forms(prog):
    if not prog:
        return []
    try:
        p = subprocess.run([prog, "logform", "--list"], capture_output=True, text=True, timeout=30)
    except OSError:
        return []
    if p.returncode != 0:
        return []
    # "forms:" then "  NAME  what" lines, then "wrappers (FORM+WRAPPER...):"
    # and theirs; a wrapper is offered as a form of its own on the plain
    # log ("plain+quoted": a mail-quoted dmesg)
    forms, wrappers, on = [], [], None
    for w in p.stdout.splitlines():
        if not w.startswith(" "):
            on = forms if w.strip() == "forms:" else wrappers if w.startswith("wrappers") else None
        elif on is not None and w.strip():
            on.append(w.split()[0])
    return forms + ["plain+" + w for w in wrappers]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--catalogue", default=os.path.join(os.path.dirname(__file__), "../../model/catalogue.tsv"))
    ap.add_argument("--split", choices=["train", "dev"], default="train")
    ap.add_argument("--dev-share", type=float, default=0.2, help="share of entries kept for dev (0.2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-entry", type=int, default=2)
    ap.add_argument("--panicsage", help="program with the logform command (e.g. build/panicsage)")
    ap.add_argument("--forms", default="all",
                    help="comma-separated forms, or all (plain only without --panicsage)")
    ap.add_argument("--limit", type=int, default=0, help="at most this many entries (0: all)")
    a = ap.parse_args()

    ents = load_catalogue(a.catalogue)
    noise = [e for e in ents if e["harmless"]]
    # entries of architectures the generator does not render (parisc,
    # sparc, ...) are left out
    heads = [e for e in ents if e["strength"] == "header" and not e["harmless"]
             and (e["arch"] in ARCHS or e["arch"] == "any")
             and is_dev(e["id"], a.dev_share) == (a.split == "dev")]
    if a.limit:
        heads = heads[:a.limit]
    forms = logform_forms(a.panicsage)
    if a.forms != "all":
        want = a.forms.split(",")
        names = {"plain"} | {x for f in forms for x in f.split("+")}
        bad = [f for f in want if not all(x in names for x in f.split("+"))]
        if bad:
            sys.exit("synth: unknown form(s) %s (logform forms: %s)" % (",".join(bad), " ".join(forms) or "none"))
        forms = want
    else:
        forms = ["plain"] + [f for f in forms if f != "plain"]
    os.makedirs(a.out, exist_ok=True)
    seed = a.seed + (1000003 if a.split == "dev" else 0)
    n = 0
    for ent in heads:
        for k in range(a.per_entry):
            rnd = random.Random("%d/%s/%d" % (seed, ent["id"], k))
            arch = ent["arch"] if ent["arch"] in ARCHS else rnd.choice(ARCHS)
            ver = rnd.choice(versions_in(ent["era"]))
            form = forms[rnd.randrange(len(forms))]
            label, header, log = make_case(rnd, ent, noise, arch, ver)
            head = ("LABEL: %s\nSOURCE: synthetic\nARCH: %s\nERA: %s\nFORM: %s\nCATALOGUE: %s\nTITLE: %s\n\n"
                    % (label, arch, era_bucket(ver), form, ent["id"], header))
            text = head + log
            if form != "plain":
                p = subprocess.run([a.panicsage, "logform", "--seed", str(rnd.randrange(1 << 30)), form, "-"],
                                   input=text, capture_output=True, text=True)
                if p.returncode != 0:
                    sys.exit("synth: logform %s failed: %s" % (form, p.stderr.strip()))
                text = p.stdout
            name = re.sub(r"[^A-Za-z0-9._-]", "_", ent["id"])
            with open(os.path.join(a.out, "syn-%s-%s-%d.log" % (a.split, name, k)), "w", encoding="utf-8") as f:
                f.write(text)
            n += 1
    print("synth: %d cases from %d entries (%s split, forms %s) in %s" % (n, len(heads), a.split,
                                                                         ",".join(forms), a.out))


if __name__ == "__main__":
    main()
