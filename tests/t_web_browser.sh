#!/bin/sh
# panicsage web in a real browser: Debian's chromium, headless.
#   - `chromium --headless --screenshot` and `--dump-dom` without
#     credentials get the sign-in page (401), no store data;
#   - over the DevTools protocol (tests/web_browser.py, a pipe, python3's
#     standard library): sign in with the token through the page's form,
#     the buckets, the queue and a bucket page render (200, no <script>
#     element although a stored report line holds one), screenshots of
#     each; a label chosen in the queue's form and submitted lands in the
#     store for the bucket and every one of its cases, as `panicsage
#     label --set --bucket` puts it (checked with sqlite3).
# WEB_SCREENSHOTS=DIR copies the screenshots there (the docs' ones:
# WEB_SCREENSHOTS=tools/collector/screenshots).
# Skips when chromium is not installed (ci/deps.sh installs it).
set -u
cd "$(dirname "$0")/.."
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$CHROMIUM" ] || { echo "chromium not installed"; exit 77; }

. tests/lib.sh
need_store_tools

"$PS" pki init "$T/pki" --ip 127.0.0.1 >/dev/null || { echo "pki failed"; exit 1; }
DB=$T/cases.db
q() { sqlite3 "$DB" "$1"; }
start_collector "$T/pki" "$DB" --timeout 5 --quiet
deliver_cases "$T/pki" 7 tests/data/cases/*.log
printf '{"label":"kernel-bug","confidence":0.5,"ranking":[{"label":"kernel-bug","p":0.999},{"label":"hardware","p":0.001}],"segment":[{"line":1,"ts":1.5,"text":"BUG: <script>document.title=1</script>"}],"culprits":[{"line":1,"text":"BUG: <script>document.title=1</script>","score":1}],"neighbors":[],"timing_us":{}}' >"$T/evil.json"
upload_report "$T/pki" "$T/evil.json" 6.1.0-test
stop_collector TERM
"$PS" summarize --db "$DB" --config /dev/null --no-llm --limit 1000 >/dev/null 2>&1 || bad "summarize"
# the cases spread over the last 14 days (and their buckets' first and last seen)
q "UPDATE cases SET received_us = received_us - (rowid % 14) * 86400000000"
q "UPDATE buckets SET first_us = (SELECT min(received_us) FROM cases WHERE bucket = buckets.id),
	last_us = (SELECT max(received_us) FROM cases WHERE bucket = buckets.id)"
BIG=$(q "SELECT bucket FROM cases GROUP BY bucket ORDER BY count(*) DESC, bucket LIMIT 1")
"$PS" label --db "$DB" --resolve "$BIG" --cause "psdev 1.1 frees its queue twice" --advice "update psdev to 1.2" \
	--url https://wiki.example.org/psdev --by alice >/dev/null || bad "resolve"

TOKEN=tok-0123456789abcdef-web
printf '%s\n' "$TOKEN" >"$T/token"
chmod 600 "$T/token"
"$PS" web --listen 127.0.0.1:0 --port-file "$T/wport" --db "$DB" --ca "$T/pki/ca.crt" \
	--cert "$T/pki/server.crt" --key "$T/pki/server.key" --token-file "$T/token" 2>"$T/web.log" &
WEB_PID=$!
bg_pid $WEB_PID
wait_file "$T/wport" 5 || { echo "web did not start:"; cat "$T/web.log"; exit 1; }
URL=https://127.0.0.1:$(cat "$T/wport")
CH="$CHROMIUM --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --ignore-certificate-errors --no-first-run --user-data-dir=$T/profile"

# ---- without credentials ----
timeout 60 $CH --screenshot="$T/plain.png" --window-size=1000,600 "$URL/queue" >/dev/null 2>&1
checke "chromium --headless --screenshot of /queue without credentials" \
	'[ "$(head -c 8 "$T/plain.png" | od -An -c | tr -d " ")" = "211PNG\r\n032\n" ]'
checke "... was answered 401" 'grep -q "GET /queue -> 401" "$T/web.log"'
timeout 60 $CH --dump-dom "$URL/bucket/$BIG" >"$T/dom.html" 2>/dev/null
checke "--dump-dom of a bucket without credentials: the sign-in form, no store data" \
	'grep -q "name=\"token\"" "$T/dom.html" && ! grep -q -e "$BIG" -e host- -e psdev "$T/dom.html"'

# ---- signed in, over the DevTools protocol ----
mkdir -p "$T/shots"
UNLABELLED=$(q "SELECT count(*) FROM buckets WHERE human_label IS NULL")
timeout 300 "$PY" tests/web_browser.py "$CHROMIUM" "$URL" "$TOKEN" "$T/shots" >"$T/browser.out" 2>"$T/browser.err"
rc=$?
check "the browser script ran (exit 0)" [ $rc -eq 0 ] || { cat "$T/browser.err"; tail -n 5 "$T/web.log"; }
fact() { sed -n "s/^$1 //p" "$T/browser.out"; }
check "sign-in page: 401" [ "$(fact "status signin")" = 401 ]
for p in index queue bucket; do
	check "$p: 200" [ "$(fact "status $p")" = 200 ]
	check "$p: no <script> element in the DOM" [ "$(fact "scripts $p")" = 0 ]
	checke "$p: a screenshot" '[ "$(head -c 4 "$T/shots/$p.png" | od -An -c | tr -d " ")" = "211PNG" ] && [ $(wc -c <"$T/shots/$p.png") -gt 20000 ]'
done
checke "the buckets page shows the plot's labels and the buckets" \
	'fact "text index" | grep -q "Crashes per day by label" && fact "text index" | grep -q "Buckets, most cases first"'
set -- $(fact labelled)
LB=${1:-none}
check "the queue's first bucket was labelled through the form" [ "${2:-}" = hardware ]
check "the form led back to the queue (303, then 200)" [ "$(fact after)" = "Labelling_queue_-_panicsage 200" ]
check "the label is in the store, by the web's token session" \
	[ "$(q "SELECT human_label || '|' || labelled_by FROM buckets WHERE id = '$LB'")" = "hardware|web (token)" ]
check "... and on every case of the bucket" \
	[ "$(q "SELECT count(*) FROM cases WHERE bucket = '$LB' AND human_label = 'hardware'")" = "$(q "SELECT count(*) FROM cases WHERE bucket = '$LB'")" ]
check "no other bucket labelled" [ "$(q "SELECT count(*) FROM buckets WHERE human_label IS NULL")" = $((UNLABELLED - 1)) ]
checke "the labelled bucket's page says so" 'fact "text bucket" | grep -q "label hardware, .* by web (token)"'
"$PS" buckets --db "$DB" --show "$LB" >"$T/show" 2>&1
checke "panicsage buckets --show sees the label" 'grep -q "label      hardware" "$T/show"'
check "the server is still running" kill -0 $WEB_PID
if [ -n "${WEB_SCREENSHOTS:-}" ]; then
	mkdir -p "$WEB_SCREENSHOTS" && cp "$T/shots/"*.png "$WEB_SCREENSHOTS/"
fi
finish web_browser
