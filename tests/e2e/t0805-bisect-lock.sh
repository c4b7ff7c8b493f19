#!/usr/bin/env bash
# One bisect at a time in a repository: while one runs, a second bisect, a
# --continue and a --reset exit 4 naming the lock and the pid that holds it,
# and change nothing. --continue on a finished bisect prints its report again
# and writes --json/--markdown (no measuring, no new notes).
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate bisect: the lock, and --continue on a finished bisect"
jqt() { jq -e "$@" >/dev/null; }

# two commits: the benchmark (a shell script) sleeps 3x longer in the second.
# While $TRASH/hold exists it waits (in its warm-up run), so that the first
# bisect is still running while the others are tried, however slow they are
# (under memcheck, seconds).
repo=$TRASH/repo
make_repo "$repo"
hold="while [ -e '$TRASH/hold' ]; do sleep 0.01; done"
printf '%s\nsleep 0.02\n' "$hold" >"$repo/bench.sh"
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: nap
    run: sh bench.sh
    warmup: 1
    repeat: { min: 4, max: 16 }
    timeout: 120s
profile: { profiler: callgrind }
YML
commit_all "$repo" "Nap briefly" && git -C "$repo" tag good
printf '%s\nsleep 0.06\n' "$hold" >"$repo/bench.sh"
commit_all "$repo" "Nap longer"
culprit=$(git -C "$repo" rev-parse HEAD)
lock=$repo/.git/perfgate/bisect.lock
journal=$repo/.git/perfgate/bisect/journal

# the first bisect, in the background; wait until it holds the lock
touch "$TRASH/hold"
"$PERFGATE" -C "$repo" bisect good..main --json "$TRASH/first.json" \
	>"$TRASH/first.out" 2>"$TRASH/first.err" </dev/null &
pid=$!
for i in $(seq 1 100); do
	[ -s "$lock" ] && [ -s "$journal" ] && break
	sleep 0.05
done
expect_true "the lock holds the first bisect's pid" -- test "$(cat "$lock" 2>/dev/null)" = "$pid"
journal_before=$(cat "$journal")
expect_exit 4 "a second bisect while one runs" -- "$PERFGATE" -C "$repo" bisect good..main
expect_grep "names the pid and the lock" "another perfgate bisect \(pid $pid\) is running in this repository \('$lock' is locked\)" "$TRASH/err"
expect_exit 4 "--continue while one runs" -- "$PERFGATE" -C "$repo" bisect --continue
expect_grep "--continue: the same message" "another perfgate bisect \(pid $pid\)" "$TRASH/err"
expect_exit 4 "--reset while one runs" -- "$PERFGATE" -C "$repo" bisect --reset
expect_grep "--reset: the same message" "another perfgate bisect \(pid $pid\)" "$TRASH/err"
expect_true "the state is still there" -- test -s "$journal"
starts_with() { case "$1" in "$2"*) return 0 ;; *) return 1 ;; esac; }
expect_true "the journal only grew: nobody else wrote to it" -- starts_with "$(cat "$journal")" "$journal_before"
expect_true "the first bisect is still running" -- kill -0 $pid
rm -f "$TRASH/hold"
wait $pid
code=$?
expect_true "the first bisect finished: exit 0 (got $code)" -- test $code -eq 0
sed 's/^/# first: /' "$TRASH/first.err" | tail -5
expect_true "it found the commit" -- jqt --arg c "$culprit" '.culprit.commit == $c' "$TRASH/first.json"
expect_true "the lock is free, its pid cleared" -- test ! -s "$lock"

# --continue on the finished bisect: the report again, nothing measured
notes_before=$(git -C "$repo" notes --ref=perfgate list | sort)
expect_exit 0 "--continue on the finished bisect" -- "$PERFGATE" -C "$repo" bisect --continue \
	--json "$TRASH/again.json" --markdown "$TRASH/again.md"
expect_grep "says it is finished" '^perfgate: the bisect of [0-9a-f]{7}\.\.[0-9a-f]{7} is finished \(found\); its report' "$TRASH/err"
expect_true "the same report on stdout" -- cmp -s "$TRASH/out" "$TRASH/first.out"
expect_true "the same JSON" -- cmp -s "$TRASH/again.json" "$TRASH/first.json"
expect_grep "the Markdown names the commit" "Nap longer" "$TRASH/again.md"
expect_true "nothing measured: no new note" -- test "$(git -C "$repo" notes --ref=perfgate list | sort)" = "$notes_before"
expect_exit 0 "--continue --json - : the JSON on stdout" -- "$PERFGATE" -C "$repo" bisect --continue --json -
expect_true "stdout is the JSON" -- cmp -s "$TRASH/out" "$TRASH/first.json"
expect_grep "the text report moves to stderr" '^first bad commit: ' "$TRASH/err"

# a new bisect removes the old reports: --reset, then it is idle again
expect_exit 0 "--reset when idle" -- "$PERFGATE" -C "$repo" bisect --reset
expect_true "the lock file stays, free" -- test -e "$lock" -a ! -s "$lock"
expect_exit 2 "--continue after --reset" -- "$PERFGATE" -C "$repo" bisect --continue
test_done
