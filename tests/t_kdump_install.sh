#!/bin/sh
# kdump/install.sh in fake roots: Debian kdump-tools and RHEL/Fedora
# kdump-utils layouts; install, idempotent re-install, dry run, status,
# uninstall restoring the exact original tree; the capture-time wrapper
# keeps its time budget and never fails; the report goes beside the dump
# (panicsage-kdump-report: keep and place for kdump-tools, post for
# kdump-utils) and into the journal.
set -eu
cd "$(dirname "$0")/.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
snap() { (cd "$1" && find . -print0 | sort -z | xargs -0 ls -ld --time-style=+ | awk '{$2=""; print}'
	  find . -type f -print0 | sort -z | xargs -0 md5sum) > "$2"; }
I=kdump/install.sh

# A stand-in panicsage-kdump: prints a report line, or sleeps if told so.
cat > "$T/fake-kdump" <<'EOF'
#!/bin/sh
[ -n "${FAKE_SLEEP:-}" ] && sleep "$FAKE_SLEEP"
echo "panicsage: no label, args: $*"
EOF
chmod +x "$T/fake-kdump"
echo "model-bytes" > "$T/model"

# ---------------------------------------------------------------- Debian
D=$T/debian
mkdir -p "$D/etc/default" "$D/usr/sbin" "$D/var/lib/kdump/initramfs-tools/hooks" \
	"$D/etc/systemd/system" "$D/usr/lib" "$D/etc/initramfs-tools/hooks"
echo "USE_KDUMP=1" > "$D/etc/default/kdump-tools"
echo "MODULES=dep" > "$D/var/lib/kdump/initramfs-tools/initramfs.conf"
snap "$D" "$T/debian.before"

out=$(sh $I --root "$D" --dry-run --binary "$T/fake-kdump" install)
echo "$out" | grep -q "^would write $D/usr/lib/panicsage/panicsage-kdump\$" || fail "dry run printed no plan: $out"
echo "$out" | grep -q "^would link .*kdump-tools-dump.service.wants/panicsage-kdump.service" || fail "dry run plan lacks the unit link: $out"
snap "$D" "$T/debian.dry"
cmp -s "$T/debian.before" "$T/debian.dry" || fail "dry run changed the root"

out=$(sh $I --root "$D" --binary "$T/fake-kdump" --model "$T/model" --budget 7 install)
echo "$out"
for f in usr/lib/panicsage/panicsage-kdump usr/lib/panicsage/panicsage-kdump-run \
	usr/lib/panicsage/panicsage-kdump-report \
	usr/lib/panicsage/default.model etc/panicsage/run.conf \
	etc/systemd/system/panicsage-kdump.service etc/systemd/system/panicsage-flush.service \
	etc/systemd/system/panicsage-report.service \
	var/lib/kdump/initramfs-tools/hooks/panicsage \
	var/lib/kdump/initramfs-tools/scripts/init-bottom/panicsage \
	etc/initramfs-tools/hooks/panicsage etc/initramfs-tools/scripts/init-bottom/panicsage \
	etc/initramfs-tools/conf.d/zz-panicsage var/lib/kdump/initramfs-tools/conf.d/zz-panicsage; do
	[ -f "$D/$f" ] || fail "debian: $f not installed"
	echo "$out" | grep -q "$D/$f" || fail "debian: $f installed but not reported"
done
L=$D/etc/systemd/system/kdump-tools-dump.service.wants/panicsage-kdump.service
[ -L "$L" ] && [ "$(readlink "$L")" = ../panicsage-kdump.service ] || fail "debian: unit not wanted by kdump-tools-dump.service"
grep -q '^Before=kdump-tools-dump.service' "$D/etc/systemd/system/panicsage-kdump.service" || fail "unit not ordered before the dump"
grep -q '^After=.*network-online.target' "$D/etc/systemd/system/panicsage-kdump.service" || fail "unit does not wait for the network the upload needs"
# the report is kept after the diagnosis, in the same unit (before the dump)
sed -n 's/^ExecStart=//p' "$D/etc/systemd/system/panicsage-kdump.service" > "$T/execs"
printf '%s\n' -/usr/lib/panicsage/panicsage-kdump-run "-/usr/lib/panicsage/panicsage-kdump-report keep" |
	cmp -s - "$T/execs" || fail "unit runs $(cat "$T/execs"), want the wrapper, then the report kept"
