#!/bin/sh
# dracut pre-pivot hook of the panicsage module: diagnose the crash in the
# kdump initramfs; never fails.
[ -r /proc/vmcore ] && /usr/lib/panicsage/panicsage-kdump-run
true
