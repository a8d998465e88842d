#!/usr/bin/env python3
"""Candidate fault messages from a Linux kernel source tree, and the
check of the catalogue's provenance.

    tools/catalogue/extract.py SRC > candidates.tsv
    tools/catalogue/extract.py --emit SRC > rows.tsv
    tools/catalogue/extract.py --check CATALOGUE SRC [UNVERIFIED]
    tools/catalogue/extract.py --uncatalogued CATALOGUE SRC
    tools/catalogue/extract.py --unpack CATALOGUE SRC DIR

SRC is an unpacked tree or a tarball (Debian's linux-source-6.1 installs
/usr/src/linux-source-6.1.tar.xz).  The first form prints one candidate a
line: the printing call's format string turned into a catalogue pattern
(printf conversions become typed wildcards, see model/catalogue.tsv),
with the family, a proposed label, strength, harmless flag, anchor,
architecture and the source file:line it came from.  The proposals come
from the RULES table below and are only proposals: model/catalogue.tsv
is the reviewed file that ships.  --emit prints them as catalogue lines
(10 columns, era 6.1, anchor any, the proposed label): the starting
point of a review.

--check verifies every entry of era 6.1: the files its source names are
in the tree, its line or function is in them, and they print its wording
(tools/catalogue/README.md says what counts).  UNVERIFIED (default
tools/catalogue/unverified.tsv) lists, with why, the entries it cannot
confirm.  One line per entry not found; exit status 1 if any, 0 if
none; 2 for bad arguments or a missing file.
Only the files the catalogue names are read from a tarball.

--uncatalogued lists the candidates of the rule families that no entry
holds (a walk of the whole tree).  --unpack writes the files --check
reads from a tarball into DIR.

Host-side only; it parses C loosely (comments, string literals, calls).
"""
import bisect
import os
import re
import shutil
import sys
import tarfile
import tempfile

ARCHES = ("x86", "arm64", "arm", "powerpc", "s390", "mips", "riscv")

# Files whose error-level messages are all candidates (family, path regex).
FAMILY_FILES = [
    ("fault", r"arch/(x86|arm64|arm|powerpc|s390|mips|riscv)/(mm/fault\.c|mm/extable\.c|kernel/traps\.c|kernel/dumpstack\.c|kernel/process\.c|kernel/entry-common\.c|kernel/entry\.S|kernel/die\.c|kernel/dumpstack_64\.c|kernel/irq\.c|kernel/signal\.c|kernel/nmi\.c|kernel/setup\.c|kernel/smp\.c|kernel/sys_regs\.c|mm/pgtable\.c|kernel/fault\.c|kernel/machine_kexec\.c|mm/alignment\.c)"),
    ("fault", r"arch/arm64/kernel/(entry-common|traps|fpsimd|debug-monitors|probes/.*|cpufeature)\.c"),
    ("fault", r"arch/powerpc/(kernel/(traps|mce|mce_power|process|stacktrace|exceptions-64s|irq)\.c|mm/(fault|book3s64/.*)\.c|platforms/pseries/ras\.c)"),
    ("fault", r"arch/s390/kernel/(nmi|traps|dumpstack|machine_kexec|early|setup|ipl)\.c"),
    ("fault", r"arch/mips/kernel/(traps|unaligned|cpu-probe)\.c"),
    ("fault", r"arch/riscv/kernel/(traps|stacktrace)\.c"),
    ("watchdog", r"kernel/(watchdog|watchdog_hld|hung_task|workqueue)\.c"),
    ("watchdog", r"kernel/rcu/(tree_stall|tree_exp|tree|srcutree|tree_plugin|update)\.[ch]"),
    ("watchdog", r"arch/x86/kernel/(nmi|apic/hw_nmi)\.c"),
    ("hardware", r"arch/x86/kernel/cpu/mce/.*\.c"),
    ("hardware", r"drivers/acpi/apei/.*\.c"),
    ("hardware", r"drivers/firmware/efi/cper.*\.c"),
    ("hardware", r"drivers/edac/(edac_mc|edac_mc_sysfs|ghes_edac|edac_device|edac_pci_sysfs)\.c"),
    ("hardware", r"drivers/pci/pcie/(aer|dpc|err)\.c"),
    ("hardware", r"drivers/ras/.*\.c"),
    ("hardware", r"arch/arm64/kernel/(acpi|sdei)\.c"),
    ("checker", r"mm/kasan/report.*\.c|mm/kfence/(report|core)\.c|mm/kmsan/report\.c"),
    ("checker", r"lib/(ubsan|list_debug|refcount|bug)\.c|kernel/kcsan/report\.c|mm/usercopy\.c"),
    ("checker", r"mm/(slub|slab|page_alloc|debug_vm_pgtable|memory|rmap|debug|page_table_check|swapfile|vmalloc|percpu|highmem)\.c|lib/debugobjects\.c|kernel/fork\.c|kernel/exit\.c"),
    ("oom", r"mm/(oom_kill|kmemleak|memcontrol|page_alloc|vmscan)\.c"),
    ("locking", r"kernel/locking/.*\.c|kernel/sched/core\.c|kernel/rcu/update\.c|lib/locking-selftest\.c|kernel/stackleak\.c|kernel/panic\.c"),
    ("boot", r"init/(main|do_mounts|do_mounts_rd|do_mounts_initrd|initramfs)\.c"),
    ("manual", r"drivers/tty/sysrq\.c|kernel/kexec_core\.c|kernel/reboot\.c"),
    ("filesystem", r"fs/ext4/super\.c|fs/jbd2/(journal|transaction|checkpoint|commit|recovery)\.c|fs/xfs/(xfs_message|xfs_fsops|xfs_error|xfs_log|xfs_log_recover|xfs_trans_ail)\.c|fs/btrfs/(super|disk-io|ctree)\.c|fs/f2fs/(super|checkpoint)\.c|fs/(ext2/super|fat/misc|gfs2/util|ocfs2/super|nilfs2/super|udf/misc|reiserfs/prints|jfs/super)\.c|fs/(buffer|super|file_table|block_dev)\.c"),
    ("driver", r"net/sched/sch_generic\.c|drivers/nvme/host/(core|pci|fabrics|multipath|tcp|rdma|fc)\.c|block/(blk-core|blk-mq|blk-timeout|blk-flush|genhd)\.c|drivers/scsi/(scsi_error|sd|scsi_lib|sr)\.c|drivers/ata/libata-(eh|core)\.c|drivers/md/(md|raid1|raid5|raid10|dm)\.c|drivers/net/virtio_net\.c|drivers/virtio/virtio_ring\.c|drivers/block/virtio_blk\.c|drivers/usb/core/hub\.c|drivers/gpu/drm/(i915/i915_gpu_error|amd/amdgpu/amdgpu_job|drm_atomic_helper)\.c|drivers/base/firmware_loader/main\.c"),
]

