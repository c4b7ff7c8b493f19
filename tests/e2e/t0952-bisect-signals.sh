#!/usr/bin/env bash
# perfgate bisect stopped while it BUILDS a commit (C6): SIGINT (130), SIGHUP
# (treated as SIGINT: 130, H5), and two SIGINTs against a build that ignores
# SIGTERM (the second KILLs it at once, H4). Every time: the build's process
# group is gone, every journal line whole, the user's checkout byte-identical,
# nothing written but the journal; then --continue finishes without
# measuring the ends or any classified commit again. A journal replayed with
# CRLF line ends names the same culprit and measures nothing (C14);
# `bisect --log | head -1` on a large journal ends at once, without a crash.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/bisect-repo.sh"
test_begin "perfgate bisect: signals while building, and resume"
jqt() { jq -e "$@" >/dev/null; }

repo=$TRASH/repo
# 8 commits, the culprit at 5, no broken commit, no speedup: the first
# midpoint is commit 4 ("Notes, part 4"), whose build is made slow
make_bisect_repo "$repo" 8 5 0 0 || { not_ok "make the repository"; test_done; }
journal=$repo/.git/perfgate/bisect/journal
cat >"$TRASH/build.sh" <<SH
#!/bin/sh
if [ -f "$TRASH/slow" ] && grep -q 'p < 1; p++' bench.c && [ "\$(tail -n 1 NOTES)" = "Note 4." ]; then
	[ -f "$TRASH/ignterm" ] && trap '' TERM
	echo \$\$ >"$TRASH/building"
	exec sleep 1234
fi
exec make -s bench
SH
sed -i "s|^build: .*|build: sh $TRASH/build.sh|" "$repo/perfgate.yml"
echo "untracked" >"$repo/scratch.txt"
echo "staged" >>"$repo/NOTES" && git -C "$repo" add NOTES
before=$(tree_state "$repo")

sleepers() { pgrep -x sleep -a | grep -c ' 1234$'; }

