#!/bin/sh
# Runs one QEMU fault-lab cycle and writes one labelled case file.
#
#   tools/lab/run-case.sh [--out DIR] [--keep-vmcore DIR] [--timeout S]
#                         [--upload PORT --pki DIR] KIND SEED
#
# Boots the Debian kernel under QEMU TCG with crashkernel=256M, arms kdump
# (kexec -p), runs varied background work, provokes the fault KIND, lets the
# capture kernel read the log out of /proc/vmcore (vmcore-dmesg, and
# panicsage-kdump when build/panicsage-kdump exists) and writes
# DIR/KIND-SEED.log (default build/lab/cases):
#
#   LABEL: <model/TAXONOMY.md label>
#   FAULT: <kind>
#   SEED: <seed>
#   SOURCE: panicsage QEMU lab (...)
#   <blank line>
#   <the log as vmcore-dmesg printed it in the capture kernel>
#
# The capture console's markers are summarised in DIR/KIND-SEED.result
# (KEY=VALUE lines) and the raw console is kept under build/lab/runs/.
# --keep-vmcore DIR also saves the vmcore (makedumpfile -E -d 31, ELF) to
# DIR/KIND-SEED.vmcore.  KIND is one of `run-case.sh --list`.
#
# --upload PORT --pki DIR makes an upload case: the capture kernel sends
# its case to a collector (`panicsage serve`) listening on 127.0.0.1:PORT.
# DIR is from `panicsage pki init DIR --ip 10.0.2.100`; its kdump.conf,
# client.crt and client.key go into this case's capture initramfs (the
# shared build/lab/capture.cpio stays without them), the NIC is
# virtio-net, and QEMU's user network (restrict=on) forwards only the
# kdump.conf's collector address (guestfwd) to 127.0.0.1:PORT.  UPLOAD_RC
# in the .result file is the delivery's exit code (0: stored; run-case.sh
# does not judge it).
#
# LAB_ARCH=arm64 runs the arm64 lab (build/lab-arm64, qemu-system-aarch64
# -M virt, Debian's arm64 kernel; tools/lab/README.md "arm64").
#
# Exit codes: 0 case written; 1 usage or setup error; 2 the guest crashed
# but the log lacks the kind's evidence (case rejected); 3 no capture
# (timeout, kdump did not run, or the log did not come through intact).
set -eu
. "$(dirname "$0")/lib.sh"
. "$LAB_ROOT/tools/lab/kinds.sh"

OUT=$LAB_OUT/cases
KEEP=""
# arm64 guests (TCG emulating another architecture) are about twice as
# slow: a loaded 2-core host took over 180 s for one cycle
if [ "$LAB_ARCH" = arm64 ]; then TMO=${LAB_TIMEOUT:-400}; else TMO=${LAB_TIMEOUT:-180}; fi
UPLOAD="" PKI=""
usage() { sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--keep-vmcore) KEEP=$2; shift 2 ;;
	--timeout) TMO=$2; shift 2 ;;
	--upload) UPLOAD=$2; shift 2 ;;
	--pki) PKI=$2; shift 2 ;;
	--list) echo $LAB_KINDS; exit 0 ;;
	-h|--help) usage ;;
	-*) echo "run-case: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || usage
KIND=$1 SEED=$2
case $SEED in ''|*[!0-9]*) lab_die "SEED must be a number, got '$SEED'" ;; esac
case " $(echo $LAB_KINDS) " in
*" $KIND "*) ;;
*) lab_die "unknown fault kind '$KIND' for $LAB_ARCH (known: $(echo $LAB_KINDS))" ;;
esac
rnd_init "$KIND" "$SEED"
kind_setup "$KIND" || lab_die "unknown fault kind '$KIND' for $LAB_ARCH (known: $(echo $LAB_KINDS))"

