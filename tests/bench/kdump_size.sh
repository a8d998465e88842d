#!/bin/sh
# Size of panicsage-kdump with and without the upload path (mbedTLS +
# spool + client): the same link once more with the upload entry points
# replaced by stubs.  Prints numbers only.
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
eval "$(echo "$cmd" | sed "s|-o $B/panicsage-kdump |-o $with |")"
# Without: the upload entry points replaced by stubs.
cat >"$B/upload_stub.c" <<'EOF2'
#include "kdump/upload.h"
int kdump_config_load(struct kdump_config *c, const char *p, const char *l, char *m, size_t n)
{ (void)c; (void)p; (void)l; (void)m; (void)n; return 8; }
int kdump_deliver(const struct kdump_config *c, const struct kdump_case *k, uint64_t d, char *m, size_t n)
{ (void)c; (void)k; (void)d; (void)m; (void)n; return 8; }
void kdump_last_stats(struct kdump_stats *s) { (void)s; }
void kdump_last_answer(struct kdump_answer *a) { *a = (struct kdump_answer){ 0 }; }
EOF2
"$MUSL_CC" -O2 -I. -c "$B/upload_stub.c" -o "$B/upload_stub.o"
# shellcheck disable=SC2086
eval "$(echo "$cmd" | sed "s|-o $B/panicsage-kdump |-o $without $B/upload_stub.o |; s|$B/mbedtls-musl/libmbedtls.a||; s|$B/musl/kdump/upload.o||; s|$B/musl/kdump/tls.o||; s|$B/musl/kdump/spool.o||; s|$B/musl/kdump/config.o||")"
rm -f "$B/upload_stub.c" "$B/upload_stub.o"
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
