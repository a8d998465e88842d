#!/bin/sh
# The Debian integration with the real initramfs-tools: kdump/install.sh
# into a staged root, then `mkinitramfs -d <root>/var/lib/kdump/initramfs-tools`
# (what kdump-tools runs) with PANICSAGE_ROOT pointing at it.  The image
# must hold the static binary byte for byte, the wrapper, its settings,
# the upload settings with the client certificate and key, and the
# machine id; the normal initramfs must not hold the binary.
#
# Then the capture boot, played in a chroot of the unpacked image (its own
# /bin/sh, nothing from the host), with a synthetic vmcore as /proc/vmcore:
#   1. init-bottom, collector down: report on the console, the case
#      spooled in /run/panicsage (the initramfs' /var does not survive);
#   2. the systemd unit's second run in the same capture boot, collector
#      still down: no second diagnosis, the case moves to the disk spool;
#   3. the next normal boot's panicsage-flush.service command, collector
#      up: the case reaches the store, with its label and machine id, and
#      leaves the spool;
#   4. with the image's /var on tmpfs and no --spool, the binary itself
#      keeps the case in /run/panicsage;
#   5. the report beside the dump: init-bottom saved panicsage.txt and
#      panicsage.json in /run/panicsage; the unit's `panicsage-kdump-report
#      keep` (run in the same chroot, the scripts copied in from the staged
#      root) keeps them for the next boot, whose `place` (the command of
#      panicsage-report.service) puts them into the kdump-tools directory
#      made after them.
# The same for RHEL/Fedora's dracut module (99panicsage) with Debian's
# dracut-core, fetched with apt-get download and unpacked under build/:
# the image must hold the wrapper, settings, certificate, key and machine
# id, and its pre-pivot hook, run in a chroot of the image, must print
# the report and upload the case; after a dump into
# /sysroot/var/crash/<host>-<date>/ as kdump-utils makes it, the image's
# kdump_post script (panicsage-kdump-post) must put the report there and
# leave the next boot a note.
# Needs root (chroot), initramfs-tools and a kernel under
# /lib/modules (ci/deps.sh lab installs both when they are missing).
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
PS=$B/panicsage
K=$B/panicsage-kdump
G=$B/tests/vmcoregen
[ -x "$PS" ] && [ -x "$K" ] && [ -x "$G" ] || { echo "build first"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "skipped: needs root (chroot, mknod)"; exit 77; }
# initramfs-tools and a kernel: the QEMU lab's packages (t_lab_e2e needs them too)
if ! command -v mkinitramfs >/dev/null || [ -z "$(ls /lib/modules 2>/dev/null)" ]; then
	ci/deps.sh lab || { echo "FAIL: ci/deps.sh lab"; exit 1; }
fi
for c in mkinitramfs unmkinitramfs lsinitramfs chroot mknod sqlite3; do
	command -v $c >/dev/null || { echo "skipped: $c not installed (initramfs-tools, sqlite3)"; exit 77; }
done
KVER=$(ls /lib/modules 2>/dev/null | sort | tail -n 1)
[ -n "$KVER" ] && [ -f "/lib/modules/$KVER/modules.order" ] ||
	{ echo "skipped: no kernel under /lib/modules (apt install linux-image-amd64)"; exit 77; }

. tests/lib.sh
MNT=""
on_cleanup() { [ -n "$MNT" ] && umount "$MNT" 2>/dev/null; }

# ---- a staged Debian root with kdump-tools' initramfs configuration
R=$T/root
mkdir -p "$R/etc/default" "$R/etc/panicsage" "$R/var/lib/kdump"
echo "USE_KDUMP=1" > "$R/etc/default/kdump-tools"
cp -r /etc/initramfs-tools "$R/etc/initramfs-tools"
cp -r /etc/initramfs-tools "$R/var/lib/kdump/initramfs-tools"
# no modules: the test is about panicsage's files, and it stays fast
for c in "$R/etc/initramfs-tools" "$R/var/lib/kdump/initramfs-tools"; do
	sed -i 's/^MODULES=.*/MODULES=list/; s/^COMPRESS=.*/COMPRESS=gzip/' "$c/initramfs.conf"
	: > "$c/modules"
