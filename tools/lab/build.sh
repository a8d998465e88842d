#!/bin/sh
# Builds what the QEMU fault lab boots, into build/lab/:
#   psdev.ko      the fault-injection driver, against the guest kernel's headers
#   pstool        the static userspace helper
#   capture.cpio  the capture kernel's initramfs (busybox, vmcore-dmesg,
#                 makedumpfile, virtio_net, build/panicsage-kdump when it exists)
#   sys.img       a read-only disk with the drivers, psdev.ko, the kernel and
#                 capture.cpio for `kexec -p`
#   first.cpio    the first kernel's initramfs (busybox, kexec, what mounts sys.img)
# Usage: tools/lab/build.sh            (idempotent; rebuilds what changed)
# LAB_ARCH=arm64 builds the arm64 lab into build/lab-arm64 from Debian's
# arm64 packages (tools/lab/arm64-pkgs.sh unpacks them) with the cross
# compiler, and puts build/arm64/panicsage-kdump into the capture initramfs.
# Needs: ci/deps.sh build lab (arm64: build arm64 lab-arm64).
# Exit codes: 0 ok, 1 error.
set -eu
. "$(dirname "$0")/lib.sh"

[ "$LAB_ARCH" = x86_64 ] || sh "$LAB_ROOT/tools/lab/arm64-pkgs.sh"
KVER=$(lab_kver)
SRC=$LAB_ROOT/tools/lab
if [ "$LAB_ARCH" = arm64 ]; then
	# everything the guest runs comes from the unpacked arm64 packages
	G=$LAB_PKGS
	KDIR=$G/usr/src/linux-headers-$KVER
	VMLINUZ=$G/boot/vmlinuz-$KVER
	MODROOT=$G
	KMAKE="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
	BUSYBOX=$G/bin/busybox
	KEXEC=$G/sbin/kexec
	VMCORE_DMESG=$G/sbin/vmcore-dmesg
	MAKEDUMPFILE=""
	CCS=${ARM64_MUSL_CC:-aarch64-linux-musl-gcc}
	KD=${PANICSAGE_KDUMP:-$LAB_ROOT/build/arm64/panicsage-kdump}
	command -v "$CCS" >/dev/null || lab_die "missing $CCS: run ci/deps.sh arm64"
else
	G=""
	KDIR=/usr/src/linux-headers-$KVER
	VMLINUZ=/boot/vmlinuz-$KVER
	MODROOT=/
	KMAKE=""
	BUSYBOX=$(command -v busybox || echo /bin/busybox)
	KEXEC=$(command -v kexec || echo /sbin/kexec)
	VMCORE_DMESG=$(command -v vmcore-dmesg || echo /usr/sbin/vmcore-dmesg)
	MAKEDUMPFILE=$(command -v makedumpfile || echo /usr/sbin/makedumpfile)
	CCS=${MUSL_CC:-musl-gcc}
	command -v "$CCS" >/dev/null 2>&1 || CCS=cc
	KD=${PANICSAGE_KDUMP:-$LAB_ROOT/build/panicsage-kdump}
fi
MODDIR=/lib/modules/$KVER
[ -d "$KDIR" ] || lab_die "missing $KDIR: install linux-headers-amd64 matching linux-image-amd64 ($KVER)"
[ -r "$VMLINUZ" ] || lab_die "missing $VMLINUZ: install linux-image-amd64"
PATH=$PATH:/usr/sbin:/sbin
for t in "$BUSYBOX" "$KEXEC" "$VMCORE_DMESG" $MAKEDUMPFILE cpio depmod modprobe; do
	command -v "$t" >/dev/null 2>&1 || lab_die "missing $t: run ci/deps.sh lab"