# systemd itself accepts both units (unknown keys, bad values and syntax are errors here)
if command -v systemd-analyze >/dev/null; then
	for u in panicsage-kdump panicsage-flush panicsage-report; do
		v=$(systemd-analyze verify --man=no "$D/etc/systemd/system/$u.service" 2>&1) ||
			fail "systemd-analyze verify $u.service: $v"
		[ -z "$v" ] || fail "systemd-analyze verify $u.service: $v"
	done
else
	echo "note: systemd-analyze not installed, units not verified"
fi
L=$D/etc/systemd/system/multi-user.target.wants/panicsage-flush.service
[ -L "$L" ] && [ "$(readlink "$L")" = ../panicsage-flush.service ] || fail "debian: flush unit not enabled for the normal boot"
grep -q '^ExecStart=-/usr/lib/panicsage/panicsage-kdump --flush' "$D/etc/systemd/system/panicsage-flush.service" || fail "flush unit does not flush"
L=$D/etc/systemd/system/multi-user.target.wants/panicsage-report.service
[ -L "$L" ] && [ "$(readlink "$L")" = ../panicsage-report.service ] || fail "debian: report unit not enabled for the normal boot"
grep -q '^ExecStart=-/usr/lib/panicsage/panicsage-kdump-report place$' "$D/etc/systemd/system/panicsage-report.service" || fail "report unit does not place"
grep -q '^ConditionDirectoryNotEmpty=/var/lib/panicsage/pending$' "$D/etc/systemd/system/panicsage-report.service" || fail "report unit runs without pending reports"
grep -q '^TimeoutStartSec=67$' "$D/etc/systemd/system/panicsage-kdump.service" || fail "unit timeout is not budget+60"
grep -q '^PANICSAGE_BUDGET=7$' "$D/etc/panicsage/run.conf" || fail "budget not written"
[ -e "$D/etc/panicsage/kdump.conf" ] && fail "install wrote the upload settings (kdump.conf is the user's)"
sh $I --root "$D" status | grep -q "installed under" || fail "status after install"

# idempotent: a second install changes nothing and reports it
snap "$D" "$T/debian.once"
out=$(sh $I --root "$D" --binary "$T/fake-kdump" --model "$T/model" --budget 7 install)
echo "$out" | grep -q '^wrote' && fail "second install rewrote files: $out"
snap "$D" "$T/debian.twice"
cmp -s "$T/debian.once" "$T/debian.twice" || fail "second install changed the tree"

sh $I --root "$D" --dry-run uninstall | grep -q "^would remove $D/" || fail "dry uninstall printed no plan"
sh $I --root "$D" uninstall
snap "$D" "$T/debian.after"
diff "$T/debian.before" "$T/debian.after" || fail "debian: uninstall did not restore the tree"
set +e
sh $I --root "$D" uninstall >/dev/null; rc=$?
set -e
[ $rc -eq 3 ] || fail "uninstall when not installed: exit $rc, want 3"

