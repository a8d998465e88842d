#!/bin/sh
# End to end on arm64: the QEMU fault lab boots Debian's arm64 kernel under
# qemu-system-aarch64 TCG (-M virt), arms kdump with kexec -p, triggers a
# few fault kinds, and asserts on the capture kernel's console: kexec-tools'
# arm64 vmcore-dmesg extracted the log, build/arm64/panicsage-kdump --dmesg
# is byte-identical to it, its report starts with "panicsage: ".  One case
# uploads its case over mutual TLS to `panicsage serve` on 127.0.0.1, which
# stores, summarises, labels and retrains on it (ci/lab_upload.sh).
# Installs its packages itself; skips (77) only if QEMU cannot run here.
set -eu
cd "$(dirname "$0")/.."
LAB_ARCH=arm64 exec sh ci/lab.sh smoke