done
mkdir -p "$LAB_OUT"
echo "$KVER" > "$LAB_OUT/kver"
cp "$VMLINUZ" "$LAB_OUT/vmlinuz"
# The first kernel boots as an uncompressed ELF through PVH: decompressing
# the xz bzImage under TCG costs 10-20 s per cycle.  (The capture kernel is
# loaded by `kexec -p`, which needs the bzImage.)  Found by the xz magic.
# (arm64's vmlinuz is an uncompressed Image already.)
rm -f "$LAB_OUT/vmlinux.elf"
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$VMLINUZ" 2>/dev/null | head -n 1 | cut -d: -f1)
if [ "$LAB_ARCH" = x86_64 ] && [ -n "$off" ] && command -v xz >/dev/null; then
	tail -c +$((off + 1)) "$VMLINUZ" | xz -dc 2>/dev/null > "$LAB_OUT/vmlinux.elf" || true
	[ "$(head -c 4 "$LAB_OUT/vmlinux.elf" | od -An -c | tr -d ' ')" = '177ELF' ] ||
		rm -f "$LAB_OUT/vmlinux.elf"
fi

# --- fault module (built in build/lab so the checkout stays clean)
M=$LAB_OUT/faultmod
if [ ! -f "$M/psdev.ko" ] || [ "$SRC/faultmod/psdev.c" -nt "$M/psdev.ko" ] ||
   [ "$(cat "$M/kver" 2>/dev/null)" != "$KVER" ]; then
	rm -rf "$M"; mkdir -p "$M"
	cp "$SRC/faultmod/psdev.c" "$SRC/faultmod/Kbuild" "$M/"
	# (not the calling make's variables: `make lab ARCH=arm64` passes ARCH down)
	# shellcheck disable=SC2086
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$KDIR" M="$M" $KMAKE modules >"$M/build.log" 2>&1 ||
		{ cat "$M/build.log" >&2; lab_die "psdev.ko did not build"; }
	echo "$KVER" > "$M/kver"
fi

# --- userspace helper
"$CCS" -static -O2 -Wall -o "$LAB_OUT/pstool" "$SRC/guest/pstool.c"

