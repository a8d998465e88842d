#!/bin/sh
# The Debian capture boot, booted (ci/debian_boot.sh): a Debian 12 guest
# built with mmdebstrap (cached under build/boot), panicsage installed in
# it as README says, crashed with sysrq and with the lab module's NULL
# dereference under QEMU TCG with Debian's crashkernel=384M-:128M; the
# report on the console, kdump-tools' dump and dmesg, panicsage.txt and
# panicsage.json beside them, the report in the journal, no failed unit
# in the next boot.  Needs the Debian mirror (apt) for a cold image;
# skips (77) only if this machine cannot run QEMU.
set -eu
cd "$(dirname "$0")/.."
exec sh ci/debian_boot.sh
