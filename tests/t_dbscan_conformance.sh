#!/bin/sh
# DBSCAN conformance: build/tests/test_dbscan --conformance on
# scikit-learn's labels for the point sets in ../shared/conformance/dbscan
# (or $PANICSAGE_SHARED/conformance/dbscan); SKIP when that is absent.
# The unit test itself fails on a directory with no case, which is
# checked first: this test can never pass having compared nothing.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
U=$B/tests/test_dbscan
SHARED=${PANICSAGE_SHARED:-../shared}
D=$SHARED/conformance/dbscan
[ -x "$U" ] || { echo "FAIL: build first (make test-build)"; exit 1; }
E=$(mktemp -d)
trap 'rmdir "$E"' EXIT
if "$U" --conformance "$E" >/dev/null 2>&1; then
	echo "FAIL: test_dbscan --conformance passed on an empty directory"
	exit 1
fi
if [ ! -d "$D" ]; then
	echo "skipped: $D not found (reference outputs live in ../shared)"
	exit 77
fi
"$U" --conformance "$D"
