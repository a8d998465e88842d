#!/bin/sh
# Bakes panicsage-kdump (and a model) into the kdump capture environment,
# and takes it out again.
#
#   kdump/install.sh [options] install | uninstall | status
#
#   --root DIR       operate on DIR as the filesystem root (default /)
#   --dry-run        print what would change, change nothing
#   --flavor F       debian (kdump-tools), dracut (RHEL/Fedora kdump-utils)
#                    or auto (default: detected from the root)
#   --binary FILE    panicsage-kdump to install (default: the build for the
#                    target's architecture, build/panicsage-kdump for x86_64,
#                    build/arm64/panicsage-kdump for arm64)
#   --model FILE     model to install as /usr/lib/panicsage/default.model
#   --budget SECONDS hard time budget of the capture-time run, 2..300 (10)
#   --dracut-module  also install the dracut module 99panicsage
#
# debian: /usr/lib/panicsage/{panicsage-kdump,panicsage-kdump-run,
#   panicsage-kdump-report,default.model}, /etc/panicsage/run.conf, the unit
#   panicsage-kdump.service ordered Before=kdump-tools-dump.service and
#   wanted by it (the capture kernel boots the root filesystem with
#   systemd.unit=kdump-tools-dump.service; it also writes the report into
#   that boot's journal and keeps it for the dump's directory), and an
#   initramfs-tools hook, init-bottom script and conf.d snippet (the kdump
#   initramfs written mode 0600: it holds the client key) in
#   /etc/initramfs-tools (kdump-tools copies that directory to
#   /var/lib/kdump/initramfs-tools on every kernel install; the hook acts
#   only there), also put into an existing /var/lib/kdump/initramfs-tools
#   so the next rebuild has them.
# both: in the normal boot (multi-user.target), panicsage-flush.service,
#   which uploads what a capture boot left in /var/spool/panicsage, and
#   panicsage-report.service, which puts the report kept by the capture
#   boot beside its dump (/var/crash/<dump>/panicsage.txt, .json) and says
#   so in the journal.
# dracut: the same files under /usr/lib/panicsage and /etc/panicsage, and a
#   marked block in /etc/kdump.conf with `extra_bins`,
#   `kdump_pre /usr/lib/panicsage/panicsage-kdump-run` and
#   `kdump_post /usr/lib/panicsage/panicsage-kdump-post` (the report into
#   the dump's directory); an existing kdump_pre or kdump_post is commented
#   out and chained (run after panicsage's, its status returned).
# The target's architecture is this machine's (uname -m) or, with --root,
# the staged root's, read from the ELF header of one of its programs
# (usr/bin/dpkg, the shells, busybox, systemd, env); it is printed, picks
# the default binary, and an ELF --binary of another architecture is
# refused (a capture kernel cannot run it).
# Every change is printed and recorded in /var/lib/panicsage/kdump-install.manifest;
# `uninstall` undoes exactly those changes.  Rebuild the kdump initramfs
# afterwards (the command is printed).
#
# Exit codes: 0 ok, 1 error, 2 usage, 3 nothing installed (uninstall/status).
set -eu

ROOT=/ DRY=0 FLAVOR=auto BUDGET=10 MODEL="" DRACUT_MODULE=0
HERE=$(cd "$(dirname "$0")" && pwd)
BINARY=""
INT=$HERE/integration

die() { echo "install.sh: $*" >&2; exit 1; }
usage() { sed -n '2,/^# Exit codes/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

ACTION=""
while [ $# -gt 0 ]; do
	case $1 in
	--root) [ $# -ge 2 ] || usage; ROOT=$2; shift 2 ;;
	--dry-run) DRY=1; shift ;;
	--flavor) [ $# -ge 2 ] || usage; FLAVOR=$2; shift 2 ;;
	--binary) [ $# -ge 2 ] || usage; BINARY=$2; shift 2 ;;
	--model) [ $# -ge 2 ] || usage; MODEL=$2; shift 2 ;;
	--budget) [ $# -ge 2 ] || usage; BUDGET=$2; shift 2 ;;
	--dracut-module) DRACUT_MODULE=1; shift ;;
	-h|--help) usage ;;
	install|uninstall|status) [ -z "$ACTION" ] || usage; ACTION=$1; shift ;;
	*) echo "install.sh: unknown argument '$1'" >&2; usage ;;
	esac
