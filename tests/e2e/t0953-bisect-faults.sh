#!/usr/bin/env bash
# perfgate bisect when the repository or a build fails under it: a commit
# that does not build is skipped, the tail of its log (the compiler's error)
# saved and the journal saying why (C3); a tree object missing from the
# object database (C9): the libgit2 message with the oid, exit 4, the journal
# kept, and once the object is back --continue finishes from it.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/bisect-repo.sh"
test_begin "perfgate bisect: broken builds and a missing object"
jqt() { jq -e "$@" >/dev/null; }

repo=$TRASH/repo
# 8 commits: 4 does not build (the first midpoint), 5 fixes it, 6 the culprit
make_bisect_repo "$repo" 8 6 4 0 || { not_ok "make the repository"; test_done; }
state=$repo/.git/perfgate/bisect
before=$(tree_state "$repo")

# C9: the culprit's tree is always checked out (a step or the confirmation)
tree=$(git -C "$repo" rev-parse "$BISECT_CULPRIT_OID^{tree}")
obj=$repo/.git/objects/${tree:0:2}/${tree:2}
expect_true "C9: the tree is a loose object" -- test -f "$obj"
mv "$obj" "$TRASH/tree.obj"
expect_exit 4 "C9: a missing tree object" -- "$PERFGATE" -C "$repo" bisect good..main --metric cpu --json "$TRASH/b.json"
expect_grep "C9: the libgit2 message names the commit and the object" "commit ${BISECT_CULPRIT_OID:0:7}: .*$tree" "$TRASH/err"
expect_no_grep "C9: no sanitizer report" 'Sanitizer|runtime error' "$TRASH/err"
expect_true "C9: no report written" -- test ! -e "$TRASH/b.json"
expect_true "C9: the journal is kept, with the steps before" -- test "$(grep -cE '^(class|skip) ' "$state/journal")" -ge 1
measured=$(grep -cE '^(pair|trip) ' "$state/journal")
expect_true "C9: checkout byte-identical" -- test "$before" = "$(tree_state "$repo")"
expect_exit 2 "C9: a new bisect is refused while that one is unfinished" -- "$PERFGATE" -C "$repo" bisect good..main
mv "$TRASH/tree.obj" "$obj"
expect_exit 0 "C9: with the object back, --continue finishes" -- "$PERFGATE" -C "$repo" bisect --continue
expect_true "C9: the planted commit" -- jqt --arg c "$BISECT_CULPRIT_OID" '.culprit.commit == $c' "$TRASH/b.json"
expect_true "C9: what was measured is replayed" -- jqt --argjson m "$measured" '.replayed >= $m' "$TRASH/b.json"

# C3: the broken commit
expect_true "C3: the broken commit was skipped for its build" -- jqt --arg c "$BISECT_BROKEN_OID" '[.steps[] | select(.commit == $c and .class == "skipped" and .reason == "build")] | length == 1' "$TRASH/b.json"
expect_grep "C3: the journal says why" "^skip $BISECT_BROKEN_OID build" "$state/journal"
log=$state/logs/$BISECT_BROKEN_OID.build.log
expect_grep "C3: its log names the commit and the command" "commit ${BISECT_BROKEN_OID:0:7}: build failed \(exited with [0-9]+\): make -s bench" "$log"
expect_grep "C3: its log holds the compiler's error" 'helpers\.c:[0-9]+:[0-9]+: error' "$log"
expect_true "C3: only the broken commit has a log" -- test "$(ls "$state/logs" | wc -l)" -eq 1
expect_grep "C3: --log shows the skip" "^step [0-9]+: ${BISECT_BROKEN_OID:0:7} skipped \(build failed\)" <("$PERFGATE" -C "$repo" bisect --log)
expect_true "checkout byte-identical" -- test "$before" = "$(tree_state "$repo")"
test_done
