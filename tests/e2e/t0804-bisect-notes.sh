#!/usr/bin/env bash
# perfgate bisect keeps each measured commit's samples as a git note
# (refs/notes/perfgate) with this machine's fingerprint and the config hash:
# the notes hold exactly the samples the journal has, a commit whose note is
# not perfgate's is a warning (left as it was), the notes push to a bare
# repository and fetch into a clone, the user's checkout stays byte-identical,
# and --no-notes writes none.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/bisect-repo.sh"
test_begin "perfgate bisect: measurements kept as git notes"
jqt() { jq -e "$@" >/dev/null; }
notes() { git -C "${1:-$repo}" notes --ref=perfgate list; }

# 8 commits, the 2x slowdown at commit 5, no broken commit, no speedup
repo=$TRASH/repo
make_bisect_repo "$repo" 8 5 0 0 || { not_ok "make the repository"; test_done; }
journal=$repo/.git/perfgate/bisect/journal
parent=$(git -C "$repo" rev-parse "$BISECT_CULPRIT_OID^")
bad=$(git -C "$repo" rev-parse main)
config_hash=$(sha256sum "$repo/perfgate.yml" | cut -d' ' -f1)

# the user's checkout: staged, unstaged and untracked changes, on a branch
git -C "$repo" checkout -q -b work
echo "staged" >>"$repo/NOTES" && git -C "$repo" add NOTES
echo "/* unstaged */" >>"$repo/helpers.c"
echo "untracked" >"$repo/scratch.txt"
before=$(tree_state "$repo")

# --no-notes: a one-commit range, and no note anywhere
expect_exit 0 "bisect --no-notes" -- "$PERFGATE" -C "$repo" bisect "$parent..$BISECT_CULPRIT_OID" --no-notes
expect_true "no notes ref" -- test -z "$(git -C "$repo" for-each-ref refs/notes)"
expect_grep "the journal says so" '^start .* notes=0$' "$journal"
expect_no_grep "no notes line" 'kept as notes' "$TRASH/err"
expect_exit 0 "--reset" -- "$PERFGATE" -C "$repo" bisect --reset

# a note on the bad end that is not perfgate's: a warning, left as it was
git -C "$repo" notes --ref=perfgate add -m "hand-written, not perfgate's" "$bad"
refs=$(git -C "$repo" for-each-ref --format='%(refname)' | grep -v '^refs/notes/')

expect_exit 0 "bisect with notes" -- "$PERFGATE" -C "$repo" bisect good..main --json "$TRASH/b.json"
cp "$TRASH/err" "$TRASH/bisect.err"
expect_true "the planted commit" -- jqt --arg c "$BISECT_CULPRIT_OID" '.culprit.commit == $c' "$TRASH/b.json"
expect_grep "the unwritable note is a warning naming the commit" \
	"^perfgate: warning: measurements not kept as a note: note refs/notes/perfgate on ${bad:0:7}:.*invalid JSON" "$TRASH/bisect.err"
expect_true "the hand-written note is unchanged" -- \
	test "$(git -C "$repo" notes --ref=perfgate show "$bad")" = "hand-written, not perfgate's"
machine=$(sed -n 's/^start .* machine=\([0-9a-f]*\) .*/\1/p' "$journal")
expect_true "the journal names the machine" -- test ${#machine} -eq 16

# every measured commit but the bad end has a note holding the journal's samples
measured=$( (echo "$BISECT_GOOD_OID"; echo "$parent"; echo "$BISECT_CULPRIT_OID"; jq -r '.steps[].commit' "$TRASH/b.json") | sort -u)
expect_true "a few commits were measured" -- test "$(echo "$measured" | wc -l)" -ge 3
n=0
for c in $measured; do
	n=$((n + 1))
	git -C "$repo" notes --ref=perfgate show "$c" >"$TRASH/note.$n" 2>/dev/null
	expect_true "${c:0:7}: a perfgate note of one result for this commit, machine and config" -- \
		jqt --arg c "$c" --arg m "$machine" --arg h "$config_hash" \
		'.perfgate_notes == 1 and (.results | length == 1) and (.results[0] | .commit == $c and .dirty == false and .machine.fingerprint == $m and .config_hash == $h and .benchmarks[0].name == "rows")' "$TRASH/note.$n"
	# the wall samples of this commit in the journal (pairs and triplets), sorted
	awk -v c="$c" '$1 == "pair" { if ($3 == c) print $4; if ($5 == c) print $6 }
		$1 == "trip" { if ($2 == c) print $3; if ($4 == c) print $5; if ($6 == c) print $7 }' \
		"$journal" | sort -g >"$TRASH/journal.$n"
	jq -r '.results[0].benchmarks[0].metrics[] | select(.name == "wall") | .samples[]' "$TRASH/note.$n" |
		sort -g >"$TRASH/noted.$n"
	expect_true "${c:0:7}: the note's wall samples are the journal's ($(wc -l <"$TRASH/journal.$n"))" -- \
		cmp -s "$TRASH/journal.$n" "$TRASH/noted.$n"
	expect_true "${c:0:7}: every metric of every run, and the run count" -- \
		jqt '.results[0].benchmarks[0] as $b | ($b.metrics | map(.name) | contains(["wall", "user", "sys", "cpu", "max_rss"])) and ($b.metrics | all(.samples | length == $b.runs)) and $b.warmup >= 1' "$TRASH/note.$n"
done
nmeasured=$(echo "$measured" | wc -l)
expect_grep "says how many commits were noted" "^perfgate: the measurements of $nmeasured commits kept as notes \(refs/notes/perfgate" "$TRASH/bisect.err"
expect_true "no note on a commit that was not measured" -- \
	test "$(notes | wc -l)" -eq $((nmeasured + 1))

# nothing of the user's was touched: only refs/notes/perfgate moved
expect_true "checkout, index and branch byte-identical" -- test "$before" = "$(tree_state "$repo")"
expect_true "no other ref made or moved" -- \
	test "$refs" = "$(git -C "$repo" for-each-ref --format='%(refname)' | grep -v '^refs/notes/')"
expect_true "git fsck is clean" -- git -C "$repo" fsck --no-progress --no-dangling

# shared: pushed to a bare repository, fetched into a clone
git init -q --bare "$TRASH/shared.git"
expect_exit 0 "push the branch and the notes" -- git -C "$repo" push -q "$TRASH/shared.git" main refs/notes/perfgate
expect_exit 0 "clone" -- git clone -q -b main "$TRASH/shared.git" "$TRASH/clone"
expect_exit 0 "fetch the notes" -- git -C "$TRASH/clone" fetch -q origin refs/notes/perfgate:refs/notes/perfgate
expect_true "the clone has the same notes" -- test "$(notes "$TRASH/clone")" = "$(notes)"
git -C "$TRASH/clone" notes --ref=perfgate show "$BISECT_GOOD_OID" >"$TRASH/clone.note" 2>/dev/null
expect_true "the clone's note on the good end has this machine's fingerprint" -- \
	jqt --arg m "$machine" '.results[0].machine.fingerprint == $m' "$TRASH/clone.note"
test_done