done
[ -n "$ACTION" ] || usage
case $BUDGET in ''|*[!0-9]*) echo "install.sh: --budget wants whole seconds, got '$BUDGET'" >&2; exit 2 ;; esac
[ "$BUDGET" -ge 2 ] && [ "$BUDGET" -le 300 ] || { echo "install.sh: --budget must be 2..300" >&2; exit 2; }
[ -d "$ROOT" ] || die "root $ROOT is not a directory"
ROOT=$(cd "$ROOT" && pwd)
[ "$ROOT" = / ] && R="" || R=$ROOT

STATE=/var/lib/panicsage
MANIFEST=$STATE/kdump-install.manifest
BACKUP=$STATE/backup
# say "wrote FILE": prints it, or in a dry run "would write FILE".
say() {
	if [ $DRY -eq 1 ]; then
		v=${1%% *}
		case $v in
		wrote) v=write ;; changed) v=change ;; created) v=create ;; linked) v=link ;;
		removed) v=remove ;; replaced) v=replace ;; restored) v=restore ;;
		esac
		echo "would $v ${1#* }"
	else
		echo "$1"
	fi
}

# elf_arch FILE: x86_64, arm64, ... from an ELF header's e_machine; "" if
# FILE is not ELF.
elf_arch() {
	[ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] || return 0
	set -- $(od -An -tu1 -j5 -N1 "$1") $(od -An -tu1 -j18 -N2 "$1")
	[ $# -eq 3 ] || return 0
	if [ "$1" = 2 ]; then m=$(($2 * 256 + $3)); else m=$(($3 * 256 + $2)); fi
	case $m in
	62) echo x86_64 ;; 183) echo arm64 ;; 3) echo i386 ;; 40) echo arm ;;
	21) echo ppc64 ;; 22) echo s390x ;; 243) echo riscv64 ;; *) echo "elf-machine-$m" ;;
	esac
}

# target_arch: sets ARCH and ARCH_FROM (how it was found).
target_arch() {
	ARCH="" ARCH_FROM=""
	if [ -n "$R" ]; then
		for f in usr/bin/dpkg usr/bin/dash bin/dash usr/bin/bash bin/bash usr/bin/busybox \
			bin/busybox usr/lib/systemd/systemd lib/systemd/systemd usr/bin/env bin/ls usr/bin/ls; do
			[ -f "$R/$f" ] && [ ! -L "$R/$f" ] || continue
			ARCH=$(elf_arch "$R/$f")
			[ -n "$ARCH" ] && { ARCH_FROM="the ELF header of $R/$f"; return 0; }
		done
	fi
	case $(uname -m) in
	x86_64|amd64) ARCH=x86_64 ;;
	aarch64|arm64) ARCH=arm64 ;;
	*) ARCH=$(uname -m) ;;
	esac
	if [ -n "$R" ]; then
		ARCH_FROM="this machine (uname -m): no ELF program under $ROOT to read"
	else
		ARCH_FROM="this machine (uname -m)"
	fi
}

# pick_binary: the binary for ARCH (or the --binary given, checked).
pick_binary() {
	target_arch
	echo "target architecture: $ARCH (from $ARCH_FROM)"
	if [ -z "$BINARY" ]; then
		case $ARCH in
		x86_64) BINARY=$HERE/../build/panicsage-kdump ;;
		arm64) BINARY=$HERE/../build/arm64/panicsage-kdump ;;
		*) die "no panicsage-kdump is built for $ARCH (x86_64 and arm64 are); give one with --binary FILE" ;;
		esac
		[ -f "$BINARY" ] || die "no panicsage-kdump for $ARCH at $BINARY (make$([ "$ARCH" = arm64 ] && echo ' arm64'), or --binary FILE)"
		echo "binary: $BINARY (the $ARCH build)"
		return 0
	fi
	[ -f "$BINARY" ] || die "no panicsage-kdump at $BINARY"
	b=$(elf_arch "$BINARY")
	if [ -z "$b" ]; then
		echo "binary: $BINARY (not an ELF file: its architecture is not checked)"
	elif [ "$b" != "$ARCH" ]; then
		die "$BINARY is built for $b, the target is $ARCH: the capture kernel could not run it"
	else
		echo "binary: $BINARY ($b)"
	fi
}

detect_flavor() {
	if [ -e "$R/etc/default/kdump-tools" ] || [ -e "$R/usr/sbin/kdump-config" ]; then
		echo debian
	elif [ -e "$R/etc/kdump.conf" ]; then
		echo dracut
	else
		echo none
	fi
}

