#!/usr/bin/env bash
# perfgate bisect on a generated 32-commit history: a 2x slowdown planted in
# parse_field() at a known commit, neutral decoys, a commit that does not
# build (the first midpoint, so it is skipped) and a speedup after the
# culprit. The right commit and function are named; the user's checkout with
# local changes is byte-identical; --log, --reset; usage errors.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/bisect-repo.sh"
test_begin "perfgate bisect: commit and function"
jqt() { jq -e "$@" >/dev/null; }

repo=$TRASH/repo
make_bisect_repo "$repo" || { not_ok "make the repository"; test_done; }
expect_true "32 commits" -- test "$(git -C "$repo" rev-list --count main)" -eq 32

# a bad revision: exit 2, and no state is made
expect_exit 2 "unknown revision" -- "$PERFGATE" -C "$repo" bisect foo..main
expect_grep "names the revision" "unknown revision 'foo'" "$TRASH/err"
expect_true "no state directory" -- test ! -e "$repo/.git/perfgate/bisect"
expect_exit 2 "no range" -- "$PERFGATE" -C "$repo" bisect
expect_exit 2 "--continue with nothing to continue" -- "$PERFGATE" -C "$repo" bisect --continue

# the user's checkout: staged, unstaged and untracked changes, on a branch
git -C "$repo" checkout -q -b work
echo "staged" >>"$repo/NOTES" && git -C "$repo" add NOTES
echo "/* unstaged */" >>"$repo/helpers.c"
echo "untracked" >"$repo/scratch.txt"
before=$(tree_state "$repo")
refs() { git -C "$repo" for-each-ref --format='%(refname)' | grep -v '^refs/notes/perfgate$'; }
branches=$(refs)

expect_exit 0 "bisect finds the culprit" -- "$PERFGATE" -C "$repo" bisect good..main \
	--json "$TRASH/b.json" --markdown "$TRASH/b.md" --svg "$TRASH/b.svg"
cp "$TRASH/err" "$TRASH/bisect.err"
expect_true "the planted commit" -- jqt --arg c "$BISECT_CULPRIT_OID" '.culprit.commit == $c' "$TRASH/b.json"
expect_true "the planted function" -- jqt '.culprit.function == "parse_field"' "$TRASH/b.json"
# parse_field is 2x slower; under memcheck (tests/memcheck.sh) perfgate's own
# slower fork and wait dilute the whole benchmark's ratio (1.27x seen)
expect_true "confirmed, worse" -- jqt '.culprit.confirmed and .culprit.effect.verdict == "different" and .culprit.effect.change == "worse" and .culprit.effect.ratio > 1.15' "$TRASH/b.json"
expect_true "subject and author" -- jqt '.culprit.subject == "Validate fields twice" and .culprit.author == "A U Thor"' "$TRASH/b.json"
expect_true "class and next step" -- jqt '.culprit.class == "cpu" and (.culprit.next_step | length > 10)' "$TRASH/b.json"
expect_true "the commit touched it" -- jqt ".culprit.function_touched == true" "$TRASH/b.json"
expect_true "the function grew per run" -- jqt '.culprit.self_after > 1.5 * .culprit.self_before' "$TRASH/b.json"
expect_true "executions and wall_s" -- jqt '.executions > 10 and .wall_s > 0' "$TRASH/b.json"
expect_true "the broken commit was skipped" -- jqt --arg c "$BISECT_BROKEN_OID" '[.steps[] | select(.commit == $c and .class == "skipped" and .reason == "build")] | length == 1' "$TRASH/b.json"
expect_true "no commit measured twice" -- jqt '[.steps[].commit] | length == (unique | length)' "$TRASH/b.json"
expect_true "its build log is kept" -- grep -q "build failed" "$repo/.git/perfgate/bisect/logs/$BISECT_BROKEN_OID.build.log"
expect_grep "text: the commit" "^first bad commit: $BISECT_CULPRIT_OID" "$TRASH/out"
expect_grep "text: the function" '^function: +parse_field \(touched by the commit\): self .* per run' "$TRASH/out"
expect_grep "text: executions and time" 'executions: [0-9]+.*wall time' "$TRASH/out"
expect_grep "progress: steps, commits and steps left" '^perfgate: step [0-9]+: [0-9a-f]{7} is (good|bad|skipped) .*commits? left, ~[0-9]+ steps?' "$TRASH/bisect.err"
expect_grep "markdown names the commit" "Validate fields twice" "$TRASH/b.md"
expect_true "the flame graph is valid XML" -- xmllint --noout "$TRASH/b.svg"
expect_true "the flame graph shows parse_field" -- grep -q parse_field "$TRASH/b.svg"

# nothing of the user's was touched
expect_true "checkout, index and branch byte-identical" -- test "$before" = "$(tree_state "$repo")"
expect_true "no branch or ref made (but the notes, t0804)" -- test "$branches" = "$(refs)"
expect_true "no git worktree registered" -- test "$(git -C "$repo" worktree list | wc -l)" -eq 1

# --log, then a new bisect is refused while one is unfinished (simulated), --reset
expect_exit 0 "--log" -- "$PERFGATE" -C "$repo" bisect --log
expect_grep "--log shows the steps" '^step [0-9]+: [0-9a-f]{7} skipped \(build failed\)' "$TRASH/out"
expect_grep "--log shows the end" '^done: found [0-9a-f]{7}' "$TRASH/out"
expect_exit 0 "--continue on a finished bisect" -- "$PERFGATE" -C "$repo" bisect --continue
expect_exit 0 "--reset" -- "$PERFGATE" -C "$repo" bisect --reset
expect_true "the state is gone" -- test ! -e "$repo/.git/perfgate/bisect"
expect_true "the worktrees are gone" -- test -z "$(ls "$repo/.git/perfgate/worktrees" 2>/dev/null)"
expect_exit 0 "--reset when idle" -- "$PERFGATE" -C "$repo" bisect --reset
mkdir -p "$repo/.git/perfgate/bisect" && printf 'garbage\0\xff\n' >"$repo/.git/perfgate/bisect/journal"
expect_exit 4 "--continue on a garbage journal" -- "$PERFGATE" -C "$repo" bisect --continue
expect_grep "names the journal line" 'journal:1: not a perfgate bisect journal line' "$TRASH/err"
expect_exit 0 "--reset with garbage state" -- "$PERFGATE" -C "$repo" bisect --reset
expect_true "checkout still identical" -- test "$before" = "$(tree_state "$repo")"
test_done
