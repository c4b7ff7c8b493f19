#!/usr/bin/env bash
# perfgate run --save: results kept as git notes (refs/notes/perfgate) on the
# commit measured, pushed to and fetched from another repository; results
# from another machine or config are never counted as alike.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate run --save: git notes"
jqt() { jq -e "$@" >/dev/null; }
note() { git -C "${2:-$repo}" notes --ref=perfgate show "${1:-HEAD}"; }

repo=$TRASH/repo
make_repo "$repo"
cat >"$repo/perfgate.yml" <<YML
version: 1
build: echo built > build.stamp
benchmarks:
  - name: tiny
    run: echo ran >> "$TRASH/ran.log"
    warmup: 0
    repeat: 2
YML
sed 's/repeat: 2/repeat: 3/' "$repo/perfgate.yml" >"$repo/other.yml"
echo build.stamp >"$repo/.gitignore" # build outputs that are not ignored make the tree dirty
commit_all "$repo" "initial"
head=$(git -C "$repo" rev-parse HEAD)
short=$(git -C "$repo" rev-parse --short=7 HEAD)

expect_exit 0 "run --save on a clean tree" -- "$PERFGATE" -C "$repo" run --save --json "$TRASH/r1.json"
expect_grep "says where it saved" "saved as a note on $short \(refs/notes/perfgate\): 1 result from this machine and config" "$TRASH/err"
expect_true "the build ran" -- test -f "$repo/build.stamp"
note >"$TRASH/note" 2>&1
expect_true "git sees a note on HEAD that jq reads" -- jqt '.perfgate_notes == 1 and (.results | length == 1)' "$TRASH/note"
expect_true "the note holds the result: commit, machine, config hash, samples" -- jqt --arg h "$head" --slurpfile r "$TRASH/r1.json" \
	'.results[0] | .commit == $h and .dirty == false and .machine.fingerprint == $r[0].machine.fingerprint and .config_hash == $r[0].config_hash and .benchmarks[0].name == "tiny" and (.benchmarks[0].metrics[] | select(.name == "wall") | .samples == ($r[0].benchmarks[0].metrics[] | select(.name == "wall") | .samples))' "$TRASH/note"

expect_exit 0 "a second --save appends" -- "$PERFGATE" -C "$repo" run --save
expect_grep "2 results now" ": 2 results from this machine and config$" "$TRASH/err"
note >"$TRASH/note"
expect_true "two results in the note" -- jqt '.results | length == 2' "$TRASH/note"

# a dirty tree: refused before anything runs (exit 2), nothing noted
echo scratch >"$repo/untracked.txt"
: >"$TRASH/ran.log"
rm -f "$repo/build.stamp"
expect_exit 2 "--save on a dirty tree" -- "$PERFGATE" -C "$repo" run --save
expect_grep "says why and what to do" "the tree differs from HEAD $short .*--allow-dirty" "$TRASH/err"
expect_true "nothing was built" -- test ! -e "$repo/build.stamp"
expect_true "nothing was run" -- test ! -s "$TRASH/ran.log"
note >"$TRASH/note"
expect_true "the note is unchanged" -- jqt '.results | length == 2' "$TRASH/note"
expect_exit 0 "--save --allow-dirty" -- "$PERFGATE" -C "$repo" run --save --allow-dirty
expect_grep "marked dirty, not counted as comparable" "saved as a note on $short \(refs/notes/perfgate\), marked dirty: 2 results" "$TRASH/err"
note >"$TRASH/note"
expect_true "the third result is marked dirty" -- jqt '.results | length == 3 and .[2].dirty == true and .[0].dirty == false' "$TRASH/note"
rm -f "$repo/untracked.txt"
expect_exit 2 "--allow-dirty without --save" -- "$PERFGATE" -C "$repo" run --allow-dirty

# a result from another machine (another CPU model) is never counted as alike
jq -c '.results += [.results[0] | .machine.cpu_model = "Other CPU 9000" | .machine.fingerprint = "0000000000000000"]' \
	"$TRASH/note" >"$TRASH/note2"