# The initramfs hook runs against initramfs-tools' hook-functions (a stand-in
# here; tests/t_kdump_initramfs.sh runs the real mkinitramfs), copying from
# PANICSAGE_ROOT: the binary, wrapper, settings, the certificate and key the
# upload settings name, and the machine id.
S=$T/src
mkdir -p "$S/usr/lib/panicsage" "$S/etc/panicsage/tls" "$T/hookroot"
cp "$T/fake-kdump" "$S/usr/lib/panicsage/panicsage-kdump"
cp kdump/integration/common/panicsage-kdump-run "$S/usr/lib/panicsage/"
echo "PANICSAGE_BUDGET=4" > "$S/etc/panicsage/run.conf"
printf 'collector = 192.0.2.1:7443\ncert = /etc/panicsage/tls/c.crt\n  key=/etc/panicsage/tls/c.key  \n' > "$S/etc/panicsage/kdump.conf"
echo crt > "$S/etc/panicsage/tls/c.crt"
echo key > "$S/etc/panicsage/tls/c.key"
echo 0123456789abcdef0123456789abcdef > "$S/etc/machine-id"
cat > "$T/hook-functions" <<EOF
copy_exec() { mkdir -p "$T/hookroot\$(dirname "\${2:-\$1}")"; cp "\$1" "$T/hookroot\${2:-\$1}"; }
copy_file() { mkdir -p "$T/hookroot\$(dirname "\${3:-\$2}")"; cp "\$2" "$T/hookroot\${3:-\$2}"; }
EOF
sed "s|/usr/share/initramfs-tools/hook-functions|$T/hook-functions|" kdump/integration/debian/initramfs-hook > "$T/hook"
sh "$T/hook" prereqs
CONFDIR=/etc/initramfs-tools PANICSAGE_ROOT=$S sh "$T/hook"
[ -e "$T/hookroot/usr/lib/panicsage/panicsage-kdump" ] && fail "hook acted for the normal initramfs"
CONFDIR=/var/lib/kdump/initramfs-tools PANICSAGE_ROOT=$S sh "$T/hook"
for f in usr/lib/panicsage/panicsage-kdump usr/lib/panicsage/panicsage-kdump-run etc/panicsage/run.conf \
	etc/panicsage/kdump.conf etc/panicsage/tls/c.crt etc/panicsage/tls/c.key etc/machine-id; do
	cmp -s "$S/$f" "$T/hookroot/$f" || fail "hook did not copy $f"
done
[ -e "$T/hookroot/usr/lib/panicsage/default.model" ] && fail "hook copied a model that is not there"

# ---------------------------------------------------------------- dracut
R=$T/rhel
mkdir -p "$R/etc" "$R/usr/bin" "$R/var/lib"
cat > "$R/etc/kdump.conf" <<'EOF'
# kdump.conf of a RHEL machine
path /var/crash
core_collector makedumpfile -l --message-level 7 -d 31
kdump_pre /usr/local/bin/site-pre.sh
kdump_post /usr/local/bin/site-post.sh
EOF
: > "$R/usr/bin/sleep"
mkdir -p "$R/etc/panicsage"
printf 'collector = 192.0.2.1:7443\ncert = /etc/panicsage/client.crt\nkey = /etc/panicsage/client.key\n' > "$R/etc/panicsage/kdump.conf"
: > "$R/etc/panicsage/client.crt"
: > "$R/etc/panicsage/client.key"
snap "$R" "$T/rhel.before"
sh $I --root "$R" --binary "$T/fake-kdump" --dracut-module install
grep -q '^kdump_pre /usr/lib/panicsage/panicsage-kdump-run$' "$R/etc/kdump.conf" || fail "dracut: no kdump_pre"
grep -q '^extra_bins /usr/lib/panicsage/panicsage-kdump /etc/panicsage/run.conf /usr/lib/panicsage/panicsage-kdump-report /usr/lib/panicsage/panicsage-kdump-post /usr/bin/sleep /etc/panicsage/kdump.conf /etc/panicsage/client.crt /etc/panicsage/client.key$' "$R/etc/kdump.conf" || fail "dracut: no extra_bins with the report scripts and the upload files"
grep -q '^kdump_post /usr/lib/panicsage/panicsage-kdump-post$' "$R/etc/kdump.conf" || fail "dracut: no kdump_post"
grep -q '^#panicsage-disabled# kdump_post /usr/local/bin/site-post.sh' "$R/etc/kdump.conf" || fail "dracut: user's kdump_post not disabled"
[ "$(grep -c '^kdump_post' "$R/etc/kdump.conf")" -eq 1 ] || fail "dracut: more than one active kdump_post"
grep -q '^PANICSAGE_CHAIN_POST=/usr/local/bin/site-post.sh$' "$R/etc/panicsage/run.conf" || fail "dracut: user's kdump_post not chained"
[ -x "$R/usr/lib/panicsage/panicsage-kdump-post" ] || fail "dracut: kdump_post script not installed"
grep -q '^#panicsage-disabled# kdump_pre /usr/local/bin/site-pre.sh' "$R/etc/kdump.conf" || fail "dracut: user's kdump_pre not disabled"
[ "$(grep -c '^kdump_pre' "$R/etc/kdump.conf")" -eq 1 ] || fail "dracut: more than one active kdump_pre"
grep -q '^PANICSAGE_CHAIN_PRE=/usr/local/bin/site-pre.sh$' "$R/etc/panicsage/run.conf" || fail "dracut: user's kdump_pre not chained"
[ -f "$R/usr/lib/dracut/modules.d/99panicsage/module-setup.sh" ] || fail "dracut module not installed"
cp "$R/etc/kdump.conf" "$T/kdump.conf.once"
sh $I --root "$R" --binary "$T/fake-kdump" --dracut-module install >/dev/null
cmp -s "$R/etc/kdump.conf" "$T/kdump.conf.once" || fail "dracut: second install changed kdump.conf"
set +e
sh $I --root "$R" --flavor debian --binary "$T/fake-kdump" install >/dev/null 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "switching flavor without uninstall: exit $rc, want 1"
sh $I --root "$R" uninstall
snap "$R" "$T/rhel.after"
diff "$T/rhel.before" "$T/rhel.after" || fail "dracut: uninstall did not restore the tree"

