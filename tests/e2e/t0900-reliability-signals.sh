#!/usr/bin/env bash
# RELIABILITY H1, H2, H4, H5-like for run: SIGINT, SIGTERM, SIGHUP and a
# second SIGINT while `perfgate run` measures. Every child group is gone
# afterwards, the exit code says which signal, no temporary file is left,
# and the result file is either the old one, whole, or a whole new one.
# (check and bisect have their own signal tests.)
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate run: signals"
jqt() { jq -e "$@" >/dev/null; }
not_grep() { ! grep -qE "$@"; }

repo=$TRASH/repo
make_repo "$repo"
# A private copy of sleep, so that survivors can be told from other processes.
cp "$(command -v sleep)" "$TRASH/pg-sig-sleeper"
mkdir -p "$TRASH/tmp"
export TMPDIR=$TRASH/tmp

survivors() { pgrep -f "$TRASH/pg-sig-sleeper"; }
# The sleeper itself (by its name: perfgate's own command line names it too).
wait_for_sleeper() {
	for _ in $(seq 400); do pgrep -x pg-sig-sleeper >/dev/null && return 0; sleep 0.05; done
	return 1
}
# No "FILE.tmp.XXXXXX" beside the outputs, nothing left in TMPDIR.
no_temps() {
	test -z "$(find "$TRASH" -maxdepth 1 -name '*.tmp.*')" && test -z "$(ls -A "$TRASH/tmp")"
}

# A previous result that an interrupted run must not damage.
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: quick
    run: "true"
YML
commit_all "$repo" "quick"
expect_exit 0 "an earlier result" -- "$PERFGATE" -C "$repo" run --json "$TRASH/r.json"
cp "$TRASH/r.json" "$TRASH/r.json.before"

# The benchmark: a shell with two sleepers, one in the background.
cat >"$repo/perfgate.yml" <<YML
version: 1
benchmarks:
  - name: first
    run: "true"
  - name: long
    run: $TRASH/pg-sig-sleeper 1000 & $TRASH/pg-sig-sleeper 1000
    warmup: 0
YML

for sig in INT TERM HUP; do
	case $sig in TERM) want=143 ;; *) want=130 ;; esac
	"$PERFGATE" -C "$repo" run --json "$TRASH/r.json" >"$TRASH/out" 2>"$TRASH/err" &
	pg=$!
	wait_for_sleeper
	start=$(date +%s%N)
	kill -$sig $pg
	wait $pg
	code=$?
	took=$((($(date +%s%N) - start) / 1000000))
	expect_true "SIG$sig: exit $want (got $code)" -- test "$code" -eq "$want"
	expect_grep "SIG$sig: says it was interrupted" "interrupted by SIG$sig" "$TRASH/err"
	expect_true "SIG$sig: no survivors" -- test -z "$(survivors)"
	expect_true "SIG$sig: within the grace period (${took} ms)" -- test "$took" -lt 3000
	expect_true "SIG$sig: no temporary files" -- no_temps
	if cmp -s "$TRASH/r.json" "$TRASH/r.json.before"; then
		ok "SIG$sig: the earlier result is intact"
	else
		expect_true "SIG$sig: a new result, whole" -- jqt .perfgate_result "$TRASH/r.json"
		expect_true "SIG$sig: which does not report a pass for 'long'" -- \
			jqt '[.benchmarks[] | select(.name == "long" and .error == null and .runs > 0)] | length == 0' "$TRASH/r.json"
		cp "$TRASH/r.json.before" "$TRASH/r.json"
	fi
	expect_true "SIG$sig: no result row printed for 'long'" -- not_grep '^long +wall' "$TRASH/out"
done

# H4: a benchmark that ignores SIGINT and SIGTERM. One SIGINT: TERM, then
# KILL after the 2 s grace period. A second SIGINT: SIGKILL at once.
cat >"$repo/perfgate.yml" <<YML
version: 1
benchmarks:
  - name: stubborn
    run: trap '' INT TERM; $TRASH/pg-sig-sleeper 1000 & $TRASH/pg-sig-sleeper 1000
    warmup: 0
YML
"$PERFGATE" -C "$repo" run >"$TRASH/out" 2>"$TRASH/err" &
pg=$!
wait_for_sleeper
start=$(date +%s%N)
kill -INT $pg
wait $pg
code=$?
one=$((($(date +%s%N) - start) / 1000000))
expect_true "one SIGINT, stubborn benchmark: exit 130 (got $code)" -- test "$code" -eq 130
expect_true "one SIGINT: KILLed after the grace period (${one} ms)" -- test "$one" -ge 1800
expect_true "one SIGINT: no survivors" -- test -z "$(survivors)"

"$PERFGATE" -C "$repo" run >"$TRASH/out" 2>"$TRASH/err" &
pg=$!
wait_for_sleeper
start=$(date +%s%N)
kill -INT $pg
sleep 0.2
kill -INT $pg
wait $pg
code=$?
two=$((($(date +%s%N) - start) / 1000000))
expect_true "second SIGINT: exit 130 (got $code)" -- test "$code" -eq 130
expect_true "second SIGINT: children KILLed at once (${two} ms, one signal took ${one} ms)" -- \
	test "$two" -lt 1500
expect_true "second SIGINT: no survivors" -- test -z "$(survivors)"
expect_true "no temporary files" -- no_temps

# H3: SIGINT while perf records: perf is waited for, nothing half-parsed is
# written, the scratch directory is removed. Only where perf may record.
if perf record -q -o "$TRASH/probe.data" true >/dev/null 2>&1; then
	rm -f "$TRASH/probe.data"
	"$PERFGATE" profile --cmd "$TRASH/pg-sig-sleeper 1000" -o "$TRASH/h3.folded" \
		>"$TRASH/out" 2>"$TRASH/err" &
	pg=$!
	wait_for_sleeper
	sleep 0.3
	kill -INT $pg
	wait $pg
	code=$?
	expect_true "profile, SIGINT: exit 130 (got $code)" -- test "$code" -eq 130
	expect_true "profile, SIGINT: no survivors" -- test -z "$(survivors)"
	expect_true "profile, SIGINT: perf is gone too" -- \
		test -z "$(pgrep -f "perf record.*pg-sig-sleeper")"
	expect_true "profile, SIGINT: no folded file and no SVG written" -- \
		test ! -e "$TRASH/h3.folded" -a ! -e "$TRASH/h3.folded.svg"
	expect_true "profile, SIGINT: scratch directory removed" -- no_temps
else
	echo "# skip H3: perf may not record here"
fi

test_done
