#!/bin/sh
# The Debian capture boot, booted: a Debian 12 guest with kdump-tools,
# panicsage installed as README says, crashed twice under QEMU TCG.
#
#   ci/debian_boot.sh [--crashkernel SPEC] [--measure | --image-only | --check-only]
#
# 1. Image (cached in build/boot/, rebuilt when its recipe changes):
#    mmdebstrap of bookworm (linux-image-amd64, systemd-sysv, then
#    kdump-tools and makedumpfile as `apt install kdump-tools` adds them)
#    from the mirror this machine's apt uses, as an ext4 disk; its first
#    boot, where kdump-tools.service makes its kdump initramfs natively
#    as on an installed machine, is part of the image.  The lab's fault
#    module (tools/lab/faultmod) is built against the guest kernel's
#    linux-headers (cached too).
# 2. Boot 1 (a copy of the image): `kdump/install.sh install --budget 120`
#    (TCG is slow: see the job), then the
#    initramfs rebuild it prints, `kdump-config status`, sysrq-c.  The
#    capture kernel gets Debian's reservation crashkernel=384M-:128M
#    (kdump-tools' GRUB default; 128 MiB here, the guest has 512 MiB):
#    panicsage runs, kdump-tools saves the dump and reboots.
# 3. Boot 2: checks after the first crash; loads the lab module, sets
#    panic_on_oops=1 and makes the module dereference NULL (an opaque
#    request, as the lab makes it).  Boot 3: checks after the second.
#
# Asserted per crash, on the host, from the serial consoles and from the
# disk image itself (read with debugfs, never mounted): panicsage's
# report on the capture boot's console with the expected label (manual,
# null-deref); kdump-tools' dump and dmesg in /var/crash/<stamp>/, the
# dmesg holding the crash; panicsage.txt and panicsage.json beside them,
# the JSON's culprit line found in that dmesg; in the next normal boot
# no failed unit (`systemctl --failed`), the report in the capture
# boot's journal (`journalctl -b -1`) and no failure of
# panicsage-kdump.service there, and the line saying where it is in its
# own (`journalctl -b 0`).
#
# --crashkernel SPEC  another reservation instead of Debian's (e.g. 96M)
# --measure           memory only: boot 1 with a probe in the kdump
#                     initramfs (tools/lab/guest/memwatch runs
#                     panicsage-kdump once more, right after the real
#                     run, and reports MemAvailable/MemFree before and
#                     during it and its peak RSS) and in the capture
#                     boot's root filesystem; checks crash 1 only; then
#                     the same disk crashed with each of BOOT_MEASURE_SIZES
#                     (120M 116M 112M) as crashkernel=, then a copy of the
#                     image without panicsage (the control) with each
#                     of BOOT_MEASURE_CONTROL (116M 112M 108M): what each
#                     capture boot got to (BOOT_MEASURE_TIMEOUT, 1200 s
#                     per run)
# --image-only        step 1 alone (with BOOT_REBUILD=1: what a fresh
#                     clone pays before the runs)
# --check-only        no QEMU run: the checks again on the last run's
#                     consoles and work disk (build/boot/run/)
# Environment: BOOT_MEASURE_INSTALL=0 (--measure without boot 1: with
# BOOT_MEASURE_SIZES="", the control alone), BOOT_OUT (build/boot), BOOT_TIMEOUT (seconds per QEMU run,
# 2400: TCG on a loaded machine), BOOT_MIRROR_SOURCES (a sources file for mmdebstrap instead of
# the one derived from /etc/apt), BOOT_REBUILD=1 (rebuild the image).
# Output: build/boot/run/ (consoles, the work disk), build/boot/result.txt.
# Exit codes: 0 ok, 1 failure, 77 this machine cannot run QEMU (skip).
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BOOT_OUT:-$ROOT/build/boot}
TMO=${BOOT_TIMEOUT:-2400}
CRASHKERNEL=384M-:128M MEASURE=0 IMAGE_ONLY=0 CHECK_ONLY=0
while [ $# -gt 0 ]; do
	case $1 in
	--crashkernel) [ $# -ge 2 ] || exit 2; CRASHKERNEL=$2; shift 2 ;;
	--measure) MEASURE=1; shift ;;
	--image-only) IMAGE_ONLY=1; shift ;;
	--check-only) CHECK_ONLY=1; shift ;;
	*) sed -n '2,/^# Exit codes/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
