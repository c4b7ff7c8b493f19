#!/usr/bin/env bash
# perfgate run: a benchmark measured, the table, the JSON document, usage errors.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate run: measure, print, store"
jqt() { jq -e "$@" >/dev/null; }

repo=$TRASH/repo
make_repo "$repo"
cat >"$repo/loop.sh" <<'SH'
#!/bin/sh
i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done
echo "iterations: $i"
echo "secret=[$GITHUB_TOKEN$CI_JOB_TOKEN] mode=$MODE"
SH
chmod +x "$repo/loop.sh"
cat >"$repo/perfgate.yml" <<'YML'
version: 1
build: echo built > build.stamp
benchmarks:
  - name: loop
    run: ./loop.sh
    warmup: 1
    repeat: { min: 4, max: 10 }
    timeout: 30s
    env: { MODE: fast }
  - name: other
    run: "true"
YML
commit_all "$repo" "initial"
head=$(git -C "$repo" rev-parse HEAD)
rm -f "$repo/build.stamp"

export GITHUB_TOKEN=s3cret CI_JOB_TOKEN=s3cret2
expect_exit 0 "run all benchmarks" -- "$PERFGATE" -C "$repo" run --json "$TRASH/r.json"
expect_grep "the table has a header" '^benchmark +metric +median +min +max +CV % +runs' "$TRASH/out"
expect_grep "the table shows wall in ms" '^loop +wall +[0-9.]+ ms' "$TRASH/out"
expect_grep "max_rss in MiB or KiB" ' max_rss +[0-9.]+ (MiB|KiB)' "$TRASH/out"
expect_grep "the build ran" 'building: echo built' "$TRASH/err"
expect_true "the build's output exists" -- test -f "$repo/build.stamp"
expect_true "jq accepts the JSON" -- jqt . "$TRASH/r.json"
expect_true "versioned document" -- jqt '.perfgate_result == 1' "$TRASH/r.json"
expect_true "the commit measured" -- jqt --arg h "$head" '.commit == $h' "$TRASH/r.json"
expect_true "the build's own output (untracked build.stamp) does not make the tree dirty" -- jqt '.dirty == false' "$TRASH/r.json"
expect_true "the config hash" -- jqt '.config_hash | test("^[0-9a-f]{64}$")' "$TRASH/r.json"
expect_true "the machine" -- jqt '.machine.cores >= 1 and (.machine.kernel | startswith("Linux")) and (.machine.load_avg | length == 3) and (.machine.fingerprint | length == 16)' "$TRASH/r.json"
expect_true "4 counted runs, 1 warm-up" -- jqt '.benchmarks[0] | .name == "loop" and .runs == 4 and .warmup == 1' "$TRASH/r.json"
expect_true "every sample of every metric" -- jqt '[.benchmarks[0].metrics[] | select(.name == "wall" or .name == "user" or .name == "sys" or .name == "cpu" or .name == "max_rss") | .samples | length] == [4,4,4,4,4]' "$TRASH/r.json"
expect_true "units and directions" -- jqt '.benchmarks[0].metrics[] | select(.name == "max_rss") | .unit == "bytes" and .direction == "lower"' "$TRASH/r.json"
expect_true "wall samples are positive ns" -- jqt '[.benchmarks[0].metrics[] | select(.name == "wall") | .samples[] | select(. > 1000)] | length == 4' "$TRASH/r.json"
expect_true "3 runs by default" -- jqt '.benchmarks[1].runs == 3' "$TRASH/r.json"

# tokens never reach the benchmark: make it print them through output: lines
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: env
    run: 'echo "leak: ${#GITHUB_TOKEN}${#CI_JOB_TOKEN} count"; echo "mode: ${#MODE} count"'
    output: lines
    env: { MODE: fast }
YML
expect_exit 0 "tokens stripped" -- "$PERFGATE" -C "$repo" run --json "$TRASH/env.json"
expect_true "no token reached the child" -- jqt '.benchmarks[0].metrics[] | select(.name == "leak") | .samples == [0,0,0]' "$TRASH/env.json"
expect_true "the config's env did" -- jqt '.benchmarks[0].metrics[] | select(.name == "mode") | .samples == [4,4,4]' "$TRASH/env.json"
expect_true "a changed tracked file makes it dirty" -- jqt '.dirty == true' "$TRASH/env.json"
git -C "$repo" checkout -q perfgate.yml