done
# as kdump-tools' /etc/kernel/postinst.d/kdump-tools (1.8.1) marks its copy
echo "KDUMP=y" >> "$R/var/lib/kdump/initramfs-tools/initramfs.conf"

"$PS" pki init "$T/pki" --ip 127.0.0.1 >/dev/null || { echo "pki failed"; exit 1; }
DB=$T/cases.db
start_collector "$T/pki" "$DB"
stop_collector TERM          # down for the capture boot; PORT is kept
cp "$T/pki/client.crt" "$T/pki/client.key" "$R/etc/panicsage/"
cat > "$R/etc/panicsage/kdump.conf" <<EOF
collector = 127.0.0.1:$PORT
cert = /etc/panicsage/client.crt
key = /etc/panicsage/client.key
server_pin = $(cat "$T/pki/server.pin")
retries = 2
backoff_ms = 100
EOF
MID=5eed0f1e5eed0f1e5eed0f1e5eed0f1e
echo "$MID" > "$R/etc/machine-id"

sh kdump/install.sh --root "$R" --flavor debian --binary "$K" install >"$T/install.log" 2>&1
check "install.sh into the staged root" [ $? -eq 0 ] || cat "$T/install.log"

PANICSAGE_ROOT=$R mkinitramfs -d "$R/var/lib/kdump/initramfs-tools" -o "$T/kdump.img" "$KVER" \
	>"$T/mkinitramfs.log" 2>&1
check "mkinitramfs builds the kdump initramfs" [ -s "$T/kdump.img" ] || cat "$T/mkinitramfs.log"
PANICSAGE_ROOT=$R mkinitramfs -d "$R/etc/initramfs-tools" -o "$T/normal.img" "$KVER" \
	>"$T/mkinitramfs.log" 2>&1
check "mkinitramfs builds the normal initramfs" [ -s "$T/normal.img" ] || cat "$T/mkinitramfs.log"
check "the kdump initramfs is readable by root only (it holds the client key)" [ "$(stat -c %a "$T/kdump.img")" = 600 ]
# (unless this machine's own initramfs-tools configuration sets a UMASK)
grep -rqs '^[[:space:]]*UMASK=' /etc/initramfs-tools ||
	check "the normal initramfs keeps mkinitramfs' usual mode" [ "$(stat -c %a "$T/normal.img")" = 644 ]
lsinitramfs "$T/normal.img" > "$T/normal.list"
checke "the normal initramfs has no panicsage-kdump" '! grep -q "panicsage-kdump$" "$T/normal.list"'

unmkinitramfs "$T/kdump.img" "$T/un" || bad "unmkinitramfs"
U=$T/un
[ -d "$U/main" ] && U=$U/main
for f in usr/lib/panicsage/panicsage-kdump:"$K" usr/lib/panicsage/panicsage-kdump-run:kdump/integration/common/panicsage-kdump-run \
	scripts/init-bottom/panicsage:kdump/integration/debian/init-bottom etc/panicsage/run.conf:"$R/etc/panicsage/run.conf" \
	etc/panicsage/kdump.conf:"$R/etc/panicsage/kdump.conf" etc/panicsage/client.crt:"$T/pki/client.crt" \
	etc/panicsage/client.key:"$T/pki/client.key" etc/machine-id:"$R/etc/machine-id"; do
	check "image holds ${f%%:*}" cmp -s "$U/${f%%:*}" "${f#*:}"
done
checke "init-bottom runs the panicsage script" 'grep -q "^/scripts/init-bottom/panicsage" "$U/scripts/init-bottom/ORDER"'

# ---- the capture boot
# /var/spool as the root filesystem has it: in the initramfs stage the
# binary would spool there by default, and lose the case at switch_root
mkdir -p "$U/dev" "$U/proc" "$U/run" "$U/var/spool"
# the device, or (no CAP_MKNOD) a plain file that takes what is thrown away
mknod -m 666 "$U/dev/null" c 1 3 2>/dev/null || : > "$U/dev/null"
"$G" tests/data/example.log "$U/proc/vmcore" >/dev/null 2>&1 || bad "vmcoregen"
spooled() { ls "$1" 2>/dev/null | grep -c '\.case$'; }