# BOOT_MEASURE_INSTALL=0: --measure without its first run (the control alone)
INSTALL=1
[ $MEASURE = 0 ] || INSTALL=${BOOT_MEASURE_INSTALL:-1}
[ $((MEASURE + IMAGE_ONLY + CHECK_ONLY)) -le 1 ] || { echo "boot: --measure, --image-only and --check-only exclude each other" >&2; exit 2; }
say() { echo "boot: $*"; }
die() { echo "boot: $*" >&2; exit 1; }
T0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - T0 ))s"; }

ci/deps.sh build test lab boot
PATH=$PATH:/usr/sbin:/sbin
# Can this machine run a TCG guest at all?  (as ci/lab.sh)
if ! timeout 60 qemu-system-x86_64 -nodefaults -machine q35 -accel tcg -display none \
	-m 32M -no-reboot -S -monitor none -serial none -daemonize -pidfile /tmp/boot-probe.$$ \
	>/tmp/boot-probe.$$.log 2>&1; then
	echo "boot: qemu-system-x86_64 cannot start a TCG guest here: $(tail -n 1 /tmp/boot-probe.$$.log)"
	rm -f /tmp/boot-probe.$$*
	exit 77
fi
kill "$(cat /tmp/boot-probe.$$)" 2>/dev/null || true
rm -f /tmp/boot-probe.$$*
make -s build/panicsage-kdump >/dev/null || die "build/panicsage-kdump did not build"
mkdir -p "$B/run"
RES=$B/result.txt
: > "$RES"
# note LINE: a line of the result (also printed)
note() { echo "$*" | tee -a "$RES"; }

# ---------------------------------------------------------------- image
# The Debian entries of this machine's apt sources, as one-line entries
# (deb822 and one-line files alike), main component.
host_sources() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\)[[:space:]]\{1,\}\(bookworm[^[:space:]]*\).*/deb \2 \3 main/p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'function flush() { if (types ~ /(^| )deb( |$)/ && enabled != "no")
				for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
					if (s[j] ~ /^bookworm/) print "deb " u[i] " " s[j] " main"
			types = ""; nu = 0; ns = 0; enabled = "" }
		/^[[:space:]]*$/ { flush(); next }
		/^[[:space:]]*#/ { next }
		tolower($1) == "types:" { $1 = ""; types = $0 " " }
		tolower($1) == "uris:" { for (i = 2; i <= NF; i++) u[++nu] = $i }
		tolower($1) == "suites:" { for (i = 2; i <= NF; i++) s[++ns] = $i }
		tolower($1) == "enabled:" { enabled = tolower($2) }
		END { flush() }' "$f"
	done
}
if [ -n "${BOOT_MIRROR_SOURCES:-}" ]; then
	cp "$BOOT_MIRROR_SOURCES" "$B/sources.list"
else
	host_sources | awk '!seen[$0]++' > "$B/sources.list"
fi
grep -q '^deb .* bookworm ' "$B/sources.list" ||
	die "no bookworm entry in this machine's apt sources (set BOOT_MIRROR_SOURCES to a sources file)"

# The recipe of the cached image: bump IMAGE_REV when the build below changes.
IMAGE_REV=1
PKGS="linux-image-amd64,systemd-sysv,udev,kmod,procps"
KDUMP_PKGS="kdump-tools makedumpfile"
KEY="rev $IMAGE_REV; $PKGS; $KDUMP_PKGS; $(tr '\n' ' ' < "$B/sources.list")"
IMG=$B/bookworm.img

# The guest's job runner: a neutral unit that runs the job a QEMU run
# brings on a second disk (a tar with job.sh), in normal boots only.
write_job_runner() {
	r=$1
	cat > "$r/etc/systemd/system/site-job.service" <<'EOF'
[Unit]
Description=site job
ConditionPathExists=!/proc/vmcore
After=multi-user.target kdump-tools.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/site-job
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
EOF
	ln -sf ../site-job.service "$r/etc/systemd/system/multi-user.target.wants/site-job.service"
	cat > "$r/usr/local/sbin/site-job" <<'EOF'
#!/bin/sh
# Runs the job of the disk with serial "sitejob" (a tar holding job.sh).
d=/dev/disk/by-id/virtio-sitejob
i=0
while [ ! -e $d ] && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
[ -e $d ] || exit 0
rm -rf /run/job && mkdir -p /run/job && tar -xf $d -C /run/job || exit 1
exec sh /run/job/job.sh
EOF
	chmod 755 "$r/usr/local/sbin/site-job"
}