# Prefixes that make any message a candidate, wherever it is.
PREFIXES = ("BUG: ", "BUG ", "WARNING: ", "INFO: ", "Kernel panic", "Oops",
            "kernel BUG", "Unable to handle", "Internal error", "double fault",
            "stack segment", "general protection", "invalid opcode",
            "divide error", "NMI ", "Uhhuh", "Watchdog detected",
            "sysrq: ", "Machine check", "Kernel stack", "Kernel attempted")

# Printing functions: name -> (index of the format argument, level, prefix).
# level: the KERN_ level the function prints at (None: from the format).
PRINTERS = {"panic": (0, "emerg", "Kernel panic - not syncing: "),
            "printk": (0, None, ""), "printk_deferred": (0, None, ""),
            "WARN": (1, "warn", ""), "WARN_ONCE": (1, "warn", ""),
            "WARN_RATELIMIT": (1, "warn", ""), "WARN_TAINT": (2, "warn", ""),
            "die": (0, "emerg", "DIE:"), "do_exit_msg": (0, None, "")}
for lvl in ("emerg", "alert", "crit", "err", "warn", "warning", "notice", "info"):
    lv = "warn" if lvl == "warning" else lvl
    for suffix in ("", "_ratelimited", "_once"):
        PRINTERS["pr_" + lvl + suffix] = (0, lv, "")
        PRINTERS["dev_" + lvl + suffix] = (1, lv, "DEV:")
        PRINTERS["netdev_" + lvl + suffix] = (1, lv, "DEV:")
        PRINTERS["pci_" + lvl + suffix] = (1, lv, "DEV:")
    PRINTERS["xfs_" + lvl] = (1, lv, "XFS (%s): ")
    PRINTERS["btrfs_" + lvl] = (1, lv, "BTRFS %s (device %s): ")
    PRINTERS["f2fs_" + lvl] = (1, lv, "F2FS-fs (%s): ")
PRINTERS["xfs_alert_tag"] = (2, "alert", "XFS (%s): ")
PRINTERS["ext4_msg"] = (2, None, "EXT4-fs (%s): ")
PRINTERS["btrfs_handle_fs_error"] = (2, "crit", "BTRFS: error (device %s: state %s) in %s:%d: errno=%d %s")
PRINTERS["jbd2_debug"] = None
LEVELS = {"0": "emerg", "1": "alert", "2": "crit", "3": "err", "4": "warn",
          "5": "notice", "6": "info", "7": "debug", "c": "cont", "d": "default"}
SEVERE = {"emerg", "alert", "crit", "err", "warn"}

# Proposed labels: (path regex or None, pattern regex, label, strength, harmless).
# First match wins; a candidate no rule matches gets label `?`.
RULES = [
    (None, r"sysrq|SysRq", "manual", "header", "no"),
    (None, r"NULL pointer|null-ptr-deref", "null-deref", "header", "no"),
    (r"mce|apei|cper|edac|aer|ras/|nmi|ghes", r"[Cc]orrected|\bCE\b|Correctable|threshold|storm|logged|init|[Ee]nabled|[Dd]isabled|[Rr]egistered", "hardware", "evidence", "yes"),
    (r"mce|apei|cper|edac|pcie/aer|pcie/dpc|ras/", r".", "hardware", "header", "no"),
    (None, r"[Hh]ardware [Ee]rror|[Mm]achine [Cc]heck|SError|NMI: |Uhhuh|PCI system error|IOCK", "hardware", "header", "no"),
    (None, r"stack[- ](overflow|guard|protector|corrupt|end)|double fault|[Kk]ernel stack|Insufficient stack|stack is corrupted|BAD STACK", "stack-corruption", "header", "no"),
    (None, r"KASAN|KFENCE|KMSAN|use-after-free|out-of-bounds|[Rr]edzone|Poison overwritten|[Oo]bject already free|list_(add|del)|[Cc]orrupted list|refcount_t|usercopy|Bad page|Bad rss|[Bb]ad swap|slab|free_list|Freepointer|double free|invalid free|Wrong object|Bad pagetable|page dumped", "memory-corruption", "header", "no"),
    (None, r"[Oo]ut of memory|\boom\b|OOM|deadlocked on memory|page allocation failure|memory leak|unreferenced object|[Ff]ailed to allocate|[Cc]annot allocate|[Cc]an't allocate|[Uu]nable to allocate|[Cc]ouldn't allocate|[Cc]ould not allocate|alloc\w* fail|[Nn]o memory|[Ii]nsufficient memory|[Nn]ot enough memory|ENOMEM|kzalloc\(\) failed", "out-of-memory", "header", "no"),
    (None, r"soft lockup|hard LOCKUP|[Hh]ard lockup|[Ss]tall|workqueue lockup|LOCKUP|rcu_|RCU grace|softlockup|hung_task.*(lockup|stall)|stuck", "cpu-lockup", "header", "no"),
    (None, r"blocked for more than|hung_task|hung task", "hung-task", "header", "no"),
    (None, r"\b(spin|rw|seq)?lock(s|ed|ing)?\b|mutex|deadlock|lockdep|RCU usage|scheduling while atomic|invalid context|preemptible|irqs? disabled|in atomic|might_sleep|preempt[ _]count", "locking", "header", "no"),
    (r"^init/", r".", "boot-failure", "header", "no"),
    (None, r"root fs|[Rr]oot device|No working init|kill init|init process|initrd|initramfs|[Uu]nable to mount", "boot-failure", "header", "no"),
    (r"^fs/", r".", "filesystem", "header", "no"),
    (r"^(drivers|net|block)/", r".", "driver", "header", "no"),
    (None, r"paging request|page fault|[Uu]nable to handle|protection fault|[Bb]ad (address|access|area)|access|address", "bad-access", "header", "no"),
    (None, r".", "kernel-bug", "header", "no"),
]


