#!/bin/sh
# End to end: the QEMU fault lab boots Debian's kernel under TCG, triggers
# several fault kinds, and asserts on the kdump capture kernel's console
# (vmcore-dmesg extracted the log; panicsage-kdump's --dmesg matches it and
# its report starts with "panicsage: " once those work).  One case uploads
# over mutual TLS to `panicsage serve` on 127.0.0.1 (QEMU user networking,
# restrict=on, guestfwd); the stored case is then summarised, labelled and
# retrained on (ci/lab_upload.sh).  Installs the lab's packages itself;
# skips (77) only if this machine cannot run QEMU.
set -eu
cd "$(dirname "$0")/.."
exec sh ci/lab.sh smoke