QEMU=$(lab_qemu)
[ -f "$LAB_OUT/first.cpio" ] || lab_die "run ${LAB_ARCH:+LAB_ARCH=$LAB_ARCH }tools/lab/build.sh first"
command -v "$QEMU" >/dev/null || lab_die "$QEMU missing: ci/deps.sh lab${LAB_ARCH#x86_64}"
if [ -n "$UPLOAD" ]; then
	case $UPLOAD in ''|*[!0-9]*) lab_die "--upload needs the collector's port on 127.0.0.1, got '$UPLOAD'" ;; esac
	[ -n "$PKI" ] || lab_die "--upload needs --pki DIR (from: panicsage pki init DIR --ip 10.0.2.100)"
	for f in kdump.conf client.crt client.key; do
		[ -r "$PKI/$f" ] || lab_die "--pki $PKI has no $f (make it with: panicsage pki init DIR --ip 10.0.2.100)"
	done
	# The guest-side collector address: on QEMU's user network, 10.0.2.0/24.
	GUEST_COLLECTOR=$(sed -n 's/^collector *= *\(10\.0\.2\.[0-9]*:[0-9]*\) *$/\1/p' "$PKI/kdump.conf" | tail -n 1)
	[ -n "$GUEST_COLLECTOR" ] ||
		lab_die "$PKI/kdump.conf: the collector must be on QEMU's user network 10.0.2.0/24 (panicsage pki init DIR --ip 10.0.2.100)"
	command -v busybox >/dev/null || lab_die "busybox missing on the host (guestfwd relays through 'busybox nc'): ci/deps.sh lab"
	[ -x "$LAB_OUT/root-capture/bin/panicsage-kdump" ] ||
		lab_die "the capture initramfs has no panicsage-kdump: build it (make build/panicsage-kdump), then tools/lab/build.sh"
elif [ -n "$PKI" ]; then
	lab_die "--pki is only used with --upload PORT"
fi
KVER=$(cat "$LAB_OUT/kver")
W=$LAB_OUT/runs/$KIND-$SEED
rm -rf "$W"; mkdir -p "$W/job/lab" "$OUT"

# --- the machine (varies per seed)
# q35 only: i440FX's ACPI PCI interrupt links take seconds each under TCG.
MACHINE=q35
pick e1000 e1000e virtio-net-pci rtl8139 none e1000 virtio-net-pci; NIC=$P
# An upload case always has virtio-net (its driver is in the capture
# initramfs); the draw above still happens, so the rest of the case is the
# same as without --upload.
[ -z "$UPLOAD" ] || NIC=virtio-net-pci
EXTRA=""
rnd 3; [ $R -eq 0 ] && EXTRA="$EXTRA -device virtio-rng-pci"
rnd 4; [ $R -eq 0 ] && EXTRA="$EXTRA -device virtio-balloon-pci"
rnd 4; [ $R -eq 0 ] && EXTRA="$EXTRA -device qemu-xhci -device usb-tablet"
rnd 4; [ $R -eq 0 ] && EXTRA="$EXTRA -drive if=none,id=cd0,media=cdrom -device ide-cd,drive=cd0"
if [ "$LAB_ARCH" = arm64 ]; then
	# -M virt has no IDE: the CD-ROM hangs off virtio-scsi
	MACHINE=virt
	EXTRA=$(echo "$EXTRA" | sed 's/-device ide-cd,drive=cd0/-device virtio-scsi-pci -device scsi-cd,drive=cd0/')
fi

# --- noise: extra modules, background work, timing
MODS=""
for m in loop vfat bridge tun dummy zram fuse overlay btrfs xfs nf_tables cfg80211 \
	scsi_debug ipmi_msghandler sg 8021q nf_conntrack pcspkr joydev serio_raw; do
	rnd 10; [ $R -lt 3 ] && MODS="$MODS $m"
done
WORK=""
for w in gzip md5 sort loop vfat bridge tap dummy ping zram drop write burn psops; do
	rnd 10; [ $R -lt 4 ] && WORK="$WORK $w"
done
rnd 4; DELAY=$((R + 1))
rnd 40; NOISE_OPS=$((R + 5))
rnd 200; NET="10.$((R + 20))"

cat > "$W/job/lab/job" <<EOF
LAB_NOISE_MODS="$MODS"
LAB_WORK="$WORK"
LAB_DELAY=$DELAY
LAB_NOISE_OPS=$NOISE_OPS
LAB_NET=$NET
LAB_KEEP_VMCORE=$([ -n "$KEEP" ] && echo 1 || echo 0)
lab_fault() {
	$FAULT_SH
}
EOF
mkcpio() { (cd "$1" && find . | sort | cpio -o -H newc -R 0:0 --quiet) > "$2"; }
if [ -n "$UPLOAD" ]; then
	# The upload settings for the capture initramfs (init-first appends
	# /lab/capture.cpio to it before kexec -p); no fault kind in here.
	mkdir -p "$W/capture/etc/panicsage"
	cp "$PKI/client.crt" "$PKI/client.key" "$W/capture/etc/panicsage/"
	{
		cat "$PKI/kdump.conf"
		echo "# added by run-case.sh"
		echo "cert = /etc/panicsage/client.crt"
		echo "key = /etc/panicsage/client.key"
		echo "machine_id = lab-$SEED"
	} > "$W/capture/etc/panicsage/kdump.conf"
	mkcpio "$W/capture" "$W/job/lab/capture.cpio"
