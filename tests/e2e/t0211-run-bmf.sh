#!/usr/bin/env bash
# perfgate run --bmf: the Bencher Metric Format, checked against the JSON
# results and read back through perfgate's own `output: bmf` reader.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate run --bmf"
jqt() { jq -e "$@" >/dev/null; }

repo=$TRASH/repo
make_repo "$repo"
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: loop
    run: 'i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; echo "items: $i count"; echo "speed: 12.5 MB/s"'
    output: lines
    warmup: 0
    repeat: 3
  - name: other
    run: "true"
    repeat: 3
YML
commit_all "$repo" "initial"

expect_exit 0 "run --bmf with --json" -- "$PERFGATE" -C "$repo" run --bmf "$TRASH/out.bmf" --json "$TRASH/r.json"
expect_true "jq reads the BMF file" -- jqt 'type == "object" and (keys == ["loop", "other"])' "$TRASH/out.bmf"
expect_true "every metric of the results is a measure" -- jqt --slurpfile r "$TRASH/r.json" \
	'[.[] | keys[]] | length == ([$r[0].benchmarks[].metrics[]] | length)' "$TRASH/out.bmf"
# value = median, lower_value = min, upper_value = max of each metric's samples (3 runs)
expect_true "value, lower_value, upper_value are median, min and max" -- jqt --slurpfile r "$TRASH/r.json" \
	'. as $b | all($r[0].benchmarks[] as $x | $x.metrics[] as $m | ($m.samples | sort) as $s |
		$b[$x.name][$m.name] == {value: $s[1], lower_value: $s[0], upper_value: $s[2]})' "$TRASH/out.bmf"
expect_true "the reported metrics come through" -- jqt '.loop.items.value == 3000 and .loop["speed"].value > 0' "$TRASH/out.bmf"

# round trip: a benchmark whose output is that BMF file, read by `output: bmf`
cp "$TRASH/out.bmf" "$repo/in.bmf"
cat >"$TRASH/rt.yml" <<'YML'
version: 1
benchmarks:
  - name: rt
    run: cat in.bmf
    output: bmf
    repeat: 2
YML
expect_exit 0 "perfgate reads its own BMF back" -- "$PERFGATE" -C "$repo" run -c "$TRASH/rt.yml" --json "$TRASH/rt.json"
expect_true "each measure is a metric <bench>/<measure> with the value as its samples" -- jqt --slurpfile b "$TRASH/out.bmf" \
	'[.benchmarks[0].metrics[] | select(.name | contains("/"))] as $ms |
	 ($ms | length) == ([$b[0][] | keys[]] | length) and
	 all($ms[]; (.name | split("/")) as $p | .samples == [$b[0][$p[0]][$p[1:] | join("/")].value, $b[0][$p[0]][$p[1:] | join("/")].value])' "$TRASH/rt.json"
expect_true "speed (MB/s) is still higher-is-better" -- jqt \
	'[.benchmarks[0].metrics[] | select(.name == "loop/speed")][0].direction == "higher"' "$TRASH/rt.json"

# --bmf - writes the document alone on stdout, the table on stderr
expect_exit 0 "--bmf -" -- "$PERFGATE" -C "$repo" run -b other --bmf -
expect_true "stdout is the BMF document" -- jqt '.other.wall.value > 0' "$TRASH/out"
expect_grep "the table went to stderr" '^benchmark +metric' "$TRASH/err"
expect_exit 2 "--json - with --bmf -" -- "$PERFGATE" -C "$repo" run --json - --bmf -
expect_grep "says why" 'cannot both write to stdout' "$TRASH/err"

# a failing benchmark is left out; the file is still written; exit 4
cat >"$TRASH/fail.yml" <<'YML'
version: 1
benchmarks:
  - name: boom
    run: exit 3
  - name: fine
    run: "true"
YML
expect_exit 4 "--bmf with a failing benchmark" -- "$PERFGATE" -C "$repo" run -c "$TRASH/fail.yml" --bmf "$TRASH/f.bmf"
expect_true "only the benchmark that ran" -- jqt 'keys == ["fine"]' "$TRASH/f.bmf"
# an unwritable path: exit 4, named
expect_exit 4 "--bmf into a missing directory" -- "$PERFGATE" -C "$repo" run -b other --bmf "$TRASH/no/such/dir/x.bmf"
expect_grep "names the file" 'no/such/dir/x.bmf' "$TRASH/err"
expect_exit 0 "--help documents --bmf" -- "$PERFGATE" run --help
expect_grep "--bmf in the option table" '^ +--bmf FILE' "$TRASH/out"

test_done
