#!/usr/bin/env bash
# RELIABILITY E8 (full file system: run, fold and check), E9 (stdout /dev/full or closed), G4
# (TMPDIR unusable), and output piped into `head`: a message that names the
# file or TMPDIR, exit 4, the earlier file intact, no temporary files.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "outputs: full disk, full or closed stdout, bad TMPDIR, head"
not_grep() { ! grep -qE "$@"; }

repo=$TRASH/repo
make_repo "$repo"
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: quick
    run: "true"
YML
commit_all "$repo" "quick"

# A perf script text of 20,000 distinct stacks (about 1.5 MB folded).
awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "prog 1/1 [000] 1.0: 1000 cpu-clock:\n\t1 f%d+0x1 (/bin/x)\n\t2 main+0x2 (/bin/x)\n\n", i }' \
	>"$TRASH/big.txt"

# E9: stdout is /dev/full, or closed.
expect_exit 4 "fold to a full stdout" -- sh -c '"$PERFGATE" fold "$1" >/dev/full' sh "$TRASH/big.txt"
expect_grep "names stdout and the cause" 'perfgate: write to stdout: No space left on device' "$TRASH/err"
expect_exit 4 "fold to a closed stdout" -- sh -c '"$PERFGATE" fold "$1" >&-' sh "$TRASH/big.txt"
expect_grep "names stdout" 'perfgate: write to stdout: ' "$TRASH/err"
expect_exit 4 "run with a full stdout" -- sh -c '"$PERFGATE" -C "$1" run >/dev/full' sh "$repo"
expect_grep "run names stdout" 'write to stdout: No space left on device' "$TRASH/err"
expect_exit 4 "--help to a full stdout" -- sh -c '"$PERFGATE" --help >/dev/full'

# Output piped into head: no hang, no flood of messages.
start=$(date +%s%N)
"$PERFGATE" fold "$TRASH/big.txt" 2>"$TRASH/err" | head -1 >"$TRASH/out"
code=${PIPESTATUS[0]}
took=$((($(date +%s%N) - start) / 1000000))
expect_true "fold | head -1: one line read" -- test "$(wc -l <"$TRASH/out")" -eq 1
expect_true "fold | head -1: returns at once (${took} ms)" -- test "$took" -lt 20000
expect_true "fold | head -1: exit 141 as SIGPIPE gives (got $code)" -- test "$code" -eq 141
expect_true "fold | head -1: nothing on stderr" -- test ! -s "$TRASH/err"

# G4: TMPDIR that does not exist, or is a file.
: >"$TRASH/afile"
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: counted
    run: "true"
    instructions: true
YML
for t in "$TRASH/missing" "$TRASH/afile"; do
	expect_exit 4 "run with instructions, TMPDIR=$(basename "$t")" -- \
		env TMPDIR="$t" "$PERFGATE" -C "$repo" run
	expect_grep "the message names TMPDIR" "\\(TMPDIR\\)" "$TRASH/err"
	expect_exit 4 "profile, TMPDIR=$(basename "$t")" -- \
		env TMPDIR="$t" "$PERFGATE" -C "$repo" profile --cmd true --profiler callgrind -o "$TRASH/p"
	expect_grep "the message names TMPDIR" "under $t \\(TMPDIR\\)" "$TRASH/err"
done

# E8: a full file system (a 64 KiB tmpfs; needs root, else skipped).
full=$TRASH/full
mkdir -p "$full"
if mount -t tmpfs -o size=64k pg-test "$full" 2>/dev/null; then
	trap 'umount "$full" 2>/dev/null; test_cleanup' EXIT
	echo '{"old": true}' >"$full/r.json"
	echo 'old;folded 1' >"$full/out.folded"
	dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null
	git -C "$repo" checkout -q -- perfgate.yml # the committed config again (G4 changed it)
	expect_exit 4 "run --json onto a full file system" -- "$PERFGATE" -C "$repo" run --json "$full/r.json"
	expect_grep "names the file and the cause" "write $full/r.json: No space left on device" "$TRASH/err"
	expect_true "the old result is intact" -- grep -q '"old": true' "$full/r.json"
	expect_exit 4 "fold -o onto a full file system" -- "$PERFGATE" fold -o "$full/out.folded" "$TRASH/big.txt"
	expect_grep "names the file and the cause" "write $full/out.folded: No space left on device" "$TRASH/err"
	expect_true "the old folded file is intact" -- grep -qx 'old;folded 1' "$full/out.folded"
	# check writes each report whole: every one of them fails the same way
	rm -f "$full/filler" && echo '<old/>' >"$full/c.xml"
	dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null
	"$PERFGATE" -C "$repo" check --base HEAD --head HEAD --junit "$full/c.xml" --json "$full/c.json" \
		--markdown "$full/c.md" >"$TRASH/out" 2>"$TRASH/err"
	rc=$?
	expect_true "check --junit onto a full file system: exit 4 (got $rc)" -- test $rc -eq 4
	expect_grep "check: names the JUnit file and the cause" "write $full/c.xml: No space left on device" "$TRASH/err"
	expect_true "check: the old JUnit file is intact" -- grep -qx '<old/>' "$full/c.xml"
	expect_true "check: no half-written report (whole or absent)" -- \
		sh -c 'for f in "$1/c.json" "$1/c.md"; do test ! -e "$f" || exit 1; done' sh "$full"
	expect_true "no temporary files on the full file system" -- \
		test "$(ls -A "$full" | sort | tr '\n' ' ')" = "c.xml filler out.folded r.json "
	umount "$full"
else
	echo "# skip E8: cannot mount a tmpfs here (not root?)"
fi

test_done