# Board and platform code: panics of one board's setup, left out.
BOARD_DIRS = re.compile(r"^arch/(arm/(mach|plat)-|mips/(?!kernel/|mm/|lib/|math-emu/|include/)|powerpc/(platforms/(?!pseries/|powernv/)|sysdev/)|x86/um/|x86/xen/|x86/coco/)"
                        r"|^drivers/(scsi/(aic7xxx|aha|sym53c8xx|ncr|mesh|mac53c94|arm/|hisi_sas/hisi_sas_v1)|parisc/|staging/|clk/|clocksource/|soc/|macintosh/|atm/|tty/serial/|video/|irqchip/)")

# Error-level messages of the filesystem and driver families are kept
# when they speak of damage, not of bad mount options or setup.
FS_KEEP = re.compile(r"[Ee]rror|[Cc]orrupt|[Aa]bort|[Pp]anic|[Ss]hut ?down|journal|I/O|[Cc]hecksum|[Ii]nconsisten|[Bb]ad |[Ff]ailed to (read|write)|[Rr]emount|read-only|[Tt]ransaction|[Ll]og |[Ff]sck|xfs_repair|[Dd]amaged|[Ii]nvalid (block|inode|extent)")
DRV_KEEP = re.compile(r"[Tt]ime ?out|[Tt]imed out|[Rr]eset|[Dd]own|[Dd]ead|[Ff]ail|[Ee]rror|[Aa]bort|[Ff]irmware|[Hh]ung|[Hh]ang|[Ll]ost|[Uu]nresponsive|not responding|[Rr]emov|WATCHDOG|[Dd]isabl|[Ff]atal")


def keep(fam, src, level, pat):
    if fam in ("filesystem",):
        return level in ("emerg", "alert", "crit") or (level in ("err", "default", "warn") and bool(FS_KEEP.search(pat)))
    if fam == "driver":
        return level in ("emerg", "alert", "crit", "err", "warn", "default") and bool(DRV_KEEP.search(pat))
    if fam in ("fault", "checker", "boot", "oom"):
        return level in ("emerg", "alert", "crit", "err", "warn", "default")
    return True


def arch_of(path):
    m = re.match(r"arch/([^/]+)/", path)
    if not m:
        return "any"
    return m.group(1) if m.group(1) in ARCHES else None


COMMENT_RE = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.S)


def strip_comments(text):
    """Blanks comments, keeps newlines, string and char literals."""
    def blank(m):
        s = m.group(0)
        return re.sub(r"[^\n]", " ", s) if s[0] == "/" else s
    return COMMENT_RE.sub(blank, text)


def split_args(text, start):
    """Arguments of the call whose '(' is at start: list of strings."""
    depth, i, n, args, cur = 0, start, len(text), [], start + 1
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(text[cur:i])
                return args
        elif c == ',' and depth == 1:
            args.append(text[cur:i])
            cur = i + 1
        i += 1
    return None


STR_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
TOKEN_RE = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*)(\s*\([^()]*\))?)')
KNOWN_MACROS = {"S_PREEMPT": "%s", "S_SMP": "%s", "S_ISA": "%s", "REG_FMT": "%016lx",
                "KBUILD_MODNAME": None, "PRIx64": "llx", "PRIu64": "llu", "PRId64": "lld",
                "DUMP_PREFIX": "", "HW_ERR": "[Hardware Error]: ", "FW_BUG": "[Firmware Bug]: ",
                "FW_WARN": "[Firmware Warn]: ", "FW_INFO": "[Firmware Info]: ", "GHES_PFX": "GHES: ",
                "HERE": "", "PFX": None, "DRV_NAME": None}


