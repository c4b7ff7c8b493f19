#!/usr/bin/env bash
# perfgate comment --gitlab against a loopback GitLab API v4 that checks every
# request: first note, later edit found on page 2 by X-Next-Page (notes come
# newest first), a project path URL-encoded, a rejected token, the job token.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate comment on a GitLab merge request"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset GITLAB_TOKEN PERFGATE_GITLAB_TOKEN CI_JOB_TOKEN CI_API_V4_URL CI_PROJECT_ID CI_PROJECT_PATH CI_MERGE_REQUEST_IID

TOKEN=glpat-test0123456789abcdef
start_api() { # start_api DIR ARGS...: a fake API logging into $TRASH/DIR; sets API_PORT, API_PID
	local dir=$1
	shift
	eval "$("$PG_PYTHON" "$PG_SRC/tests/lib/fake_api.py" --daemon --watch-pid $$ --flavor gitlab \
		--dir "$TRASH/$dir" --token "$TOKEN" "$@")"
	export CI_API_V4_URL=http://127.0.0.1:$API_PORT/api/v4
}
pgc() { # pgc [env args] PERFGATE ARGS...: run it, keeping every output for the token check
	env "$@" >"$TRASH/o1" 2>"$TRASH/e1"
	local rc=$?
	cat "$TRASH/o1"
	cat "$TRASH/e1" >&2
	cat "$TRASH/o1" "$TRASH/e1" >>"$TRASH/all-output"
	return $rc
}
count() { jq -s --arg m "$2" 'map(select(.method == $m)) | length' "$TRASH/$1/requests.log"; }
ours() { jq '[.comments[] | select(.user == "perfgate-bot")] | length' "$TRASH/$1/state.json"; }
jqe() { jq -e "$@" >/dev/null; }
no_violations() {
	expect_true "$1: the fake API saw no protocol violation" -- test ! -s "$TRASH/$1/violations.log"
	sed 's/^/# /' "$TRASH/$1/violations.log"
}

export CI_PROJECT_ID=group/widgets CI_MERGE_REQUEST_IID=3 GITLAB_TOKEN=$TOKEN
printf '## perfgate: pass\n\nnothing slower\n' >"$TRASH/report.md"

# 120 notes by others (some system notes), and 130 more after ours: newest
# first, ours is on page 2 when we come back; no Link header, X-Next-Page only.
start_api gl --seed 120 --chatter 130 --scenario no-link
expect_exit 0 "first run posts a note" -- pgc "$PERFGATE" comment --gitlab "$TRASH/report.md"
expect_grep "says it posted" 'posted comment [0-9]+ on merge request !3|posted the comment on merge request !3' "$TRASH/out"
expect_true "the project path was URL-encoded" -- \
	grep -q '"path": "/api/v4/projects/group%2Fwidgets/merge_requests/3/notes?per_page=100' "$TRASH/gl/requests.log"
expect_true "page 2 was read (X-Next-Page)" -- grep -q 'notes?per_page=100&page=2"' "$TRASH/gl/requests.log"
expect_true "one note of ours" -- test "$(ours gl)" = 1

printf '## perfgate: regression\n\nparse is 2.1x slower\n' >"$TRASH/report2.md"
expect_exit 0 "second run edits it" -- pgc "$PERFGATE" comment --gitlab "$TRASH/report2.md"
expect_grep "says it updated" 'updated comment [0-9]+ on merge request !3' "$TRASH/out"
expect_true "still one note of ours: one POST, one PUT" -- test "$(ours gl)/$(count gl POST)/$(count gl PUT)" = 1/1/1
expect_true "the note holds the new report" -- \
	jqe '.comments[] | select(.user == "perfgate-bot") | .body == "<!-- perfgate:perfgate -->\n## perfgate: regression\n\nparse is 2.1x slower\n"' "$TRASH/gl/state.json"
expect_exit 0 "a numeric project id and --mr work too" -- \
	pgc -u CI_MERGE_REQUEST_IID CI_PROJECT_ID=4242 "$PERFGATE" comment --gitlab --mr 3 "$TRASH/report.md"
expect_true "edited again" -- test "$(ours gl)/$(count gl POST)/$(count gl PUT)" = 1/1/2

# A report over GitHub's limit is well within GitLab's 1,000,000: not cut.
{ for i in $(seq 1 3000); do printf '| bench_%04d | 1.000 ms | 1.010 ms | +1.0%% |\n' "$i"; done; } >"$TRASH/big.md"
expect_exit 0 "a 140 kB report" -- pgc "$PERFGATE" comment --gitlab --marker big --require-comment "$TRASH/big.md"
expect_no_grep "nothing cut" 'lines cut' "$TRASH/err"
expect_true "posted whole" -- jqe --rawfile md "$TRASH/big.md" \
	'[.comments[] | select(.body == "<!-- perfgate:big -->\n" + $md)] | length == 1' "$TRASH/gl/state.json"
no_violations gl

expect_exit 0 "--dry-run" -- pgc "$PERFGATE" comment --gitlab --dry-run "$TRASH/report.md"
expect_grep "--dry-run shows the PUT" "^then PUT http://127.0.0.1:$API_PORT/api/v4/projects/group%2Fwidgets/merge_requests/3/notes/\\{id\\}" "$TRASH/out"
expect_grep "--dry-run hides the token" '^PRIVATE-TOKEN: \*\*\* \(from GITLAB_TOKEN\)' "$TRASH/out"

# A rejected token.
start_api bad --token glpat-another-token
expect_exit 5 "401 with --require-comment exits 5" -- pgc "$PERFGATE" comment --gitlab --require-comment "$TRASH/report.md"
expect_grep "names status, host and message" "token rejected \\(401\\) by 127.0.0.1:$API_PORT: 401 Unauthorized" "$TRASH/err"
no_violations bad

# The job token alone cannot post notes: say so.
expect_exit 2 "only CI_JOB_TOKEN: usage error" -- \
	pgc -u GITLAB_TOKEN CI_JOB_TOKEN=job-token-123 "$PERFGATE" comment --gitlab "$TRASH/report.md"
expect_grep "explains the job token" 'only CI_JOB_TOKEN is set, and the job token cannot post merge request notes: set GITLAB_TOKEN' "$TRASH/err"
expect_exit 2 "missing settings are named" -- \
	pgc -u CI_API_V4_URL -u CI_MERGE_REQUEST_IID "$PERFGATE" comment --gitlab "$TRASH/report.md"
expect_grep "names them" 'missing CI_API_V4_URL, a merge request \(--mr N, or CI_MERGE_REQUEST_IID\)' "$TRASH/err"
expect_exit 2 "--pr with --gitlab" -- pgc "$PERFGATE" comment --gitlab --pr 3 "$TRASH/report.md"

expect_no_grep "the token never appears in any output" "$TOKEN" "$TRASH/all-output"
test_done
