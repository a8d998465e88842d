#!/bin/sh
# Installs the Debian packages panicsage needs, only those missing.
# Idempotent; uses sudo when not root.  Usage: ci/deps.sh [GROUP...]
# Groups (default: build test): build, test, lab, bench.
set -eu

pkgs_build="gcc make musl-tools libc6-dev binutils dpkg-dev debian-archive-keyring libmbedtls-dev libsqlite3-dev libblis-dev"
pkgs_test="python3 python3-numpy sqlite3 kexec-tools clang libclang-rt-dev systemd"
pkgs_lab="qemu-system-x86 linux-image-amd64 initramfs-tools linux-headers-amd64 busybox-static kexec-tools cpio makedumpfile e2fsprogs"
pkgs_bench="makedumpfile python3-sklearn python3-torch python3-matplotlib hyperfine valgrind"

groups=${*:-build test}
want=""
for g in $groups; do
	eval "list=\${pkgs_$g:-}"
	[ -n "$list" ] || { echo "deps: unknown group '$g'" >&2; exit 1; }
	want="$want $list"
done

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -n "$missing" ] || exit 0

echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists once if they are empty (fresh containers).
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
	$SUDO apt-get update -q
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing || {
	$SUDO apt-get update -q
	$SUDO apt-get install -y -q --no-install-recommends $missing
}
