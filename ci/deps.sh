#!/bin/sh
# Installs the Debian packages panicsage needs, only those missing.
# Idempotent; uses sudo when not root.  Usage: ci/deps.sh [GROUP...]
# Groups (default: build test): build, test, lab, boot (ci/debian_boot.sh), bench; arm64 (the
# aarch64 cross build and qemu-user, part of what `make test` installs:
# adds dpkg's arm64 architecture for musl-dev:arm64), lab-arm64 (the
# arm64 QEMU lab's host side; its guest packages are unpacked, not
# installed, by tools/lab/arm64-pkgs.sh).
set -eu

pkgs_build="gcc make musl-tools libc6-dev binutils dpkg-dev debian-archive-keyring libmbedtls-dev libsqlite3-dev libpq-dev libblis-dev"
pkgs_test="python3 python3-numpy sqlite3 postgresql kexec-tools clang libclang-rt-dev systemd curl chromium fonts-dejavu-core linux-source-6.1"
pkgs_lab="qemu-system-x86 linux-image-amd64 initramfs-tools linux-headers-amd64 busybox-static kexec-tools cpio makedumpfile e2fsprogs"
pkgs_arm64="gcc-aarch64-linux-gnu musl-dev:arm64 qemu-user-static binutils-aarch64-linux-gnu"
pkgs_lab_arm64="qemu-system-arm qemu-user-static gcc-aarch64-linux-gnu kmod cpio e2fsprogs busybox-static dpkg-dev"
pkgs_boot="mmdebstrap qemu-system-x86 e2fsprogs xz-utils tar"
pkgs_bench="makedumpfile python3-sklearn python3-torch python3-matplotlib hyperfine valgrind"

groups=${*:-build test}
want=""
for g in $groups; do
	[ "$g" = test ] && groups="$groups arm64"
done
for g in $groups; do
	eval "list=\${pkgs_$(echo "$g" | tr - _):-}"
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
fresh=0
# Refresh the package lists once if they are empty (fresh containers).
[ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ] && fresh=1
# An :arm64 package needs dpkg's arm64 architecture (multiarch), and then
# the arm64 package lists.
case $missing in *:arm64*)
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		echo "deps: adding dpkg architecture arm64 (for musl-dev:arm64)"
		$SUDO dpkg --add-architecture arm64
		fresh=1
	fi ;;
esac
[ $fresh = 0 ] || $SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing || {
	$SUDO apt-get update -q
	$SUDO apt-get install -y -q --no-install-recommends $missing
}