# ---------------------------------------------------------------- usage errors
for args in "" "frobnicate" "--budget x install" "--budget 1 install" "--flavor suse --root $T install"; do
	set +e
	# shellcheck disable=SC2086
	sh $I $args >/dev/null 2>&1; rc=$?
	set -e
	[ $rc -eq 2 ] || fail "'install.sh $args': exit $rc, want 2"
done
set +e
sh $I --root "$T/nothing-here" install >/dev/null 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "missing root: exit $rc, want 1"
mkdir -p "$T/empty"
set +e
sh $I --root "$T/empty" install >/dev/null 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "no kdump tooling: exit $rc, want 1"

# ---------------------------------------------------------------- the wrapper
W=kdump/integration/common/panicsage-kdump-run
echo "vmcore" > "$T/vmcore"
cat > "$T/run.conf" <<EOF
PANICSAGE_BIN=$T/fake-kdump
PANICSAGE_MODEL=$T/model
PANICSAGE_BUDGET=3
PANICSAGE_INPUT=$T/vmcore
PANICSAGE_REPORT_DIR=$T/report
EOF
out=$(PANICSAGE_CONF=$T/run.conf sh $W)
echo "$out" | grep -q "^panicsage: no label, args: --budget 2 --model $T/model --save $T/report $T/vmcore" || fail "wrapper: $out"
[ "$(cat "$T/report/done")" = 0 ] || fail "wrapper: no done marker"
# a later stage of the same capture boot only flushes the spool
out=$(PANICSAGE_CONF=$T/run.conf sh $W)
[ "$out" = "panicsage: no label, args: --flush --budget 2" ] || fail "wrapper: second stage ran '$out', want a flush"
rm -rf "$T/report"
out=$(PANICSAGE_SPOOL=$T/sp PANICSAGE_CONF=$T/run.conf sh $W)
echo "$out" | grep -q "^panicsage: no label, args: --budget 2 --spool $T/sp --model $T/model --save $T/report $T/vmcore" || fail "wrapper: PANICSAGE_SPOOL not passed: $out"
rm -rf "$T/report"
start=$(date +%s)
set +e
out=$(FAKE_SLEEP=30 PANICSAGE_CONF=$T/run.conf sh $W); rc=$?
set -e
secs=$(( $(date +%s) - start ))
[ $rc -eq 0 ] || fail "wrapper exit $rc after a hang, want 0"
[ $secs -le 6 ] || fail "wrapper took ${secs}s with a 3s budget"
echo "$out" | grep -q "stopped after the 3s budget" || fail "wrapper did not say it stopped: $out"
rm -rf "$T/report"
printf '#!/bin/sh\nexit 5\n' > "$T/chain"; chmod +x "$T/chain"
echo "PANICSAGE_CHAIN_PRE=$T/chain" >> "$T/run.conf"
set +e
PANICSAGE_CONF=$T/run.conf sh $W >/dev/null; rc=$?
set -e
[ $rc -eq 5 ] || fail "chained kdump_pre status not returned: $rc"