fi
mkcpio "$W/job" "$W/job.cpio"
cat "$LAB_OUT/first.cpio" "$W/job.cpio" > "$W/initrd"

# --- data disk: small ext4 with errors=panic in its superblock
D=$W/data
mkdir -p "$D/www/static" "$D/work" "$D/db" "$D/home/user"
i=0
while [ $i -lt 12 ]; do
	rnd 4000; head -c $((R * 4 + 64)) /dev/urandom | base64 > "$D/www/static/asset$i.js"
	i=$((i + 1))
done
echo "<html><body>ok</body></html>" > "$D/www/index.html"
i=0
while [ $i -lt 6 ]; do
	rnd 64; head -c $(((R + 1) * 4096)) /dev/urandom > "$D/db/table$i.dat"
	i=$((i + 1))
done
head -c 8192 /dev/urandom > "$D/db/index.idx"
printf 'meeting notes\n' > "$D/home/user/notes.txt"
printf 'todo\n' > "$D/home/user/todo.txt"
mke2fs -q -F -t ext4 -b 4096 -L data -d "$D" "$W/data.img" 48M >/dev/null 2>&1 ||
	lab_die "mke2fs failed (needs e2fsprogs)"
tune2fs -e panic "$W/data.img" >/dev/null
case $FS_CORRUPT in
0) debugfs -w -R "sif /db/table3.dat block[0] 0" "$W/data.img" >/dev/null 2>&1 ;;
1) debugfs -w -R "sif /home/user/notes.txt links_count 0" "$W/data.img" >/dev/null 2>&1 ;;
2) blk=$(debugfs -R "bmap /db 0" "$W/data.img" 2>/dev/null)
   rnd 3000; head -c $((R + 24)) /dev/urandom |
	dd of="$W/data.img" bs=1 seek=$((blk * 4096 + 24)) conv=notrunc 2>/dev/null ;;
3) debugfs -w -R "sif /db/index.idx checksum 0x1234" "$W/data.img" >/dev/null 2>&1 ;;
esac
rm -rf "$D"

# --- run QEMU
CONSOLE=$W/console.log
KERNEL=$LAB_OUT/vmlinux.elf		# PVH boot of the uncompressed kernel (build.sh)
[ -f "$KERNEL" ] || KERNEL=$LAB_OUT/vmlinuz
: > "$CONSOLE"
mkfifo "$W/mon.in" "$W/mon.out"
if [ "$LAB_ARCH" = arm64 ]; then
	# pauth-impdef=on: pointer authentication without QEMU's slow QARMA
	set -- -nodefaults -accel tcg -machine virt -cpu max,pauth-impdef=on -smp 2 -m 1024 \
		-display none -no-reboot \
		-kernel "$KERNEL" -initrd "$W/initrd" \
		-append "console=ttyAMA0 quiet panic=-1 crashkernel=256M slub_debug=FZPU panic_on_taint=0x20"
else
	set -- -nodefaults -accel tcg -machine "$MACHINE" -cpu max -smp 2 -m 768M \
		-display none -vga none -no-reboot \
		-kernel "$KERNEL" -initrd "$W/initrd" \
		-append "console=ttyS0,115200 quiet no_timer_check panic=-1 crashkernel=256M slub_debug=FZPU panic_on_taint=0x20"
fi
set -- "$@" -serial "file:$CONSOLE" -monitor "pipe:$W/mon" \
	-drive "file=$LAB_OUT/sys.img,if=none,id=d9,format=raw,readonly=on" \
	-device virtio-blk-pci,drive=d9,serial=labsys \
	-drive "file=$W/data.img,if=none,id=d0,format=raw" -device virtio-blk-pci,drive=d0,serial=labdata
