#!/bin/bash
# dracut module "panicsage": puts panicsage-kdump into a kdump initramfs and
# runs it before the dump.  Optional alternative to the kdump.conf
# extra_bins + kdump_pre lines that kdump/install.sh writes; include it with
# `dracut_args --add panicsage` in /etc/kdump.conf.  PANICSAGE_ROOT
# (default empty, i.e. /) is the tree the files are copied from, for image
# builders that ran kdump/install.sh --root DIR.

check() {
	# Only when asked for (dracut --add panicsage).
	return 255
}

depends() {
	return 0
}

install() {
	local S=${PANICSAGE_ROOT:-} f
	local bin=/usr/lib/panicsage/panicsage-kdump run=/usr/lib/panicsage/panicsage-kdump-run

	if [ ! -x "$S$bin" ] || [ ! -f "$S$run" ]; then
		derror "panicsage: $S$bin or $S$run missing (run kdump/install.sh first)"
		return 1
	fi
	inst_simple "$S$bin" "$bin"
	inst_simple "$S$run" "$run"
	# kdump_post (written by kdump/install.sh): the report beside the dump
	for f in /usr/lib/panicsage/panicsage-kdump-report /usr/lib/panicsage/panicsage-kdump-post; do
		[ -f "$S$f" ] && inst_simple "$S$f" "$f"
	done
	# the model; the wrapper's settings; the upload settings with the
	# client certificate and key they name; the machine id cases are
	# filed under
	for f in /usr/lib/panicsage/default.model /etc/panicsage/run.conf \
		/etc/panicsage/kdump.conf /etc/machine-id \
		$(sed -n 's/^[[:space:]]*\(cert\|key\)[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\2/p' \
			"$S/etc/panicsage/kdump.conf" 2>/dev/null); do
		[ -f "$S$f" ] && inst_simple "$S$f" "$f"
	done
	inst_multiple sleep cat mkdir cp mv rm date sed
	inst_multiple -o kill sync   # the shells have kill built in
	# pre-pivot hooks run in order; kdump's own capture comes later.
	inst_hook pre-pivot 01 "$moddir/panicsage-pre-pivot.sh"
}