# ---------------------------------------------------------------- architecture
# The binary is the build for the staged root's architecture, read from
# the ELF header of one of its programs.  The headers here are written
# byte by byte (e_ident, e_type, e_machine), independently of install.sh.
elf_stub() {	# elf_stub FILE MACHINE [be]: a 64-byte ELF header
	mkdir -p "$(dirname "$1")"
	if [ "${3:-}" = be ]; then
		printf '\177ELF\002\002\001\000\000\000\000\000\000\000\000\000\000\002%b' "$2" > "$1"
	else
		printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000%b' "$2" > "$1"
	fi
	head -c 44 /dev/zero >> "$1"
}
mkroot() {	# mkroot DIR: a Debian kdump-tools root
	mkdir -p "$1/etc/default" "$1/usr/sbin" "$1/etc/systemd/system" "$1/usr/lib"
	echo "USE_KDUMP=1" > "$1/etc/default/kdump-tools"
}
A64=build/arm64/panicsage-kdump X64=build/panicsage-kdump
[ -f "$A64" ] && [ -f "$X64" ] || fail "build $A64 and $X64 first (make arm64 all)"

A=$T/arm64root
mkroot "$A"
elf_stub "$A/usr/bin/dpkg" '\267\000'          # EM_AARCH64 = 183, little-endian
out=$(sh $I --root "$A" install) || fail "arm64 root: install failed: $out"
echo "$out" | grep -qx "target architecture: arm64 (from the ELF header of $A/usr/bin/dpkg)" ||
	fail "arm64 root: the target architecture is not said: $out"
echo "$out" | grep -q "^binary: .*build/arm64/panicsage-kdump (the arm64 build)\$" || fail "arm64 root: binary not said: $out"
cmp -s "$A/usr/lib/panicsage/panicsage-kdump" "$A64" || fail "arm64 root: the installed binary is not $A64"
sh $I --root "$A" uninstall >/dev/null
# the dry run says the same and changes nothing
out=$(sh $I --root "$A" --dry-run install)
echo "$out" | grep -q "^target architecture: arm64" || fail "arm64 root: dry run does not say the architecture"
[ -e "$A/usr/lib/panicsage" ] && fail "arm64 root: dry run installed something"

X=$T/x86root
mkroot "$X"
mkdir -p "$X/bin" && ln -s dash "$X/bin/sh"     # symlinks are not read, files are
elf_stub "$X/bin/dash" '\076\000'              # EM_X86_64 = 62
out=$(sh $I --root "$X" install) || fail "x86_64 root: install failed: $out"
echo "$out" | grep -q "^target architecture: x86_64 (from the ELF header of $X/bin/dash)" || fail "x86_64 root: $out"
cmp -s "$X/usr/lib/panicsage/panicsage-kdump" "$X64" || fail "x86_64 root: the installed binary is not $X64"

# a binary of the wrong architecture is refused, nothing installed
A2=$T/arm64root2
mkroot "$A2"
elf_stub "$A2/usr/lib/systemd/systemd" '\267\000'
set +e
out=$(sh $I --root "$A2" --binary "$X64" install 2>&1); rc=$?
set -e
[ $rc -eq 1 ] || fail "x86_64 binary into an arm64 root: exit $rc, want 1"
echo "$out" | grep -q "is built for x86_64, the target is arm64" || fail "wrong-architecture message: $out"
[ -e "$A2/usr/lib/panicsage/panicsage-kdump" ] && fail "the wrong-architecture binary was installed"
# the right one given explicitly is taken and said
out=$(sh $I --root "$A2" --binary "$A64" install) || fail "arm64 binary into an arm64 root: $out"
echo "$out" | grep -q "^binary: $A64 (arm64)\$" || fail "explicit binary not said: $out"

# an architecture panicsage is not built for: a clear error (big-endian s390x)
S=$T/s390root
mkroot "$S"
elf_stub "$S/usr/bin/env" '\000\026' be        # EM_S390 = 22, big-endian
set +e
out=$(sh $I --root "$S" install 2>&1); rc=$?
set -e
[ $rc -eq 1 ] && echo "$out" | grep -q "no panicsage-kdump is built for s390x" || fail "s390x root: exit $rc: $out"
# a root with no program to read: this machine's architecture, said so
N=$T/noelf
mkroot "$N"
out=$(sh $I --root "$N" --dry-run install)
echo "$out" | grep -q "^target architecture: .* (from this machine (uname -m): no ELF program under $N to read)" ||
	fail "root without programs: $out"
