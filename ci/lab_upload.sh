# shellcheck shell=sh
# The upload case of `ci/lab.sh smoke`, sourced by ci/lab.sh: one smoke
# case's capture kernel sends its case over mutual TLS, through QEMU's
# user network (restrict=on, guestfwd 10.0.2.100:7443 -> 127.0.0.1:PORT),
# to `panicsage serve` on the host, and the host side then works on the
# stored case.  Before the guest crashes, the store is given a known
# problem: the committed lab case of the same kind and seed
# (model/corpus/lab, the same injected bug on another kernel build) is
# uploaded from the host as another machine, and a resolution attached to
# its crash bucket; the guest's capture kernel must then land in that
# bucket and print the resolution on its console after its report.
#
#   upload_setup           certificates for this CI run (pki init --ip 10.0.2.100)
#   upload_start SEED      a collector whose store holds only that known
#                          problem (with UPLOAD_KIND's corpus case SEED; an
#                          empty store when there is none); sets UPLOAD_ARGS
#                          (the run-case.sh options) and UPLOAD_DB
#   upload_check KIND SEED RESULT CASE
#                          runs UPLOAD_STEPS in order, stops at the first
#                          that fails (it prints why), then upload_stop
#   upload_stop            stops the collector and the test LLM endpoint
#                          (ci/lab.sh also calls it on exit)
#
# Everything lives in $LAB_OUT/ci/upload; nothing is left running.
# Needs build/panicsage, /usr/bin/python3 (tests/fake_llm.py), sqlite3.

UP_DIR=$LAB_OUT/ci/upload
UP_PS=build/panicsage
UP_SERVE_PID="" UP_LLM_PID="" UPLOAD_ARGS="" UPLOAD_DB="" UP_KNOWN=""
# the known problem's resolution (ASCII, as a console shows it as is)
UP_CAUSE="lab: psdev's fault injector, asked for this fault by the lab"
UP_ADVICE="nothing to fix: tools/lab/faultmod/psdev.c does it on purpose"
UP_URL="https://example.org/panicsage/lab/psdev"

# up_wait FILE: waits up to 10 s for FILE to be non-empty.
up_wait() {
	up_i=0
	while [ ! -s "$1" ] && [ $up_i -lt 200 ]; do sleep 0.05; up_i=$((up_i + 1)); done
	[ -s "$1" ]
}

upload_setup() {
	rm -rf "$UP_DIR"; mkdir -p "$UP_DIR"
	[ -x "$UP_PS" ] || { echo "lab: upload: $UP_PS was not built"; return 1; }
	command -v sqlite3 >/dev/null || { echo "lab: upload: sqlite3 missing (ci/deps.sh test)"; return 1; }
	[ -x /usr/bin/python3 ] || { echo "lab: upload: /usr/bin/python3 missing (ci/deps.sh test)"; return 1; }
	# --ip/--port: the kdump.conf's collector, the guest-side address that
	# run-case.sh forwards to the host (the client checks the server by its
	# pinned key, not by name or address).
	"$UP_PS" pki init "$UP_DIR/pki" --ip 10.0.2.100 --port 7443 >"$UP_DIR/pki.log" 2>&1 ||
		{ echo "lab: upload: pki init failed: $(tail -n 1 "$UP_DIR/pki.log")"; return 1; }
}

upload_start() {
	upload_stop
	UPLOAD_DB=$UP_DIR/cases-$1.db
	rm -f "$UPLOAD_DB"* "$UP_DIR/serve.port"
	"$UP_PS" serve --listen 127.0.0.1:0 --port-file "$UP_DIR/serve.port" --db "$UPLOAD_DB" \
		--ca "$UP_DIR/pki/ca.crt" --cert "$UP_DIR/pki/server.crt" --key "$UP_DIR/pki/server.key" \
		--timeout 60 2>>"$UP_DIR/serve.log" &
	UP_SERVE_PID=$!
	if ! up_wait "$UP_DIR/serve.port"; then
		echo "lab: upload: the collector did not start: $(tail -n 2 "$UP_DIR/serve.log")"
		upload_stop
		return 1
	fi
	UPLOAD_ARGS="--upload $(cat "$UP_DIR/serve.port") --pki $UP_DIR/pki"
	upload_known_problem "$1"
}

