#!/usr/bin/env bash
# A benchmark that leaves children behind (even a setsid daemon holding its
# stdout) does not hang perfgate, and they are killed, with a warning.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate run: children that outlive the benchmark"
jqt() { jq -e "$@" >/dev/null; }

repo=$TRASH/repo
mkdir -p "$repo"
cp "$(command -v sleep)" "$TRASH/pg-orphan-sleeper"
# the daemon: started by setsid, up once it has written its marker (so it has
# left the benchmark's process group before the benchmark ends)
cat >"$repo/daemon.sh" <<SH
#!/bin/sh
rm -f "$TRASH/daemon-up"
(setsid sh -c ': >"$TRASH/daemon-up"; exec "$TRASH/pg-orphan-sleeper" 1000' &)
while [ ! -e "$TRASH/daemon-up" ]; do sleep 0.01; done
echo started
SH
chmod +x "$repo/daemon.sh"
cat >"$repo/perfgate.yml" <<YML
version: 1
benchmarks:
  - name: background
    run: $TRASH/pg-orphan-sleeper 1000 & echo started
    warmup: 0
    repeat: 2
  - name: daemon
    run: ./daemon.sh
    warmup: 0
    repeat: 2
YML
start=$(date +%s%N)
expect_exit 0 "the benchmarks finish" -- timeout 60 "$PERFGATE" -C "$repo" run --json "$TRASH/r.json"
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_true "no hang (${took} ms)" -- test "$took" -lt 20000
expect_grep "warns about the child" "warning: benchmark 'background': left 1 process\(es\) running after run 1/2; killed" "$TRASH/err"
expect_grep "warns about the daemon" "warning: benchmark 'daemon': left [0-9]+ process\(es\) running after run 1/2, [0-9]+ of them outside its process group" "$TRASH/err"
expect_true "no survivors" -- test -z "$(pgrep -f "$TRASH/pg-orphan-sleeper")"
expect_true "warnings in JSON" -- jqt '[.benchmarks[].warnings | length] == [1,1]' "$TRASH/r.json"
expect_true "both measured" -- jqt '[.benchmarks[].runs] == [2,2]' "$TRASH/r.json"

test_done