# The first kernel boots as an uncompressed ELF through PVH (as the lab:
# decompressing the bzImage under TCG costs 10-20 s); kexec -p loads the
# bzImage from the guest's own /boot.
extract_elf() {
	rm -f "$B/vmlinux.elf"
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$B/vmlinuz" 2>/dev/null | head -n 1 | cut -d: -f1)
	if [ -n "$off" ] && command -v xz >/dev/null; then
		tail -c +$((off + 1)) "$B/vmlinuz" | xz -dc 2>/dev/null > "$B/vmlinux.elf" || true
		[ "$(head -c 4 "$B/vmlinux.elf" | od -An -c | tr -d ' ')" = '177ELF' ] || rm -f "$B/vmlinux.elf"
	fi
}

build_image() {
	command -v mmdebstrap >/dev/null || die "mmdebstrap missing (ci/deps.sh boot)"
	rm -f "$IMG" "$IMG.key"
	# staged outside build/ (the Makefile reads every *.d file under it)
	R=$(mktemp -d "${TMPDIR:-/var/tmp}/panicsage-rootfs.XXXXXX")
	say "mmdebstrap bookworm ($PKGS, then $KDUMP_PKGS) from $(awk '{print $2}' "$B/sources.list" | sort -u | tr '\n' ' ')"
	t=$(date +%s)
	# kdump-tools goes in after the kernel: with it present, the kernel's
	# postinst runs kdump-tools' hook, whose MODULES=dep mkinitramfs cannot
	# find the root device in a chroot; the first boot below runs it.
	if ! mmdebstrap --variant=minbase --include="$PKGS" \
		--customize-hook="chroot \"\$1\" apt-get install -y -q $KDUMP_PKGS" \
		bookworm "$R" "$B/sources.list" > "$B/mmdebstrap.log" 2>&1; then
		rm -rf "$R"
		tail -n 30 "$B/mmdebstrap.log" >&2
		die "mmdebstrap failed (log: $B/mmdebstrap.log)"
	fi
	note "timing: mmdebstrap $(( $(date +%s) - t ))s"
	echo "/dev/vda / ext4 errors=remount-ro 0 1" > "$R/etc/fstab"
	echo bookworm-guest > "$R/etc/hostname"
	printf '127.0.0.1 localhost\n127.0.1.1 bookworm-guest\n' > "$R/etc/hosts"
	write_job_runner "$R"
	kver=$(ls "$R/lib/modules" | head -n 1)
	if [ -z "$kver" ] || ! [ -f "$R/boot/vmlinuz-$kver" ]; then rm -rf "$R"; die "no kernel in the image"; fi
	echo "$kver" > "$B/kver"
	cp "$R/boot/vmlinuz-$kver" "$B/vmlinuz"
	cp "$R/boot/initrd.img-$kver" "$B/initrd.img"
	extract_elf
	rm -f "$IMG.new"
	mke2fs -q -F -t ext4 -L root -d "$R" "$IMG.new" 3G || { rm -rf "$R"; die "mke2fs failed"; }
	rm -rf "$R"
	# First boot: kdump-tools.service finds no kdump initramfs and makes
	# it natively, as its kernel hook does on an installed machine.
	job_begin prep
	cat >> "$J/job.sh" <<'EOF'
kdump-config status | grep -q 'ready to kdump' && m BOOT-PREP-OK
systemctl poweroff
EOF
	job_end
	guest_run prep "$IMG.new" || true
	grep -q '^BOOT-PREP-OK' "$B/run/prep.txt" ||
		{ tail -n 30 "$B/run/prep.txt" >&2; die "the image's first boot failed (console: $B/run/prep.txt)"; }
	mv "$IMG.new" "$IMG"
	echo "$KEY" > "$IMG.key"
	note "timing: image ready after $(elapsed)"
}

# --------------------------------------------------------- jobs and QEMU
# job_begin NAME: a job directory $J with job.sh's common head; job_end
# packs it.  In the job, m MARKER... prints a console line.
job_begin() {
	J=$B/run/job-$1
	rm -rf "$J"; mkdir -p "$J"
	cat > "$J/job.sh" <<'EOF'
#!/bin/sh
set -u
# markers on a line of their own (a getty prompt may be on the console)
m() { printf '\n%s\n' "$*" > /dev/ttyS0; }
EOF
}
job_end() { tar -cf "$J.tar" -C "$J" . ; }