def concat(arg, defines, modname):
    """The format string of an argument made of literals and macros, with
    its KERN_ level; None when the argument is not a literal format."""
    pos, parts, level, n = 0, [], None, len(arg)
    while pos < n:
        m = TOKEN_RE.match(arg, pos)
        if not m or m.end() == pos:
            if arg[pos:].strip() == "":
                break
            return None, None
        pos = m.end()
        if m.group(1) is not None:
            parts.append(m.group(1))
            continue
        name = m.group(2)
        if name.startswith("KERN_"):
            level = {"KERN_EMERG": "emerg", "KERN_ALERT": "alert", "KERN_CRIT": "crit",
                     "KERN_ERR": "err", "KERN_WARNING": "warn", "KERN_NOTICE": "notice",
                     "KERN_INFO": "info", "KERN_DEBUG": "debug", "KERN_CONT": "cont",
                     "KERN_DEFAULT": "default", "KERN_SOH": None}.get(name)
            continue
        if name == "KBUILD_MODNAME":
            parts.append(modname)
        elif name == "__stringify":
            parts.append("%d")
        elif name in defines:
            parts.append(defines[name])
        elif name in KNOWN_MACROS and KNOWN_MACROS[name] is not None:
            parts.append(KNOWN_MACROS[name])
        else:
            parts.append("%s")
    if not parts:
        return None, None
    s = "".join(parts)
    m = re.match(r"\\001([0-7cd])", s)
    if m:
        level = LEVELS.get(m.group(1))
        s = s[m.end():]
    return s, level


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == '\\' and i + 1 < len(s):
            d = s[i + 1]
            i += 2
            if d == 'n' or d == 'r':
                out.append("\n")
            elif d == 't':
                out.append("\t")
            elif d in '01234567':
                j = i
                while j < len(s) and j < i + 2 and s[j] in '01234567':
                    j += 1
                out.append(chr(int(d + s[i:j], 8)))
                i = j
            else:
                out.append(d)
            continue
        out.append(c)
        i += 1
    return "".join(out)


CONV_RE = re.compile(r"%([-+ #0]*)(\*|[0-9]*)(\.(?:\*|[0-9]*))?(hh|h|ll|l|z|t|j|L)?([diouxXcspn%])([A-Za-z0-9]*)")


def to_pattern(fmt, strip=True):
    """Kernel format -> catalogue pattern (first line of a multi-line
    message), or None when it is not a usable pattern."""
    fmt = fmt.split("\n")[0]
    fmt = fmt.rstrip() if strip else fmt
    out, pos = [], 0
    for m in CONV_RE.finditer(fmt):
        out.append(fmt[pos:m.start()])
        flags, width, prec, length, conv, ext = m.groups()
        pos = m.end() if conv == "p" else m.start(6)   # only %p takes letters after it
        width = "" if width == "*" else width
        length = length or ""
        if conv == "%":
            out.append("%%")
            pos = m.start() + 2
            continue
        if conv in "diu":
            out.append("%" + length + ("d" if conv == "i" else conv))
        elif conv in "xX":
            out.append("%" + ("#" if "#" in flags else "") + ("0" if "0" in flags else "") + width + length + "x")
        elif conv == "o":
            out.append("%d")
        elif conv == "c":
            out.append("%c")
        elif conv == "s":
            out.append("%s")
        elif conv == "p":
            e = ext
            if e[:1] in ("S", "B", "F", "s", "f"):
                out.append("%p" + e[0])
                pos = m.start(6) + (2 if e[:2] in ("SR", "Sb", "Bb") else 1)
            elif e[:1] in ("x", "K"):
                out.append("%p" + e[0])
                pos = m.start(6) + 1
            elif e[:1] == "a":
                out.append("%px")
                pos = m.start(6) + (2 if e[1:2] in ("d", "p") else 1)
            elif e == "" or not e[0].isalpha():
                out.append("%p")
                pos = m.start(6)
            else:
                out.append("%s")
                # %pV %pg %pOF %pe %pI4 %pM %pUb %pd %pD %pR %pGp ...: text
                k = 1
                while k < len(e) and e[k].isalnum() and e[:1] in ("I", "U", "O", "G", "h", "b", "E", "M", "m"):
                    k += 1
                pos = m.start(6) + k
        else:
            return None
    out.append(fmt[pos:])
    pat = "".join(out).replace("\t", " ")
    return pat.rstrip() if strip else pat


def literal_len(pat):
    return len(re.sub(r"%(%|#?0?[0-9]*(hh|h|ll|l|z|t|j)?[diuxcs]|p[xKSBFsf]?)", "", pat))


def longest_literal(pat):
    pieces = re.split(r"%(?:%|#?0?[0-9]*(?:hh|h|ll|l|z|t|j)?[diuxcs]|p[xKSBFsf]?)", pat)
    return max((len(p) for p in pieces), default=0)


def propose(path, pat):
    for prx, rx, label, strength, harmless in RULES:
        if prx and not re.search(prx, path):
            continue
        if re.search(rx, pat):
            return label, strength, harmless
    return "?", "header", "no"


def module_name(path):
    return os.path.splitext(os.path.basename(path))[0]


def file_pr_fmt(text, defines, modname):
    m = re.search(r"#\s*define\s+pr_fmt\s*\(\s*fmt\s*\)\s*(.*?)\bfmt\b", text)
    if not m:
        return ""
    s, _ = concat(m.group(1), defines, modname)
    return unescape(s or "")


def file_defines(text):
    d = {}
    for m in re.finditer(r'^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)\s+((?:"(?:[^"\\]|\\.)*"\s*)+)$', text, re.M):
        d[m.group(1)] = "".join(STR_RE.findall(m.group(2)))
    return d


CALL_RE = re.compile(r"\b(" + "|".join(sorted((k for k in PRINTERS if PRINTERS[k]), key=len, reverse=True)) + r")\s*\(")
PREFILTER = re.compile(r"\bpanic\s*\(|\bdie\s*\(|\"(" + "|".join(re.escape(p) for p in PREFIXES) + ")")
RCU_HEADERS = re.compile(r"kernel/rcu/tree_\w+\.h$")