# 1. initramfs stage, no collector
chroot "$U" /bin/sh /scripts/init-bottom/panicsage >"$T/stage1" 2>&1; rc=$?
cat "$T/stage1"
check "init-bottom exits 0" [ $rc -eq 0 ]
check "init-bottom: report on the console" grep -q "^panicsage: null-deref" "$T/stage1"
checke "init-bottom: the upload settings parse cleanly (no configuration warning)" \
	'! grep -q "^panicsage: configuration" "$T/stage1"'
check "init-bottom: case kept in /run/panicsage" [ "$(spooled "$U/run/panicsage")" -eq 1 ]
check "init-bottom: nothing in the initramfs' /var" [ "$(spooled "$U/var/spool/panicsage")" -eq 0 ]
check "init-bottom: done marker" [ -f "$U/run/panicsage/done" ]
case_file=$(ls "$U/run/panicsage" | grep '\.case$')
# the report saved for the dump's directory: the console's report lines,
# and JSON with the same label
checke "init-bottom: panicsage.txt holds the console's report" \
	'[ -s "$U/run/panicsage/panicsage.txt" ] && grep -vxF -f "$T/stage1" "$U/run/panicsage/panicsage.txt" | grep -c . | grep -qx 0'
json_label() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["label"])' "$1" 2>/dev/null; }
check "init-bottom: panicsage.json is JSON with the label" [ "$(json_label "$U/run/panicsage/panicsage.json")" = null-deref ]

# 2. the systemd unit in the same capture boot: flush only
chroot "$U" /usr/lib/panicsage/panicsage-kdump-run >"$T/stage2" 2>&1; rc=$?
cat "$T/stage2"
check "second stage exits 0" [ $rc -eq 0 ]
checke "second stage does not diagnose again" '! grep -q "^panicsage: null-deref" "$T/stage2"'
check "second stage says the case moved to disk" grep -q "moved from tmpfs to disk" "$T/stage2"
check "second stage: case now in /var/spool/panicsage" [ -f "$U/var/spool/panicsage/$case_file" ]
check "second stage: case gone from tmpfs" [ "$(spooled "$U/run/panicsage")" -eq 0 ]