# record KIND PATH [EXTRA]: one manifest line, once.
record() {
	[ $DRY -eq 1 ] && return 0
	mkdir -p "$R$STATE"
	grep -qxF "$1 $2${3:+ $3}" "$R$MANIFEST" 2>/dev/null || echo "$1 $2${3:+ $3}" >> "$R$MANIFEST"
}
in_manifest() { grep -q "^[a-z]* $1\( \|\$\)" "$R$MANIFEST" 2>/dev/null; }

# mkdirs DIR: create missing directories (recorded, removed if empty later).
mkdirs() {
	d=$1 todo=""
	while [ ! -d "$R$d" ] && [ "$d" != / ]; do todo="$d $todo"; d=$(dirname "$d"); done
	for d in $todo; do
		say "created directory $R$d"
		[ $DRY -eq 1 ] || mkdir "$R$d"
		record dir "$d"
	done
}

# put SRC DEST MODE: install a file; a file that was there before (and is
# not ours) is backed up and restored by uninstall.
put() {
	src=$1 dst=$2 mode=$3
	mkdirs "$(dirname "$dst")"
	if [ -e "$R$dst" ] && cmp -s "$src" "$R$dst"; then
		echo "unchanged $R$dst"
		in_manifest "$dst" || record created "$dst"
		return 0
	fi
	if [ -e "$R$dst" ] && ! in_manifest "$dst"; then
		say "replaced $R$dst (original kept in $R$BACKUP$dst)"
		if [ $DRY -eq 0 ]; then
			mkdir -p "$(dirname "$R$BACKUP$dst")"
			cp -p "$R$dst" "$R$BACKUP$dst"
		fi
		record replaced "$dst"
	else
		say "wrote $R$dst"
		record created "$dst"
	fi
	[ $DRY -eq 1 ] && return 0
	cp "$src" "$R$dst.panicsage-new"
	chmod "$mode" "$R$dst.panicsage-new"
	mv -f "$R$dst.panicsage-new" "$R$dst"
}