def scan_file(root, path, family):
    try:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            raw = f.read()
    except OSError:
        return
    if not family and not PREFILTER.search(raw):
        return
    text = strip_comments(raw)
    modname = module_name(path)
    defines = file_defines(text)
    prfmt = file_pr_fmt(text, defines, modname)
    if not prfmt and RCU_HEADERS.search(path):
        prfmt = "rcu: "
    arch = arch_of(path)
    if arch is None:
        return
    for m in CALL_RE.finditer(text):
        name = m.group(1)
        argi, level, prefix = PRINTERS[name]
        args = split_args(text, m.end() - 1)
        if not args or len(args) <= argi:
            continue
        fmt, klevel = concat(args[argi], defines, modname)
        if fmt is None:
            continue
        fmt = unescape(fmt)
        level = level or klevel or "default"
        if name.startswith("pr_"):
            fmt = prfmt + fmt
        anchor = "start"
        if prefix == "DEV:":
            anchor, prefix = "any", ""
        elif prefix == "DIE:":
            prefix = ""
        pat = to_pattern(prefix + fmt)
        if not pat or longest_literal(pat) < 6:
            continue
        lineno = text.count("\n", 0, m.start()) + 1
        init = in_init_function(text, m.start())
        fam = None
        if name == "panic":
            fam = "panic"
        elif name == "die":
            fam = "die"
        elif any(pat.startswith(p) or (pat.startswith("%s") and p in pat[:40]) for p in PREFIXES):
            fam = "prefix"
        elif family and level in SEVERE | {"default"}:
            fam = family
        if not fam:
            continue
        yield fam, arch, "%s:%d" % (path, lineno), name, level, anchor, pat, init


def in_init_function(text, pos):
    """Whether the function around pos is marked __init (runs at boot)."""
    brace = text.rfind("\n{", 0, pos)
    if brace < 0:
        return False
    start = max(text.rfind(";", 0, brace), text.rfind("}", 0, brace), text.rfind("#", 0, brace))
    return "__init" in text[start:brace] and "__initdata" not in text[start:brace]


def walk(root):
    fams = [(f, re.compile(rx + r"$")) for f, rx in FAMILY_FILES]
    skip = re.compile(r"^(tools|Documentation|scripts|samples|usr|rust|LICENSES)/|/selftests?/|test|torture")
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        rel = "" if rel == "." else rel + "/"
        if skip.search(rel):
            dirnames[:] = []
            continue
        for fn in sorted(filenames):
            if not fn.endswith((".c", ".h")):
                continue
            path = rel + fn
            if re.search(r"test|torture", fn):
                continue
            family = next((f for f, rx in fams if rx.match(path)), None)
            yield path, family


def candidates(root):
    seen = {}
    for path, family in walk(root):
        if BOARD_DIRS.search(path):
            continue
        for fam, arch, src, name, level, anchor, pat, init in scan_file(root, path, family):
            key = (pat, arch)
            if key in seen:
                seen[key][-1] += 1
                continue
            if not keep(fam, src, level, pat):
                continue
            label, strength, harmless = propose(src, pat)
            if fam == "panic" and init and label in ("kernel-bug", "driver", "bad-access", "locking"):
                label = "boot-failure"   # a panic in an __init function: the system did not come up
            if fam == "panic" and re.search(r"Fatal exception|^Kernel panic - not syncing: (%s|%s: )?$", pat):
                strength = "evidence"
            if fam == "die":
                pat = "DIE " + pat
            seen[key] = [fam, label, strength, harmless, anchor, arch, src, name + ":" + level, pat, 1]
    return list(seen.values())