# 5a. the unit's second command in the capture boot (its root filesystem
# played by the same chroot): keep the report for the dump's directory
mkdir -p "$U/usr/lib/panicsage" "$U/var/lib"
cp "$R/usr/lib/panicsage/panicsage-kdump-report" "$U/usr/lib/panicsage/"
cmd=$(sed -n 's/^ExecStart=-\(.*panicsage-kdump-report.*\)/\1/p' "$R/etc/systemd/system/panicsage-kdump.service")
# shellcheck disable=SC2086
chroot "$U" $cmd >"$T/keep" 2>&1; rc=$?
cat "$T/keep"
check "keep exits 0" [ $rc -eq 0 ]
set -- "$U"/var/lib/panicsage/pending/*
pend=$1
check "keep: one pending report" [ $# -eq 1 -a -f "$pend/panicsage.txt" -a -f "$pend/panicsage.json" ]
checke "keep: it names this minute and /var/crash" 'grep -q "^stamp=[0-9]\{12\}\$" "$pend/where" && grep -qx "coredir=/var/crash" "$pend/where"'
# kdump-tools' savecore: /var/crash/<minute it starts>/dmesg.<minute>
stamp=$(date +%Y%m%d%H%M)
mkdir -p "$U/var/crash/200001010000" "$U/var/crash/$stamp"
echo dmesg > "$U/var/crash/$stamp/dmesg.$stamp"


start_collector "$T/pki" "$DB"
cmd=$(sed -n 's/^ExecStart=-//p' kdump/integration/common/panicsage-flush.service)
# shellcheck disable=SC2086
chroot "$U" $cmd >"$T/stage3" 2>&1; rc=$?
cat "$T/stage3"
check "flush exits 0" [ $rc -eq 0 ]
check "flush: the spool is empty" [ "$(spooled "$U/var/spool/panicsage")" -eq 0 ]
id=${case_file%.case}
got=$(sqlite3 "$DB" "SELECT label || ' ' || machine FROM cases WHERE id = '$id'")
check "the case is stored with its label and machine id" [ "$got" = "null-deref $MID" ]
# 5b. the same boot's panicsage-report.service: the report beside the dump
cmd=$(sed -n 's/^ExecStart=-//p' kdump/integration/common/panicsage-report.service)
# shellcheck disable=SC2086
chroot "$U" $cmd >"$T/place" 2>&1; rc=$?
cat "$T/place"
check "place exits 0" [ $rc -eq 0 ]
check "place: panicsage.txt beside the dump" cmp -s "$U/run/panicsage/panicsage.txt" "$U/var/crash/$stamp/panicsage.txt"
check "place: panicsage.json beside the dump" cmp -s "$U/run/panicsage/panicsage.json" "$U/var/crash/$stamp/panicsage.json"
check "place: not beside an older dump" [ ! -e "$U/var/crash/200001010000/panicsage.txt" ]
check "place: says where, with the label" grep -q "^panicsage: crash report in /var/crash/$stamp/panicsage.txt: null-deref" "$T/place"
check "place: nothing left pending" [ -z "$(ls "$U/var/lib/panicsage/pending")" ]

# 4. an initramfs whose /var is tmpfs, without --spool: the binary itself
# must choose /run/panicsage, not the /var/spool that switch_root drops
# (a container without CAP_SYS_ADMIN cannot mount: then this part says skip)
if mount -t tmpfs panicsage-test "$U/var/spool" 2>/dev/null; then
	MNT=$U/var/spool
	# a collector (there is a spool only with one), uploads held back
	printf 'collector = 127.0.0.1:9\nupload = 0\n' > "$U/etc/panicsage/noup.conf"
	chroot "$U" /usr/lib/panicsage/panicsage-kdump --config /etc/panicsage/noup.conf /proc/vmcore \
		>"$T/stage4" 2>&1; rc=$?
	check "tmpfs /var: exit 0" [ $rc -eq 0 ] || tail -3 "$T/stage4"
	check "tmpfs /var: case spooled in /run/panicsage" [ "$(spooled "$U/run/panicsage")" -eq 1 ]
	check "tmpfs /var: nothing in /var/spool" [ "$(spooled "$U/var/spool/panicsage")" -eq 0 ]
	umount "$U/var/spool" && MNT=""
else
	echo "skip tmpfs /var: cannot mount a tmpfs here"
fi

# ---- RHEL/Fedora: the dracut module, with Debian's dracut-core (059)
# unpacked into $B/dracut-core (apt-get download, nothing installed)
DR=$B/dracut-core
if [ ! -x "$DR/usr/bin/dracut" ]; then
	rm -rf "$DR.tmp" && mkdir -p "$DR.tmp" &&
		(cd "$DR.tmp" && apt-get download -q dracut-core >/dev/null 2>&1) &&
		dpkg -x "$DR.tmp"/dracut-core_*.deb "$DR.tmp/root" && mv "$DR.tmp/root" "$DR"
	rm -rf "$DR.tmp"
fi
if check "dracut-core unpacked in $DR" [ -x "$DR/usr/bin/dracut" ]; then
	Q=$T/rhel
	mkdir -p "$Q/etc/panicsage" "$Q/usr/bin"
	printf 'path /var/crash\ncore_collector makedumpfile -l -d 31\n' > "$Q/etc/kdump.conf"
	: > "$Q/usr/bin/sleep"
	cp "$T/pki/client.crt" "$T/pki/client.key" "$R/etc/panicsage/kdump.conf" "$Q/etc/panicsage/"
	echo "$MID" > "$Q/etc/machine-id"
	sh kdump/install.sh --root "$Q" --flavor dracut --dracut-module --binary "$K" install >"$T/install.log" 2>&1
	check "install.sh --flavor dracut --dracut-module into a staged root" [ $? -eq 0 ] || cat "$T/install.log"
	# dracut finds modules under dracutbasedir: a copy with ours added
	cp -r "$DR/usr/lib/dracut" "$T/dracut"
	cp -r "$Q/usr/lib/dracut/modules.d/99panicsage" "$T/dracut/modules.d/"
	mkdir -p "$T/dracut.conf.d"
	PANICSAGE_ROOT=$Q dracutbasedir=$T/dracut "$DR/usr/bin/dracut" --conf /dev/null \
		--confdir "$T/dracut.conf.d" --no-hostonly --no-early-microcode --no-kernel \
		--modules "base panicsage" --force "$T/dracut.img" "$KVER" >"$T/dracut.log" 2>&1
	check "dracut builds an initramfs with the panicsage module" [ -s "$T/dracut.img" ] || tail -20 "$T/dracut.log"
	check "the dracut image is readable by root only" [ "$(stat -c %a "$T/dracut.img")" = 600 ]
	V=$T/unr
	mkdir -p "$V"
	(cd "$V" && gzip -dc "$T/dracut.img" | cpio -idm --quiet) || bad "unpack the dracut image"
	for f in etc/panicsage/run.conf etc/panicsage/kdump.conf etc/panicsage/client.crt \
		etc/panicsage/client.key etc/machine-id usr/lib/panicsage/panicsage-kdump-run; do
		check "dracut image holds $f" cmp -s "$V/$f" "$Q/$f"
	done
	check "dracut image holds the pre-pivot hook" [ -f "$V/usr/lib/dracut/hooks/pre-pivot/01-panicsage-pre-pivot.sh" ]
	# dracut strips binaries: the copy must still run (below), not be identical
	check "dracut image holds panicsage-kdump" [ -x "$V/usr/lib/panicsage/panicsage-kdump" ]
	mkdir -p "$V/dev" "$V/proc"
	[ -e "$V/dev/null" ] || mknod -m 666 "$V/dev/null" c 1 3 2>/dev/null || : > "$V/dev/null"
	"$G" tests/data/example.log "$V/proc/vmcore" >/dev/null 2>&1 || bad "vmcoregen"
	n0=$(sqlite3 "$DB" 'SELECT count(*) FROM cases')
	chroot "$V" /bin/sh /usr/lib/dracut/hooks/pre-pivot/01-panicsage-pre-pivot.sh >"$T/pre" 2>&1; rc=$?
	cat "$T/pre"
	check "pre-pivot hook exits 0" [ $rc -eq 0 ]
	check "pre-pivot: report on the console" grep -q "^panicsage: null-deref" "$T/pre"
	check "pre-pivot: the case uploaded (collector up)" grep -q "^panicsage: case .* stored by 127.0.0.1:$PORT" "$T/pre"
	check "pre-pivot: one more case in the store" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM cases')" -eq $((n0 + 1)) ]
	# collector down, the root filesystem mounted at /sysroot: the case
	# waits in its /var/spool/panicsage for the next boot's flush
	stop_collector TERM
	rm -rf "$V/run/panicsage"
	mkdir -p "$V/sysroot/var/spool"
	chroot "$V" /bin/sh /usr/lib/dracut/hooks/pre-pivot/01-panicsage-pre-pivot.sh >"$T/pre2" 2>&1; rc=$?
	check "pre-pivot, collector down: exit 0" [ $rc -eq 0 ] || cat "$T/pre2"
	check "pre-pivot, collector down: case kept in /sysroot/var/spool/panicsage" \
		[ "$(spooled "$V/sysroot/var/spool/panicsage")" -eq 1 ]
	check "pre-pivot, collector down: nothing in the initramfs' /run" [ "$(spooled "$V/run/panicsage")" -eq 0 ]
	# kdump-utils dumps into <root>/var/crash/<host>-<date>/, then runs
	# kdump_post with the dump's status
	check "dracut image holds the kdump_post script" [ -x "$V/usr/lib/panicsage/panicsage-kdump-post" ]
	sleep 1
	dd=$V/sysroot/var/crash/127.0.0.1-$(date +%Y-%m-%d-%T)
	mkdir -p "$dd" "$V/sysroot/var/lib"
	: > "$dd/vmcore"
	chroot "$V" /usr/lib/panicsage/panicsage-kdump-post 0 >"$T/post" 2>&1; rc=$?
	cat "$T/post"
	check "kdump_post exits 0" [ $rc -eq 0 ]
	check "kdump_post: panicsage.txt beside the dump" cmp -s "$V/run/panicsage/panicsage.txt" "$dd/panicsage.txt"
	check "kdump_post: panicsage.json beside the dump" [ "$(json_label "$dd/panicsage.json")" = null-deref ]
	checke "kdump_post: a note for the next boot's journal" \
		'grep -qx "dir=/var/crash/${dd##*/}" "$V"/sysroot/var/lib/panicsage/pending/*/where' 
fi

finish kdump_initramfs