# interrupt SIG [SIG2] ARGS...: start the bisect, send SIG once commit 4's
# build is running (and SIG2 right after, if not '-'), wait; sets rc, ms
# (from the last signal to the exit)
interrupt() {
	local sig=$1 sig2=$2 pid i t
	shift 2
	rm -f "$TRASH/building"
	"$PERFGATE" -C "$repo" bisect "$@" >"$TRASH/out" 2>"$TRASH/err" </dev/null &
	pid=$!
	for i in $(seq 1 900); do
		[ -s "$TRASH/building" ] && break
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

# after NAME WANT: what must hold after every interruption
after() {
	local name=$1 want=$2
	if [ "$rc" -eq "$want" ]; then ok "$name: exit $want"; else not_ok "$name: exit $rc, wanted $want"; sed 's/^/# /' "$TRASH/err" | tail -5; fi
	expect_true "$name: it was building commit 4" -- test -s "$TRASH/building"
	expect_grep "$name: says how to resume" 'bisect --continue' "$TRASH/err"
	expect_true "$name: the build's group is gone" -- test "$(sleepers)" -eq 0
	expect_true "$name: every journal line is whole" -- test "$(tail -c1 "$journal" | od -An -c | tr -d ' ')" = '\n'
	expect_true "$name: no report written" -- test ! -e "$TRASH/b.json"
	expect_true "$name: checkout byte-identical" -- test "$before" = "$(tree_state "$repo")"
	expect_true "$name: no temporary files" -- test -z "$(find "$repo/.git/perfgate" "$TRASH" -name '*.tmp*')"
	expect_no_grep "$name: no sanitizer report" 'Sanitizer|runtime error' "$TRASH/err"
}

touch "$TRASH/slow"
interrupt INT - good..main --metric cpu --json "$TRASH/b.json"
after "C6 SIGINT while building" 130
expect_true "C6: stopped at once ($ms ms)" -- test "$ms" -lt 3000
ends=$(grep -c '^pair ends ' "$journal")
expect_true "C6: the ends were measured ($ends pairs)" -- test "$ends" -ge 4
expect_true "C6: commit 4 not classified" -- test "$(grep -c '^class ' "$journal")" -eq 0

interrupt HUP - --continue
after "H5 SIGHUP while building" 130
expect_grep "H5: says it was interrupted" 'interrupted' "$TRASH/err"
expect_true "H5: the ends were not measured again" -- test "$(grep -c '^pair ends ' "$journal")" -eq "$ends"

touch "$TRASH/ignterm"
interrupt INT INT --continue
after "H4 two SIGINTs, the build ignoring SIGTERM" 130
expect_true "H4: the second SIGINT KILLs at once ($ms ms, the grace is 2 s)" -- test "$ms" -lt 1500
expect_true "H4: the ends were not measured again" -- test "$(grep -c '^pair ends ' "$journal")" -eq "$ends"
# with one SIGINT the build ignoring SIGTERM is KILLed after the grace
interrupt INT - --continue
after "one SIGINT, the build ignoring SIGTERM" 130
expect_true "KILLed after the grace period ($ms ms)" -- test "$ms" -ge 1500 -a "$ms" -lt 6000
rm -f "$TRASH/ignterm" "$TRASH/slow"

cp "$journal" "$TRASH/journal.mid"
expect_exit 0 "--continue finishes" -- "$PERFGATE" -C "$repo" bisect --continue
expect_true "the planted commit" -- jqt --arg c "$BISECT_CULPRIT_OID" '.culprit.commit == $c' "$TRASH/b.json"
expect_true "samples came from the journal" -- jqt '.replayed > 0' "$TRASH/b.json"
expect_true "the ends were measured once" -- test "$(grep -c '^pair ends ' "$journal")" -eq "$ends"
dups=$(grep -E '^(class|skip) ' "$journal" | awk '{print $2}' | sort | uniq -d)
expect_true "no commit classified twice ($dups)" -- test -z "$dups"
expect_true "checkout byte-identical" -- test "$before" = "$(tree_state "$repo")"

# --- C14: the finished journal, less its end, replayed with CRLF ---
grep -v '^done ' "$journal" | sed 's/$/\r/' >"$TRASH/journal.crlf"
cp "$TRASH/journal.crlf" "$journal"
n_meas=$(grep -cE '^(pair|trip) ' "$journal")
rm -f "$TRASH/b.json"
expect_exit 0 "C14: --continue on a CRLF journal" -- "$PERFGATE" -C "$repo" bisect --continue
expect_true "C14: the same culprit" -- jqt --arg c "$BISECT_CULPRIT_OID" '.culprit.commit == $c' "$TRASH/b.json"
expect_true "C14: nothing measured again" -- test "$(grep -cE '^(pair|trip) ' "$journal")" -eq "$n_meas"
expect_exit 0 "C14: --log reads it" -- "$PERFGATE" -C "$repo" bisect --log
expect_grep "C14: --log: done" "^done: found ${BISECT_CULPRIT_OID:0:7}" "$TRASH/out"
expect_no_grep "C14: no carriage return shown" $'\r' "$TRASH/out"

# --- --log | head -1 on a journal larger than a pipe's buffer ---
{ head -n 2 "$TRASH/journal.mid"; for i in $(seq 1 4000); do grep -m1 '^pair ends ' "$TRASH/journal.mid"; done; } >"$journal"
t=$(date +%s%N)
"$PERFGATE" -C "$repo" bisect --log 2>"$TRASH/err" | head -1 >"$TRASH/out"
st=("${PIPESTATUS[@]}")
ms=$(( ($(date +%s%N) - t) / 1000000 ))
expect_true "--log | head -1: prompt ($ms ms)" -- test "$ms" -lt 5000
expect_grep "--log | head -1: the first line" '^bisect of [0-9a-f]{7}\.\.[0-9a-f]{7}' "$TRASH/out"
expect_true "--log | head -1: exit 141, as SIGPIPE gives (exit ${st[0]})" -- test "${st[0]}" -eq 141
expect_no_grep "--log | head -1: quiet about the closed pipe" 'Broken pipe' "$TRASH/err"
expect_no_grep "--log | head -1: no sanitizer report" 'Sanitizer|runtime error' "$TRASH/err"
expect_exit 0 "--reset" -- "$PERFGATE" -C "$repo" bisect --reset
test_done
