#!/usr/bin/env bash
# perfgate profile -b NAME from perfgate.yml: the benchmark's run command, cwd, env and
# timeout, and the profile: section, reach perf; the folded file keeps unit and runs, so a
# diff of two written files is in ns per run; the same profile folds the same every way.
# perf here is a stand-in on PATH that logs its arguments, runs the benchmark and replays a
# real recording (tests/data/fold/dwarf-inlined.in), so the test holds where perf may not run.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate profile -b NAME from the config"

mkdir -p "$TRASH/bin" "$TRASH/proj/sub"
cat >"$TRASH/bin/perf" <<EOF
#!/bin/sh
echo "perf \$*" >>"$TRASH/perf.log"
case "\$1" in
record)
	while [ "\$1" != "--" ]; do shift; done
	shift
	exec "\$@" ;;
script)
	exec cat "$PG_TEST_DATA/fold/dwarf-inlined.in" ;;
esac
exit 1
EOF
chmod +x "$TRASH/bin/perf"
export PATH="$TRASH/bin:$PATH"

cat >"$TRASH/proj/sub/work.sh" <<'EOF'
#!/bin/sh
echo "$(pwd) $PG_MARK" >>"$PG_LOG"
EOF
chmod +x "$TRASH/proj/sub/work.sh"
cat >"$TRASH/proj/perfgate.yml" <<EOF
version: 1
benchmarks:
  - name: parse
    run: ./work.sh
    cwd: sub
    env: { PG_MARK: from-config, PG_LOG: "$TRASH/bench.log" }
    timeout: 20s
  - name: render
    run: "true"
profile: { profiler: perf, frequency: 4999, call_graph: fp }
EOF
cd "$TRASH/proj" || exit 1

expect_exit 0 "profile -b parse" -- "$PERFGATE" profile -b parse
expect_grep "names the hot function" '^hottest: checksum$' "$TRASH/out"
expect_grep "the config's frequency and call graph reach perf record" \
	'^perf record .* -F 4999 --call-graph fp .* -- /bin/sh -c ./work.sh$' "$TRASH/perf.log"
expect_grep "the benchmark ran in its cwd with its env" "^$TRASH/proj/sub from-config\$" "$TRASH/bench.log"
expect_true "default output NAME.folded in the current directory" -- test -s parse.folded -a -s parse.svg
expect_true "the folded file starts with the header" -- \
	test "$(head -1 parse.folded)" = "# perfgate: unit=ns runs=1 event=cpu-clock"
expect_true "and holds the stacks" -- grep -q '^bench;_start;.*;main;process;checksum 25025025$' parse.folded

: >"$TRASH/perf.log"
expect_exit 0 "options override the config" -- "$PERFGATE" profile -b parse --frequency 99 --call-graph dwarf -o "$TRASH/o.folded"
expect_grep "--frequency and --call-graph win" '^perf record .* -F 99 --call-graph dwarf ' "$TRASH/perf.log"
: >"$TRASH/perf.log"
expect_exit 0 "call_graph none" -- "$PERFGATE" profile -b parse --call-graph none -o "$TRASH/n.folded"
expect_no_grep "no --call-graph for none" 'call-graph' "$TRASH/perf.log"

# runs and unit survive the file: a diff of a 3-run and a 1-run profile is in ns per run
expect_exit 0 "profile --runs 3 -o a.folded" -- "$PERFGATE" profile -b parse --runs 3 -o "$TRASH/a.folded"
expect_grep "3 runs said" '\(perf, 3 runs, total 25(\.0[0-9]*)? ms per run\)' "$TRASH/out"
expect_true "header says runs=3" -- test "$(head -1 "$TRASH/a.folded")" = "# perfgate: unit=ns runs=3 event=cpu-clock"
expect_exit 0 "profile -o b.folded" -- "$PERFGATE" profile -b parse -o "$TRASH/b.folded"
expect_exit 0 "diff the written files" -- "$PERFGATE" diff "$TRASH/a.folded" "$TRASH/b.folded" --json "$TRASH/d.json"
expect_true "diff is in ns" -- test "$(jq -r .unit "$TRASH/d.json")" = ns
expect_true "per run: checksum the same on both sides" -- \
	test "$(jq -r '.functions[] | select(.name=="checksum") | "\(.self_before) \(.self_after)"' "$TRASH/d.json")" = "25025025 25025025"
grep -v '^#' "$TRASH/a.folded" >"$TRASH/a-plain.folded"
grep -v '^#' "$TRASH/b.folded" >"$TRASH/b-plain.folded"
expect_exit 0 "diff without the headers" -- "$PERFGATE" diff "$TRASH/a-plain.folded" "$TRASH/b-plain.folded" --json "$TRASH/p.json"
expect_true "plain folded files read as samples, one run each" -- \
	test "$(jq -r '(.unit) + " " + ([.functions[] | select(.name=="checksum") | .self_before, .self_after] | map(tostring) | join(" "))' "$TRASH/p.json")" = "samples 75075075 25025025"
expect_exit 2 "a plain file and a written one do not compare" -- "$PERFGATE" diff "$TRASH/a-plain.folded" "$TRASH/b.folded"
expect_grep "says why" 'different cost units: samples before, ns after' "$TRASH/err"

# one profile, every path: profile -o, fold of the perf script, fold of the folded file
expect_exit 0 "fold the same perf script" -- "$PERFGATE" fold "$PG_TEST_DATA/fold/dwarf-inlined.in" -o "$TRASH/f.folded"
expect_true "profile -o and fold write the same bytes" -- cmp "$TRASH/f.folded" "$TRASH/b.folded"
expect_exit 0 "refold the written file" -- "$PERFGATE" fold --from auto "$TRASH/a.folded"
expect_true "a written file folds to itself, header included" -- cmp "$TRASH/out" "$TRASH/a.folded"
expect_exit 0 "fold --no-header" -- "$PERFGATE" fold --no-header --from folded "$TRASH/a.folded"
expect_true "--no-header leaves only the stacks" -- cmp "$TRASH/out" "$TRASH/a-plain.folded"
# flamegraph.pl's parse: a line counts only with a trailing number after white space
expect_true "flamegraph.pl's line pattern skips the header and only the header" -- \
	test "$(perl -ne 'print unless /^(.*)\s+?(\d+(?:\.\d*)?)$/' "$TRASH/a.folded")" = "$(head -1 "$TRASH/a.folded")"

# errors
expect_exit 2 "unknown benchmark" -- "$PERFGATE" profile -b pasre
expect_grep "did you mean" "perfgate.yml: no benchmark named 'pasre' \(did you mean 'parse'\?\)" "$TRASH/err"
expect_exit 2 "two benchmarks and no -b" -- "$PERFGATE" profile
expect_grep "says which" "has 2 benchmarks: say which with -b NAME \('parse', 'render'\)" "$TRASH/err"
expect_exit 2 "no config" -- "$PERFGATE" profile -c "$TRASH/nope.yml" -b parse
expect_grep "names the config" "nope.yml" "$TRASH/err"
expect_exit 2 "a positional argument" -- "$PERFGATE" profile -b parse extra
expect_grep "names it" "unexpected argument 'extra'" "$TRASH/err"
expect_exit 2 "bad --call-graph" -- "$PERFGATE" profile -b parse --call-graph lbr
test_done
