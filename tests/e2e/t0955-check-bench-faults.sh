#!/usr/bin/env bash
# perfgate check when the head's benchmark misbehaves (B1, B2, B4, B5, B6,
# B7 through check): a hang past its timeout, one that ignores SIGTERM, a
# double-forked setsid daemon, exit 1 in a later run, SIGSEGV, a command that
# is not executable. Each: exit 4, an ERROR naming the head, benchmark and
# run, a valid JUnit error testcase, no pass, no process left behind. Output
# that differs on every run (B9) leaves the verdict alone. A benchmark named
# like a path (E6) writes nothing outside the report files.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate check: benchmark faults in the head"
. "$(dirname "$0")/../lib/check-lib.sh"

repo=$TRASH/repo
make_repo "$repo"
mkdir -p "$TRASH/bin" && cp "$(command -v sleep)" "$TRASH/bin/pgfault"
cat >"$repo/b.sh" <<SH
#!/bin/sh
# the base is well behaved; MODE (committed in mode.txt) makes the head not
mode=\$(cat mode.txt)
n=\$(cat "$TRASH/count" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >"$TRASH/count"
case \$mode in
ok) exit 0 ;;
hang) exec "$TRASH/bin/pgfault" 1234 ;;
noterm) trap '' TERM; exec "$TRASH/bin/pgfault" 1234 ;;
daemon) setsid sh -c 'exec "$TRASH/bin/pgfault" 1234' </dev/null >/dev/null 2>&1 & exit 0 ;;
exit1) [ \$n -ge 4 ] && exit 1; exit 0 ;;
segv) kill -SEGV \$\$ ;;
noisy) head -c 300 /dev/urandom; date +%s%N; head -c 200 /dev/urandom >&2; exit 0 ;;
esac
SH
chmod +x "$repo/b.sh"
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: b
    run: ./b.sh
    warmup: 0
    repeat: { min: 3, max: 3 }
    timeout: 1s
budgets:
  b:
    wall: { max: 10s }
YML
echo ok >"$repo/mode.txt"
commit_all "$repo" "base" && git -C "$repo" tag base

left() { pgrep -x pgfault | wc -l; }

# fault MODE EXIT MESSAGE-REGEX
fault() {
	local mode=$1 want=$2 msg=$3 s ms
	echo "$mode" >"$repo/mode.txt"
	commit_all "$repo" "head: $mode" && git -C "$repo" tag "$mode"
	rm -f "$TRASH/count"
	s=$(date +%s%N)
	expect_exit "$want" "$mode: exit $want" -- "$PERFGATE" -C "$repo" check --base base --head "$mode" --junit "$TRASH/$mode.xml"
	ms=$(( ($(date +%s%N) - s) / 1000000 ))
	expect_grep "$mode: the error names head, benchmark and what happened" "^ERROR +b wall: head [0-9a-f]{7}: .*$msg" "$TRASH/out"
	expect_no_grep "$mode: no pass" '^result: pass' "$TRASH/out"
	expect_true "$mode: nothing left running" -- test "$(left)" -eq 0
	expect_true "$mode: bounded ($ms ms)" -- test "$ms" -lt 15000
	junit_check "$mode" "$TRASH/$mode.xml"
	expect_grep "$mode: JUnit error testcase" "^error	'b wall: budget max 10 s'	" "$TRASH/$mode.xml.dump"
	expect_no_grep "$mode: no sanitizer report" 'Sanitizer|runtime error' "$TRASH/err"
}
fault hang 4 'timed out'
fault noterm 4 'timed out'
fault segv 4 'killed by signal 11 \(SIGSEGV\)'
fault exit1 4 'exited with 1'
chmod -x "$repo/b.sh"
fault noexec 4 'not executable|Permission denied|EACCES'
chmod +x "$repo/b.sh"
# the daemon: the runs succeed, the daemon is killed and warned about
echo daemon >"$repo/mode.txt"
commit_all "$repo" "head: daemon" && git -C "$repo" tag daemon
"$PERFGATE" -C "$repo" check --base base --head daemon >"$TRASH/out" 2>"$TRASH/err"
rc=$?
expect_true "B4 daemon: a verdict, not a crash (exit $rc)" -- test "$rc" -le 4
expect_true "B4 daemon: nothing left running" -- test "$(left)" -eq 0
expect_grep "B4 daemon: a note says it was killed" "^note: head [0-9a-f]{7}: benchmark 'b': left [0-9]+ process\\(es\\) running after run [0-9]+(, [0-9]+ of them outside its process group \\(a setsid daemon\\?\\))?; killed" "$TRASH/out"

# B9: output that differs on every run (random bytes, binary too) changes nothing
echo noisy >"$repo/mode.txt"
commit_all "$repo" "head: noisy" && git -C "$repo" tag noisy
expect_exit 0 "B9 noisy output: the budget's verdict, a pass" -- "$PERFGATE" -C "$repo" check --base base --head noisy --junit "$TRASH/noisy.xml"
expect_grep "B9 noisy output: b judged on its wall time" "^PASS +b wall: head " "$TRASH/out"
expect_no_grep "B9 noisy output: no warning about the output" "^(note|warning):" "$TRASH/out"
junit_check "B9 noisy" "$TRASH/noisy.xml"

# E6: a benchmark named like a path
git -C "$repo" checkout -q base -- .
sed -i 's|  - name: b$|  - name: "../../.git/hooks/pre-commit"|; s|^  b:$|  "../../.git/hooks/pre-commit":|' "$repo/perfgate.yml"
commit_all "$repo" "a hostile name" && git -C "$repo" tag hostile
ls -a "$repo/.git/hooks" >"$TRASH/hooks.before"
(cd "$TRASH" && find . -path ./repo -prune -o -print | sort >"$TRASH/files.before")
expect_exit 0 "E6: a benchmark named '../../.git/hooks/pre-commit'" -- "$PERFGATE" -C "$repo" check --base hostile --head hostile --junit "$TRASH/h.xml"
expect_true "E6: no hook written" -- test ! -e "$repo/.git/hooks/pre-commit" -a "$(ls -a "$repo/.git/hooks")" = "$(cat "$TRASH/hooks.before")"
(cd "$TRASH" && find . -path ./repo -prune -o -print | sort >"$TRASH/files.after")
expect_true "E6: only the report file is new" -- test "$(comm -13 "$TRASH/files.before" "$TRASH/files.after" | grep -v -e '^./out$' -e '^./err$' -e '^./files\.' )" = "./h.xml"
junit_check "E6" "$TRASH/h.xml"
test_done
