#!/usr/bin/env bash
# The reusable workflow's own shell steps, taken from
# .github/workflows/perfgate-gate.yml and run as GitHub runs them
# (bash -eo pipefail) with the real binary: the measure job's check step
# records the gate's exit code and fills the step summary; the report job's
# comment step posts one sticky comment (loopback fake API); its verdict step
# ends with the gate's exit code.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$PG_SRC/tests/lib/comment-lib.sh"
test_begin "perfgate-gate.yml's steps, run for real"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset GITHUB_TOKEN PERFGATE_GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_API_URL

# step JOB NAME FILE: write the step's run script to FILE
step() {
	"$PG_PYTHON" - "$PG_SRC/.github/workflows/perfgate-gate.yml" "$1" "$2" >"$3" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for s in doc["jobs"][sys.argv[2]]["steps"]:
    if s.get("name") == sys.argv[3]:
        print(s["run"])
        break
else:
    sys.exit("no step %r in job %s" % (sys.argv[3], sys.argv[2]))
PY
}
expect_true "the check step is there" -- step measure "perfgate check" "$TRASH/check.sh"
expect_true "the comment step is there" -- step report "Comment on the pull request" "$TRASH/comment.sh"
expect_true "the verdict step is there" -- step report "The gate's verdict" "$TRASH/verdict.sh"
checked=yes
"$PERFGATE" check --help 2>&1 | grep -q "not built yet" && checked=

# ---- measure: the check step in a workspace laid out as the job lays it out ----
ws=$TRASH/ws
make_repo "$ws/project"
cat >"$ws/project/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: tiny
    run: "true"
    repeat: { min: 3, max: 6 }
budgets:
  tiny:
    wall: { max: 10s }
YML
commit_all "$ws/project" "base"
base=$(git -C "$ws/project" rev-parse HEAD)
echo "# a change" >"$ws/project/NOTES"
commit_all "$ws/project" "head"
printf '{"number": 7, "pull_request": {"number": 7, "base": {"sha": "%s"}}}\n' "$base" >"$TRASH/event.json"
: >"$TRASH/github_output"
: >"$TRASH/summary"
run_check() {
	(cd "$ws" && env PATH="$(dirname "$PERFGATE"):$PATH" GITHUB_ACTIONS=true CI=true \
		GITHUB_EVENT_PATH="$TRASH/event.json" GITHUB_EVENT_NAME=pull_request \
		GITHUB_OUTPUT="$TRASH/github_output" GITHUB_STEP_SUMMARY="$TRASH/summary" \
		WORKDIR=project/. CONFIG=perfgate.yml REQUIRE_BASE_BUDGETS="$1" OUT="$ws/perfgate-out" \
		bash -eo pipefail "$TRASH/check.sh")
}
expect_exit 0 "the check step itself succeeds, whatever the verdict" -- run_check ""
code=$(sed -n 's/^exit-code=//p' "$TRASH/github_output")
expect_true "it records the exit code as a step output" -- test -n "$code"
expect_true "and in the artifact's exit-code.txt" -- test "$(cat "$ws/perfgate-out/exit-code.txt")" = "$code"
if [ -n "$checked" ]; then
	expect_true "the gate passes (exit 0)" -- test "$code" = 0
	for f in report.json results.xml summary.md metrics.txt; do
		expect_true "it wrote $f" -- test -s "$ws/perfgate-out/$f"
	done
	expect_true "the step summary holds the Markdown report" -- test -s "$TRASH/summary"
else
	echo "# skipped: perfgate check is not built yet: only the failure path of the step is run"
	expect_true "check not built: exit 2 recorded" -- test "$code" = 2
	expect_grep "the step summary says no report was written" 'ended with exit code 2 before writing a report' "$TRASH/summary"
fi
expect_exit 0 "with require-base-budgets" -- run_check yes

# ---- report: the comment step, against a loopback GitHub API ----
start_api gh
rws=$TRASH/rws
mkdir -p "$rws/perfgate-out"
if [ -n "$checked" ]; then
	cp "$ws/perfgate-out/report.json" "$ws/perfgate-out/summary.md" "$rws/perfgate-out/"
else
	printf '{"perfgate_report": 1, "metrics": []}\n' >"$rws/perfgate-out/report.json"
fi
run_comment() {
	(cd "$rws" && env PATH="$(dirname "$PERFGATE"):$PATH" GITHUB_ACTIONS=true \
		GITHUB_EVENT_PATH="$TRASH/event.json" GITHUB_REPOSITORY=octo/widgets \
		GITHUB_API_URL="$GITHUB_API_URL" GITHUB_TOKEN="$TOKEN" bash -eo pipefail "$TRASH/comment.sh")
}
expect_exit 0 "the comment step posts" -- run_comment
expect_true "one comment of ours on the pull request" -- test "$(ours gh)" = 1
expect_exit 0 "run again (a new push): it edits" -- run_comment
expect_true "still one comment, one PATCH" -- test "$(ours gh)/$(count gh PATCH)" = 1/1
expect_no_grep "the token is never printed" "$TOKEN" "$TRASH/out"
expect_no_grep "nor on stderr" "$TOKEN" "$TRASH/err"
if [ -n "$checked" ]; then
	# report.json rendered by comment is the Markdown check wrote: one renderer
	expect_true "the comment is the Markdown report, from report.json" -- jqe --rawfile md "$rws/perfgate-out/summary.md" \
		'.comments[] | select(.user == "github-actions[bot]") | .body == "<!-- perfgate:perfgate -->\n" + $md' "$TRASH/gh/state.json"
fi
expect_true "the comment names the gate's result" -- jqe \
	'.comments[] | select(.user == "github-actions[bot]") | .body | startswith("<!-- perfgate:perfgate -->\n## perfgate: ")' "$TRASH/gh/state.json"
rm "$rws/perfgate-out/report.json"
expect_exit 0 "no report.json: a warning, not a failure" -- run_comment
expect_grep "the warning is an annotation" '^::warning::perfgate: no report.json' "$TRASH/out"
no_violations gh

# ---- report: the verdict step ends with the gate's exit code ----
for c in 0 1 2 3 4; do
	expect_exit "$c" "verdict for exit code $c" -- env CODE=$c MEASURE=success bash -eo pipefail "$TRASH/verdict.sh"
done
expect_grep "a breach is an error annotation" '^::error::perfgate: ' "$TRASH/out"
expect_exit 4 "the measure job died before recording a code" -- env CODE= MEASURE=failure bash -eo pipefail "$TRASH/verdict.sh"
expect_grep "says so" 'the measure job did not finish \(failure\)' "$TRASH/out"
expect_exit 4 "a code that is not a number" -- env 'CODE=1; rm -rf /' MEASURE=success bash -eo pipefail "$TRASH/verdict.sh"

test_done
