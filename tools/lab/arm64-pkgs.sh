#!/bin/sh
# Fetches Debian's arm64 packages the arm64 QEMU lab boots and unpacks
# them (apt-get download + dpkg-deb -x; nothing is installed) under
# build/lab-arm64/pkgs:
#
#   linux-image-ABI-arm64     the guest kernel (an EFI-stub Image QEMU boots
#                             directly) and its modules
#   linux-headers-ABI-arm64   to cross-build psdev.ko; its scripts/ and the
#                             common headers are the host's (amd64) packages
#                             of the same version, which this installs
#   busybox-static, kexec-tools (kexec, vmcore-dmesg) and the shared
#   libraries kexec-tools' programs need (libc6, zlib1g, Xen's libraries)
#
# ABI is what linux-image-arm64 depends on.  Idempotent (a stamp file says
# what was unpacked).  Needs dpkg's arm64 architecture (ci/deps.sh arm64).
# Exit codes: 0 ok, 1 error.
set -eu
LAB_ARCH=arm64
. "$(dirname "$0")/lib.sh"

PATH=$PATH:/usr/sbin:/sbin
command -v dpkg-deb >/dev/null || lab_die "dpkg-deb missing"
dpkg --print-foreign-architectures | grep -qx arm64 ||
	lab_die "dpkg has no arm64 architecture: run ci/deps.sh arm64"
ABI=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	sed -n 's/.*Depends: linux-image-\([0-9][^ :]*\)-arm64.*/\1/p' | head -n 1)
if [ -z "$ABI" ]; then
	apt-get update -q >/dev/null 2>&1 || true
	ABI=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\([0-9][^ :]*\)-arm64.*/\1/p' | head -n 1)
fi
[ -n "$ABI" ] || lab_die "apt knows no linux-image-arm64:arm64 (apt-get update?)"

# kexec's libraries (kexec-tools depends on libxenmisc4.17, whose
# libxenctrl needs the rest); unpack_check below verifies the list.
LIBPKGS="libc6 zlib1g libxenmisc4.17 libxentoollog1 libxencall1 libxenevtchn1 libxengnttab1
libxenforeignmemory1 libxendevicemodel1 libxentoolcore1"
PKGS="linux-image-$ABI-arm64 linux-headers-$ABI-arm64 busybox-static kexec-tools $LIBPKGS"
stamp="$ABI $(echo $PKGS)"
if [ -f "$LAB_PKGS/.stamp" ] && [ "$(cat "$LAB_PKGS/.stamp")" = "$stamp" ]; then
	exit 0
fi

# The host side of the arm64 headers: the common (arch: all) headers and
# kbuild's host programs of the same kernel version.
hv=$(apt-cache show "linux-headers-$ABI-arm64:arm64" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
kb=$(apt-cache show "linux-headers-$ABI-arm64:arm64" 2>/dev/null |
	sed -n 's/^Depends:.*\(linux-kbuild-[0-9.]*\).*/\1/p' | head -n 1)
[ -n "$kb" ] || kb=linux-kbuild-6.1
need=""
for p in "linux-headers-$ABI-common" "$kb"; do
	if [ "$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null)" != "$hv" ]; then need="$need $p=$hv"; fi
done
if [ -n "$need" ]; then
	echo "lab: installing the host side of the arm64 headers:$need"
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $need >/dev/null ||
		lab_die "could not install$need"
fi

DEBS=$LAB_OUT/debs
rm -rf "$DEBS" "$LAB_PKGS"
mkdir -p "$DEBS" "$LAB_PKGS"
echo "lab: fetching Debian arm64 packages ($ABI) into $DEBS"
args=""
for p in $PKGS; do args="$args $p:arm64"; done
# shellcheck disable=SC2086
(cd "$DEBS" && apt-get download -q $args) >"$LAB_OUT/debs.log" 2>&1 ||
	{ tail -n 5 "$LAB_OUT/debs.log" >&2; lab_die "apt-get download failed"; }
for d in "$DEBS"/*.deb; do dpkg-deb -x "$d" "$LAB_PKGS"; done
rm -rf "$LAB_PKGS/usr/share/doc" "$LAB_PKGS/usr/share/man"
# the headers' scripts/ and tools/ point at ../../lib/linux-kbuild-6.1
# (relative), their Makefile at /usr/src/linux-headers-ABI-common
# (absolute): both are the host's
mkdir -p "$LAB_PKGS/usr/lib"
ln -sfn "/usr/lib/$kb" "$LAB_PKGS/usr/lib/$kb"

# modules.dep & co. (the package's postinst would run depmod)
depmod -b "$LAB_PKGS" "$ABI-arm64" || lab_die "depmod failed on the arm64 modules"

# every shared library kexec and vmcore-dmesg need is there
missing=$(lab_libs "$LAB_PKGS" "$LAB_PKGS/sbin/kexec" "$LAB_PKGS/sbin/vmcore-dmesg" | sed -n 's/^MISSING //p')
[ -z "$missing" ] || lab_die "kexec-tools needs libraries no package here has: $(echo $missing)"
echo "$stamp" > "$LAB_PKGS/.stamp"
echo "lab: arm64 packages unpacked in $LAB_PKGS (kernel $ABI-arm64)"
