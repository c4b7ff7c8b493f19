#!/usr/bin/env bash
# Each output format's fixture, read through a benchmark that cats it.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate run: benchmark output formats"

repo=$TRASH/repo
mkdir -p "$repo"
F=$PG_TEST_DATA/formats
cat >"$repo/perfgate.yml" <<YML
version: 1
benchmarks:
  - name: gbench
    run: cat $F/gbench/gbench.json
    output: google-benchmark
    warmup: 0
    repeat: 2
  - name: hyperfine
    run: cat $F/hyperfine/hyperfine.json
    output: hyperfine
    warmup: 0
    repeat: 2
  - name: go
    run: cat $F/go/go-bench.txt
    output: go-test
    warmup: 0
    repeat: 2
  - name: pytest
    run: cat $F/pytest/pytest-benchmark.json
    output: pytest-benchmark
    warmup: 0
    repeat: 2
  - name: bmf
    run: cat $F/handwritten/bmf.json
    output: bmf
    warmup: 0
    repeat: 2
  - name: lines
    run: cat $PG_TEST_DATA/run/lines.txt
    output: lines
    warmup: 0
    repeat: 2
YML
expect_exit 0 "every format" -- "$PERFGATE" -C "$repo" run --json "$TRASH/r.json"
m() { jq -e --arg b "$1" --arg m "$2" ".benchmarks[] | select(.name == \$b) | .metrics[] | select(.name == \$m) | $3" "$TRASH/r.json" >/dev/null; }
expect_true "gbench: 3 iteration rows x 2 runs, ns" -- m gbench BM_Checksum/64/real_time '.unit == "ns" and (.samples | length == 6) and .samples[0] == 73.63427671033773'
expect_true "gbench: bytes_per_second higher is better" -- m gbench BM_Checksum/4096/bytes_per_second '.direction == "higher"'
expect_true "gbench: aggregates skipped" -- test "$(jq '[.benchmarks[] | select(.name == "gbench") | .metrics[] | select(.name | test("_mean|_median|_stddev|_cv"))] | length' "$TRASH/r.json")" = 0
expect_true "hyperfine: 5 times x 2 runs" -- m hyperfine "./base/hot 20000/wall" '(.samples | length == 10) and .samples[0] == 132398455'
expect_true "go: ns/op rows" -- m go BenchmarkParseRecord-2/ns/op '.samples == [5303,5388,5362,5303,5388,5362]'
expect_true "go: MB/s higher" -- m go BenchmarkParseRecord-2/MB/s '.direction == "higher"'
expect_true "go: allocs/op" -- m go BenchmarkFormatOutput-2/allocs/op '.samples == [1,1,1,1,1,1]'
expect_true "pytest: raw data" -- m pytest test_checksum/time '(.samples | length == 150) and .unit == "ns"'
expect_true "bmf: latency" -- m bmf parse/parse_record/4096/latency '.samples == [5310.2,5310.2]'
expect_true "bmf: throughput higher" -- m bmf parse/parse_record/4096/throughput '.direction == "higher"'
expect_true "lines: ms to ns" -- m lines parse '.samples == [12500000,12500000] and .unit == "ns"'
expect_true "lines: MiB to bytes" -- m lines "rss peak" '.samples[0] == 3145728 and .unit == "bytes"'
expect_true "perfgate's own metrics too" -- m gbench wall '.samples | length == 2'

# bad output: exit 4, the place named
printf '{\n  "benchmarks": [\n    {"name": "x",, }\n' >"$repo/broken.json"
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: broken
    run: cat broken.json
    output: google-benchmark
YML
expect_exit 4 "malformed output" -- "$PERFGATE" -C "$repo" run
expect_grep "line and column named" "benchmark 'broken' output \(warm-up run 1\):3:19: invalid JSON" "$TRASH/err"

test_done