echo "ok: architecture (arm64, x86_64, refused mismatch, s390x, no programs)"

# the binary saved a report (--save) and the wrapper ran under systemd
# with its output in the journal: the report is marked journaled
rm -rf "$T/report"
cat > "$T/save-kdump" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = --save ] && echo "panicsage: manual" > "$2/panicsage.txt"; shift; done
EOF
chmod +x "$T/save-kdump"
sed "s|^PANICSAGE_BIN=.*|PANICSAGE_BIN=$T/save-kdump|; /CHAIN_PRE/d" "$T/run.conf" > "$T/run2.conf"
PANICSAGE_CONF=$T/run2.conf sh $W >/dev/null
[ -e "$T/report/journaled" ] && fail "wrapper marked the report journaled outside systemd"
rm -rf "$T/report"
JOURNAL_STREAM=8:1234 PANICSAGE_CONF=$T/run2.conf sh $W >/dev/null
[ -e "$T/report/journaled" ] || fail "wrapper under a unit writing to the journal did not mark the report journaled"

# ---------------------------------------------------------------- the report beside the dump
P=kdump/integration/common/panicsage-kdump-report
X=$T/rep
mkdir -p "$X/run" "$X/crash" "$X/bin"
# systemd-cat stand-in: what reaches the journal, with the priority prefixes
printf '#!/bin/sh\n[ "$*" = "-t panicsage" ] || echo "bad args: $*" >> %s/journal\ncat >> %s/journal\n' "$X" "$X" > "$X/bin/systemd-cat"
chmod +x "$X/bin/systemd-cat"
printf 'panicsage: null-deref (0.97) - 12 lines\npanicsage: culprit\n' > "$X/run/panicsage.txt"
echo '{"label":"null-deref"}' > "$X/run/panicsage.json"
: > "$X/run/done"
echo "PANICSAGE_REPORT_DIR=$X/run" > "$X/run.conf"
echo "KDUMP_COREDIR=$X/crash" > "$X/defaults"
rp() { PATH=$X/bin:$PATH PANICSAGE_CONF=$X/run.conf PANICSAGE_PENDING=$X/pending \
	PANICSAGE_KDUMP_DEFAULTS=$X/defaults sh $P "$@"; }
# keep, in the capture boot: journal (label line at crit), pending copy
# with this minute and kdump-tools' KDUMP_COREDIR
before=$(date +%Y%m%d%H%M)
out=$(rp keep)
after=$(date +%Y%m%d%H%M)
printf '<2>panicsage: null-deref (0.97) - 12 lines\n<6>panicsage: culprit\n' | cmp -s - "$X/journal" ||
	fail "keep: journal got '$(cat "$X/journal")'"
