#!/bin/sh
# panicsage summarize against a local OpenAI-compatible test endpoint
# (tests/fake_llm.py, HTTP and HTTPS), on cases uploaded through the
# real upload path into a real store; and the extractive fallback.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
PS=$B/panicsage
UP=$B/tests/kdump-upload
PY=/usr/bin/python3
[ -x "$PS" ] && [ -x "$UP" ] || { echo "build first"; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing"; exit 77; }
[ -x "$PY" ] || { echo "$PY missing"; exit 77; }
unset PANICSAGE_LLM_ENDPOINT PANICSAGE_LLM_MODEL PANICSAGE_LLM_KEY PANICSAGE_LLM_CA OPENAI_API_KEY

. tests/lib.sh
not_grep() { ! grep -q "$@"; }

"$PS" pki init "$T/pki" --server-cn localhost >/dev/null || { echo "pki failed"; exit 1; }
"$PS" pki init "$T/other" --server-cn localhost >/dev/null || { echo "pki failed"; exit 1; }
DB=$T/cases.db
start_collector "$T/pki" "$DB" --timeout 5
kdump_conf "$T/k.conf" "$T/pki/client" "$T/pki/server.pin"

# Three cases of the bundled example through the upload path.
"$PS" classify --json tests/data/example.log >"$T/report.json" || { echo "classify failed"; exit 1; }
for i in 1 2 3; do
	"$UP" --config "$T/k.conf" --report "$T/report.json" --label null-deref --confidence 0.8 \
		--release 6.1.0-13-amd64 --capture-us "$i" >/dev/null || bad "upload $i"
done
check "three cases stored" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM cases')" = 3 ]
first=$(sqlite3 "$DB" 'SELECT id FROM cases ORDER BY received_us LIMIT 1')
sqlite3 "$DB" "UPDATE cases SET human_label='null-deref', summary=json_object('summary','Confirmed NULL dereference in cachefs.') WHERE id='$first'"
: >"$T/empty.conf"
S="$PS summarize --config $T/empty.conf --db $DB"

# The test endpoint, plain HTTP.
"$PY" tests/fake_llm.py "$T/llm.port" "$T/llm.log" &
bg_pid $!
wait_file "$T/llm.port" 5 || { echo "fake endpoint did not start"; exit 1; }
EP=http://127.0.0.1:$(cat "$T/llm.port")/v1

# 1. pending cases get an LLM summary, stored with the case
$S --endpoint "$EP" --model good >"$T/out" 2>&1; rc=$?
cat "$T/out"
check "summarize exit 0" [ $rc -eq 0 ]
check "two pending cases summarised by the LLM" [ "$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE summary_source='llm:good'")" = 2 ]
check "stored summary is structured" [ "$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE summary_source='llm:good' AND json_type(summary,'\$.clues')='array' AND length(json_extract(summary,'\$.reasoning'))>0 AND json_extract(summary,'\$.summary') LIKE '%NULL pointer%'")" = 2 ]
check "the human-summarised case was left alone" [ "$(sqlite3 "$DB" "SELECT summary_source IS NULL FROM cases WHERE id='$first'")" = 1 ]
sed -n 1p "$T/llm.log" >"$T/req1.json"
check "request went to /v1/chat/completions" grep -q '"path": "/v1/chat/completions"' "$T/req1.json"
checke "prompt has the three steps" 'grep -q "Step 1, fault clues" "$T/req1.json" && grep -q "Step 2, reasoning" "$T/req1.json" &&
	grep -q "Step 3, summary" "$T/req1.json"'
check "prompt carries the segment" grep -q 'BUG: kernel NULL pointer dereference' "$T/req1.json"
check "prompt carries the predicted label" grep -q 'Predicted label: null-deref (confidence 0.80)' "$T/req1.json"
checke "prompt carries similar confirmed cases" 'grep -q "Similar past crashes from the case store" "$T/req1.json" &&
	grep -q "confirmed by a person): Confirmed NULL dereference" "$T/req1.json"'

# 2. retries: HTTP 500 first, then an answer
$S --all --endpoint "$EP" --model flaky --retries 2 >"$T/out" 2>&1; rc=$?
n=$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE summary_source='llm:flaky'")
checke "retry after HTTP 500 (rc $rc, $n cases)" '[ $rc -eq 0 ] && [ "$n" = 3 ]'

# 3. JSON inside prose and a code fence, chunked transfer encoding
$S --all --endpoint "$EP" --model fenced >"$T/out" 2>&1
check "fenced JSON answer, chunked response" [ "$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE summary_source='llm:fenced'")" = 3 ]

# 3b. a response arriving one byte at a time, chunked, with a chunk that
# starts "Content-Length: 0" (body text, never a header)
$S --case "$first" --endpoint "$EP" --model dribble --retries 0 >"$T/out" 2>&1; rc=$?
cat "$T/out"
src=$(sqlite3 "$DB" "SELECT summary_source FROM cases WHERE id='$first'")
checke "response one byte at a time, header-like body (rc $rc, source $src)" '[ $rc -eq 0 ] &&
	[ "$src" = llm:dribble ] && grep -q "summary: Content-Length: 0 is what" "$T/out"'

# 4. an answer without JSON: extractive fallback, still exit 0
$S --case "$first" --endpoint "$EP" --model prose >"$T/out" 2>&1; rc=$?
cat "$T/out"
src=$(sqlite3 "$DB" "SELECT summary_source FROM cases WHERE id='$first'")
checke "prose answer -> extractive fallback (rc $rc, source $src)" '[ $rc -eq 0 ] &&
	grep -q "did not answer with a JSON object" "$T/out" && [ "$src" = extractive ]'
check "extractive summary names the oops" [ "$(sqlite3 "$DB" "SELECT json_extract(summary,'\$.summary') LIKE 'null-deref on kernel 6.1.0-13-amd64: %NULL pointer%' FROM cases WHERE id='$first'")" = 1 ]

# 5. a slow endpoint times out; the fallback is stored in bounded time
start=$(date +%s)
$S --case "$first" --endpoint "$EP" --model slow --timeout 1 --retries 0 >"$T/out" 2>&1; rc=$?
secs=$(( $(date +%s) - start ))
checke "timeout -> fallback within ${secs}s (rc $rc)" '[ $rc -eq 0 ] && [ $secs -le 4 ] && grep -q "timed out" "$T/out"'

# 6. API key from the environment
$S --case "$first" --endpoint "$EP" --model badkey --retries 0 >"$T/out" 2>&1
check "no key -> HTTP 401 -> fallback" grep -q "HTTP 401" "$T/out"
PANICSAGE_LLM_KEY=sekrit $S --case "$first" --endpoint "$EP" --model badkey >"$T/out" 2>&1
check "key from PANICSAGE_LLM_KEY sent as Bearer" [ "$(sqlite3 "$DB" "SELECT summary_source FROM cases WHERE id='$first'")" = llm:badkey ]

# 7. no endpoint at all: extractive
$S --all --limit 2 >"$T/out" 2>&1; rc=$?
n=$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE summary_source='extractive'")
checke "no endpoint -> extractive (rc $rc, $n cases)" '[ $rc -eq 0 ] && [ "$n" -ge 2 ]'

# 8. settings from a config file and the environment
printf 'endpoint = %s\nmodel = good\ntimeout = 5\n' "$EP" >"$T/llm.conf"
"$PS" summarize --config "$T/llm.conf" --db "$DB" --case "$first" >/dev/null 2>&1
check "endpoint and model from --config" [ "$(sqlite3 "$DB" "SELECT summary_source FROM cases WHERE id='$first'")" = llm:good ]
PANICSAGE_LLM_ENDPOINT=$EP PANICSAGE_LLM_MODEL=fenced $S --case "$first" >/dev/null 2>&1
check "endpoint and model from the environment" [ "$(sqlite3 "$DB" "SELECT summary_source FROM cases WHERE id='$first'")" = llm:fenced ]

# 9. HTTPS with the certificate checked against --ca; a wrong CA fails
"$PY" tests/fake_llm.py "$T/llms.port" "$T/llms.log" "$T/pki/server.crt" "$T/pki/server.key" &
bg_pid $!
wait_file "$T/llms.port" 5 || { echo "HTTPS endpoint did not start"; exit 1; }
EPS=https://localhost:$(cat "$T/llms.port")/v1
$S --case "$first" --endpoint "$EPS" --model good --ca "$T/pki/ca.crt" >"$T/out" 2>&1
cat "$T/out"
check "HTTPS endpoint with its CA" [ "$(sqlite3 "$DB" "SELECT summary_source FROM cases WHERE id='$first'")" = llm:good ]
$S --case "$first" --endpoint "$EPS" --model fenced --ca "$T/other/ca.crt" --retries 0 >"$T/out" 2>&1
cat "$T/out"
check "HTTPS with the wrong CA refused -> fallback" grep -q "TLS handshake" "$T/out"

# 10. a report file without a store; errors
"$PS" summarize --config "$T/empty.conf" --report "$T/report.json" --json >"$T/out" 2>&1
check "--report prints a JSON summary" grep -q '"source":"extractive"' "$T/out"
$S --case abcdef12 >/dev/null 2>&1; rc=$?
check "unknown case -> exit 4" [ $rc -eq 4 ]
$S --case xyz1 >/dev/null 2>&1; rc=$?
check "malformed case id -> exit 2" [ $rc -eq 2 ]
# a unique prefix, in upper case, names the case as label --set does
up=$(printf '%.10s' "$first" | tr a-f A-F)
sqlite3 "$DB" "UPDATE cases SET summary = NULL WHERE id='$first'"
$S --case "$up" --no-llm >/dev/null 2>&1; rc=$?
src=$(sqlite3 "$DB" "SELECT summary_source FROM cases WHERE id='$first'")
checke "upper-case id prefix -> that case summarised" '[ $rc -eq 0 ] && [ "$src" = extractive ]'
$S --endpoint "ftp://x" >/dev/null 2>&1; rc=$?
check "bad endpoint URL -> exit 2" [ $rc -eq 2 ]

# a mistyped store path: exit 3 and a clear message, as label does;
# only serve creates a store
"$PS" summarize --config "$T/empty.conf" --db "$T/typo.db" --no-llm >"$T/out" 2>&1; rc=$?
cat "$T/out"
checke "missing store -> exit 3, not created (rc $rc)" '[ $rc -eq 3 ] && [ ! -e "$T/typo.db" ] &&
	grep -q "typo.db: no such case store" "$T/out"'
"$PS" label --db "$T/typo.db" >"$T/out" 2>&1; rc=$?
checke "label says the same (rc $rc)" '[ $rc -eq 3 ] && grep -q "typo.db: no such case store" "$T/out"'

# 11. another connection writes while summarize waits for the LLM (the
# collector stores an upload): every finished summary is still stored.
# The gated model answers only once the test has uploaded.
sqlite3 "$DB" "UPDATE cases SET summary = NULL, summary_source = NULL"
n0=$(wc -l <"$T/llm.log")
$S --endpoint "$EP" --model gated --retries 0 >"$T/out" 2>&1 &
spid=$!
bg_pid $spid
check "summarize is waiting for the LLM" wait_for 10 '[ "$(wc -l <"$T/llm.log")" -gt "$n0" ]'
"$UP" --config "$T/k.conf" --report "$T/report.json" --label null-deref --confidence 0.8 \
	--release 6.1.0-13-amd64 --capture-us 4 >/dev/null; rc=$?
check "an upload is stored meanwhile (rc $rc)" [ $rc -eq 0 ]
: >"$T/llm.log.gate"
wait $spid; rc=$?
forget_pid $spid
cat "$T/out"
n=$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE summary_source='llm:gated'")
checke "all three summaries stored despite the writer (rc $rc, $n stored)" '[ $rc -eq 0 ] && [ "$n" = 3 ]'
check "no 'database is locked'" not_grep "locked" "$T/out"

# text from the crashed machine and from the LLM reaches the terminal
# escaped: an OSC title, a screen clear and a C1 CSI in a stored
# segment line, in the LLM's answer and in its error message
raw_ctl() { LC_ALL=C grep -q "$(printf '\033')\|$(printf '\007')\|$(printf '\302\233')" "$1"; }
printf '{"label":"null-deref","confidence":0.9,"ranking":[],"segment":[{"line":1,"ts":1.5,"text":"BUG: \\u001b]0;owned\\u0007\\u001b[2J\\u009b31m here"}],"culprits":[{"line":1,"text":"BUG: \\u001b[2Jculprit","score":1}],"neighbors":[],"timing_us":{}}' >"$T/evil.json"
"$UP" --config "$T/k.conf" --report "$T/evil.json" --label null-deref --confidence 0.9 \
	--release 6.1.0-13-amd64 --capture-us 99 >/dev/null || bad "upload of the case with escapes"
evil=$(sqlite3 "$DB" "SELECT id FROM cases WHERE capture_us = 99")
$S --case "$evil" --endpoint "$EP" --model evil >"$T/out" 2>&1; rc=$?
cat -v "$T/out"
checke "LLM answer with escape sequences printed escaped (rc $rc)" '[ $rc -eq 0 ] && ! raw_ctl "$T/out" &&
	grep -qF "\x1b]0;owned\x07\x1b[2J" "$T/out"'
$S --case "$evil" --no-llm >"$T/out" 2>&1; rc=$?
cat -v "$T/out"
checke "stored log text with escape sequences printed escaped (rc $rc)" '[ $rc -eq 0 ] && ! raw_ctl "$T/out" &&
	grep -qF "BUG: \x1b]0;owned" "$T/out"'
$S --case "$evil" --endpoint "$EP" --model evilerr --retries 0 >"$T/out" 2>&1; rc=$?
cat -v "$T/out"
checke "endpoint error message printed escaped (rc $rc)" '[ $rc -eq 0 ] && ! raw_ctl "$T/out" &&
	grep -qF "bad request \x1b]0;owned" "$T/out"'

finish summarize
