#!/bin/sh
# panicsage web, the triage page, with curl and raw requests on a store
# filled by real uploads (panicsage-kdump --deliver into panicsage serve,
# machines host-0..4) and one hand-made report whose lines carry HTML:
#   - no page without a client certificate of the CA or the token: every
#     path answers 401 (and shows no store data) without them, with a
#     wrong token, a forged cookie or a certificate of another CA; a
#     server without --token-file refuses a client without a certificate;
#   - forms: refused (403) without the session's CSRF token, with another
#     session's, from another Origin or Sec-Fetch-Site; accepted ones land
#     in the store as `panicsage label` puts them (checked with sqlite3);
#   - bad input to every URL and form: a 4xx page (the list below), and
#     the server is still there afterwards;
#   - escaping: the report's "<script>" and a resolution with HTML reach
#     the pages escaped, no <script> element anywhere;
#   - the counts on the pages (cases per bucket, per day) against SQL.
# STORE=pg (tests/t_web_pg.sh): the same on a PostgreSQL store on a
# throw-away server (tests/pg.sh), read back with psql.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
need_store_tools
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
STORE=${STORE:-sqlite}
if [ "$STORE" = pg ]; then
	. tests/pg.sh
	pg_test_server
fi

"$PS" pki init "$T/pki" --ip 127.0.0.1 >/dev/null || { echo "pki failed"; exit 1; }
"$PS" pki init "$T/other" --ip 127.0.0.1 >/dev/null || { echo "pki failed"; exit 1; }
DB=$T/cases.db
q() { sqlite3 "$DB" "$1"; }
# a number 0-9 from a case's id, to spread the cases over 10 days
spread="(rowid % 10)"
if [ "$STORE" = pg ]; then
	DB=$PG_URL
	q() { pg_psql "$1"; }
	spread="(('x' || substr(id, 1, 2))::bit(8)::int % 10)"