# The guest's kernel command line besides root, console and crashkernel=
# (kdump-tools passes it on to the capture kernel).  TCG on a loaded host
# stalls virtual CPUs for tens of seconds: no_timer_check (as the lab),
# and no soft-lockup watchdog or RCU stall warnings, whose reports of
# such stalls would be host artefacts in the crashed kernel's log.
# panic=10: a capture kernel that panics (out of memory in a small
# reservation) reboots, which ends the QEMU run, instead of hanging.
GUEST_ARGS="no_timer_check nowatchdog rcupdate.rcu_cpu_stall_suppress=1 panic=10"

# guest_run NAME DISK: one QEMU run (a normal boot and what its job
# makes happen: a crash, the capture boot and its reboot, or a
# poweroff); console in $B/run/NAME.txt.
guest_run() {
	name=$1 disk=$2
	con=$B/run/$name.console
	kernel=$B/vmlinux.elf
	[ -f "$kernel" ] || kernel=$B/vmlinuz
	: > "$con"
	start=$(date +%s)
	rc=0
	timeout "$TMO" qemu-system-x86_64 -nodefaults -accel tcg -machine q35 -cpu max -smp 2 -m 512M \
		-display none -vga none -no-reboot \
		-kernel "$kernel" -initrd "$B/initrd.img" \
		-append "root=/dev/vda ro console=ttyS0,115200 $GUEST_ARGS crashkernel=$CRASHKERNEL" \
		-serial "file:$con" -monitor none \
		-drive "file=$disk,if=none,id=d0,format=raw" -device virtio-blk-pci,drive=d0 \
		-drive "file=$B/run/job-$name.tar,if=none,id=d1,format=raw,readonly=on" \
		-device virtio-blk-pci,drive=d1,serial=sitejob \
		> "$B/run/$name.qemu.log" 2>&1 || rc=$?
	tr -d '\r' < "$con" > "$B/run/$name.txt"
	note "timing: QEMU run '$name' $(( $(date +%s) - start ))s (exit $rc)"
	return $rc
}

W=$B/run/disk.img
if [ $CHECK_ONLY = 0 ]; then
if [ "${BOOT_REBUILD:-0}" = 1 ] || ! [ -f "$IMG" ] || [ "$(cat "$IMG.key" 2>/dev/null)" != "$KEY" ]; then
	build_image
else
	say "image cached: $IMG"
fi
[ $IMAGE_ONLY = 0 ] || { note "timing: image step $(elapsed)"; exit 0; }
KVER=$(cat "$B/kver")

# ------------------------------------------------ the lab module, cached
M=$B/faultmod
KDIR=/usr/src/linux-headers-$KVER
if ! [ -d "$KDIR" ]; then
	say "installing linux-headers-$KVER (the guest kernel's headers)"
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
		"linux-headers-$KVER" > "$B/headers.log" 2>&1 ||
		{ tail -n 5 "$B/headers.log" >&2; die "linux-headers-$KVER not installable"; }
fi
if [ ! -f "$M/psdev.ko" ] || [ tools/lab/faultmod/psdev.c -nt "$M/psdev.ko" ] ||
   [ "$(cat "$M/kver" 2>/dev/null)" != "$KVER" ]; then
	rm -rf "$M"; mkdir -p "$M"
	cp tools/lab/faultmod/psdev.c tools/lab/faultmod/Kbuild "$M/"
	make -s -C "$KDIR" M="$M" modules > "$M/build.log" 2>&1 ||
		{ cat "$M/build.log" >&2; die "psdev.ko did not build against $KDIR"; }
	echo "$KVER" > "$M/kver"
fi

# ---------------------------------------------------------------- runs
rm -f "$W"
cp --sparse=always "$IMG" "$W"
PAYLOAD=$B/run/payload
rm -rf "$PAYLOAD"; mkdir -p "$PAYLOAD/build"
cp -r kdump "$PAYLOAD/kdump"		# a clone's kdump/ (install.sh, integration/)
cp build/panicsage-kdump "$PAYLOAD/build/"

