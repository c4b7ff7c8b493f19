#!/usr/bin/env bash
# The real pipeline: perf record (frame pointers and dwarf) on the demo, perf script with the
# pinned fields, perfgate fold; the hot function must be the leaf of the heaviest stack.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perf record | perf script | perfgate fold"

cc -O2 -g -fno-omit-frame-pointer -o "$TRASH/bench" "$PG_SRC/examples/demo/bench.c"
if ! perf record -o "$TRASH/probe.data" -e cpu-clock -F 999 true >/dev/null 2>&1; then
	echo "# perf cannot record here: skipping"
	ok "skipped: perf cannot record"
	test_done
fi
FIELDS=comm,pid,tid,time,period,event,ip,sym,dso,symoff
for cg in fp dwarf; do
	opt=-g
	[ $cg = dwarf ] && opt="--call-graph dwarf"
	expect_true "perf record $cg" -- bash -c "perf record -q -o '$TRASH/$cg.data' -e cpu-clock -F 999 $opt '$TRASH/bench' 4000 >/dev/null"
	perf script -i "$TRASH/$cg.data" -F $FIELDS > "$TRASH/$cg.txt" 2>/dev/null
	expect_exit 0 "fold $cg" -- "$PERFGATE" fold "$TRASH/$cg.txt"
	expect_true "$cg: heaviest stack ends in checksum" -- \
		bash -c "awk '!/^#/ { if (\$NF > max) { max = \$NF; line = \$0 } } END { print line }' '$TRASH/out' | grep -q 'checksum[^;]* [0-9]*\$'"
	expect_grep "$cg: comm is the root frame" '^bench;' "$TRASH/out"
	expect_exit 0 "fold $cg via stdin, autodetected" -- bash -c "'$PERFGATE' fold --from auto - < '$TRASH/$cg.txt'"
done

test_done
