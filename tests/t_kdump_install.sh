#!/bin/sh
# kdump/install.sh in fake roots: Debian kdump-tools and RHEL/Fedora
# kdump-utils layouts; install, idempotent re-install, dry run, status,
# uninstall restoring the exact original tree; the capture-time wrapper
# keeps its time budget and never fails.
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
	usr/lib/panicsage/default.model etc/panicsage/run.conf \
	etc/systemd/system/panicsage-kdump.service etc/systemd/system/panicsage-flush.service \
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
# systemd itself accepts both units (unknown keys, bad values and syntax are errors here)
if command -v systemd-analyze >/dev/null; then
	for u in panicsage-kdump panicsage-flush; do
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
grep -q '^TimeoutStartSec=12$' "$D/etc/systemd/system/panicsage-kdump.service" || fail "unit timeout is not budget+5"
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
EOF
: > "$R/usr/bin/sleep"
mkdir -p "$R/etc/panicsage"
printf 'collector = 192.0.2.1:7443\ncert = /etc/panicsage/client.crt\nkey = /etc/panicsage/client.key\n' > "$R/etc/panicsage/kdump.conf"
: > "$R/etc/panicsage/client.crt"
: > "$R/etc/panicsage/client.key"
snap "$R" "$T/rhel.before"
sh $I --root "$R" --binary "$T/fake-kdump" --dracut-module install
grep -q '^kdump_pre /usr/lib/panicsage/panicsage-kdump-run$' "$R/etc/kdump.conf" || fail "dracut: no kdump_pre"
grep -q '^extra_bins /usr/lib/panicsage/panicsage-kdump /etc/panicsage/run.conf /usr/bin/sleep /etc/panicsage/kdump.conf /etc/panicsage/client.crt /etc/panicsage/client.key$' "$R/etc/kdump.conf" || fail "dracut: no extra_bins with the upload files"
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
echo "$out" | grep -q "^panicsage: no label, args: --budget 2 --model $T/model $T/vmcore" || fail "wrapper: $out"
[ "$(cat "$T/report/done")" = 0 ] || fail "wrapper: no done marker"
# a later stage of the same capture boot only flushes the spool
out=$(PANICSAGE_CONF=$T/run.conf sh $W)
[ "$out" = "panicsage: no label, args: --flush --budget 2" ] || fail "wrapper: second stage ran '$out', want a flush"
rm -rf "$T/report"
out=$(PANICSAGE_SPOOL=$T/sp PANICSAGE_CONF=$T/run.conf sh $W)
echo "$out" | grep -q "^panicsage: no label, args: --budget 2 --spool $T/sp --model $T/model $T/vmcore" || fail "wrapper: PANICSAGE_SPOOL not passed: $out"
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
echo "ok"