# The guest side of the checks after a crash (the next normal boot):
# waits for the boot to settle, then prints what an administrator sees.
guest_check() {
	cat >> "$J/job.sh" <<'EOF'
i=0
while systemctl list-jobs --no-legend 2>/dev/null | grep -v site-job | grep -q . && [ $i -lt 300 ]; do
	sleep 1; i=$((i + 1))
done
m "BOOT-SYSTEM $(systemctl is-system-running 2>&1)"
systemctl --failed --no-legend --plain 2>&1 | while read -r l; do m "BOOT-FAILED-UNIT $l"; done
m "BOOT-FAILED-COUNT $(systemctl --failed --no-legend --plain 2>/dev/null | grep -c .)"
for d in /var/crash/*/; do m "BOOT-CRASHDIR $d $(ls "$d" | tr '\n' ' ')"; done
journalctl --list-boots --no-pager 2>&1 | while read -r l; do m "BOOT-JOURNAL-BOOT $l"; done
journalctl -b -1 --no-pager -o cat 2>/dev/null | grep '^panicsage' | while read -r l; do m "BOOT-JOURNAL-1 $l"; done
journalctl -b 0 --no-pager -o cat 2>/dev/null | grep '^panicsage' | while read -r l; do m "BOOT-JOURNAL-0 $l"; done
EOF
}

# --- run 1: install panicsage as README says, rebuild, crash with sysrq
job_begin install
cp -r "$PAYLOAD" "$J/panicsage"
if [ $MEASURE = 1 ]; then
	${MUSL_CC:-musl-gcc} -static -O2 -Wall -o "$J/memwatch" tools/lab/guest/memwatch.c ||
		die "memwatch did not build"
	cat >> "$J/job.sh" <<'EOF'
# measurement only: memwatch in the kdump initramfs, run after panicsage's
# init-bottom script; the root filesystem stage's memory before the unit
cp /run/job/memwatch /usr/local/sbin/memwatch
cat > /etc/initramfs-tools/hooks/zz-memprobe <<'EOT'
#!/bin/sh
case ${1:-} in prereqs) exit 0 ;; esac
case ${CONFDIR:-} in */kdump/*) ;; *) exit 0 ;; esac
. /usr/share/initramfs-tools/hook-functions
copy_exec /usr/local/sbin/memwatch /bin/memwatch
EOT
cat > /etc/initramfs-tools/scripts/init-bottom/zz-memprobe <<'EOT'
#!/bin/sh
PREREQ="panicsage"
case ${1:-} in prereqs) echo "$PREREQ"; exit 0 ;; esac
[ -r /proc/vmcore ] && [ -x /bin/memwatch ] || exit 0
printf '\nBOOT-MEM-INITRAMFS %s\n' "$(/bin/memwatch /usr/lib/panicsage/panicsage-kdump --budget 9 --no-deliver /proc/vmcore)"
exit 0
EOT
chmod 755 /etc/initramfs-tools/hooks/zz-memprobe /etc/initramfs-tools/scripts/init-bottom/zz-memprobe
mkdir -p /etc/systemd/system/panicsage-kdump.service.d
cat > /etc/systemd/system/panicsage-kdump.service.d/zz-memprobe.conf <<'EOT'
[Service]
ExecStartPre=/bin/sh -c 'printf "\\nBOOT-MEM-ROOTFS %%s\\n" "$(grep -E "^(MemTotal|MemFree|MemAvailable):" /proc/meminfo | tr -s " " | tr "\\n" " ")" > /dev/ttyS0'
EOT
EOF
fi
cat >> "$J/job.sh" <<'EOF'
rm -rf /root/panicsage && cp -r /run/job/panicsage /root/panicsage && cd /root/panicsage || exit 1
# --budget 120: the wall-clock limits (the budget, and systemd's on
# panicsage-kdump.service, the budget + 60 s) are meant for hardware;
# TCG on a loaded host runs the capture boot tens of times slower, and
# at the default (10 s, 70 s) systemd killed the unit before it wrote
# the report into the journal (a run at load 30 on 2 cores)
kdump/install.sh install --budget 120 > /run/install.out 2>&1
rc=$?
while read -r l; do m "BOOT-INSTALL $l"; done < /run/install.out
m "BOOT-INSTALL-RC=$rc"
# the command install.sh prints after "next: rebuild and reload ..."
cmd=$(sed -n '/^next: rebuild/{n;s/^ *//;p;}' /run/install.out)
m "BOOT-REBUILD-CMD $cmd"
t=$(date +%s)
sh -c "$cmd" > /run/rebuild.out 2>&1
rc=$?
while read -r l; do m "BOOT-REBUILD $l"; done < /run/rebuild.out
m "BOOT-REBUILD-RC=$rc $(( $(date +%s) - t ))s"
m "BOOT-KDUMP-STATUS $(kdump-config status 2>&1 | tr '\n' ' ')"
m "BOOT-KDUMP-INITRD $(stat -L -c %s /var/lib/kdump/initrd.img 2>&1)"
m "BOOT-CRASH-1"
sync
echo c > /proc/sysrq-trigger
EOF
job_end
[ "$INSTALL" = 0 ] || guest_run install "$W" || true

