#!/usr/bin/env bash
# perfgate fold on perf script text: every case of tests/data/fold, stdin, -o, options, errors.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate fold (perf script)"
D=$PG_TEST_DATA/fold

for in in "$D"/*.in; do
	c=$(basename "$in" .in)
	expect_exit 0 "fold $c" -- "$PERFGATE" fold "$in"
	expect_true "fold $c matches $c.expected" -- cmp "$TRASH/out" "$D/$c.expected"
done
expect_exit 0 "fold --pid" -- "$PERFGATE" fold --pid "$D/comm-spaces.in"
expect_true "--pid output" -- cmp "$TRASH/out" "$D/comm-spaces-pid.expected"
expect_exit 0 "fold --tid" -- "$PERFGATE" fold --tid "$D/comm-spaces.in"
expect_true "--tid output" -- cmp "$TRASH/out" "$D/comm-spaces-tid.expected"
expect_exit 0 "fold --event" -- "$PERFGATE" fold --event cpu-clock "$D/multi-event.in"
expect_true "--event output" -- cmp "$TRASH/out" "$D/multi-event-cpu-clock.expected"
expect_grep "multi-event warns on stderr" "warning: .*several events.*page-faults" "$TRASH/err"

expect_exit 0 "fold from stdin" -- bash -c "'$PERFGATE' fold - < '$D/fp-kernel.in'"
expect_true "stdin output" -- cmp "$TRASH/out" "$D/fp-kernel.expected"
expect_exit 0 "fold -o FILE" -- "$PERFGATE" fold -o "$TRASH/folded.txt" "$D/dwarf-inlined.in"
expect_true "-o writes the file" -- cmp "$TRASH/folded.txt" "$D/dwarf-inlined.expected"
expect_true "-o leaves stdout empty" -- test ! -s "$TRASH/out"
expect_true "-o leaves no temporary" -- test "$(ls "$TRASH" | grep -c folded)" -eq 1

expect_exit 0 "zero samples is not an error" -- "$PERFGATE" fold "$D/zero.in"
expect_grep "zero samples is reported" "warning: .*no samples" "$TRASH/err"
expect_exit 0 "truncated input folds what is complete" -- "$PERFGATE" fold "$D/truncated.in"
expect_grep "truncated input warns" "truncated" "$TRASH/err"

expect_exit 2 "missing file" -- "$PERFGATE" fold "$TRASH/nope.txt"
expect_grep "missing file is named" "cannot open '.*nope.txt'" "$TRASH/err"
expect_exit 2 "unknown --from" -- "$PERFGATE" fold --from svg "$D/jit.in"
expect_exit 2 "two inputs" -- "$PERFGATE" fold "$D/jit.in" "$D/jit.in"
expect_exit 0 "--help" -- "$PERFGATE" fold --help
expect_grep "--help names --from" "--from FORMAT" "$TRASH/out"
expect_grep "--help names the pinned fields" "perf script -F comm,pid,tid,time,period,event,ip,sym,dso,symoff" "$TRASH/out"

test_done
