#!/bin/bash
# dracut module "panicsage": puts panicsage-kdump into a kdump initramfs and
# runs it before the dump.  Optional alternative to the kdump.conf
# extra_bins + kdump_pre lines that kdump/install.sh writes; include it with
# `dracut_args --add panicsage` in /etc/kdump.conf.

check() {
	# Only when asked for (dracut --add panicsage).
	return 255
}

depends() {
	return 0
}

install() {
	inst_simple /usr/lib/panicsage/panicsage-kdump
	inst_simple /usr/lib/panicsage/panicsage-kdump-run
	[ -f /usr/lib/panicsage/default.model ] && inst_simple /usr/lib/panicsage/default.model
	# the wrapper's settings; the upload settings with the client
	# certificate and key they name; the machine id cases are filed under
	for f in /etc/panicsage/run.conf /etc/panicsage/kdump.conf /etc/machine-id \
		$(sed -n 's/^[[:space:]]*\(cert\|key\)[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\2/p' \
			/etc/panicsage/kdump.conf 2>/dev/null); do
		[ -f "$f" ] && inst_simple "$f"
	done
	inst_multiple sleep kill cat mkdir
	# pre-pivot hooks run in order; kdump's own capture comes later.
	inst_hook pre-pivot 01 "$moddir/panicsage-pre-pivot.sh"
}
