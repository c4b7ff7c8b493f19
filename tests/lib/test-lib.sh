# test-lib.sh: shared helpers for tests/e2e/tNNNN-*.sh (after git's t/test-lib.sh).
#
# Each test script:
#   . "$(dirname "$0")/../lib/test-lib.sh"
#   test_begin "what this file tests"
#   ... make repos in $TRASH, run "$PERFGATE", check with the expect_* helpers ...
#   test_done
#
# Environment (set by ctest; defaults work from a build/ directory beside tests/):
#   PERFGATE      the perfgate binary under test
#   PG_SRC        the source tree
#   PG_TEST_DATA  tests/data
set -u

PG_SRC=${PG_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PERFGATE=${PERFGATE:-$PG_SRC/build/perfgate}
PG_TEST_DATA=${PG_TEST_DATA:-$PG_SRC/tests/data}
# Debian's python3 (with python3-junitparser), not whatever python3 is first on PATH.
PG_PYTHON=${PG_PYTHON:-/usr/bin/python3}
export PERFGATE PG_SRC PG_TEST_DATA PG_PYTHON

# Pinned identities and dates, so that commit ids repeat from run to run.
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL="author@example.com"
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL="committer@example.com"
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
export GIT_CONFIG_NOSYSTEM=1 HOME=${TMPDIR:-/tmp}
# No colour, no progress bars in test output.
export NO_COLOR=1
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY GITHUB_EVENT_PATH GITLAB_CI CI_MERGE_REQUEST_DIFF_BASE_SHA

_pg_tests=0
_pg_failed=0
_pg_name=$(basename "$0" .sh)

test_begin() {
	TRASH=$(mktemp -d "${TMPDIR:-/tmp}/pg-$_pg_name.XXXXXX")
	export TRASH
	trap 'test_cleanup' EXIT
	echo "# $_pg_name: $*"
}

test_cleanup() {
	if [ "$_pg_failed" -eq 0 ] || [ -z "${PG_KEEP_TRASH:-}" ]; then
		rm -rf "$TRASH"
	else
		echo "# trash kept in $TRASH"
	fi
}

ok() {
	_pg_tests=$((_pg_tests + 1))
	echo "ok $_pg_tests - $*"
}

not_ok() {
	_pg_tests=$((_pg_tests + 1))
	_pg_failed=$((_pg_failed + 1))
	echo "not ok $_pg_tests - $*"
}

# expect_exit CODE DESCRIPTION -- CMD ARGS...: run CMD, stdout to $TRASH/out,
# stderr to $TRASH/err, and check its exit code.
expect_exit() {
	local want=$1 desc=$2 got
	shift 2
	[ "$1" = "--" ] && shift
	"$@" >"$TRASH/out" 2>"$TRASH/err" </dev/null
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$desc (exit $got)"
	else
		not_ok "$desc: exit $got, wanted $want"
		echo "# command: $*"
		sed 's/^/# stdout: /' "$TRASH/out" | head -40
		sed 's/^/# stderr: /' "$TRASH/err" | head -40
	fi
}

# expect_grep DESCRIPTION PATTERN FILE: an extended regex must match a line of FILE.
expect_grep() {
	if grep -Eq -- "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1: /$2/ not found in $3"
		sed 's/^/# | /' "$3" | head -40
	fi
}

expect_no_grep() {
	if grep -Eq -- "$2" "$3"; then
		not_ok "$1: /$2/ found in $3"
		grep -E -- "$2" "$3" | sed 's/^/# | /' | head -20
	else
		ok "$1"
	fi
}

# expect_true DESCRIPTION -- CMD: CMD must succeed.
expect_true() {
	local desc=$1
	shift
	[ "$1" = "--" ] && shift
	if "$@"; then ok "$desc"; else not_ok "$desc (command failed: $*)"; fi
}

# make_repo DIR: a new git repository with pinned identity and dates.
make_repo() {
	git init -q -b main "$1" && git -C "$1" config user.name "A U Thor" &&
		git -C "$1" config user.email author@example.com
}

# commit_all DIR MESSAGE: commit everything; advances the pinned date by a minute.
commit_all() {
	git -C "$1" add -A && git -C "$1" commit -q -m "$2"
	_pg_tick=$(( ${_pg_tick:-0} + 60 ))
	export GIT_AUTHOR_DATE="@$((1767225600 + _pg_tick)) +0000" GIT_COMMITTER_DATE="@$((1767225600 + _pg_tick)) +0000"
}

# tree_state DIR: a fingerprint of a checkout (HEAD, branch, index, worktree incl. untracked).
tree_state() {
	(cd "$1" && git rev-parse HEAD && git symbolic-ref -q HEAD; git ls-files -s | sha256sum;
	 find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
}

test_done() {
	echo "# $_pg_tests tests, $_pg_failed failed"
	[ "$_pg_failed" -eq 0 ] && [ "$_pg_tests" -gt 0 ]
	exit $?
}