# upload_known_problem SEED: the corpus case of UPLOAD_KIND and SEED
# (of the lab's architecture),
# uploaded from the host by panicsage-kdump as machine lab-ci-known, and
# a resolution on its bucket; sets UP_KNOWN to that bucket ("" when the
# corpus has no such case: the known-problem step is then skipped).
upload_known_problem() {
	UP_KNOWN=""
	# the same bug as the guest's: a case of the same architecture's lab
	# (an arm64 fault reads differently, so it is another bucket)
	up_corpus=model/corpus/lab
	[ "${LAB_ARCH:-x86_64}" = arm64 ] && up_corpus=model/corpus/lab-arm64
	up_c=$up_corpus/${UPLOAD_KIND:-none}-$1.log
	[ -f "$up_c" ] || { echo "lab: upload: no $up_c, so no known problem to answer with"; return 0; }
	cat >"$UP_DIR/host.conf" <<-EOF
	collector = 127.0.0.1:$(cat "$UP_DIR/serve.port")
	cert = $UP_DIR/pki/client.crt
	key = $UP_DIR/pki/client.key
	server_pin = $(cat "$UP_DIR/pki/server.pin")
	spool = $UP_DIR/host-spool
	machine_id = lab-ci-known
	EOF
	if ! build/panicsage-kdump --deliver --config "$UP_DIR/host.conf" "$up_c" >"$UP_DIR/known.log" 2>&1; then
		echo "lab: upload: the known problem's case was not stored: $(tail -n 1 "$UP_DIR/known.log")"
		return 1
	fi
	UP_KNOWN=$(sqlite3 "$UPLOAD_DB" "SELECT bucket FROM cases WHERE machine = 'lab-ci-known'")
	if [ -z "$UP_KNOWN" ] || ! "$UP_PS" label --db "$UPLOAD_DB" --resolve "$UP_KNOWN" --cause "$UP_CAUSE" \
		--advice "$UP_ADVICE" --url "$UP_URL" --by lab-ci >"$UP_DIR/resolve.log" 2>&1; then
		echo "lab: upload: no resolution for bucket '$UP_KNOWN': $(tail -n 1 "$UP_DIR/resolve.log")"
		return 1
	fi
}

upload_stop() {
	for up_p in $UP_SERVE_PID $UP_LLM_PID; do
		{ kill "$up_p" 2>/dev/null && wait "$up_p" 2>/dev/null; } || true
	done
	UP_SERVE_PID="" UP_LLM_PID=""
}