# -b, --repeat, --warmup, --no-build
rm -f "$repo/build.stamp"
expect_exit 0 "-b with --repeat 2 --warmup 0 --no-build" -- "$PERFGATE" -C "$repo" run -b other --repeat 2 --warmup 0 --no-build --json "$TRASH/o.json"
expect_true "only the named benchmark" -- jqt '.benchmarks | length == 1 and .[0].name == "other" and .[0].runs == 2 and .[0].warmup == 0' "$TRASH/o.json"
expect_true "no build with --no-build" -- test ! -e "$repo/build.stamp"
expect_no_grep "no build message" 'building' "$TRASH/err"
expect_exit 0 "--json - writes the document to stdout" -- "$PERFGATE" -C "$repo" run -b other --repeat 1 --no-build --json -
expect_true "stdout is JSON only" -- jqt '.benchmarks[0].runs == 1' "$TRASH/out"

# usage and config errors: exit 2, nothing run
expect_exit 2 "unknown benchmark" -- "$PERFGATE" -C "$repo" run -b lop --no-build
expect_grep "names it and suggests" "no benchmark named 'lop' \(did you mean 'loop'\?\)" "$TRASH/err"
expect_exit 2 "bad --repeat" -- "$PERFGATE" -C "$repo" run --repeat 0
expect_exit 2 "bad --warmup" -- "$PERFGATE" -C "$repo" run --warmup x
expect_exit 2 "missing config" -- "$PERFGATE" -C "$repo" run -c nope.yml
expect_grep "names the file" "nope.yml" "$TRASH/err"
expect_exit 2 "extra argument" -- "$PERFGATE" -C "$repo" run extra
expect_exit 0 "--help" -- "$PERFGATE" run --help
expect_grep "--help documents --no-build" '--no-build' "$TRASH/out"
expect_grep "--help documents exit codes" 'Exit codes' "$TRASH/out"

# the build fails: exit 4 with the log's tail, no benchmark run
cat >"$repo/perfgate.yml" <<'YML'
version: 1
build: 'echo compiling; echo "error: oops in x.c" >&2; exit 2'
benchmarks:
  - name: loop
    run: touch ran.stamp
YML
expect_exit 4 "build failure" -- "$PERFGATE" -C "$repo" run
expect_grep "says the build failed" 'build failed \(exited with 2\)' "$TRASH/err"
expect_grep "with the log's tail" 'error: oops in x.c' "$TRASH/err"
expect_true "nothing ran" -- test ! -e "$repo/ran.stamp"

# missing and non-executable commands: told apart, before any warm-up
printf 'echo hi\n' >"$repo/noexec.sh"
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: first
    run: touch ran.stamp
  - name: missing
    run: ./no-such-bench --fast
YML
expect_exit 4 "missing command" -- "$PERFGATE" -C "$repo" run
expect_grep "ENOENT named" "benchmark 'missing': command './no-such-bench' not found: No such file or directory" "$TRASH/err"
expect_true "no benchmark ran (checked before the warm-up)" -- test ! -e "$repo/ran.stamp"
sed -i 's|./no-such-bench --fast|./noexec.sh|' "$repo/perfgate.yml"
expect_exit 4 "non-executable command" -- "$PERFGATE" -C "$repo" run
expect_grep "EACCES named" "benchmark 'missing': command './noexec.sh' is not executable: Permission denied" "$TRASH/err"

# a non-zero exit in run 2: exit 4, named, JSON still written with the error
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: flaky
    run: n=$(cat c 2>/dev/null || echo 0); n=$((n+1)); echo $n > c; [ $n -ne 3 ] || { echo "disk on fire" >&2; exit 1; }
    warmup: 1
    repeat: 5
  - name: fine
    run: "true"
YML
expect_exit 4 "a failing run" -- "$PERFGATE" -C "$repo" run --json "$TRASH/f.json"
expect_grep "run 2/5 exited with 1" "benchmark 'flaky': run 2/5 exited with 1" "$TRASH/err"
expect_grep "stderr's tail quoted" 'disk on fire' "$TRASH/err"
expect_true "JSON written with the error, later benchmarks still run" -- jqt '.benchmarks[0].error != null and .benchmarks[0].status == 1 and .benchmarks[1].runs == 3' "$TRASH/f.json"

test_done