git -C "$repo" notes --ref=perfgate add -f -F "$TRASH/note2" HEAD 2>/dev/null
expect_exit 0 "--save beside another machine's result" -- "$PERFGATE" -C "$repo" run --save
expect_grep "the other machine is named as not compared" ": 3 results from this machine and config; not compared: 1 from other machines, 0 from other configs" "$TRASH/err"
# even with a forged fingerprint: the fingerprint is recomputed from the parts
jq -c '.results += [.results[0] | .machine.cores = 999]' "$TRASH/note2" >"$TRASH/note3"
git -C "$repo" notes --ref=perfgate add -f -F "$TRASH/note3" HEAD 2>/dev/null
expect_exit 0 "--save beside a result claiming this fingerprint with other cores" -- "$PERFGATE" -C "$repo" run --save
expect_grep "recomputed, not trusted" "; not compared: 2 from other machines" "$TRASH/err"
# another config on the same machine
expect_exit 0 "--save with another config" -- "$PERFGATE" -C "$repo" run --save -c other.yml
expect_grep "other config not compared" ": 1 result from this machine and config; not compared: 2 from other machines, [1-9][0-9]* from other configs" "$TRASH/err"

# a failing benchmark: nothing saved
n_before=$(note | jq '.results | length')
cat >"$TRASH/fail.yml" <<'YML'
version: 1
benchmarks:
  - name: boom
    run: exit 3
YML
expect_exit 4 "--save with a failing benchmark" -- "$PERFGATE" -C "$repo" run --save -c "$TRASH/fail.yml"
expect_grep "nothing saved" "nothing saved" "$TRASH/err"
expect_true "the note is unchanged" -- test "$(note | jq '.results | length')" = "$n_before"

# a hand-written note is never overwritten
git -C "$repo" commit -q --allow-empty -m second
git -C "$repo" notes --ref=perfgate add -m "written by a human" HEAD
expect_exit 4 "--save onto a note that is not perfgate's" -- "$PERFGATE" -C "$repo" run --save
expect_grep "names the note and commit" "note refs/notes/perfgate on [0-9a-f]{7}" "$TRASH/err"
expect_true "the human's note is intact" -- test "$(note)" = "written by a human"
git -C "$repo" reset -q --hard HEAD~1

# outside a repository
mkdir "$TRASH/plain"
cp "$repo/perfgate.yml" "$TRASH/plain/"
expect_exit 2 "--save outside a repository" -- "$PERFGATE" -C "$TRASH/plain" run --save
expect_grep "says so" "not inside a git repository" "$TRASH/err"

# push the notes to another repository, fetch them into a clone
git init -q --bare -b main "$TRASH/shared.git"
expect_true "push the branch and the notes" -- git -C "$repo" push -q "$TRASH/shared.git" main refs/notes/perfgate
git clone -q "$TRASH/shared.git" "$TRASH/clone" 2>/dev/null
expect_true "the clone has no notes until it fetches them" -- test -z "$(git -C "$TRASH/clone" for-each-ref refs/notes)"
expect_true "fetch the notes" -- git -C "$TRASH/clone" fetch -q origin refs/notes/perfgate:refs/notes/perfgate
expect_true "the clone's note is the same" -- test "$(note HEAD "$TRASH/clone")" = "$(note)"
expect_exit 0 "--save in the clone reads the fetched results" -- "$PERFGATE" -C "$TRASH/clone" run --save
expect_grep "counts the results measured in the first repository" ": 4 results from this machine and config; not compared: 2 from other machines, 1 from other configs" "$TRASH/err"
expect_true "push back from the clone" -- git -C "$TRASH/clone" push -q origin refs/notes/perfgate
expect_true "fetch into the first repository (a fast-forward)" -- git -C "$repo" fetch -q "$TRASH/shared.git" refs/notes/perfgate:refs/notes/perfgate
note >"$TRASH/note"
expect_true "the first repository sees the clone's result" -- jqt '.results | length == 8' "$TRASH/note"

test_done