# link TARGET PATH: a symlink (systemctl enable, done by hand so it also
# works in a chroot or image without systemd running).
link() {
	mkdirs "$(dirname "$2")"
	if [ -L "$R$2" ] && [ "$(readlink "$R$2")" = "$1" ]; then
		echo "unchanged $R$2"
		in_manifest "$2" || record created "$2"
		return 0
	fi
	[ -e "$R$2" ] && ! [ -L "$R$2" ] && die "$R$2 exists and is not a symlink"
	say "linked $R$2 -> $1"
	record created "$2"
	[ $DRY -eq 1 ] || ln -sfn "$1" "$R$2"
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/panicsage-install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

write_conf() {
	cat > "$TMP/run.conf" <<EOF
# panicsage settings for the kdump capture environment (sourced by
# /usr/lib/panicsage/panicsage-kdump-run; the upload settings are
# /etc/panicsage/kdump.conf).  Written by kdump/install.sh.
PANICSAGE_BIN=/usr/lib/panicsage/panicsage-kdump
PANICSAGE_MODEL=/usr/lib/panicsage/default.model
PANICSAGE_BUDGET=$BUDGET
PANICSAGE_INPUT=/proc/vmcore
PANICSAGE_REPORT_DIR=/run/panicsage
PANICSAGE_ARGS=
PANICSAGE_CHAIN_PRE=${1:-}
PANICSAGE_CHAIN_POST=${2:-}
EOF
	put "$TMP/run.conf" /etc/panicsage/run.conf 644
}

# upload_files: the cert and key files /etc/panicsage/kdump.conf names.
upload_files() {
	sed -n 's/^[[:space:]]*\(cert\|key\)[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\2/p' \
		"$R/etc/panicsage/kdump.conf" 2>/dev/null || true
}

install_common() {
	put "$BINARY" /usr/lib/panicsage/panicsage-kdump 755
	put "$INT/common/panicsage-kdump-run" /usr/lib/panicsage/panicsage-kdump-run 755
	put "$INT/common/panicsage-kdump-report" /usr/lib/panicsage/panicsage-kdump-report 755
	if [ -n "$MODEL" ]; then
		[ -f "$MODEL" ] || die "model $MODEL not found"
		put "$MODEL" /usr/lib/panicsage/default.model 644
	fi
	put "$INT/common/panicsage-flush.service" /etc/systemd/system/panicsage-flush.service 644
	link ../panicsage-flush.service /etc/systemd/system/multi-user.target.wants/panicsage-flush.service
	put "$INT/common/panicsage-report.service" /etc/systemd/system/panicsage-report.service 644
	link ../panicsage-report.service /etc/systemd/system/multi-user.target.wants/panicsage-report.service
}

install_debian() {
	install_common
	write_conf ""
	sed "s/@TIMEOUT@/$((BUDGET + 60))/" "$INT/debian/panicsage-kdump.service" > "$TMP/unit"
	put "$TMP/unit" /etc/systemd/system/panicsage-kdump.service 644
	link ../panicsage-kdump.service \
		/etc/systemd/system/kdump-tools-dump.service.wants/panicsage-kdump.service
	if [ -d "$R/etc/initramfs-tools" ]; then
		for K in /etc/initramfs-tools /var/lib/kdump/initramfs-tools; do
			[ -d "$R$K" ] || continue
			put "$INT/debian/initramfs-hook" "$K/hooks/panicsage" 755
			put "$INT/debian/init-bottom" "$K/scripts/init-bottom/panicsage" 755
			put "$INT/debian/initramfs-conf" "$K/conf.d/zz-panicsage" 644
		done
	else
		echo "note: $R/etc/initramfs-tools not found; the systemd unit alone covers the capture boot"
	fi
	echo "next: rebuild and reload the kdump initramfs:"
	echo "      /etc/kernel/postinst.d/kdump-tools \$(uname -r) && kdump-config reload"
}

BEGIN_MARK="# >>> panicsage (kdump/install.sh; undo: kdump/install.sh uninstall) >>>"
END_MARK="# <<< panicsage <<<"
DISABLED="#panicsage-disabled# "

# user_hook KEY: the user's KEY (kdump_pre, kdump_post) program in
# kdump.conf, outside our block, or as an earlier install disabled it.
user_hook() {
	h=$(sed -n "\\%^$BEGIN_MARK\$%,\\%^$END_MARK\$%d; s/^[[:space:]]*$1[[:space:]]\{1,\}//p" "$R$conf" | head -n 1)
	[ -n "$h" ] || h=$(sed -n "s/^$DISABLED$1[[:space:]]\{1,\}//p" "$R$conf" | head -n 1)
	echo "$h"
}

install_dracut() {
	conf=/etc/kdump.conf
	[ -f "$R$conf" ] || die "$R$conf not found (install kdump-utils first)"
	install_common
	# A kdump_pre or kdump_post of the user's outside our block is
	# chained, not lost.
	write_conf "$(user_hook kdump_pre)" "$(user_hook kdump_post)"
	put "$INT/dracut/panicsage-kdump-post" /usr/lib/panicsage/panicsage-kdump-post 755
	if [ $DRACUT_MODULE -eq 1 ]; then
		for f in module-setup.sh panicsage-pre-pivot.sh; do
			put "$INT/dracut/99panicsage/$f" "/usr/lib/dracut/modules.d/99panicsage/$f" 755
		done
	fi
	# New kdump.conf: the user's lines (kdump_pre and kdump_post commented
	# out), then our block.
	sed "\\%^$BEGIN_MARK\$%,\\%^$END_MARK\$%d; s/^\([[:space:]]*kdump_\(pre\|post\)[[:space:]]\)/$DISABLED\1/" \
		"$R$conf" > "$TMP/kdump.conf.new"
	{
		echo "$BEGIN_MARK"
		bins="/usr/lib/panicsage/panicsage-kdump /etc/panicsage/run.conf"
		bins="$bins /usr/lib/panicsage/panicsage-kdump-report /usr/lib/panicsage/panicsage-kdump-post"
		for t in sleep sync; do
			for b in /usr/bin/$t /bin/$t; do
				[ -e "$R$b" ] && { bins="$bins $b"; break; }
			done
		done
		# upload settings, the client certificate and key they name,
		# the machine id: as they are now (re-run install after changing them)
		for f in /etc/panicsage/kdump.conf /etc/machine-id $(upload_files); do
			[ -f "$R$f" ] && bins="$bins $f"
		done
		echo "extra_bins $bins"
		[ -n "$MODEL" ] || [ -f "$R/usr/lib/panicsage/default.model" ] &&
			echo "extra_bins /usr/lib/panicsage/default.model"
		echo "kdump_pre /usr/lib/panicsage/panicsage-kdump-run"
		echo "kdump_post /usr/lib/panicsage/panicsage-kdump-post"
		echo "$END_MARK"
	} >> "$TMP/kdump.conf.new"
	if cmp -s "$TMP/kdump.conf.new" "$R$conf"; then
		echo "unchanged $R$conf"
	else
		say "changed $R$conf (panicsage block; original kept in $R$BACKUP$conf)"
		if [ $DRY -eq 0 ]; then
			if ! in_manifest "$conf"; then
				mkdir -p "$(dirname "$R$BACKUP$conf")"
				cp -p "$R$conf" "$R$BACKUP$conf"
			fi
			cat "$TMP/kdump.conf.new" > "$R$conf"
		fi
		record edited "$conf"
	fi
	echo "next: rebuild the kdump initramfs: kdumpctl rebuild (or systemctl restart kdump)"
}

do_uninstall() {
	[ -f "$R$MANIFEST" ] || { echo "panicsage is not installed under $ROOT (no $R$MANIFEST)"; exit 3; }
	# Undo in reverse order: files first, then the directories we created.
	sed '1!G;h;$!d' "$R$MANIFEST" > "$TMP/rev"
	while read -r kind path; do
		case $kind in
		created)
			if [ -e "$R$path" ] || [ -L "$R$path" ]; then
				say "removed $R$path"; [ $DRY -eq 1 ] || rm -f "$R$path"
			fi ;;
		replaced)
			say "restored $R$path"
			[ $DRY -eq 1 ] || mv -f "$R$BACKUP$path" "$R$path" ;;
		edited)
			say "restored $R$path (panicsage block removed, kdump_pre lines re-enabled)"
			if [ $DRY -eq 0 ]; then
				sed "\\%^$BEGIN_MARK\$%,\\%^$END_MARK\$%d; s/^$DISABLED//" "$R$path" > "$TMP/restored"
				cat "$TMP/restored" > "$R$path"
				rm -f "$R$BACKUP$path"
			fi ;;
		dir)
			if [ -d "$R$path" ] && [ -z "$(ls -A "$R$path")" ]; then
				say "removed directory $R$path"; [ $DRY -eq 1 ] || rmdir "$R$path"
			elif [ -d "$R$path" ] && [ $DRY -eq 1 ]; then
				say "removed directory $R$path (if empty)"
			fi ;;
		esac
	done < "$TMP/rev"
	if [ $DRY -eq 0 ]; then
		rm -f "$R$MANIFEST"
		rm -rf "$R$BACKUP"
		rmdir "$R$STATE" 2>/dev/null || true
	fi
	say "removed $R$MANIFEST"
	echo "next: rebuild the kdump initramfs (Debian: /etc/kernel/postinst.d/kdump-tools \$(uname -r) && kdump-config reload; RHEL/Fedora: kdumpctl rebuild)"
}