# restrict=on: the guest reaches nothing on the host or beyond, except the
# guestfwd address of an upload case.  guestfwd's cmd: form starts the
# relay for each guest connection, with the connection as its stdin,
# stdout and stderr (so nc's error messages are silenced); the tcp: form
# opens one host connection when QEMU starts and shares it between all
# guest connections (tools/lab/README.md).
NETDEV="user,model=$NIC,restrict=on"
[ -z "$UPLOAD" ] ||
	NETDEV="$NETDEV,guestfwd=tcp:$GUEST_COLLECTOR-cmd:sh -c 'exec busybox nc 127.0.0.1 $UPLOAD 2>/dev/null'"
[ "$NIC" = none ] || set -- "$@" -nic "$NETDEV"
if [ -n "$KEEP" ]; then
	# LAB_VMCORE_RAW=1: the raw /proc/vmcore instead of makedumpfile -E -d 31
	# (always on arm64, whose capture initramfs has no makedumpfile).
	if [ "${LAB_VMCORE_RAW:-0}" = 1 ] || [ "$LAB_ARCH" = arm64 ]; then vser=labvmcoreraw vsize=1G; else vser=labvmcore vsize=256M; fi
	truncate -s $vsize "$W/vmcore.img"
	set -- "$@" -drive "file=$W/vmcore.img,if=none,id=d1,format=raw" \
		-device virtio-blk-pci,drive=d1,serial=$vser
fi
# shellcheck disable=SC2086
set -- "$@" $EXTRA
start=$(date +%s)
timeout "$TMO" "$QEMU" "$@" > "$W/qemu.log" 2>&1 &
QPID=$!
cat "$W/mon.out" > "$W/monitor.log" 2>/dev/null &
CATPID=$!
if [ -n "$HOST_ACTION" ]; then
	n=0
	while [ $n -lt $((TMO * 2)) ] && kill -0 $QPID 2>/dev/null; do
		if grep -q '^LAB-ARMED' "$CONSOLE" 2>/dev/null; then
			sleep 1
			echo "$HOST_ACTION" > "$W/mon.in"
			break
		fi
		sleep 0.5; n=$((n + 1))
	done
fi
rc=0; wait $QPID || rc=$?
secs=$(( $(date +%s) - start ))
kill $CATPID 2>/dev/null || true

# --- parse the capture console
tr -d '\r' < "$CONSOLE" > "$W/console.txt"
RES=$OUT/$KIND-$SEED.result
marker() { grep -m 1 "^$1" "$W/console.txt" | sed "s/^$1//" || true; }
{
	echo "KIND=$KIND"; echo "SEED=$SEED"; echo "LABEL=$LABEL"; echo "SECONDS=$secs"
	echo "QEMU_RC=$rc"; echo "MACHINE=$MACHINE"; echo "NIC=$NIC"
	echo "CAPTURE=$(grep -c '^LAB-CAPTURE-END' "$W/console.txt" || true)"
	echo "VMCORE_DMESG_RC=$(marker LAB-VMCORE-DMESG-RC=)"
	if grep -q '^LAB-PANICSAGE-ABSENT' "$W/console.txt"; then echo "PANICSAGE=absent"
	else echo "PANICSAGE=present"; fi
	echo "PANICSAGE_DMESG_RC=$(marker LAB-PANICSAGE-DMESG-RC=)"
	if grep -q '^LAB-DMESG-MATCH' "$W/console.txt"; then echo "DMESG=match"
	elif grep -q '^LAB-DMESG-DIFF' "$W/console.txt"; then echo "DMESG=diff"
	else echo "DMESG=none"; fi
	echo "REPORT_RC=$(marker LAB-REPORT-RC=)"
	echo "REPORT_FIRST=$(sed -n '/^LAB-REPORT-BEGIN/,/^LAB-REPORT-END/p' "$W/console.txt" | grep -v '^LAB-' | head -n 1)"
	if [ -n "$UPLOAD" ]; then
		echo "UPLOAD=127.0.0.1:$UPLOAD"; echo "MACHINE_ID=lab-$SEED"
		echo "NET_UP=$(marker 'LAB-NET-UP ')"; echo "NET_FAIL=$(marker 'LAB-NET-FAIL: ')"
		echo "UPLOAD_RC=$(marker LAB-UPLOAD-RC=)"; echo "UPLOAD_MSG=$(marker 'LAB-UPLOAD-MSG: ')"
		echo "UPLOAD_TIME=$(marker LAB-UPLOAD-TIME=)"
	fi
} > "$RES"
sed -n '/^LAB-REPORT-BEGIN/,/^LAB-REPORT-END/p' "$W/console.txt" > "$W/report.txt"

