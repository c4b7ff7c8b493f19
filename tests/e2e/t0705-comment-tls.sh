#!/usr/bin/env bash
# perfgate comment over HTTPS with a self-signed certificate made here
# (RELIABILITY.md F7): refused by default with a TLS error, accepted with
# --cacert; a certificate for another name is refused even with --cacert.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate comment: certificates are always verified"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset GITHUB_TOKEN PERFGATE_GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_API_URL

. "$(dirname "$0")/../lib/comment-lib.sh"

export GITHUB_REPOSITORY=octo/widgets GITHUB_TOKEN=$TOKEN
printf '## perfgate: pass\n\nnothing slower\n' >"$TRASH/report.md"
comment() { pgc "$PERFGATE" comment --github --pr "${PR:-7}" "$@" "$TRASH/report.md"; }

# F2: a rejected token: named status and host, no retry, no token in the output.

mkcert() { # mkcert NAME SUBJECT_ALT_NAME
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=perfgate test" -addext "subjectAltName=$2" \
		-keyout "$TRASH/$1.key" -out "$TRASH/$1.pem" 2>/dev/null
}
expect_true "made a self-signed certificate for 127.0.0.1" -- mkcert ip IP:127.0.0.1
expect_true "made one for another name" -- mkcert other DNS:example.invalid
expect_true "made another for 127.0.0.1" -- mkcert ip2 IP:127.0.0.1

start_api tls --tls-cert "$TRASH/ip.pem" --tls-key "$TRASH/ip.key"
export GITHUB_API_URL=https://127.0.0.1:$API_PORT
expect_exit 0 "a self-signed certificate is refused: warning" -- comment
expect_grep "says it is a TLS error and how to trust a private CA" \
	"warning: comment not posted: GET https://127.0.0.1:$API_PORT/.*: TLS error: .*self.signed certificate.*\\(for a private CA, pass --cacert FILE\\)" "$TRASH/err"
expect_exit 5 "... exit 5 with --require-comment" -- comment --require-comment
expect_exit 5 "a different self-signed certificate is refused" -- comment --require-comment --cacert "$TRASH/ip2.pem"
expect_grep "... with a TLS error" 'TLS error: ' "$TRASH/err"
expect_true "nothing reached the API" -- test "$(wc -l <"$TRASH/tls/requests.log")" = 0

expect_exit 0 "--cacert trusts it" -- comment --require-comment --cacert "$TRASH/ip.pem"
expect_grep "posted" 'posted the comment on pull request #7' "$TRASH/out"
expect_true "one comment" -- test "$(ours tls)" = 1
no_violations tls
expect_exit 2 "an unreadable --cacert is a usage error" -- comment --cacert "$TRASH/nope.pem"
expect_grep "names the file" "cannot read --cacert '.*nope.pem'" "$TRASH/err"

start_api wrongname --tls-cert "$TRASH/other.pem" --tls-key "$TRASH/other.key"
export GITHUB_API_URL=https://127.0.0.1:$API_PORT
expect_exit 5 "a certificate for another name is refused even with --cacert" -- \
	comment --require-comment --cacert "$TRASH/other.pem"
expect_grep "... with a TLS error naming the mismatch" "TLS error: .*(does not match|no alternative certificate subject name matches)" "$TRASH/err"
expect_no_grep "the token never appears in any output" "$TOKEN" "$TRASH/all-output"
test_done
