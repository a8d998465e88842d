#!/bin/sh
# Builds the mbedTLS library objects panicsage-kdump needs, from Debian's
# `mbedtls` source package, with musl-gcc and kdump/tls_config.h.
#
#   ci/mbedtls_musl.sh OUTDIR CONFIG_HEADER
#
# The source is fetched once with `apt-get source` through a
# project-local apt configuration under OUTDIR/apt (its own sources
# list, package lists and cache): the system's /etc/apt is not touched.
# Result: OUTDIR/libmbedtls.a (TLS + X.509 + crypto in one archive) and
# OUTDIR/src/include.  MUSL_CC, SUITE and MIRROR can be overridden.
# MBEDTLS_SRC=DIR takes the source tree from DIR (another OUTDIR/src,
# e.g. the native build's for the aarch64 one) instead of fetching it.
set -eu

out=${1:?usage: ci/mbedtls_musl.sh OUTDIR CONFIG_HEADER}
config=${2:?usage: ci/mbedtls_musl.sh OUTDIR CONFIG_HEADER}
MUSL_CC=${MUSL_CC:-musl-gcc}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
top=$(pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

command -v "$MUSL_CC" >/dev/null || { echo "mbedtls-musl: $MUSL_CC not found (apt-get install musl-tools)" >&2; exit 1; }

if [ ! -f "$out/src/include/mbedtls/ssl.h" ] && [ -n "${MBEDTLS_SRC:-}" ]; then
	[ -f "$MBEDTLS_SRC/include/mbedtls/ssl.h" ] && [ -f "$MBEDTLS_SRC/VERSION" ] ||
		{ echo "mbedtls-musl: MBEDTLS_SRC=$MBEDTLS_SRC holds no mbedTLS source tree" >&2; exit 1; }
	rm -rf "$out/src"
	mkdir -p "$out/src"
	cp -r "$MBEDTLS_SRC/include" "$MBEDTLS_SRC/library" "$MBEDTLS_SRC/VERSION" "$out/src/"
fi
if [ ! -f "$out/src/include/mbedtls/ssl.h" ]; then
	command -v dpkg-source >/dev/null || { echo "mbedtls-musl: dpkg-source not found (apt-get install dpkg-dev)" >&2; exit 1; }
	apt="$out/apt"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/fetch"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	echo "deb-src [signed-by=$keyring] $MIRROR $SUITE main" >"$apt/sources.list"
	set -- -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
		-o APT::Sandbox::User=root -q
	echo "mbedtls-musl: fetching the Debian source package (project-local apt lists in $apt)"
	apt-get "$@" update >"$apt/update.log" 2>&1 || { cat "$apt/update.log" >&2; exit 1; }
	rm -rf "$apt/fetch"/*
	(cd "$apt/fetch" && apt-get "$@" source mbedtls) >"$apt/source.log" 2>&1 ||
		{ cat "$apt/source.log" >&2; exit 1; }
	srcdir=$(find "$apt/fetch" -mindepth 1 -maxdepth 1 -type d -name 'mbedtls-*' | head -n 1)
	[ -n "$srcdir" ] && [ -f "$srcdir/include/mbedtls/ssl.h" ] ||
		{ echo "mbedtls-musl: no source tree after apt-get source" >&2; exit 1; }
	# The tree ships ChangeLog.d, programs and tests we do not need.
	rm -rf "$out/src"
	mkdir -p "$out/src"
	cp -r "$srcdir/include" "$srcdir/library" "$out/src/"
	basename "$srcdir" >"$out/src/VERSION"
	rm -rf "$apt/fetch"/*
fi

obj="$out/obj"
rm -rf "$obj"
mkdir -p "$obj"
export MUSL_CC obj
export MBEDTLS_CFLAGS="-std=c99 -Os -g -ffunction-sections -fdata-sections -I$top -I$out/src/include"
export MBEDTLS_CONFIG="$config"
echo "mbedtls-musl: compiling $(cat "$out/src/VERSION") with $MUSL_CC and $config"
# shellcheck disable=SC2016
ls "$out/src/library"/*.c | xargs -P 2 -n 1 sh -c '
	o="$obj/$(basename "$1" .c).o"
	# shellcheck disable=SC2086
	$MUSL_CC $MBEDTLS_CFLAGS "-DMBEDTLS_CONFIG_FILE=\"$MBEDTLS_CONFIG\"" -c "$1" -o "$o" ||
		exit 255' sh
rm -f "$out/libmbedtls.a"
ar rcs "$out/libmbedtls.a" "$obj"/*.o
echo "mbedtls-musl: $out/libmbedtls.a"