# --- run 2: the first crash checked; the lab module's NULL dereference
. tools/lab/kinds.sh
rnd_init null-deref 1
kind_setup null-deref
if [ $MEASURE = 0 ]; then
	job_begin oops
	cp "$M/psdev.ko" "$J/"
	guest_check
	cat >> "$J/job.sh" <<EOF
mkdir -p /lib/modules/\$(uname -r)/updates && cp /run/job/psdev.ko /lib/modules/\$(uname -r)/updates/ &&
	depmod && modprobe psdev
m "BOOT-MODULE-RC=\$?"
sysctl -q -w kernel.panic_on_oops=1
psop() { echo "\$*" > /sys/kernel/debug/psdev/ctl; }
m "BOOT-CRASH-2"
sync
$FAULT_SH
sleep 30
m "BOOT-NO-CRASH"
EOF
	job_end
	guest_run oops "$W" || true

	# --- run 3: the second crash checked
	job_begin final
	guest_check
	echo 'systemctl poweroff' >> "$J/job.sh"
	job_end
	guest_run final "$W" || true
fi
note "timing: runs done after $(elapsed)"
fi

# ---------------------------------------------------------------- checks
fails=0
ok() { note "ok   $*"; }
bad() { note "FAIL $*"; fails=$((fails + 1)); }
# after CONSOLE MARKER: the console from the marker on
after() { sed -n "/^$2\$/,\$p" "$B/run/$1.txt"; }
# dfs PATH OUT: a file of the work disk, copied out with debugfs
dfs() { rm -f "$2"; debugfs -R "dump $1 $2" "$W" >/dev/null 2>&1 && [ -f "$2" ]; }
json_get() { /usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["label"] if sys.argv[2] == "label" else d["culprits"][0]["text"] if sys.argv[2] == "culprit" else d["timing_us"]["total"])' "$1" "$2" 2>/dev/null; }

