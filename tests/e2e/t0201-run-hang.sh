#!/usr/bin/env bash
# A hanging benchmark is killed at its timeout with nothing left running;
# one that ignores SIGTERM is KILLed after the grace period.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate run: timeouts"
jqt() { jq -e "$@" >/dev/null; }

repo=$TRASH/repo
mkdir -p "$repo"
# A private copy of sleep, so that survivors can be told from other processes.
cp "$(command -v sleep)" "$TRASH/pg-hang-sleeper"
cat >"$repo/perfgate.yml" <<YML
version: 1
benchmarks:
  - name: hang
    run: $TRASH/pg-hang-sleeper 1000 & $TRASH/pg-hang-sleeper 1000
    warmup: 0
    timeout: 1s
YML
start=$(date +%s%N)
expect_exit 4 "a hanging benchmark" -- "$PERFGATE" -C "$repo" run --json "$TRASH/r.json"
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_grep "run 1/3 timed out" "benchmark 'hang': run 1/3 timed out after 1 s" "$TRASH/err"
expect_true "no survivors" -- test -z "$(pgrep -f "$TRASH/pg-hang-sleeper")"
expect_true "killed at its timeout, not later (${took} ms)" -- test "$took" -lt 6000
expect_true "JSON written, with the error" -- jqt '.benchmarks[0].error | test("timed out")' "$TRASH/r.json"

cat >"$repo/perfgate.yml" <<YML
version: 1
benchmarks:
  - name: stubborn
    run: trap '' TERM; $TRASH/pg-hang-sleeper 1000
    warmup: 0
    timeout: 1s
YML
start=$(date +%s%N)
expect_exit 4 "a benchmark ignoring SIGTERM" -- "$PERFGATE" -C "$repo" run
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_grep "timed out" "benchmark 'stubborn': run 1/3 timed out after 1 s" "$TRASH/err"
expect_true "KILLed: within timeout + grace + 1 s (${took} ms)" -- test "$took" -lt 4000
expect_true "no survivors" -- test -z "$(pgrep -f "$TRASH/pg-hang-sleeper")"

# SIGINT while a benchmark runs: its group killed, exit 130
cat >"$repo/perfgate.yml" <<YML
version: 1
benchmarks:
  - name: long
    run: $TRASH/pg-hang-sleeper 1000
    warmup: 0
YML
"$PERFGATE" -C "$repo" run --json "$TRASH/int.json" >"$TRASH/out" 2>"$TRASH/err" &
pg=$!
for _ in $(seq 100); do pgrep -f "$TRASH/pg-hang-sleeper" >/dev/null && break; sleep 0.05; done
kill -INT $pg
wait $pg
code=$?
expect_true "SIGINT: exit 130 (got $code)" -- test "$code" -eq 130
expect_grep "says it was interrupted" 'interrupted by SIGINT' "$TRASH/err"
expect_true "no survivors after SIGINT" -- test -z "$(pgrep -f "$TRASH/pg-hang-sleeper")"

test_done
