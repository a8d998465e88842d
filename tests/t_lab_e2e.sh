#!/bin/sh
# End to end: the QEMU fault lab boots Debian's kernel under TCG, triggers
# several fault kinds, and asserts on the kdump capture kernel's console
# (vmcore-dmesg extracted the log; panicsage-kdump's --dmesg matches it and
# its report starts with "panicsage: " once those work).  Installs the lab's
# packages itself; skips (77) only if this machine cannot run QEMU.
set -eu
cd "$(dirname "$0")/.."
exec sh ci/lab.sh smoke
