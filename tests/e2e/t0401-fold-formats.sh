#!/usr/bin/env bash
# perfgate fold --from FORMAT on the real sample files; the same profile folds the same
# through every path; hostile files fail with a clear message and exit 2.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate fold --from"
F=$PG_TEST_DATA/formats

check() { # FORMAT FILE PATTERN
	expect_exit 0 "fold --from $1 $(basename "$2")" -- "$PERFGATE" fold --from "$1" "$2"
	expect_grep "$(basename "$2") has $3" "$3" "$TRASH/out"
	cp "$TRASH/out" "$TRASH/a.folded"
	expect_exit 0 "fold --from auto $(basename "$2")" -- "$PERFGATE" fold --from auto "$2"
	expect_true "auto detects $1" -- cmp "$TRASH/out" "$TRASH/a.folded"
	expect_exit 0 "refold $(basename "$2") as folded" -- "$PERFGATE" fold --from folded "$TRASH/a.folded"
	expect_true "folded text of $1 folds to itself" -- cmp "$TRASH/out" "$TRASH/a.folded"
}
check pprof "$F/go/cpu.pprof" ';example.com/perfsample.ParseRecord;example.com/perfsample.Checksum [0-9]+$'
check cpuprofile "$F/node/hot.noinline.cpuprofile" ';parseRecord;checksum [0-9]+$'
check speedscope "$F/handwritten/speedscope.json" '^main;process;parse_record;checksum 333000000$'
check folded "$F/handwritten/py-spy.raw.txt" '^<module> \(hot.py:30\);main \(hot.py:26\);process \(hot.py:18\);parse_record \(hot.py:12\);checksum \(hot.py:7\) 412$'
check folded "$F/handwritten/async-profiler.collapsed.txt" 'Checksum.fnv1a_\[j\] 1187$'
check callgrind "$PG_TEST_DATA/prof/callgrind.out" ';main;process;parse_record;checksum.constprop.0 7374300$'

# hostile input
printf 'a;b 3\na;c -4\n' > "$TRASH/neg.txt"
expect_exit 2 "negative count" -- "$PERFGATE" fold --from folded "$TRASH/neg.txt"
expect_grep "negative count names file:line:col" "neg.txt:2:5: negative count" "$TRASH/err"
head -c 1500 "$F/go/cpu.pprof" > "$TRASH/cut.pprof"
expect_exit 2 "truncated gzip" -- "$PERFGATE" fold --from auto "$TRASH/cut.pprof"
expect_grep "truncated gzip is named" "cut.pprof: truncated gzip stream" "$TRASH/err"
printf '\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01' > "$TRASH/varint.pb"
expect_exit 2 "11-byte varint" -- "$PERFGATE" fold --from pprof "$TRASH/varint.pb"
expect_grep "11-byte varint is named" "varint.pb: offset 1: protobuf varint longer than 10 bytes" "$TRASH/err"
printf '\x0a\x20\x01' > "$TRASH/len.pb"
expect_exit 2 "length past the end" -- "$PERFGATE" fold --from pprof "$TRASH/len.pb"
expect_grep "length past the end is named" "len.pb: offset 1: protobuf length 32 runs past" "$TRASH/err"
{ printf '{"nodes":'; head -c 100000 /dev/zero | tr '\0' '['; } > "$TRASH/deep.json"
expect_exit 2 "JSON nested 100000 deep" -- "$PERFGATE" fold --from cpuprofile "$TRASH/deep.json"
expect_grep "deep JSON is named with line:col" "deep.json:1:[0-9]+: malformed JSON" "$TRASH/err"
printf '{"shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"sampled","unit":"none","samples":[[0]],"weights":[1e309]}]}' > "$TRASH/inf.json"
expect_exit 2 "1e309 weight" -- "$PERFGATE" fold --from auto "$TRASH/inf.json"
expect_grep "1e309 is named" "inf.json: profiles\[0\].weights\[0\]: expected a finite weight" "$TRASH/err"

test_done
