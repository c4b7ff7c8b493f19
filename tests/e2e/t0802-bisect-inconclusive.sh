#!/usr/bin/env bash
# perfgate bisect when there is no single answer: the commit before the
# culprit does not build, so the first bad commit is one of two (exit 3, the
# exact set); and ends that do not differ (exit 3, nothing bisected).
# Metric cpu: less disturbed than wall by neighbours on a loaded machine.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/bisect-repo.sh"
test_begin "perfgate bisect: ambiguous and no difference"
jqt() { jq -e "$@" >/dev/null; }

repo=$TRASH/repo
# 32 commits, culprit 18, commit 17 does not build (18 fixes it), no speedup
make_bisect_repo "$repo" 32 18 17 0 || { not_ok "make the repository"; test_done; }
expect_exit 3 "skips leave two candidates" -- "$PERFGATE" -C "$repo" bisect --metric cpu good..main --json "$TRASH/a.json"
expect_grep "the exact candidate set" "^first bad commit could be any of: ${BISECT_BROKEN_OID:0:7} ${BISECT_CULPRIT_OID:0:7}\$" "$TRASH/out"
expect_true "JSON: ambiguous, no culprit, both candidates" -- jqt --arg a "$BISECT_BROKEN_OID" --arg b "$BISECT_CULPRIT_OID" '.status == "ambiguous" and .culprit == null and .candidates == [$a, $b]' "$TRASH/a.json"
expect_grep "where the build logs are" 'build logs in .*/\.git/perfgate/bisect/logs' "$TRASH/err"
expect_exit 0 "--log after it" -- "$PERFGATE" -C "$repo" bisect --log
expect_grep "--log: done ambiguous" '^done: ambiguous' "$TRASH/out"

# both ends before the culprit: the good end is not faster
good15=$(git -C "$repo" rev-parse main~20)
expect_exit 3 "ends that do not differ" -- "$PERFGATE" -C "$repo" bisect --metric cpu "good..$good15" --json "$TRASH/n.json"
expect_grep "says so" "good commit [0-9a-f]{7} is not faster than bad ${good15:0:7}" "$TRASH/out"
expect_true "JSON: no-difference, no steps" -- jqt '.status == "no-difference" and (.steps | length) == 0 and .culprit == null' "$TRASH/n.json"
# the bad end faster than the good one is no regression either
expect_exit 3 "reversed ends" -- "$PERFGATE" -C "$repo" bisect --metric cpu main~5 main
expect_exit 2 "good not an ancestor of bad" -- "$PERFGATE" -C "$repo" bisect main..good
test_done
