#!/usr/bin/env bash
# perfgate check stopped by a signal while a benchmark runs (H1 SIGINT 130,
# H2 SIGTERM 143, SIGHUP as SIGINT 130) and by two SIGINTs against a
# benchmark that ignores SIGTERM (H4: KILLed at once, 130): every benchmark
# process gone (by its own name), no pass reported, the reports asked for
# written whole (a JUnit error testcase, JSON "error"), a report not asked
# for left as it was, no temporary file in the report directory or under
# .git/perfgate, the checkout byte-identical. `check --json - | head -c 10`
# and a verdict piped into `head -1` end at once, without a crash.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate check: signals"
. "$(dirname "$0")/../lib/check-lib.sh"

repo=$TRASH/repo
check_repo "$repo"
# a benchmark process with a name of its own, that may ignore SIGTERM
mkdir -p "$TRASH/bin" && cp "$(command -v sleep)" "$TRASH/bin/pgsleeper"
cat >"$repo/spin.sh" <<SH
#!/bin/sh
[ -f "$TRASH/ignterm" ] && trap '' TERM
echo \$\$ >"$TRASH/running"
exec "$TRASH/bin/pgsleeper" 1234
SH
chmod +x "$repo/spin.sh"
sed -i 's|run: ./bench 5000000|run: ./spin.sh|; s|warmup: 1|warmup: 0|' "$repo/perfgate.yml"
commit_all "$repo" "a benchmark that takes its time" && git -C "$repo" tag spin
echo "untracked" >"$repo/scratch.txt"
before=$(tree_state "$repo")
mkdir -p "$TRASH/rep"
echo "an earlier report" >"$TRASH/rep/earlier.md"

sleepers() { pgrep -x pgsleeper | wc -l; }

# stop NAME SIG SIG2: check spin against itself, SIG once the benchmark runs
# (SIG2 right after, unless '-'); sets rc and ms (last signal to exit)
stop() {
	local sig=$1 sig2=$2 pid i t
	rm -f "$TRASH/running" "$TRASH/rep/r.xml" "$TRASH/rep/r.json"
	"$PERFGATE" -C "$repo" check --base spin --head spin --junit "$TRASH/rep/r.xml" \
		--json "$TRASH/rep/r.json" >"$TRASH/out" 2>"$TRASH/err" </dev/null &
	pid=$!
	for i in $(seq 1 600); do
		[ -s "$TRASH/running" ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	sleep 0.2
	kill -"$sig" $pid
	[ "$sig2" != - ] && sleep 0.2 && kill -"$sig2" $pid
	t=$(date +%s%N)
	wait $pid
	rc=$?
	ms=$(( ($(date +%s%N) - t) / 1000000 ))
}

after() {
	local name=$1 want=$2
	if [ "$rc" -eq "$want" ]; then ok "$name: exit $want"; else not_ok "$name: exit $rc, wanted $want"; sed 's/^/# /' "$TRASH/err" | tail -5; fi
	expect_true "$name: the benchmark was running" -- test -s "$TRASH/running"
	expect_true "$name: no benchmark process left" -- test "$(sleepers)" -eq 0
	expect_no_grep "$name: no pass reported" '^result: pass' "$TRASH/out"
	expect_grep "$name: says it was interrupted" 'interrupted' "$TRASH/err"
	junit_check "$name" "$TRASH/rep/r.xml"
	expect_grep "$name: JUnit has an error" "^error	'perfgate'	'interrupted" "$TRASH/rep/r.xml.dump"
	expect_true "$name: JSON says error" -- jqt '.result == "error"' "$TRASH/rep/r.json"
	expect_true "$name: the earlier report is intact" -- test "$(cat "$TRASH/rep/earlier.md")" = "an earlier report"
	expect_true "$name: no temporary files" -- test -z "$(find "$TRASH/rep" "$repo/.git/perfgate" -name '*.tmp*')"
	expect_true "$name: checkout byte-identical" -- test "$before" = "$(tree_state "$repo")"
	expect_no_grep "$name: no sanitizer report" 'Sanitizer|runtime error' "$TRASH/err"
}

stop INT -
after "H1 SIGINT" 130
expect_true "H1: stopped at once ($ms ms)" -- test "$ms" -lt 2000
stop TERM -
after "H2 SIGTERM" 143
expect_true "H2: stopped at once ($ms ms)" -- test "$ms" -lt 2000
stop HUP -
after "SIGHUP" 130
expect_grep "SIGHUP: named as SIGHUP in the JUnit error" "^error	'perfgate'	'interrupted by SIGHUP" "$TRASH/rep/r.xml.dump"
touch "$TRASH/ignterm"
stop INT INT
after "H4 two SIGINTs, the benchmark ignoring SIGTERM" 130
expect_true "H4: KILLed at once ($ms ms; the grace is 2 s)" -- test "$ms" -lt 1500
stop INT -
after "one SIGINT, the benchmark ignoring SIGTERM" 130
expect_true "KILLed after the grace ($ms ms)" -- test "$ms" -ge 1500 -a "$ms" -lt 6000
rm -f "$TRASH/ignterm"

# --- output piped into head ---
git -C "$repo" checkout -q base -- perfgate.yml
t=$(date +%s%N)
"$PERFGATE" -C "$repo" check --base base --head base --repeat-max 6 --json - 2>"$TRASH/err" | head -c 10 >"$TRASH/out"
st=("${PIPESTATUS[@]}")
ms=$(( ($(date +%s%N) - t) / 1000000 ))
expect_true "--json - | head -c 10: ends ($ms ms)" -- test "$ms" -lt 30000
expect_true "--json - | head -c 10: the start of the document" -- test "$(head -c 1 "$TRASH/out")" = "{"
expect_true "--json - | head -c 10: no crash (exit ${st[0]}: the verdict, or 141 when the reader left first)" -- test "${st[0]}" -lt 128 -o "${st[0]}" -eq 141
expect_no_grep "--json - | head -c 10: quiet about a closed pipe" 'Broken pipe' "$TRASH/err"
expect_no_grep "--json - | head -c 10: no sanitizer report" 'Sanitizer|runtime error' "$TRASH/err"
"$PERFGATE" -C "$repo" check --base base --head base --repeat-max 6 2>"$TRASH/err" | head -1 >"$TRASH/out"
st=("${PIPESTATUS[@]}")
expect_grep "verdict | head -1: the first line" '^perfgate check: base' "$TRASH/out"
expect_true "verdict | head -1: no crash (exit ${st[0]}: the verdict, or 141 when the reader left first)" -- test "${st[0]}" -lt 128 -o "${st[0]}" -eq 141
expect_no_grep "verdict | head -1: quiet about a closed pipe" 'Broken pipe' "$TRASH/err"
expect_no_grep "verdict | head -1: no sanitizer report" 'Sanitizer|runtime error' "$TRASH/err"
expect_true "no temporary files" -- test -z "$(find "$TRASH" "$repo/.git/perfgate" -name '*.tmp*')"
test_done
