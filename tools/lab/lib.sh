# shellcheck shell=sh
# Common settings of the panicsage QEMU lab; sourced by the lab scripts.
# LAB_ROOT is the repository root, LAB_OUT the build directory.
# LAB_ARCH (x86_64, the default, or arm64) chooses the guest: its kernel,
# QEMU, userland and build directory (build/lab, build/lab-arm64).

lab_die() { echo "lab: $*" >&2; exit 1; }

LAB_ROOT=${LAB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB_ARCH=${LAB_ARCH:-x86_64}
case $LAB_ARCH in
x86_64) LAB_OUT=${LAB_OUT:-$LAB_ROOT/build/lab} ;;
arm64)	LAB_OUT=${LAB_OUT:-$LAB_ROOT/build/lab-arm64}
	# Debian's arm64 packages, unpacked (not installed) by arm64-pkgs.sh
	LAB_PKGS=${LAB_PKGS:-$LAB_OUT/pkgs} ;;
*) lab_die "LAB_ARCH must be x86_64 or arm64, got '$LAB_ARCH'" ;;
esac
export LAB_ARCH

# The guest kernel: the version linux-image-amd64 depends on (not the
# host's running kernel); for arm64, the one unpacked under LAB_PKGS.
# LAB_KVER overrides.
lab_kver() {
	if [ -n "${LAB_KVER:-}" ]; then echo "$LAB_KVER"; return; fi
	if [ "$LAB_ARCH" = arm64 ]; then
		v=$(ls "$LAB_PKGS"/boot/vmlinuz-* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n 1)
		[ -n "$v" ] || lab_die "no arm64 guest kernel under $LAB_PKGS: run tools/lab/arm64-pkgs.sh"
		echo "$v"
		return
	fi
	v=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
		sed -n 's/.*linux-image-\([0-9][^ ,]*\).*/\1/p' | head -n 1)
	if [ -z "$v" ]; then
		v=$(ls /boot/vmlinuz-* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n 1)
	fi
	[ -n "$v" ] || lab_die "no guest kernel: install linux-image-amd64 (ci/deps.sh lab)"
	echo "$v"
}

# The QEMU system emulator of the guest architecture.
lab_qemu() {
	if [ "$LAB_ARCH" = arm64 ]; then echo qemu-system-aarch64; else echo qemu-system-x86_64; fi
}

# lab_libs ROOT FILE...: the shared libraries FILEs need, recursively,
# as paths under ROOT (an unpacked foreign userland: no ldd), one a line;
# "MISSING name" for one no directory of ROOT has.
lab_libs() {
	_r=$1; shift
	_todo="$*" _seen=" "
	while [ -n "$_todo" ]; do
		_next=""
		for _f in $_todo; do
			for _l in $(readelf -dW "$_f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
				case $_seen in *" $_l "*) continue ;; esac
				_seen="$_seen$_l "
				_p=""
				for _d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib; do
					[ -e "$_r/$_d/$_l" ] && { _p=$_r/$_d/$_l; break; }
				done
				if [ -z "$_p" ]; then echo "MISSING $_l"; continue; fi
				echo "$_p"
				_next="$_next $_p"
			done
		done
		_todo=$_next
	done
}