case $ACTION in
status)
	[ -f "$R$MANIFEST" ] || { echo "panicsage: not installed under $ROOT"; exit 3; }
	echo "panicsage: installed under $ROOT ($(sed -n 's/^flavor //p' "$R$MANIFEST"))"
	grep -v '^flavor ' "$R$MANIFEST" | sed 's/^/  /'
	;;
uninstall)
	do_uninstall
	;;
install)
	[ "$FLAVOR" = auto ] && FLAVOR=$(detect_flavor)
	case $FLAVOR in
	debian|dracut) ;;
	none) die "found neither kdump-tools (/etc/default/kdump-tools) nor kdump-utils (/etc/kdump.conf) under $ROOT; use --flavor" ;;
	*) echo "install.sh: unknown flavor '$FLAVOR'" >&2; exit 2 ;;
	esac
	if [ -f "$R$MANIFEST" ]; then
		old=$(sed -n 's/^flavor //p' "$R$MANIFEST")
		[ "$old" = "$FLAVOR" ] || die "installed before as '$old'; uninstall first"
	fi
	[ $DRY -eq 1 ] && echo "dry run: nothing is changed"
	pick_binary
	if [ $DRY -eq 0 ] && ! [ -f "$R$MANIFEST" ]; then
		mkdir -p "$R$STATE"
		echo "flavor $FLAVOR" > "$R$MANIFEST"
	fi
	"install_$FLAVOR"
	echo "manifest: $R$MANIFEST (undo: kdump/install.sh${R:+ --root $ROOT} uninstall)"
	;;
esac