# up_sql SQL: one value from the store.
up_sql() { sqlite3 "$UPLOAD_DB" "$1"; }
# up_quote TEXT: TEXT as an SQL string literal.
up_quote() { printf "'%s'" "$(printf %s "$1" | sed "s/'/''/g")"; }

# --- the steps; each prints "  KIND: why" and returns 1 when it fails.
# They share UP_KIND, UP_SEED, UP_RES, UP_CASE, UP_CONSOLE, UP_ID and
# UP_HEADER; their own variables start with up_ (this file is sourced:
# ci/lab.sh's variables must not change).

# The capture kernel's delivery exited 0 (the case was acknowledged).
step_delivered() {
	up_urc=$(sed -n 's/^UPLOAD_RC=//p' "$UP_RES")
	[ "$up_urc" = 0 ] && return 0
	echo "  $UP_KIND: the capture kernel did not upload its case (LAB-UPLOAD-RC=${up_urc:-missing})"
	echo "  $UP_KIND:   delivery: $(sed -n 's/^UPLOAD_MSG=//p' "$UP_RES")"
	echo "  $UP_KIND:   network: $(sed -n 's/^NET_UP=\(..*\)/up \1/p; s/^NET_FAIL=\(..*\)/failed: \1/p' "$UP_RES" | tr '\n' ' ')"
	echo "  $UP_KIND:   console: $UP_CONSOLE, collector log: $UP_DIR/serve.log"
	return 1
}

# The store holds exactly one case from this guest (and the known
# problem's case from the host).
step_stored() {
	up_n=$(up_sql "SELECT count(*) FROM cases WHERE machine != 'lab-ci-known'")
	if [ "$up_n" != 1 ]; then
		echo "  $UP_KIND: the store has $up_n cases from the guest, want 1 ($UPLOAD_DB; collector log: $UP_DIR/serve.log)"
		return 1
	fi
	UP_ID=$(up_sql "SELECT id FROM cases WHERE machine != 'lab-ci-known'")
	up_m=$(up_sql "SELECT machine || ' ' || release FROM cases WHERE id = '$UP_ID'")
	up_want="$(sed -n 's/^MACHINE_ID=//p' "$UP_RES") $(cat "$LAB_OUT/kver")"
	[ "$up_m" = "$up_want" ] && return 0
	echo "  $UP_KIND: stored machine/release '$up_m', want '$up_want'"
	return 1
}

# It is a known problem: it went to the bucket the host's case of the
# same bug made, and the capture kernel printed that bucket's resolution
# on its console, after its report and its upload line.
step_known_problem() {
	[ -n "$UP_KNOWN" ] || return 0
	up_b=$(up_sql "SELECT bucket FROM cases WHERE id = '$UP_ID'")
	if [ "$up_b" != "$UP_KNOWN" ]; then
		echo "  $UP_KIND: the guest's case went to bucket '$up_b', not the known problem's $UP_KNOWN"
		"$UP_PS" buckets --db "$UPLOAD_DB" 2>&1 | sed "s/^/  $UP_KIND:   /"
		return 1
	fi
	up_r=$(sed -n '/LAB-REPORT-BEGIN/,/LAB-REPORT-END/p' "$UP_CONSOLE" | tr -d '\r')
	if printf '%s\n' "$up_r" | grep -qxF "panicsage: known problem: $UP_CAUSE" &&
	   printf '%s\n' "$up_r" | grep -qxF "panicsage: advice: $UP_ADVICE" &&
	   printf '%s\n' "$up_r" | grep -qxF "panicsage: see: $UP_URL" &&
	   printf '%s\n' "$up_r" | grep -A3 '^panicsage: case .* stored by ' | grep -q '^panicsage: known problem: '; then
		return 0
	fi
	echo "  $UP_KIND: the capture kernel's console lacks the known problem's resolution after its upload line ($UP_CONSOLE)"
	return 1
}

# Its label column is the kind's label (tools/lab/kinds.sh).
step_label() {
	up_got=$(up_sql "SELECT label FROM cases WHERE id='$UP_ID'")
	up_want=$(sed -n 's/^LABEL=//p' "$UP_RES")
	[ "$up_got" = "$up_want" ] && return 0
	echo "  $UP_KIND: stored label '$up_got', want '$up_want' (console: $UP_CONSOLE)"
	return 1
}

# Its report is valid JSON whose segment has the log's oops header line:
# the first line of the case file with the kind's evidence (EXPECT).
step_report() {
	if [ "$(up_sql "SELECT json_valid(report) FROM cases WHERE id='$UP_ID'")" != 1 ]; then
		echo "  $UP_KIND: the stored report is not valid JSON"
		return 1
	fi
	up_expect=$( (. tools/lab/kinds.sh; rnd_init "$UP_KIND" "$UP_SEED"; kind_setup "$UP_KIND"; echo "$EXPECT") )
	UP_HEADER=$(sed '1,/^$/d' "$UP_CASE" | grep -E -m 1 "$up_expect" | sed 's/^\[ *[0-9.]*\] //')
	if [ -z "$UP_HEADER" ]; then
		echo "  $UP_KIND: no line matching /$up_expect/ in $UP_CASE"
		return 1
	fi
	up_n=$(up_sql "SELECT count(*) FROM cases, json_each(cases.report, '\$.segment') AS s
		WHERE cases.id='$UP_ID' AND json_extract(s.value, '\$.text') = $(up_quote "$UP_HEADER")")
	[ "$up_n" -ge 1 ] && return 0
	echo "  $UP_KIND: the stored report's segment lacks the oops header '$UP_HEADER'"
	return 1
}

# `panicsage summarize --db` against the local test endpoint stores an LLM
# summary, from a prompt that carried the oops header.
step_summarize() {
	rm -f "$UP_DIR/llm.port" "$UP_DIR/llm.log"
	/usr/bin/python3 tests/fake_llm.py "$UP_DIR/llm.port" "$UP_DIR/llm.log" 2>"$UP_DIR/llm.err" &
	UP_LLM_PID=$!
	if ! up_wait "$UP_DIR/llm.port"; then
		echo "  $UP_KIND: the test LLM endpoint did not start: $(tail -n 1 "$UP_DIR/llm.err")"
		return 1
	fi
	: >"$UP_DIR/llm.conf"
	if ! (unset PANICSAGE_LLM_ENDPOINT PANICSAGE_LLM_MODEL PANICSAGE_LLM_KEY PANICSAGE_LLM_CA OPENAI_API_KEY
	      exec "$UP_PS" summarize --db "$UPLOAD_DB" --config "$UP_DIR/llm.conf" \
		--endpoint "http://127.0.0.1:$(cat "$UP_DIR/llm.port")/v1" --model good) \
		>"$UP_DIR/summarize.log" 2>&1; then
		echo "  $UP_KIND: panicsage summarize failed: $(tail -n 1 "$UP_DIR/summarize.log")"
		return 1
	fi
	up_src=$(up_sql "SELECT summary_source FROM cases WHERE id='$UP_ID'")
	if [ "$up_src" != llm:good ] ||
	   [ "$(up_sql "SELECT json_valid(summary) AND length(json_extract(summary, '\$.summary')) > 0 FROM cases WHERE id='$UP_ID'")" != 1 ]; then
		echo "  $UP_KIND: no LLM summary stored (summary_source '$up_src'; $UP_DIR/summarize.log)"
		return 1
	fi
	/usr/bin/python3 -c 'import json, sys
sys.exit(not any(sys.argv[2] in m["content"] for l in open(sys.argv[1])
                 for m in json.loads(l)["body"]["messages"]))' "$UP_DIR/llm.log" "$UP_HEADER" && return 0
	echo "  $UP_KIND: the prompt sent to the LLM lacks the oops header ($UP_DIR/llm.log)"
	return 1
}

# `panicsage label` lists the case in the labelling queue with its
# summary, records a person's label, and then no longer lists it.
step_label_queue() {
	if ! "$UP_PS" label --db "$UPLOAD_DB" --cases --json --limit 0 >"$UP_DIR/queue.json" 2>"$UP_DIR/label.err"; then
		echo "  $UP_KIND: panicsage label failed: $(tail -n 1 "$UP_DIR/label.err")"
		return 1
	fi
	/usr/bin/python3 -c 'import json, sys
q = json.load(open(sys.argv[1]))
sys.exit(not any(c["id"] == sys.argv[2] and c["summary"] and c["summary_source"] == "llm:good"
                 for c in q))' "$UP_DIR/queue.json" "$UP_ID" && return 0
	echo "  $UP_KIND: the labelling queue lacks the case or its summary ($UP_DIR/queue.json)"
	return 1
}
step_label_set() {
	up_want=$(sed -n 's/^LABEL=//p' "$UP_RES")
	if ! "$UP_PS" label --db "$UPLOAD_DB" --set "$(printf %.12s "$UP_ID")" "$up_want" --by lab-ci \
		>"$UP_DIR/label-set.log" 2>&1; then
		echo "  $UP_KIND: panicsage label --set failed: $(tail -n 1 "$UP_DIR/label-set.log")"
		return 1
	fi
	up_got=$(up_sql "SELECT human_label || ' ' || labelled_by FROM cases WHERE id='$UP_ID'")
	if [ "$up_got" != "$up_want lab-ci" ]; then
		echo "  $UP_KIND: stored human label '$up_got', want '$up_want lab-ci'"
		return 1
	fi
	"$UP_PS" label --db "$UPLOAD_DB" --cases --json --limit 0 >"$UP_DIR/queue2.json" 2>>"$UP_DIR/label.err" &&
		! grep -q "$UP_ID" "$UP_DIR/queue2.json" && return 0
	echo "  $UP_KIND: the labelled case is still in the queue ($UP_DIR/queue2.json)"
	return 1
}

# Retraining from the store (plus the test fixtures) gives a model that
# `model verify` accepts and that stores the uploaded case too.
step_train() {
	up_m=$UP_DIR/retrained.psm
	up_small="--dim 16 --hidden 16 --buckets 1024 --epochs 100 --k 5 --quiet"
	# shellcheck disable=SC2086
	if ! "$UP_PS" train --out "$up_m" $up_small --db "$UPLOAD_DB" tests/data/cases \
		>"$UP_DIR/train.log" 2>&1; then
		echo "  $UP_KIND: panicsage train --db failed: $(tail -n 1 "$UP_DIR/train.log")"
		return 1
	fi
	if ! "$UP_PS" model verify "$up_m" >"$UP_DIR/verify.log" 2>&1; then
		echo "  $UP_KIND: model verify refused the retrained model: $(tail -n 1 "$UP_DIR/verify.log")"
		return 1
	fi
	up_want=$(( $(ls tests/data/cases/*.log | wc -l) + 1 ))
	"$UP_PS" model inspect "$up_m" 2>&1 | grep -q "stored cases: $up_want\$" && return 0
	echo "  $UP_KIND: the retrained model does not store $up_want cases ($UP_PS model inspect $up_m)"
	return 1
}

# The steps, in order.
UPLOAD_STEPS="step_delivered step_stored step_known_problem step_label step_report step_summarize
step_label_queue step_label_set step_train"

upload_check() {
	UP_KIND=$1 UP_SEED=$2 UP_RES=$3 UP_CASE=$4
	UP_CONSOLE=$LAB_OUT/runs/$1-$2/console.txt UP_ID="" UP_HEADER=""
	up_t0=$(date +%s) up_rc=0
	for up_step in $UPLOAD_STEPS; do
		$up_step || { up_rc=1; break; }
	done
	upload_stop
	[ $up_rc -eq 0 ] &&
		echo "  $UP_KIND: upload: case $(printf %.16s "$UP_ID") stored${UP_KNOWN:+ as a known problem (resolution on the console)}, checked, summarised, labelled and trained on ($(( $(date +%s) - up_t0 ))s on the host)"
	return $up_rc
}