hdr=$(grep -m 1 '^LAB-LOG-BEGIN ' "$W/console.txt" || true)
if [ -z "$hdr" ] || ! grep -q '^LAB-LOG-END' "$W/console.txt"; then
	echo "STATUS=no-capture" >> "$RES"
	echo "lab: $KIND $SEED: no capture after ${secs}s (qemu rc $rc); see $W/console.log and $W/qemu.log" >&2
	exit 3
fi
set -- $hdr
want_size=$2 want_md5=$3
sed -n '/^LAB-LOG-BEGIN /,/^LAB-LOG-END/p' "$W/console.txt" | grep -E '^[A-Za-z0-9+/=]+$' |
	base64 -d 2>/dev/null | gzip -dc > "$W/dmesg.txt" 2>/dev/null || true
got_size=$(wc -c < "$W/dmesg.txt" | tr -d ' ')
got_md5=$(md5sum < "$W/dmesg.txt" | cut -d' ' -f1)
if [ "$got_size" != "$want_size" ] || [ "$got_md5" != "$want_md5" ]; then
	echo "STATUS=garbled" >> "$RES"
	echo "lab: $KIND $SEED: log garbled on the console ($got_size/$want_size bytes)" >&2
	exit 3
fi
if ! grep -Eq "$EXPECT" "$W/dmesg.txt"; then
	echo "STATUS=rejected" >> "$RES"
	echo "lab: $KIND $SEED: log lacks /$EXPECT/ (rejected); see $W/dmesg.txt" >&2
	exit 2
fi

QV=$("$QEMU" --version | sed -n '1s/.*version \([0-9.]*\).*/\1/p')
CASE=$OUT/$KIND-$SEED.log
{
	echo "LABEL: $LABEL"
	echo "FAULT: $KIND"
	echo "SEED: $SEED"
	echo "SOURCE: panicsage QEMU lab (Debian linux $KVER, QEMU $QV TCG $MACHINE, log read by vmcore-dmesg in the kdump capture kernel)"
	echo
	cat "$W/dmesg.txt"
} > "$CASE"
if [ -n "$KEEP" ]; then
	raw=$(marker 'LAB-VMCORE-SAVED-RAW ')
	if [ -n "$raw" ]; then
		mkdir -p "$KEEP"
		head -c "$raw" "$W/vmcore.img" | cp --sparse=always /dev/stdin "$KEEP/$KIND-$SEED.raw-vmcore"
		cp "$W/dmesg.txt" "$KEEP/$KIND-$SEED.vmcore-dmesg.txt"
		echo "VMCORE=$KEEP/$KIND-$SEED.raw-vmcore" >> "$RES"
		echo "lab: raw vmcore saved: $KEEP/$KIND-$SEED.raw-vmcore ($raw bytes)"
	elif grep -q '^LAB-VMCORE-SAVED' "$W/console.txt"; then
		# ELF length = the end of the furthest segment.
		size=0
		for ph in $(readelf -lW "$W/vmcore.img" 2>/dev/null | awk '$1 == "LOAD" || $1 == "NOTE" { print $2 ":" $5 }'); do
			end=$(( ${ph%%:*} + ${ph##*:} ))
			[ $end -gt $size ] && size=$end
		done
		mkdir -p "$KEEP"
		head -c "$size" "$W/vmcore.img" > "$KEEP/$KIND-$SEED.vmcore"
		cp "$W/dmesg.txt" "$KEEP/$KIND-$SEED.vmcore-dmesg.txt"
		echo "VMCORE=$KEEP/$KIND-$SEED.vmcore" >> "$RES"
		echo "lab: vmcore saved: $KEEP/$KIND-$SEED.vmcore ($size bytes)"
	else
		echo "lab: $KIND $SEED: vmcore not saved: $(marker LAB-VMCORE-ERR:)" >&2
	fi
	rm -f "$W/vmcore.img"
fi
echo "STATUS=ok" >> "$RES"
rm -rf "$W/initrd" "$W/data.img" "$W/job.cpio" "$W/job/lab/capture.cpio" "$W/capture"
echo "lab: $KIND $SEED ok ${secs}s $MACHINE nic=$NIC label=$LABEL lines=$(wc -l < "$W/dmesg.txt" | tr -d ' ')" \
	"dmesg=$(sed -n 's/^DMESG=//p' "$RES")${UPLOAD:+ upload_rc=$(sed -n 's/^UPLOAD_RC=//p' "$RES")} -> $CASE"
