#!/bin/sh
# No real crash log of ../shared/corpus/syzkaller is called "no crash"
# (tests/unit/test_nocrash.c does the same for the crash logs in the
# repository).  Prints how many were checked; SKIP without ../shared.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
D=../shared/corpus/syzkaller
if [ ! -d "$D" ]; then
	echo "$D absent"
	exit 77
fi
"$B/tests/test_nocrash" --crashes "$D"