fi
start_collector "$T/pki" "$DB" --timeout 5 --quiet
deliver_cases "$T/pki" 5 $(ls tests/data/cases/*.log | sed -n '1~3p')
# a report whose lines are HTML, with a culprit line
printf '{"label":"kernel-bug","confidence":0.5,"ranking":[{"label":"kernel-bug","p":0.5},{"label":"hardware","p":0.5}],"segment":[{"line":1,"ts":1.5,"text":"BUG: <script>alert(1)</script> & \\"q\\" '"'"'s'"'"'"},{"line":2,"ts":1.6,"text":"RIP: evil_fn+0x1/0x2 <img src=x onerror=alert(2)>"}],"culprits":[{"line":1,"text":"BUG: <script>alert(1)</script>","score":1}],"neighbors":[],"timing_us":{}}' >"$T/evil.json"
upload_report "$T/pki" "$T/evil.json" '6.1.0-<b>'
n=$((NCASES + 1))
stop_collector TERM
check "$n cases stored" [ "$(q 'SELECT count(*) FROM cases')" = $n ]
# the cases spread over the last 10 days (the plot and sparklines)
q "UPDATE cases SET received_us = received_us - $spread * 86400000000"
EVIL=$(q "SELECT bucket FROM cases WHERE release = '6.1.0-<b>'")
BIG=$(q "SELECT bucket FROM cases GROUP BY bucket ORDER BY count(*) DESC, bucket LIMIT 1")
"$PS" label --db "$DB" --resolve "$EVIL" --cause 'frees it twice <script>x()</script>' \
	--advice 'update "psdev" & reboot' --url 'https://wiki.example.org/a?b=1&c=<2>' >/dev/null 2>&1
check "the resolution with HTML is stored" [ "$(q "SELECT url FROM buckets WHERE id = '$EVIL'")" = 'https://wiki.example.org/a?b=1&c=<2>' ]

TOKEN=tok-0123456789abcdef-web
printf '%s\n' "$TOKEN" >"$T/token"
chmod 600 "$T/token"
start_web() { # extra options
	rm -f "$T/wport"
	"$PS" web --listen 127.0.0.1:0 --port-file "$T/wport" --db "$DB" --ca "$T/pki/ca.crt" \
		--cert "$T/pki/server.crt" --key "$T/pki/server.key" --timeout 3 "$@" 2>>"$T/web.log" &
	WEB_PID=$!
	bg_pid $WEB_PID
	wait_file "$T/wport" 5 || { echo "web did not start:"; cat "$T/web.log"; exit 1; }
	WPORT=$(cat "$T/wport")
	URL=https://127.0.0.1:$WPORT
}
stop_web() {
	kill "$WEB_PID" 2>/dev/null
	wait "$WEB_PID" 2>/dev/null
	forget_pid "$WEB_PID"
}
CA="--cacert $T/pki/ca.crt"
CERT="--cert $T/pki/client.crt --key $T/pki/client.key"
# status of a GET; more curl options after the path
get() { # path [curl options]
	_p=$1
	shift
	curl -s $CA -o "$T/page" -w '%{http_code}' "$@" "$URL$_p"
}
raw() { "$PY" tests/web_raw.py "$WPORT" "$@"; }

# ---- certificates only: no client certificate, no page ----
start_web
check "without --token-file, a client without a certificate gets no page" [ "$(get /)" = 000 ]
check "... and one with the CA's certificate does" [ "$(get / $CERT)" = 200 ]
stop_web

start_web --token-file "$T/token"
PAGES="/ /queue /bucket/$BIG /bucket/$EVIL /bucket/zz /nope /label /resolve /logout /?days=30"
for p in $PAGES; do
	checke "no auth: $p is 401 with no store data" \
		'[ "$(get "$p")" = 401 ] && ! grep -q -e "$BIG" -e "$EVIL" -e host- "$T/page"'
	check "a wrong token: $p is 401" [ "$(get "$p" -H "Authorization: Bearer $TOKEN-x")" = 401 ]
	check "a forged cookie: $p is 401" [ "$(get "$p" -b "ps_session=v1.9999999999.$(printf %064d 0)")" = 401 ]
	check "another CA's certificate: $p is 401" \
		[ "$(get "$p" --cert "$T/other/client.crt" --key "$T/other/client.key")" = 401 ]
done
for p in /label /resolve; do
	check "no auth: POST $p is 401" [ "$(get $p -d "bucket=$BIG&label=hardware&csrf=x")" = 401 ]
done
check "no auth, the label is not set" [ -z "$(q "SELECT human_label FROM buckets WHERE human_label IS NOT NULL")" ]
AUTH="Authorization: Bearer $TOKEN"
check "the token: / is 200" [ "$(get / -H "$AUTH")" = 200 ]
check "the CA's certificate: /queue is 200" [ "$(get /queue $CERT)" = 200 ]
# the sign-in form: a session cookie
checke "sign in with the token: 303 and a cookie" \
	'[ "$(get /login -c "$T/jar" -d "token=$TOKEN")" = 303 ] && grep -q ps_session "$T/jar"'
check "the cookie opens /queue" [ "$(get /queue -b "$T/jar")" = 200 ]
check "a wrong token at sign-in is 403" [ "$(get /login -d "token=$TOKEN-x")" = 403 ]

# ---- the pages: counts against SQL ----
check "bucket page of $BIG" [ "$(get "/bucket/$BIG" -H "$AUTH")" = 200 ]
cp "$T/page" "$T/big.html"
want=$(q "SELECT count(*) || ' from ' || count(DISTINCT machine) FROM cases WHERE bucket = '$BIG'")
checke "its cases and machines as SQL counts them ($want)" 'grep -q "<td>$want machine" "$T/big.html"'
check "its cases listed" [ "$(grep -c '^<tr><td><code>' "$T/big.html")" = "$(q "SELECT count(*) FROM cases WHERE bucket = '$BIG'")" ]
checke "every machine of the bucket listed" '
	for m in $(q "SELECT DISTINCT machine FROM cases WHERE bucket = '"'$BIG'"'"); do
		grep -q "<tr><td>$m</td>" "$T/big.html" || exit 1
	done'
checke "culprit lines highlighted" 'grep -q "<mark title=\"culprit line" "$T/big.html"'
get "/?days=10" -H "$AUTH" >/dev/null
cp "$T/page" "$T/index.html"
total=$("$PY" -c '
import re, sys
t = open(sys.argv[1]).read()
print(sum(int(n) for n in re.findall(r"<title>\d\d-\d\d: (\d+) ", t)))' "$T/index.html")
check "the plot's bars add up to the cases of the last 10 days ($total)" \
	[ "$total" = "$(q "SELECT count(*) FROM cases WHERE received_us >= ($(date +%s) / 86400 - 9) * 86400000000")" ]
check "every bucket listed" [ "$(grep -c '^<tr><td><a href="/bucket/' "$T/index.html")" = "$(q 'SELECT count(*) FROM buckets')" ]

# ---- similar buckets without frames: none shared, so not "100%" ----
# three frameless buckets of one kind (as the oops of a kernel without a
# call trace makes): the one with the same header is listed at 50% (the
# header's half), the one with another header is not listed at all
for b in f0f0f0f0f0f0f0f0:frameless-a f1f1f1f1f1f1f1f1:frameless-a f2f2f2f2f2f2f2f2:frameless-b; do
	q "INSERT INTO buckets (id, kind, title, module, frames) VALUES ('${b%%:*}', 'test-noframes', '${b#*:}', '', '')"
done
check "a frameless bucket's page" [ "$(get /bucket/f0f0f0f0f0f0f0f0 -H "$AUTH")" = 200 ]
checke "the frameless bucket with its header listed at 50%" \
	'grep -q "<a href=\"/bucket/f1f1f1f1f1f1f1f1\"><code>f1f1f1f1f1f1</code></a></td><td class=\"n\">50%<" "$T/page"'
checke "the frameless bucket with another header not listed (was 100%)" '! grep -q "/bucket/f2f2f2f2f2f2f2f2" "$T/page"'
q "DELETE FROM buckets WHERE kind = 'test-noframes'"

# ---- escaping ----
for p in "/bucket/$EVIL" / /queue; do
	get "$p" -H "$AUTH" >/dev/null
	checke "escaped on $p: no <script> or <img> from the store" \
		'! grep -qi -e "<script" -e "<img" -e "<b>\"" "$T/page" && ! grep -q "6.1.0-<b>" "$T/page"'
done
get "/bucket/$EVIL" -H "$AUTH" >/dev/null
checke "the report's line shown escaped" 'grep -qF "BUG: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;s&#39;" "$T/page"'
checke "the resolution shown escaped, its URL a link" \
	'grep -qF "frees it twice &lt;script&gt;x()&lt;/script&gt;" "$T/page" && ! grep -qF "href=\"https://wiki.example.org/a?b=1&amp;c=&lt;2&gt;\"" "$T/page"'

# ---- CSRF ----
get / -H "$AUTH" >/dev/null
CSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/page" | head -n 1)
get / -b "$T/jar" >/dev/null
CSRF_COOKIE=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/page" | head -n 1)
check "a CSRF token of 64 hex digits" [ ${#CSRF} = 64 ]
check "another session, another CSRF token" [ "$CSRF" != "$CSRF_COOKIE" ]
post() { # path form [curl options]
	_p=$1 _f=$2
	shift 2
	get "$_p" -d "$_f" "$@"
}
F="bucket=$BIG&label=hardware&back=bucket"
check "no CSRF token: 403" [ "$(post /label "$F" -H "$AUTH")" = 403 ]
check "a wrong CSRF token: 403" [ "$(post /label "$F&csrf=$(printf %064d 1)" -H "$AUTH")" = 403 ]
check "another session's CSRF token: 403" [ "$(post /label "$F&csrf=$CSRF_COOKIE" -H "$AUTH")" = 403 ]
check "the certificate with the token's CSRF token: 403" [ "$(post /label "$F&csrf=$CSRF" $CERT)" = 403 ]
check "another Origin: 403" [ "$(post /label "$F&csrf=$CSRF_COOKIE" -b "$T/jar" -H 'Origin: https://evil.example')" = 403 ]
check "Origin null: 403" [ "$(post /label "$F&csrf=$CSRF_COOKIE" -b "$T/jar" -H 'Origin: null')" = 403 ]
check "Sec-Fetch-Site cross-site: 403" \
	[ "$(post /label "$F&csrf=$CSRF_COOKIE" -b "$T/jar" -H 'Sec-Fetch-Site: cross-site')" = 403 ]
check "none of these set a label" [ -z "$(q "SELECT human_label FROM buckets WHERE human_label IS NOT NULL")" ]
check "the right token, Origin and Sec-Fetch-Site: 303" \
	[ "$(post /label "$F&csrf=$CSRF_COOKIE" -b "$T/jar" -H "Origin: $URL" -H 'Sec-Fetch-Site: same-origin')" = 303 ]
check "the bucket is labelled hardware by the web (token)" \
	[ "$(q "SELECT human_label || '|' || labelled_by FROM buckets WHERE id = '$BIG'")" = "hardware|web (token)" ]
check "and so is every one of its cases" \
	[ "$(q "SELECT count(*) FROM cases WHERE bucket = '$BIG' AND human_label = 'hardware'")" = "$(q "SELECT count(*) FROM cases WHERE bucket = '$BIG'")" ]
get "/bucket/$BIG" $CERT >/dev/null
CSRF_CERT=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/page" | head -n 1)
check "a resolution through the form (certificate): 303" \
	[ "$(post /resolve "bucket=$BIG&cause=psdev+1.1+frees+twice&advice=update+%C3%A0+1.2&url=https%3A%2F%2Fex.org%2Fp&csrf=$CSRF_CERT&by=mallory" $CERT)" = 303 ]
# the subject as mbedTLS writes it: RFC 2253's order reversed, ", " between
SUBJ=$(openssl x509 -in "$T/pki/client.crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=//' |
	"$PY" -c 'import sys; print(", ".join(reversed(sys.stdin.read().strip().split(","))))')
check "stored as label --resolve stores it, by the certificate's subject" \
	[ "$(q "SELECT cause || '|' || advice || '|' || url || '|' || resolved_by FROM buckets WHERE id = '$BIG'")" = "psdev 1.1 frees twice|update à 1.2|https://ex.org/p|$SUBJ" ]
"$PS" label --db "$DB" --show "$(q "SELECT id FROM cases WHERE bucket = '$BIG' LIMIT 1")" >"$T/show" 2>&1
check "label --show sees it" grep -q "known problem: psdev 1.1 frees twice" "$T/show"
check "the resolution removed through the form" \
	[ "$(post /resolve "bucket=$BIG&clear=1&csrf=$CSRF" -H "$AUTH")" = 303 ]
check "removed in the store" [ -z "$(q "SELECT cause FROM buckets WHERE id = '$BIG'")" ]
check "sign out (303) clears the cookie" [ "$(post /logout "csrf=$CSRF_COOKIE" -b "$T/jar" -c "$T/jar2")" = 303 ]

# ---- bad input: every one a 4xx, never a crash ----
bad_get() { # status path
	check "GET $2 is $1" [ "$(get "$2" -H "$AUTH" --path-as-is)" = "$1" ]
}
bad_get 400 /bucket/zzzz
bad_get 400 /bucket/
bad_get 400 /bucket/12
bad_get 400 "/bucket/$BIG$BIG"
bad_get 404 /bucket/0000000000000000
bad_get 400 "/bucket/$BIG?x=1"
bad_get 400 "/bucket/%00"
bad_get 400 "/?days=abc"
bad_get 400 "/?days=1"
bad_get 400 "/?days=99999999999999999999"
bad_get 400 "/?days=7&days=8"
bad_get 400 "/?x=1"
bad_get 400 "/?days=%zz"
bad_get 400 "/?days"
bad_get 400 "/?&"
bad_get 400 "/queue?days=7"
bad_get 404 "/../../etc/passwd"
bad_get 404 "/%2e%2e/etc/passwd"
bad_get 404 "/queue/"
bad_get 405 /label
bad_get 414 "/?days=$(head -c 3000 /dev/zero | tr '\0' 7)"
check "POST to a page is 405" [ "$(post / "csrf=$CSRF" -H "$AUTH")" = 405 ]
AUTHL="$AUTH
"
rawreq() { # status description request...
	_st=$1 _d=$2
	shift 2
	check "$_d is $_st" [ "$(printf "$@" | raw)" = "$_st" ]
}
rawreq 405 "HEAD" 'HEAD / HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n' "$AUTH"
rawreq 405 "PUT" 'PUT / HTTP/1.1\r\nHost: x\r\n%s\r\nContent-Length: 0\r\n\r\n' "$AUTH"
rawreq 505 "HTTP/2.0" 'GET / HTTP/2.0\r\nHost: x\r\n%s\r\n\r\n' "$AUTH"
rawreq 400 "no Host" 'GET / HTTP/1.1\r\n%s\r\n\r\n' "$AUTH"
rawreq 400 "two Hosts" 'GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n%s\r\n\r\n' "$AUTH"
rawreq 400 "an absolute target" 'GET https://x/ HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n' "$AUTH"
rawreq 400 "a bare LF" 'GET / HTTP/1.1\nHost: x\r\n%s\r\n\r\n' "$AUTH"
rawreq 400 "a folded header" 'GET / HTTP/1.1\r\nHost: x\r\n %s\r\n\r\n' "$AUTH"
rawreq 400 "a header without colon" 'GET / HTTP/1.1\r\nHost: x\r\nnocolon\r\n%s\r\n\r\n' "$AUTH"
rawreq 400 "a control byte in a header" 'GET / HTTP/1.1\r\nHost: x\001\r\n%s\r\n\r\n' "$AUTH"
rawreq 400 "a space in the target" 'GET /a b HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n' "$AUTH"
rawreq 400 "a GET with a body" 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n%s\r\n\r\nabc' "$AUTH"
rawreq 411 "a POST without length" 'POST /label HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n' "$AUTH"
rawreq 501 "a chunked POST" 'POST /label HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n%s\r\n\r\n0\r\n\r\n' "$AUTH"
rawreq 413 "a POST of 20000 bytes" 'POST /label HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n%s\r\n\r\n' "$AUTH"
rawreq 400 "two lengths" 'POST /label HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n%s\r\n\r\nx' "$AUTH"
rawreq 400 "a negative length" 'POST /label HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n%s\r\n\r\n' "$AUTH"
rawreq 400 "more body than announced" 'POST /label HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n%s\r\n\r\nxy' "$AUTH"
rawreq 431 "a head of 9000 bytes" "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: $(head -c 9000 /dev/zero | tr '\0' a)\r\n%s\r\n\r\n" "$AUTH"
rawreq 400 "garbage" '\026\003\001garbage\r\n\r\n'
# forms with the right session and bad fields
C="csrf=$CSRF"
bad_post() { # status path form
	check "POST $2 '$(printf %.70s "${3#*&}")' is $1" [ "$(post "$2" "$3" -H "$AUTH")" = "$1" ]
}
bad_post 400 /label "$C&bucket=$EVIL&label=nonsense"
bad_post 400 /label "$C&bucket=$EVIL&label="
bad_post 400 /label "$C&bucket=$EVIL"
bad_post 400 /label "$C&bucket=zz&label=hardware"
bad_post 400 /label "$C&bucket=$(printf %.8s "$EVIL")&label=hardware"
bad_post 404 /label "$C&bucket=0000000000000000&label=hardware"
bad_post 400 /label "$C&bucket=$EVIL&label=hardware&evil=1"
bad_post 400 /label "$C&bucket=$EVIL&label=hardware&label=null-deref"
bad_post 400 /label "$C&bucket=$EVIL&label=hard%zzware"
bad_post 400 /label "$C&bucket=$EVIL&label=hardware&&"
bad_post 400 /label "$C&bucket=$EVIL&label=hardware&by=a%0ab"
bad_post 400 /label "$C&bucket=$EVIL&label=hardware&by=$(head -c 200 /dev/zero | tr '\0' a)"
bad_post 400 /label "$C&bucket=$EVIL&=x&label=hardware"
bad_post 400 /resolve "$C&bucket=$EVIL&cause="
bad_post 400 /resolve "$C&bucket=$EVIL"
bad_post 400 /resolve "$C&bucket=$EVIL&cause=a%01b"
bad_post 400 /resolve "$C&bucket=$EVIL&cause=a%c2%85b"
bad_post 400 /resolve "$C&bucket=$EVIL&cause=a%ffb"
bad_post 400 /resolve "$C&bucket=$EVIL&cause=a%00b"
bad_post 400 /resolve "$C&bucket=$EVIL&cause=$(head -c 300 /dev/zero | tr '\0' a)"
bad_post 400 /resolve "$C&bucket=$EVIL&cause=x&advice=$(head -c 600 /dev/zero | tr '\0' a)"
bad_post 400 /resolve "$C&bucket=$EVIL&cause=x&url=javascript%3Aalert(1)"
bad_post 400 /resolve "$C&bucket=$EVIL&cause=x&url=data%3Atext%2Fhtml%2C%3Cscript%3E"
bad_post 400 /resolve "$C&bucket=$EVIL&cause=x&url=https%3A%2F%2Fa+b"
bad_post 400 /resolve "$C&bucket=$EVIL&cause=x&url=https%3A%2F%2Fa%22onmouseover%3D"
check "POST as text/plain is 415" [ "$(post /label "$C&bucket=$EVIL&label=hardware" -H "$AUTH" -H 'Content-Type: text/plain')" = 415 ]
check "POST with a JSON body is 415" [ "$(post /label '{"label":"hardware"}' -H "$AUTH" -H 'Content-Type: application/json')" = 415 ]
check "none of the bad forms changed the store" \
	[ "$(q "SELECT count(*) FROM buckets WHERE human_label IS NOT NULL OR (cause IS NOT NULL AND cause != '' AND id != '$EVIL')")" = 1 ]
check "the resolution set by label --resolve is untouched" \
	[ "$(q "SELECT cause FROM buckets WHERE id = '$EVIL'")" = 'frees it twice <script>x()</script>' ]

# ---- timeouts: a client that stops sending is closed (--timeout 3) ----
checke "a half-sent request is answered 408 or closed" \
	'case $(printf "GET / HTTP/1.1\r\nHost: x\r\n" | raw) in 408|closed) true ;; *) false ;; esac'
checke "a slow one too" \
	'case $(printf "GET / HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n" "$AUTH" | raw --slow 0.5) in 408|closed) true ;; *) false ;; esac'

check "the server is still up" [ "$(get / -H "$AUTH")" = 200 ]
check "web still running" kill -0 "$WEB_PID"
stop_web
checke "no crash or sanitizer report in its log" '! grep -q -e "runtime error" -e Sanitizer "$T/web.log"'
check "bad usage: exit 2" sh -c "\"$PS\" web --db \"$DB\" >/dev/null 2>&1; [ \$? = 2 ]"
printf 'short\n' >"$T/short"
check "a token of 5 characters: exit 2" sh -c "\"$PS\" web --listen 127.0.0.1:0 --db \"$DB\" --ca \"$T/pki/ca.crt\" --cert \"$T/pki/server.crt\" --key \"$T/pki/server.key\" --token-file \"$T/short\" >/dev/null 2>&1; [ \$? = 2 ]"
finish "web ($STORE)"
