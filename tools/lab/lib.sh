# shellcheck shell=sh
# Common settings of the panicsage QEMU lab; sourced by the lab scripts.
# LAB_ROOT is the repository root, LAB_OUT the build directory.

lab_die() { echo "lab: $*" >&2; exit 1; }

LAB_ROOT=${LAB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB_OUT=${LAB_OUT:-$LAB_ROOT/build/lab}

# The guest kernel: the version linux-image-amd64 depends on (not the
# host's running kernel).  LAB_KVER overrides.
lab_kver() {
	if [ -n "${LAB_KVER:-}" ]; then echo "$LAB_KVER"; return; fi
	v=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
		sed -n 's/.*linux-image-\([0-9][^ ,]*\).*/\1/p' | head -n 1)
	if [ -z "$v" ]; then
		v=$(ls /boot/vmlinuz-* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n 1)
	fi
	[ -n "$v" ] || lab_die "no guest kernel: install linux-image-amd64 (ci/deps.sh lab)"
	echo "$v"
}