# check_crash N LABEL CAPTURE-RUN NEXT-RUN EVIDENCE: one crash.
check_crash() {
	n=$1 label=$2 cap=$3 nxt=$4 evidence=$5
	X=$B/run/crash$n
	rm -rf "$X"; mkdir -p "$X"
	# (initramfs-tools prints "Begin: Running /scripts/init-bottom ... "
	# without a newline before the scripts' output)
	after "$cap" "BOOT-CRASH-$n" | sed 's|^Begin: Running /scripts/init-bottom \.\.\. ||' > "$X/capture.txt"
	[ -s "$X/capture.txt" ] || { bad "crash $n: the guest never reached the crash (console: $B/run/$cap.txt)"; return; }
	# the report on the capture boot's console
	first=$(grep -m 1 '^panicsage: [a-z-]* (' "$X/capture.txt" || true)
	case $first in
	"panicsage: $label ("*) ok "crash $n: console report: $first" ;;
	"") bad "crash $n: no panicsage report on the capture console (want $label)"
	    grep -i 'panicsage' "$X/capture.txt" | head -n 5 | sed 's/^/      /' | tee -a "$RES" ;;
	*) bad "crash $n: console report '$first', want label $label" ;;
	esac
	# kdump-tools' directory, from its own console line, then on the disk
	stamp=$(sed -n 's/.*kdump-tools: saved vmcore in \/var\/crash\/\([0-9]\{12\}\)\.*$/\1/p' "$X/capture.txt" | head -n 1)
	if [ -z "$stamp" ]; then
		bad "crash $n: kdump-tools did not say it saved the vmcore"
		return
	fi
	ok "crash $n: kdump-tools saved /var/crash/$stamp"
	debugfs -R "ls /var/crash/$stamp" "$W" 2>/dev/null | tr -s ' ' '\n' | grep . > "$X/ls" || true
	# the report gets beside the dump in the next normal boot
	besides=""
	[ -n "$nxt" ] && besides="panicsage.txt panicsage.json"
	for f in "dump.$stamp" "dmesg.$stamp" $besides; do
		grep -qx "$f" "$X/ls" && ok "crash $n: /var/crash/$stamp/$f" || bad "crash $n: no /var/crash/$stamp/$f"
	done
	if dfs "/var/crash/$stamp/dump.$stamp" "$X/dump"; then
		# makedumpfile -F (flattened) output starts with its signature
		[ "$(head -c 12 "$X/dump")" = makedumpfile ] &&
			ok "crash $n: the dump is makedumpfile output ($(wc -c < "$X/dump") bytes)" ||
			bad "crash $n: the dump is not makedumpfile output"
	fi
	dfs "/var/crash/$stamp/dmesg.$stamp" "$X/dmesg" || : > "$X/dmesg"
	grep -Eq "$evidence" "$X/dmesg" && ok "crash $n: kdump-tools' dmesg has /$evidence/" ||
		bad "crash $n: kdump-tools' dmesg lacks /$evidence/"
	[ -n "$nxt" ] || return 0
	if dfs "/var/crash/$stamp/panicsage.txt" "$X/panicsage.txt"; then
		grep -q "^panicsage: $label (" "$X/panicsage.txt" && ok "crash $n: panicsage.txt says $label" ||
			bad "crash $n: panicsage.txt: $(head -n 1 "$X/panicsage.txt")"
		grep -vxF -f "$X/capture.txt" "$X/panicsage.txt" | grep -q . &&
			bad "crash $n: panicsage.txt is not the report the console showed" ||
			ok "crash $n: panicsage.txt is the console's report"
	fi
	if dfs "/var/crash/$stamp/panicsage.json" "$X/panicsage.json"; then
		[ "$(json_get "$X/panicsage.json" label)" = "$label" ] && ok "crash $n: panicsage.json label $label" ||
			bad "crash $n: panicsage.json label '$(json_get "$X/panicsage.json" label)'"
		c=$(json_get "$X/panicsage.json" culprit)
		[ -n "$c" ] && grep -qF -- "$c" "$X/dmesg" && ok "crash $n: its first culprit line is in this dump's dmesg: $c" ||
			bad "crash $n: the JSON's culprit line '$c' is not in /var/crash/$stamp/dmesg.$stamp"
		note "crash $n: panicsage's analysis took $(json_get "$X/panicsage.json" total) us (timing_us.total)"
	fi
	# the next normal boot
	after "$nxt" "BOOT-SYSTEM .*" > "$X/next.txt"
	[ -s "$X/next.txt" ] || { bad "crash $n: the next boot's checks did not run (console: $B/run/$nxt.txt)"; return; }
	nf=$(sed -n 's/^BOOT-FAILED-COUNT //p' "$X/next.txt")
	[ "$nf" = 0 ] && ok "crash $n: next boot: no failed unit ($(sed -n 's/^BOOT-SYSTEM //p' "$X/next.txt"))" ||
		{ bad "crash $n: next boot: $nf failed units"; grep '^BOOT-FAILED-UNIT' "$X/next.txt" | tee -a "$RES"; }
	grep -q "^BOOT-JOURNAL-1 panicsage: $label (" "$X/next.txt" &&
		ok "crash $n: journalctl -b -1 (the capture boot) has the report" ||
		bad "crash $n: journalctl -b -1 has no '$label' report"
	# the capture boot's own unit (systemd kills it at its time limit)
	grep -q "^BOOT-JOURNAL-1 panicsage-kdump.service: Failed" "$X/next.txt" &&
		bad "crash $n: journalctl -b -1: $(grep -m 1 '^BOOT-JOURNAL-1 panicsage-kdump.service: Failed' "$X/next.txt" | cut -d' ' -f2-)" ||
		ok "crash $n: panicsage-kdump.service did not fail in the capture boot"
	grep -q "^BOOT-JOURNAL-0 panicsage: crash report in /var/crash/$stamp/panicsage.txt: $label (" "$X/next.txt" &&
		ok "crash $n: journalctl -b 0 says where the report is" ||
		bad "crash $n: journalctl -b 0 does not point to /var/crash/$stamp/panicsage.txt"
}