set -- "$X"/pending/*
[ $# -eq 1 ] && [ -d "$1" ] || fail "keep: want one pending case, got: $*"
pend=$1
cmp -s "$pend/panicsage.txt" "$X/run/panicsage.txt" && cmp -s "$pend/panicsage.json" "$X/run/panicsage.json" ||
	fail "keep: pending copy differs"
stamp=$(sed -n 's/^stamp=//p' "$pend/where")
[ "$stamp" -ge "$before" ] && [ "$stamp" -le "$after" ] || fail "keep: stamp '$stamp' is not the current minute"
grep -qx "coredir=$X/crash" "$pend/where" || fail "keep: coredir not from kdump-tools' defaults: $(cat "$pend/where")"
# kept once, journaled once
rp keep >/dev/null
[ "$(ls "$X/pending" | wc -l)" -eq 1 ] || fail "keep twice made two pending cases"
[ "$(wc -l < "$X/journal")" -eq 2 ] || fail "keep twice wrote the journal twice"
# a report the unit's own output put in the journal is not written again
rm -rf "$X/pending" "$X/run/kept"; : > "$X/journal"; : > "$X/run/journaled"
rp keep >/dev/null
[ -s "$X/journal" ] && fail "keep wrote a journaled report again"
[ -d "$X/pending" ] || fail "keep without journal writing kept nothing"
rm -rf "$X/pending" "$X/run/kept" "$X/run/journaled"

# place, in the next boot: an older dump without report, this crash's
# dump (kdump-tools: the minute its savecore started, here the next one)
mkdir -p "$X/pending/100-1" "$X/crash/202601010900" "$X/crash/202601011001"
cp "$X/run/panicsage.txt" "$X/run/panicsage.json" "$X/pending/100-1/"
printf 'stamp=202601011000\ncoredir=%s\n' "$X/crash" > "$X/pending/100-1/where"
out=$(rp place)
cmp -s "$X/crash/202601011001/panicsage.txt" "$X/run/panicsage.txt" &&
	cmp -s "$X/crash/202601011001/panicsage.json" "$X/run/panicsage.json" || fail "place: report not beside the dump: $out"
[ -e "$X/crash/202601010900/panicsage.txt" ] && fail "place: report put beside an older dump"
[ "$out" = "panicsage: crash report in $X/crash/202601011001/panicsage.txt: null-deref (0.97) - 12 lines" ] ||
	fail "place said '$out'"
[ -d "$X/pending/100-1" ] && fail "place left the pending case"
# two cases: the first one's dump is missing; it must not take the
# second one's dump, and gets a directory of its own minute
rm -rf "$X/crash"; mkdir -p "$X/crash/202601021105"
for c in 200-1:202601021000 300-1:202601021100; do
	mkdir -p "$X/pending/${c%%:*}"
	echo "panicsage: case ${c%%:*}" > "$X/pending/${c%%:*}/panicsage.txt"
	printf 'stamp=%s\ncoredir=%s\n' "${c#*:}" "$X/crash" > "$X/pending/${c%%:*}/where"
done
out=$(rp place)
grep -qx "panicsage: case 300-1" "$X/crash/202601021105/panicsage.txt" || fail "place: second case not beside its dump: $out"
grep -qx "panicsage: case 200-1" "$X/crash/202601021000/panicsage.txt" || fail "place: first case (no dump) lost: $out"
echo "$out" | grep -q "202601021000/panicsage.txt (no dump of kdump-tools found for it)" || fail "place did not say the dump was missing: $out"
[ -z "$(ls "$X/pending")" ] || fail "place left pending cases: $(ls "$X/pending")"
# a keep stopped half-way: a complete copy is adopted, a partial one dropped
mkdir -p "$X/crash/202601041001" "$X/pending/.new-600-1" "$X/pending/.new-700-1"
echo "panicsage: case 600-1" > "$X/pending/.new-600-1/panicsage.txt"
printf 'stamp=202601041000\ncoredir=%s\n' "$X/crash" > "$X/pending/.new-600-1/where"
echo "panicsage: case 700-1" > "$X/pending/.new-700-1/panicsage.txt"
out=$(rp place)
grep -qx "panicsage: case 600-1" "$X/crash/202601041001/panicsage.txt" || fail "place did not adopt a complete half-kept case: $out"
[ -e "$X/pending/.new-700-1" ] && fail "place left a partial half-kept case"
echo "$out" | grep -q "dropped .*new-700-1 (written only in part)" || fail "place did not say it dropped a partial case: $out"
# a dump that has its report already is not this case's
mkdir -p "$X/crash/202601051000" "$X/pending/500-1"
echo "panicsage: earlier" > "$X/crash/202601051000/panicsage.txt"
echo "panicsage: case 500-1" > "$X/pending/500-1/panicsage.txt"
printf 'stamp=202601050959\ncoredir=%s\n' "$X/crash" > "$X/pending/500-1/where"
rp place >/dev/null
grep -qx "panicsage: earlier" "$X/crash/202601051000/panicsage.txt" || fail "place overwrote another case's report"
grep -qx "panicsage: case 500-1" "$X/crash/202601050959/panicsage.txt" || fail "place lost a case whose only candidate had a report"
# a destination that cannot be written keeps the case pending
mkdir -p "$X/pending/400-1"; echo "panicsage: case 400-1" > "$X/pending/400-1/panicsage.txt"
printf 'stamp=202601031000\ncoredir=%s\n' "$X/ro/crash" > "$X/pending/400-1/where"
: > "$X/ro"
out=$(rp place); rc=$?
[ $rc -eq 0 ] || fail "place exit $rc on an unwritable destination, want 0"
[ -f "$X/pending/400-1/panicsage.txt" ] || fail "place dropped a case it could not write: $out"
rm -rf "$X/pending/400-1"
set +e
rp frobnicate >/dev/null 2>&1; rc=$?
set -e
[ $rc -eq 2 ] || fail "report script usage error: exit $rc, want 2"

# post (kdump-utils' kdump_post): the newest <host>-<date> directory made
# after panicsage ran gets the report; the root filesystem a pending note;
# the user's kdump_post runs after, with the dump status, its status returned
S2=$X/sysroot
mkdir -p "$S2/var/crash/127.0.0.1-2026-01-01-08:00:00" "$S2/var/lib"
touch -d '2026-01-01 08:00' "$S2/var/crash/127.0.0.1-2026-01-01-08:00:00"
sleep 1
: > "$X/run/done"
sleep 1
printf '#!/bin/sh\necho "site-post $*"\nexit 3\n' > "$X/site-post"; chmod +x "$X/site-post"
printf 'PANICSAGE_REPORT_DIR=%s/run\nPANICSAGE_DUMP_BASE=%s/var/crash\nPANICSAGE_CHAIN_POST=%s/site-post\n' "$X" "$S2" "$X" > "$X/run.conf"
# the dump failed before making its directory: an older dump is not it
set +e
out=$(PANICSAGE_CONF=$X/run.conf PANICSAGE_PENDING=/var/lib/panicsage/pending sh $P post 1); rc=$?
set -e
[ $rc -eq 3 ] || fail "post without a new dump: chained status $rc, want 3"
[ -e "$S2/var/crash/127.0.0.1-2026-01-01-08:00:00/panicsage.txt" ] && fail "post: report put beside an old dump"
echo "$out" | grep -q "^panicsage: no dump directory under /var/crash (dump status 1)" || fail "post without a new dump said: $out"
mkdir "$S2/var/crash/127.0.0.1-2026-01-04-10:00:00"
# kdump_post runs panicsage-kdump-post, which hands over to the installed
# report script with the dump status
grep -qx 'exec /usr/lib/panicsage/panicsage-kdump-report post "$@"' kdump/integration/dracut/panicsage-kdump-post ||
	fail "panicsage-kdump-post does not run the report script's post"
set +e
out=$(PANICSAGE_CONF=$X/run.conf PANICSAGE_PENDING=/var/lib/panicsage/pending sh $P post 0); rc=$?
set -e
[ $rc -eq 3 ] || fail "post: chained kdump_post status $rc, want 3"
echo "$out" | grep -qx "site-post 0" || fail "post: chained kdump_post not run with the dump status: $out"
cmp -s "$S2/var/crash/127.0.0.1-2026-01-04-10:00:00/panicsage.txt" "$X/run/panicsage.txt" || fail "post: report not beside the new dump: $out"
[ -e "$S2/var/crash/127.0.0.1-2026-01-01-08:00:00/panicsage.txt" ] && fail "post: report put beside an old dump"
echo "$out" | grep -qx "panicsage: report beside the dump in /var/crash/127.0.0.1-2026-01-04-10:00:00" || fail "post said: $out"
set -- "$S2"/var/lib/panicsage/pending/*
[ -f "$1/panicsage.txt" ] && grep -qx "dir=/var/crash/127.0.0.1-2026-01-04-10:00:00" "$1/where" ||
	fail "post: no pending note for the next boot's journal"
# ... which the next boot's place logs, finding the report already there
out=$(PANICSAGE_CONF=$X/run.conf PANICSAGE_PENDING=$S2/var/lib/panicsage/pending sh $P place)
echo "$out" | grep -q "^panicsage: crash report in /var/crash/127.0.0.1-2026-01-04-10:00:00/panicsage.txt: null-deref" ||
	fail "place of a kdump-utils note said: $out"
# no report (panicsage did not run): post only chains
rm -f "$X/run/panicsage.txt"
set +e
out=$(PANICSAGE_CONF=$X/run.conf sh $P post 1); rc=$?
set -e
[ $rc -eq 3 ] && [ "$out" = "site-post 1" ] || fail "post without a report: '$out' exit $rc"
echo "ok"