def unpack(src):
    if os.path.isdir(src):
        return src, None
    tmp = tempfile.TemporaryDirectory(prefix="catalogue-src.")
    with tarfile.open(src) as tar:
        tar.extractall(tmp.name, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(tmp.name)
    tops = os.listdir(tmp.name)
    return os.path.join(tmp.name, tops[0]) if len(tops) == 1 else tmp.name, tmp


def read_catalogue(path):
    entries = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t", 9)
            if len(cols) != 10:
                sys.exit("%s:%d: expected 10 tab-separated columns" % (path, n))
            entries.append((n, cols))
    return entries


def uncatalogued(catalogue, cands):
    """The candidates of the rule families no catalogue entry holds."""
    have = {cols[9] for _, cols in read_catalogue(catalogue)}
    new = [c for c in cands if c[8] not in have and c[0] != "die"]
    for c in new:
        print("candidate not catalogued:\t" + "\t".join(str(x) for x in c))
    print("%d candidates not catalogued" % len(new), file=sys.stderr)
    return 0


# ---- provenance: does the file an entry names print its wording? ----

# The matcher's conversion classes (core/catalogue.h): patterns that
# differ only in width, flags, length modifiers or a literal "0x" before
# a hex conversion match the same lines, so they compare equal here.
CANON_RE = re.compile(r"%%|%[-+ #0]*[0-9]*(?:\.[0-9]*)?(?:hh|h|ll|l|z|t|j|L)?(?:p[xK]|p[SBFsf]|[diucsxXp])")
CLASS = {"d": "\x01", "i": "\x01", "u": "\x01", "x": "\x02", "X": "\x02", "p": "\x02",
         "px": "\x02", "pK": "\x02", "pS": "\x03", "pB": "\x03", "pF": "\x03", "ps": "\x03",
         "pf": "\x03", "s": "\x04", "c": "\x05"}
STR = "\x04"


def canon(pat):
    def cls(m):
        s = m.group(0)
        if s == "%%":
            return "%"
        tail = s[-2:] if s[-2:-1] == "p" else s[-1]
        return CLASS[tail]
    return re.sub("0x\x02", "\x02", CANON_RE.sub(cls, pat))


# Files whose formats print a string another file passes: the
# architectures' die() headers, panic(), BUG() and WARN() reports.
REPORTERS = ("kernel/panic.c", "lib/bug.c", "arch/%s/kernel/traps.c", "arch/%s/kernel/dumpstack.c",
             "arch/%s/kernel/die.c", "arch/%s/kernel/process.c")
SOURCE_ITEM_RE = re.compile(r"^([A-Za-z0-9_./-]+?)(?::([A-Za-z0-9_]+))?$")


def parse_source(src):
    """'a.c:12 + b.c:fn, c/d.c:34 (note)' -> ([[(path, locator)]], note):
    alternatives separated by ', ' (each prints the wording: a wording
    several architectures share), each made of the files joined by ' + '
    that print it together (a format of one, a string of another)."""
    note = ""
    m = re.match(r"^(.*?)\s*\((.*)\)$", src)
    if m:
        src, note = m.group(1), m.group(2)
    alts = []
    for alt in src.split(","):
        group = []
        for part in alt.split(" + "):
            m = SOURCE_ITEM_RE.match(part.strip())
            if not m:
                return None, note
            group.append((m.group(1), m.group(2)))
        alts.append(group)
    return alts, note


LIT_RE = re.compile(r'(?:\b[A-Z][A-Z0-9_]*\s*)?"(?:[^"\\\n]|\\.)*"(?:\s*(?:\b[A-Z][A-Z0-9_]*\s*)?"(?:[^"\\\n]|\\.)*")*(?:\s*\b[A-Z][A-Z0-9_]*\b(?!\s*\())?')
FUNC_RE = re.compile(r"^[A-Za-z_][^;{}()]*?\b([A-Za-z_][A-Za-z0-9_]*)\s*\([^;{}]*\)\s*(?:__[a-z_]+\s*)*$")
LITX_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"\s+[a-z_][a-z0-9_]*\b(?=\s*[,)])')
ANYCALL_RE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")


class SourceFile:
    """What one source file prints: the formats of its printing calls
    (with pr_fmt and the printer's prefix), the string literals it has
    (fillers of a %s), its functions, and the lines of each."""

    def __init__(self, root, path):
        self.path = path
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            raw = f.read()
        text = strip_comments(raw)
        nl = [m.start() for m in re.finditer("\n", text)]

        def lineof(pos):
            return bisect.bisect_left(nl, pos) + 1
        self.nlines = text.count("\n") + 1
        defines = file_defines(text)
        modname = module_name(path)
        prfmt = file_pr_fmt(text, defines, modname)
        for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M):
            hdr = os.path.normpath(os.path.join(os.path.dirname(path), inc))
            if prfmt or not os.path.isfile(os.path.join(root, hdr)):
                continue
            with open(os.path.join(root, hdr), encoding="utf-8", errors="replace") as f:
                htext = strip_comments(f.read())
            defines = dict(file_defines(htext), **defines)
            prfmt = file_pr_fmt(htext, defines, modname)   # a local header's pr_fmt
        if not prfmt and RCU_HEADERS.search(path):
            prfmt = "rcu: "
        m = re.search(r"#\s*define\s+dev_fmt\s*\(\s*fmt\s*\)\s*(.*?)\bfmt\b", text)
        devfmt = unescape(concat(m.group(1), defines, modname)[0] or "") if m else ""
        self.formats = []     # (canon pattern, line)
        self.literals = []    # (canon literal, line)
        for m in ANYCALL_RE.finditer(text):
            name = m.group(1)
            if '"' not in text[m.end():m.end() + 1000]:
                continue
            args = split_args(text, m.end() - 1)
            if not args:
                continue
            spec = PRINTERS.get(name)
            line = lineof(m.start())
            for i, arg in enumerate(args):
                if spec and i != spec[0]:
                    continue
                if '"' not in arg:
                    continue
                fmt, _ = concat(arg.strip(), defines, modname)
                if fmt is None:
                    continue
                fmt = unescape(fmt)
                prefix = ""
                if spec:
                    prefix = spec[2] if spec[2] not in ("DEV:", "DIE:") else ""
                    if name.startswith("pr_"):
                        prefix = prfmt
                    elif name.startswith(("dev_", "pci_")):
                        prefix = devfmt
                for j, piece in enumerate(fmt.split("\n")):
                    pat = to_pattern((prefix if j == 0 else "") + piece)
                    if pat:
                        self.formats.append((canon(pat), line + j))
                break
        # "Oops - " str: a literal joined to a macro parameter, that a %s
        for m in list(LIT_RE.finditer(text)) + list(LITX_RE.finditer(text)):
            s, _ = concat(m.group(0), defines, modname)
            if s is not None:
                pat = to_pattern(unescape(s), strip=False)   # a prefix keeps its blank
                if pat is not None:
                    self.literals.append((canon(pat), lineof(m.start())))
        if re.search(r"\b(BUG|BUG_ON|WARN|WARN_ON|WARN_ON_ONCE|WARN_ONCE)\s*\(", text):
            self.literals.append((path, 0))     # __FILE__ of its BUG() and WARN() reports
        self.functions = {}
        for m in re.finditer(r"\n\{", text):
            start = max(text.rfind(";", 0, m.start()), text.rfind("}", 0, m.start()),
                        text.rfind("\n#", 0, m.start()))
            head = " ".join(text[start + 1:m.start()].split())
            fm = re.search(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*(?:__[a-z_]+\s*)*$", head)
            if fm:
                self.functions[fm.group(1)] = lineof(m.start())
        # macros, and tables and strings defined at file level
        for m in re.finditer(r"^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)"
                             r"|^[A-Za-z_][^;()\n]*?\b([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[[^\]\n]*\]\s*)+(?:__[a-z_]+\s*)*=", text, re.M):
            self.functions.setdefault(m.group(1) or m.group(2), lineof(m.start()))


def entry_key(pat):
    """An entry's canonical pattern without a leading or trailing %s:
    the matcher lets those match any text, the empty text too, so the
    entry matches the lines that hold the rest."""
    c = canon(pat)
    while c.endswith(STR) and len(c) > 1:
        c = c[:-1]
    while c.startswith(STR) and len(c) > 1:
        c = c[1:]
    return c


def overlaps(l, p):
    """Whether literal l can be part of a text that holds p: l is in p,
    or p starts inside l or ends inside it."""
    if STR in l:
        return any(overlaps(x, p) for x in l.split(STR) if x) or l == STR
    if STR in p:
        return any(overlaps(l, x) for x in p.split(STR) if x)
    return l in p or any(p.startswith(l[k:]) or p.endswith(l[:k]) for k in range(1, len(l)))


def entry_re(p):
    """An entry's canonical pattern as a regular expression over
    canonical formats: its %s stands for any text, conversions too
    (the matcher lets it match whatever the format prints there), and
    its %d and %x the digits a format has in their place."""
    def piece(x):
        x = re.escape(x)
        return x.replace("\x01", "(?:\x01|-?[0-9]+)").replace("\x02", "(?:\x02|[0-9a-fA-F]+)")
    return re.compile(".*?".join(piece(x) for x in p.split(STR)), re.S)


def fills(f, lits, p, depth):
    """Whether p (entry_re) is in format f with at most `depth` of its %s
    filled by literals of `lits`."""
    if p.search(f):
        return True
    if depth == 0 or STR not in f:
        return False
    k = f.find(STR)
    while k >= 0:
        for l in lits:
            if fills(f[:k] + l + f[k + 1:], lits, p, depth - 1):
                return True
        k = f.find(STR, k + 1)
    return False


def find_in(entry_pat, files, reporters, extra):
    """Lines of `files` that print entry_pat: one of their formats, or a
    format of theirs or of a reporter (die(), panic(), BUG(), WARN())
    with one or two %s filled by their string literals (a message
    passed down, a table of names, a prefix).  Returns [(path, line)]."""
    rx = entry_re(entry_pat)
    hits = [(sf.path, line) for sf in files for f, line in sf.formats if rx.search(f)]
    if hits:
        return hits
    fmts = [(f, sf.path, line) for sf in list(files) + list(reporters) for f, line in sf.formats if STR in f]
    lits = [(l, sf.path, line) for sf in files for l, line in sf.literals if overlaps(l, entry_pat)]
    lits += [(x, None, 0) for x in extra if overlaps(x, entry_pat)]
    names = sorted({l for l, _, _ in lits}, key=len, reverse=True)
    for l, path, line in lits:
        for f, fpath, fline in fmts:
            if any(fills(f[:k] + l + f[k + 1:], names, rx, 1) for k in range(len(f)) if f[k] == STR):
                hits += [(fpath, fline)] + ([(path, line)] if path else [])
    return hits


def entry_needs(cols):
    """An entry's source: its alternatives, every path they name (files,
    directories ending in /) and the reporting sites of its note."""
    alts, note = parse_source(cols[8])
    paths = [p for group in alts or [] for p, _ in group]
    sites = []
    m = re.match(r"^site (\S+)$", note)
    if m:
        sites.append(m.group(1))
    return alts, paths, sites


def arch_dir(cols, paths):
    for p in paths:
        m = re.match(r"arch/([^/]+)/", p)
        if m:
            return m.group(1)
    return None if cols[5] == "any" else cols[5]


def reporter_paths(arch):
    return [r % arch if "%s" in r else r for r in REPORTERS if arch or "%s" not in r]


LINE_SLACK = 12


UNVERIFIED = "tools/catalogue/unverified.tsv"


def read_unverified(path):
    """id -> why the checker cannot see the entry's wording in its
    source (a runtime-built text, a wording of another era)."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 2 or not cols[1].strip():
                sys.exit("%s:%d: expected: id<TAB>reason" % (path, n))
            out[cols[0]] = cols[1]
    return out


def provenance(catalogue, root, verbose=False, unverified=None):
    """Checks every entry of era 6.1: its source names files (or
    directories) of the tree, its lines and functions are in them, and
    each alternative prints its wording.  Returns the number of entries
    that fail; prints one line for each."""
    cache = {}
    unverified = unverified or {}

    def load(path):
        if path not in cache:
            full = os.path.join(root, path)
            cache[path] = SourceFile(root, path) if os.path.isfile(full) else None
        return cache[path]

    bad = checked = explained = 0
    known = set()
    for n, cols in read_catalogue(catalogue):
        known.add(cols[0])
        if cols[6] != "6.1":
            continue
        checked += 1
        pat = entry_key(cols[9])
        alts, paths, sites = entry_needs(cols)
        where = "%s:%d %s" % (catalogue, n, cols[0])
        if not alts:
            print("not in source: %s\t%s\tbad source field\t%s" % (where, cols[8], cols[9]))
            bad += 1
            continue
        problems, extra = [], []
        for s in sites:
            if not os.path.exists(os.path.join(root, s.rstrip("/"))):
                problems.append("no site " + s)
            extra.append(s + STR if s.endswith("/") else s)
        for group in alts:
            files, gextra = [], list(extra)
            for path, loc in group:
                if path.endswith("/"):
                    if not os.path.isdir(os.path.join(root, path)):
                        problems.append("no directory " + path)
                    gextra.append(path + STR)     # a file in it (a BUG() or WARN() site)
                    continue
                sf = load(path)
                if not sf:
                    problems.append("no file " + path)
                elif loc and loc.isdigit() and int(loc) > sf.nlines:
                    problems.append("%s has %d lines" % (path, sf.nlines))
                elif loc and not loc.isdigit() and loc not in sf.functions:
                    problems.append("no function %s in %s" % (loc, path))
                else:
                    files.append((sf, loc))
            if problems:
                break
            arch = arch_dir(cols, [p for p, _ in group])
            reps = [r for r in (load(p) for p in reporter_paths(arch)) if r]
            srcs = [sf for sf, _ in files] or [r for r in reps if r.path in ("lib/bug.c", "kernel/panic.c")]
            hits = find_in(pat, srcs, reps, gextra)
            names = " + ".join(p for p, _ in group)
            if not hits:
                problems.append("wording not printed by " + names)
                continue
            for sf, loc in files:
                lines = [h[1] for h in hits if h[0] == sf.path]
                lines += [line for l, line in sf.literals if len(l) >= 4 and STR not in l and l in pat]
                if loc and loc.isdigit() and lines and min(abs(x - int(loc)) for x in lines) > LINE_SLACK:
                    problems.append("%s prints it at line %s, not %s" % (
                        sf.path, ",".join(str(x) for x in sorted(set(lines))[:4]), loc))
        why = unverified.get(cols[0])
        if problems and why:
            explained += 1
            if verbose:
                print("explained: %s\t%s\t%s" % (where, "; ".join(problems), why))
        elif problems:
            bad += 1
            print("not in source: %s\t%s\t%s\t%s" % (where, cols[8], "; ".join(problems), cols[9]))
        elif why:
            bad += 1
            print("found, but listed in %s: %s" % (UNVERIFIED, where))
        elif verbose:
            print("ok: %s" % where)
    for ident in sorted(set(unverified) - known):
        bad += 1
        print("%s names no catalogue entry: %s" % (UNVERIFIED, ident))
    print("%d entries of era 6.1 checked: %d printed where their source says, %d explained in %s, "
          "%d unexplained" % (checked, checked - explained - bad, explained, UNVERIFIED, bad), file=sys.stderr)
    return bad


def needed_paths(catalogue):
    need = set(reporter_paths(None))
    for a in ARCHES + ("sparc", "parisc", "loongarch", "ia64", "alpha", "m68k", "sh", "xtensa",
                      "openrisc", "nios2", "microblaze", "csky", "arc", "hexagon", "um"):
        need.update(reporter_paths(a))
    dirs = set()
    for _, cols in read_catalogue(catalogue):
        items, paths, sites = entry_needs(cols)
        for p in paths + sites:
            (dirs if p.endswith("/") else need).add(p)
    return need, dirs


def unpack_some(src, catalogue):
    """The tree, or the files the catalogue names (and the local headers
    beside them, for their pr_fmt) unpacked from a tarball in one pass."""
    if os.path.isdir(src):
        return src, None
    need, dirs = needed_paths(catalogue)
    hdirs = {os.path.dirname(p) for p in need}
    tmp = tempfile.TemporaryDirectory(prefix="catalogue-src.")
    with tarfile.open(src) as tar:
        top = None
        for ti in tar:
            if top is None:
                top = ti.name.split("/")[0] + "/" if ti.isdir() or "/" in ti.name else ""
            name = ti.name[len(top):] if ti.name.startswith(top) else ti.name
            if ti.isfile() and (name in need or (name.endswith(".h") and os.path.dirname(name) in hdirs)):
                ti.name = name
                tar.extract(ti, tmp.name, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
            elif ti.isdir() and name.rstrip("/") + "/" in dirs:    # a directory named as a source
                os.makedirs(os.path.join(tmp.name, name), exist_ok=True)
    return tmp.name, tmp


def main(argv):
    if len(argv) >= 2 and argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    usage = ("usage: extract.py SRC | --emit SRC | --check CATALOGUE SRC [UNVERIFIED] |\n"
             "       --uncatalogued CATALOGUE SRC | --unpack CATALOGUE SRC DIR")
    if len(argv) < 2 or (argv[1].startswith("-") and argv[1] not in
                         ("--emit", "--check", "--check-verbose", "--uncatalogued", "--unpack")):
        print(usage, file=sys.stderr)
        return 2
    files = argv[1:2] if len(argv) == 2 else argv[2:4] if argv[1] != "--emit" else argv[2:3]
    for f in files:
        if not os.path.exists(f):
            print("extract.py: %s: no such file or directory" % f, file=sys.stderr)
            return 2
    if len(argv) == 2:
        root, tmp = unpack(argv[1])
        print("# family\tlabel\tstrength\tharmless\tanchor\tarch\tsource\tcall:level\tpattern\tcount")
        for c in candidates(root):
            print("\t".join(str(x) for x in c))
        return 0
    if len(argv) == 3 and argv[1] == "--emit":
        root, tmp = unpack(argv[2])
        ids = set()
        for c in candidates(root):
            fam, label, strength, harmless, anchor, arch, src, call, pat, count = c
            if fam == "die" or label == "?":
                continue
            base = re.sub(r"[^a-z0-9]+", "-", os.path.splitext(src.split(":")[0])[0].lower()).strip("-")
            ident = "%s.%s.%s" % (fam, base[-40:].strip("-"), src.split(":")[1])
            if ident in ids:
                continue
            ids.add(ident)
            print("\t".join((ident, label, strength, harmless, "any", arch, "6.1", "-", src, pat)))
        return 0
    if len(argv) in (4, 5) and argv[1] in ("--check", "--check-verbose"):
        unv = read_unverified(argv[4] if len(argv) == 5 else
                              os.path.join(os.path.dirname(os.path.abspath(__file__)), "unverified.tsv"))
        root, tmp = unpack_some(argv[3], argv[2])
        return 1 if provenance(argv[2], root, argv[1] == "--check-verbose", unv) else 0
    if len(argv) == 5 and argv[1] == "--unpack":
        need, dirs = needed_paths(argv[2])
        root, tmp = unpack_some(argv[3], argv[2])
        shutil.copytree(root, argv[4], dirs_exist_ok=True)
        return 0
    if len(argv) == 4 and argv[1] == "--uncatalogued":
        root, tmp = unpack(argv[3])
        return uncatalogued(argv[2], candidates(root))
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
