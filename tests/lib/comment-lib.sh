# comment-lib.sh: helpers shared by the tests of perfgate comment (tests/e2e/t070*.sh).
# Source after test-lib.sh and test_begin. Sets TOKEN; defines start_api (the
# fake GitHub/GitLab API of fake_api.py on loopback), pgc (run perfgate keeping
# all output for the token check), count, jqe, ours and no_violations.
TOKEN=ghs_test_token_0123456789
start_api() { # start_api DIR ARGS...: a fake API logging into $TRASH/DIR; sets API_PORT, API_PID
	local dir=$1
	shift
	eval "$("$PG_PYTHON" "$PG_SRC/tests/lib/fake_api.py" --daemon --watch-pid $$ \
		--dir "$TRASH/$dir" --token "$TOKEN" "$@")"
	export GITHUB_API_URL=http://127.0.0.1:$API_PORT
}
pgc() { # pgc [env args] PERFGATE ARGS...: run it, keeping every output for the token check
	env "$@" >"$TRASH/o1" 2>"$TRASH/e1"
	local rc=$?
	cat "$TRASH/o1"
	cat "$TRASH/e1" >&2
	cat "$TRASH/o1" "$TRASH/e1" >>"$TRASH/all-output"
	return $rc
}
count() { # count DIR METHOD [STATUS]: requests seen by the fake API in DIR
	jq -s --arg m "$2" --arg s "${3:-}" \
		'map(select(.method == $m and ($s == "" or (.status | tostring) == $s))) | length' \
		"$TRASH/$1/requests.log"
}
jqe() { jq -e "$@" >/dev/null; }
ours() { jq '[.comments[] | select(.user == "github-actions[bot]")] | length' "$TRASH/$1/state.json"; }
no_violations() { # no_violations DIR
	expect_true "$1: the fake API saw no protocol violation" -- test ! -s "$TRASH/$1/violations.log"
	sed 's/^/# /' "$TRASH/$1/violations.log"
}