if [ "$INSTALL" = 1 ]; then
if grep -q "^BOOT-INSTALL-RC=0" "$B/run/install.txt" && grep -q "^BOOT-REBUILD-RC=0 " "$B/run/install.txt"; then
	ok "install.sh install and the rebuild it prints ($(sed -n 's/^BOOT-REBUILD-RC=0 //p' "$B/run/install.txt") for the rebuild)"
else
	bad "install or rebuild failed: $(grep -E '^BOOT-(INSTALL|REBUILD)-RC' "$B/run/install.txt" | tr '\n' ' ')"
fi
grep -q "^BOOT-KDUMP-STATUS current state *: ready to kdump" "$B/run/install.txt" &&
	ok "kdump-config status: ready to kdump" || bad "kdump not ready after the rebuild"
fi
# measured RUN SPEC: what the capture boot of RUN (crashkernel=SPEC) had
measured() {
	after "$1" BOOT-CRASH-1 > "$B/run/$1.capture"
	c=$B/run/$1.capture
	note "memory, crashkernel=$2: kdump $(sed -n 's/^BOOT-KDUMP-STATUS current state *: //p' "$B/run/$1.txt")"
	note "  kdump initramfs: $(sed -n 's/^BOOT-KDUMP-INITRD //p' "$B/run/$1.txt") bytes"
	note "  capture kernel: $(grep -a -m 1 -o 'Memory: [0-9]*K/[0-9]*K available' "$c" || echo 'no Memory: line (did not boot)')"
	note "  kdump initramfs, panicsage-kdump run again under memwatch: $(sed -n 's/^BOOT-MEM-INITRAMFS memwatch: //p' "$c" | head -n 1)"
	note "  report on the console: $(sed 's|^Begin: Running /scripts/init-bottom \.\.\. ||' "$c" | grep -m 1 '^panicsage: [a-z-]* (' || echo none)"
	note "  root filesystem stage, before panicsage-kdump.service: $(sed -n 's/^BOOT-MEM-ROOTFS //p' "$c" | head -n 1)"
	note "  kdump-tools: $(grep -a -m 1 -o 'saved vmcore in .*' "$c" || echo 'no vmcore saved')"
	grep -a -E 'Out of memory|oom-kill|oom_reaper|Kernel panic|not enough memory|__vm_enough_memory|Killed process|page allocation failure|Read-only file system' "$c" |
		grep -v 'sysrq triggered crash' | head -n 5 | sed 's/^/  memory trouble: /' | tee -a "$RES"
}

if [ $MEASURE = 1 ]; then
	if [ "$INSTALL" = 1 ]; then
		check_crash 1 manual install "" 'sysrq: Trigger a crash'
		measured install "$CRASHKERNEL"
	fi
	# the same installed disk, crashed again with smaller reservations;
	# then the control: a fresh copy of the image (kdump-tools' own
	# kdump initramfs, panicsage never installed) crashed the same way
	TMO=${BOOT_MEASURE_TIMEOUT:-1200}
	for size in ${BOOT_MEASURE_SIZES-120M 116M 112M} without ${BOOT_MEASURE_CONTROL-116M 112M 108M}; do
		if [ "$size" = without ]; then
			W=$B/run/control.img
			rm -f "$W"
			cp --sparse=always "$IMG" "$W"
			tag=c
			continue
		fi
		CRASHKERNEL=$size
		job_begin "m${tag:-}$size"
		cat >> "$J/job.sh" <<'EOF'
m "BOOT-KDUMP-STATUS $(kdump-config status 2>&1 | tr '\n' ' ')"
m "BOOT-KDUMP-INITRD $(stat -L -c %s /var/lib/kdump/initrd.img 2>&1)"
m "BOOT-CRASH-1"
sync
echo c > /proc/sysrq-trigger
EOF
		job_end
		guest_run "m${tag:-}$size" "$W" || true
		measured "m${tag:-}$size" "$size${tag:+, without panicsage}"
	done
else
	check_crash 1 manual install oops 'sysrq: Trigger a crash'
	check_crash 2 null-deref oops final 'BUG: kernel NULL pointer dereference'
fi
note "boot: $fails failed checks, $(elapsed) in all"
[ $fails -eq 0 ]