# copy_bin ROOT FILE...: a program and the shared libraries it needs.
# arm64: FILE is under $G, copied to the same path without $G, with the
# libraries lab_libs finds there and the program interpreter.
copy_bin() {
	r=$1; shift
	if [ -n "$G" ]; then
		for f in "$@"; do
			rel=${f#"$G"}
			mkdir -p "$r$(dirname "$rel")"
			cp -L "$f" "$r$rel"
			interp=$(readelf -lW "$f" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
			for lib in $(lab_libs "$G" "$f") $interp; do
				case $lib in MISSING) lab_die "$f needs a library not in $G" ;; esac
				[ -e "$lib" ] || lib=$G$lib
				lrel=${lib#"$G"}
				[ -e "$r$lrel" ] && continue
				mkdir -p "$r$(dirname "$lrel")"
				cp -L "$lib" "$r$lrel"
			done
		done
		return 0
	fi
	for f in "$@"; do
		mkdir -p "$r$(dirname "$f")"
		cp -L "$f" "$r$f"
		ldd "$f" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
		while read -r lib; do
			[ -e "$r$lib" ] && continue
			mkdir -p "$r$(dirname "$lib")"
			cp -L "$lib" "$r$lib"
		done
	done
}

# copy_mods ROOT NAME...: modules with their dependencies, then depmod.
copy_mods() {
	r=$1; shift
	for m in "$@"; do
		modprobe -d "$MODROOT" -S "$KVER" --show-depends "$m" 2>/dev/null | sed -n 's/^insmod \([^ ]*\).*/\1/p' |
		while read -r ko; do
			ko=${ko#"$G"}
			mkdir -p "$r$(dirname "$ko")"
			[ -e "$r$ko" ] || cp "$G$ko" "$r$ko"
		done
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$G$MODDIR/$f" ] && cp "$G$MODDIR/$f" "$r$MODDIR/"
	done
	return 0
}

base_root() {
	r=$1
	rm -rf "$r"
	mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/proc" "$r/sys" "$r/dev" \
		"$r/tmp" "$r/etc" "$r$MODDIR"
	cp "$BUSYBOX" "$r/bin/busybox"
	ln -s busybox "$r/bin/sh"
	ln -s ../bin/busybox "$r/sbin/modprobe"	# the kernel's request_module() helper
}

mkcpio() { (cd "$1" && find . | sort | cpio -o -H newc -R 0:0 --quiet) > "$2"; }

# --- capture initramfs
C=$LAB_OUT/root-capture
base_root "$C"
# (arm64: no makedumpfile; --keep-vmcore saves the raw /proc/vmcore)
copy_bin "$C" "$VMCORE_DMESG" $MAKEDUMPFILE
for t in "$VMCORE_DMESG" $MAKEDUMPFILE; do
	rel=${t#"$G"}
	[ "$rel" = "/bin/$(basename "$t")" ] || ln -sf "$rel" "$C/bin/$(basename "$t")"
done
if [ -x "$KD" ]; then
	cp "$KD" "$C/bin/panicsage-kdump"
	[ -n "${PANICSAGE_MODEL:-}" ] && cp "$PANICSAGE_MODEL" "$C/etc/panicsage.model"
fi
# virtio_net: an upload case's capture kernel sends the case through it
copy_mods "$C" virtio_pci virtio_blk virtio_net
depmod -b "$C" "$KVER"
cp "$SRC/guest/init-capture" "$C/init"
chmod 755 "$C/init"
mkcpio "$C" "$LAB_OUT/capture.cpio"

# --- system disk (read-only ext4, serial "labsys"): the big files, so the
# initramfs QEMU loads stays small: all driver modules, the kernel and the
# capture initramfs for `kexec -p`.
S=$LAB_OUT/root-sys
rm -rf "$S"; mkdir -p "$S/boot" "$S/modules"
copy_mods "$S/modules" virtio_pci virtio_blk virtio_net virtio_rng virtio_balloon \
	e1000 e1000e 8139cp 8139too ata_piix ata_generic ahci sr_mod xhci_pci usbhid \
	hid_generic i2c_i801 lpc_ich qemu_fw_cfg serio_raw pcspkr evdev joydev \
	ext4 crc32c_generic loop vfat nls_cp437 nls_ascii bridge tun dummy zram fuse overlay btrfs xfs \
	nf_tables cfg80211 scsi_debug ipmi_msghandler sg crc32c_intel aesni_intel \
	ip_tables nf_conntrack 8021q virtio_scsi sd_mod crc32_ce
mkdir -p "$S/modules$MODDIR/extra"
cp "$M/psdev.ko" "$S/modules$MODDIR/extra/"
depmod -b "$S/modules" "$KVER"
cp "$VMLINUZ" "$S/boot/vmlinuz"
cp "$LAB_OUT/capture.cpio" "$S/boot/capture.img"
rm -f "$LAB_OUT/sys.img"
mke2fs -q -F -t ext4 -O ^has_journal -L labsys -d "$S" "$LAB_OUT/sys.img" \
	$(( $(du -sk "$S" | cut -f1) / 1024 + 24 ))M >/dev/null ||
	lab_die "mke2fs failed (needs e2fsprogs)"

# --- first kernel initramfs: busybox, kexec, what mounting the system
# disk needs, the helper
F=$LAB_OUT/root-first
base_root "$F"
copy_bin "$F" "$KEXEC"
rel=${KEXEC#"$G"}
[ "$rel" = /bin/kexec ] || ln -sf "$rel" "$F/bin/kexec"
copy_mods "$F" virtio_pci virtio_blk ext4 crc32c_generic
depmod -b "$F" "$KVER"
# The helper under ordinary program names (its name is the comm in logs).
for n in /usr/bin/python3 /usr/sbin/mysqld /usr/bin/java /usr/bin/node \
	/usr/lib/postgresql/bin/postgres /usr/local/bin/worker /sbin/init.real; do
	mkdir -p "$F$(dirname "$n")"
	cp "$LAB_OUT/pstool" "$F$n"
done
mkdir -p "$F/system" "$F/lab"
cp "$SRC/guest/init-first" "$F/init"
chmod 755 "$F/init"
mkcpio "$F" "$LAB_OUT/first.cpio"
echo "lab: built $LAB_OUT (kernel $KVER, psdev.ko, first.cpio $(wc -c < "$LAB_OUT/first.cpio") bytes," \
	"sys.img $(wc -c < "$LAB_OUT/sys.img") bytes, panicsage-kdump: $([ -x "$KD" ] && echo included || echo absent))"
