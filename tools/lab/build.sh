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
# Needs: ci/deps.sh build lab.   Exit codes: 0 ok, 1 error.
set -eu
. "$(dirname "$0")/lib.sh"

KVER=$(lab_kver)
KDIR=/usr/src/linux-headers-$KVER
VMLINUZ=/boot/vmlinuz-$KVER
MODDIR=/lib/modules/$KVER
SRC=$LAB_ROOT/tools/lab
[ -d "$KDIR" ] || lab_die "missing $KDIR: install linux-headers-amd64 matching linux-image-amd64 ($KVER)"
[ -r "$VMLINUZ" ] || lab_die "missing $VMLINUZ: install linux-image-amd64"
for t in busybox kexec vmcore-dmesg makedumpfile cpio depmod modprobe; do
	command -v $t >/dev/null 2>&1 || [ -x /usr/sbin/$t ] || [ -x /sbin/$t ] ||
		lab_die "missing $t: run ci/deps.sh lab"
done
PATH=$PATH:/usr/sbin:/sbin
mkdir -p "$LAB_OUT"
echo "$KVER" > "$LAB_OUT/kver"
cp "$VMLINUZ" "$LAB_OUT/vmlinuz"
# The first kernel boots as an uncompressed ELF through PVH: decompressing
# the xz bzImage under TCG costs 10-20 s per cycle.  (The capture kernel is
# loaded by `kexec -p`, which needs the bzImage.)  Found by the xz magic.
rm -f "$LAB_OUT/vmlinux.elf"
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$VMLINUZ" 2>/dev/null | head -n 1 | cut -d: -f1)
if [ -n "$off" ] && command -v xz >/dev/null; then
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
	make -s -C "$KDIR" M="$M" modules >"$M/build.log" 2>&1 ||
		{ cat "$M/build.log" >&2; lab_die "psdev.ko did not build"; }
	echo "$KVER" > "$M/kver"
fi

# --- userspace helper
CCS=${MUSL_CC:-musl-gcc}
command -v "$CCS" >/dev/null 2>&1 || CCS=cc
"$CCS" -static -O2 -Wall -o "$LAB_OUT/pstool" "$SRC/guest/pstool.c"

# copy_bin ROOT FILE...: a program and the shared libraries it needs.
copy_bin() {
	r=$1; shift
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
		modprobe -S "$KVER" --show-depends "$m" 2>/dev/null | sed -n 's/^insmod \([^ ]*\).*/\1/p' |
		while read -r ko; do
			mkdir -p "$r$(dirname "$ko")"
			[ -e "$r$ko" ] || cp "$ko" "$r$ko"
		done
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$MODDIR/$f" ] && cp "$MODDIR/$f" "$r$MODDIR/"
	done
	return 0
}

base_root() {
	r=$1
	rm -rf "$r"
	mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/proc" "$r/sys" "$r/dev" \
		"$r/tmp" "$r/etc" "$r$MODDIR"
	cp "$(command -v busybox)" "$r/bin/busybox"
	ln -s busybox "$r/bin/sh"
	ln -s ../bin/busybox "$r/sbin/modprobe"	# the kernel's request_module() helper
}

mkcpio() { (cd "$1" && find . | sort | cpio -o -H newc -R 0:0 --quiet) > "$2"; }

# --- capture initramfs
C=$LAB_OUT/root-capture
base_root "$C"
copy_bin "$C" "$(command -v vmcore-dmesg)" "$(command -v makedumpfile)"
ln -sf "$(command -v vmcore-dmesg)" "$C/bin/vmcore-dmesg" 2>/dev/null || true
ln -sf "$(command -v makedumpfile)" "$C/bin/makedumpfile" 2>/dev/null || true
KD=${PANICSAGE_KDUMP:-$LAB_ROOT/build/panicsage-kdump}
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
	ip_tables nf_conntrack 8021q
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
copy_bin "$F" "$(command -v kexec)"
ln -sf "$(command -v kexec)" "$F/bin/kexec" 2>/dev/null || true
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
