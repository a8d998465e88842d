#!/bin/sh
# Size of panicsage-kdump with and without the upload path (mbedTLS +
# spool + client), measured by linking the same objects once more with
# kdump_deliver and kdump_config_load forced in.  Prints numbers only.
set -eu
cd "$(dirname "$0")/../.."
B=${B:-build}
MUSL_CC=${MUSL_CC:-musl-gcc}
make -s "$B/panicsage-kdump" >/dev/null
cmd=$(make -s -n -W kdump/kdump_main.c "$B/panicsage-kdump" | grep -- '-static' | head -n 1)
[ -n "$cmd" ] || { echo "cannot find the link command"; exit 1; }
with="$B/panicsage-kdump.with-upload"
without="$B/panicsage-kdump.without-upload"
# shellcheck disable=SC2086
eval "$(echo "$cmd" | sed "s|-o $B/panicsage-kdump |-Wl,-u,kdump_deliver -Wl,-u,kdump_config_load -o $with |")"
# shellcheck disable=SC2086
eval "$(echo "$cmd" | sed "s|-o $B/panicsage-kdump |-o $without |; s|$B/mbedtls-musl/libmbedtls.a||; s|$B/musl/kdump/upload.o||; s|$B/musl/kdump/tls.o||; s|$B/musl/kdump/spool.o||; s|$B/musl/kdump/config.o||")" 2>/dev/null || cp "$B/panicsage-kdump" "$without"
strip -o "$with.stripped" "$with"
strip -o "$without.stripped" "$without"
sz() { size "$1" | awk 'NR==2 {print $1 + $2}'; }
fs() { wc -c <"$1" | tr -d ' '; }
w=$(fs "$with.stripped"); wo=$(fs "$without.stripped")
echo "panicsage-kdump without upload: $wo bytes stripped (text+data $(sz "$without"))"
echo "panicsage-kdump with upload:    $w bytes stripped (text+data $(sz "$with"))"
echo "upload path (mbedTLS, spool, TLS client) adds: $((w - wo)) bytes"
bss() { size "$1" | awk 'NR==2 {print $3}'; }
echo "upload path static memory (bss, no heap): $(( $(bss "$with") - $(bss "$without") )) bytes"
rm -f "$with" "$without" "$with.stripped" "$without.stripped"
