#!/usr/bin/env bash
# perfgate check --bmf: the head's numbers in the Bencher Metric Format,
# checked against the JSON report and read back by perfgate's own `output:
# bmf` reader; and check's report.json handed straight to perfgate comment,
# which renders the same Markdown that check wrote (one renderer).
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate check --bmf, and report.json to comment"
. "$(dirname "$0")/../lib/check-lib.sh"

repo=$TRASH/repo
check_repo "$repo"
# small and fast: the numbers, not the verdict, are under test
sed -i "s/repeat: { min: 6, max: 96 }/repeat: { min: 4, max: 8 }/; s/wall: { max: 10s, regress: 50% }/wall: { max: 10s }/" "$repo/perfgate.yml"
commit_all "$repo" "smaller" && git -C "$repo" tag -f base >/dev/null
echo "docs" >"$repo/README"
commit_all "$repo" "docs"

expect_exit 0 "check --bmf with --json and --markdown" -- "$PERFGATE" -C "$repo" check --base base \
	--bmf "$TRASH/head.bmf" --json "$TRASH/report.json" --markdown "$TRASH/summary.md"
expect_true "jq reads the BMF file: one benchmark" -- jqt 'type == "object" and keys == ["hot"]' "$TRASH/head.bmf"
# value = head median, lower/upper = min and max of the head samples, per metric of the report
expect_true "every metric of the report, as the head's median, min and max" -- jqt --slurpfile r "$TRASH/report.json" \
	'. as $b | ($r[0].metrics | length > 0) and all($r[0].metrics[] as $m | ($m.head.samples | sort) as $s |
		$b[$m.benchmark][$m.metric] == {value: $m.head.median, lower_value: $s[0], upper_value: $s[-1]})' "$TRASH/head.bmf"
expect_true "wall is there, in ns" -- jqt '.hot.wall.value > 1000' "$TRASH/head.bmf"

# --bmf - is stdout; the verdict moves to stderr
expect_exit 0 "check --bmf -" -- "$PERFGATE" -C "$repo" check --base base --bmf -
expect_true "stdout is the BMF document" -- jqt '.hot.wall.value > 0' "$TRASH/out"
expect_grep "the verdict is on stderr" '^result: pass' "$TRASH/err"
expect_exit 2 "--json - and --bmf - together" -- "$PERFGATE" -C "$repo" check --base base --bmf - --json -
expect_grep "says why" 'cannot both write to stdout' "$TRASH/err"

# read back as a benchmark's `output: bmf`
cp "$TRASH/head.bmf" "$TRASH/in.bmf"
cat >"$TRASH/rt.yml" <<YML
version: 1
benchmarks:
  - name: rt
    run: cat "$TRASH/in.bmf"
    output: bmf
    warmup: 0
    repeat: 1
YML
expect_exit 0 "perfgate run reads it back" -- "$PERFGATE" -C "$repo" run -c "$TRASH/rt.yml" --json "$TRASH/rt.json"
expect_true "the value came through" -- jqt --slurpfile b "$TRASH/head.bmf" \
	'.benchmarks[0].metrics[] | select(.name == "hot/wall") | .samples == [$b[0].hot.wall.value]' "$TRASH/rt.json"

# check's report.json straight to comment: no "markdown" needed
expect_true "report.json carries no markdown" -- jqt 'has("markdown") | not' "$TRASH/report.json"
expect_exit 0 "comment --dry-run report.json" -- env GITHUB_REPOSITORY=octo/widgets \
	"$PERFGATE" comment --github --pr 7 --dry-run "$TRASH/report.json"
expect_grep "the body is the Markdown report" '"body":"<!-- perfgate:perfgate -->\\n## perfgate: ' "$TRASH/out"
sed -n '$p' "$TRASH/out" | jq -j .body >"$TRASH/body.md"
printf '<!-- perfgate:perfgate -->\n' | cat - "$TRASH/summary.md" >"$TRASH/want.md"
expect_true "exactly the Markdown check wrote" -- cmp -s "$TRASH/body.md" "$TRASH/want.md"
expect_exit 0 "GitLab too" -- env CI_API_V4_URL=https://gitlab.invalid/api/v4 CI_PROJECT_ID=5 \
	"$PERFGATE" comment --gitlab --mr 3 --dry-run "$TRASH/report.json"
test_done
