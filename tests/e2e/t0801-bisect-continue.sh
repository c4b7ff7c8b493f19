#!/usr/bin/env bash
# perfgate bisect interrupted in the middle (SIGINT, then SIGTERM) and resumed
# with --continue: exit 130 and 143, the journal stays consistent, the
# resumed bisect names the right commit and measures no commit twice, and the
# user's checkout with local changes is byte-identical. (Metric cpu: less
# disturbed than wall by neighbours on a loaded machine; t0800 bisects wall.)
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/bisect-repo.sh"
test_begin "perfgate bisect: interrupted, then --continue"
jqt() { jq -e "$@" >/dev/null; }

repo=$TRASH/repo
make_bisect_repo "$repo" || { not_ok "make the repository"; test_done; }
echo "/* local */" >>"$repo/bench.c"
echo "untracked" >"$repo/scratch.txt"
before=$(tree_state "$repo")
journal=$repo/.git/perfgate/bisect/journal

# start_and_kill SIG CLASSES ARGS...: run the bisect in the background, send SIG
# once the journal holds CLASSES classified (or skipped) steps, return its status
start_and_kill() {
	local sig=$1 want=$2 pid i
	shift 2
	"$PERFGATE" -C "$repo" bisect "$@" >"$TRASH/out" 2>"$TRASH/err" </dev/null &
	pid=$!
	for i in $(seq 1 600); do
		n=$(grep -cE "^(class|skip) " "$journal" 2>/dev/null); [ "${n:-0}" -ge "$want" ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	# mid-step: a few samples of the next step are in
	sleep 0.3
	kill -"$sig" $pid
	wait $pid
}

start_and_kill INT 2 good..main --metric cpu --json "$TRASH/b.json"
expect_true "SIGINT: exit 130 (got $?)" -- test $? -eq 130
expect_grep "says how to resume" 'bisect --continue' "$TRASH/err"
expect_true "no report written" -- test ! -e "$TRASH/b.json"
expect_true "every journal line is whole" -- test "$(tail -c1 "$journal" | od -An -c | tr -d ' ')" = '\n'
classes1=$(grep -cE '^(class|skip) ' "$journal")
expect_exit 0 "--log while interrupted" -- "$PERFGATE" -C "$repo" bisect --log
expect_grep "--log: in progress" 'in progress' "$TRASH/out"
expect_exit 2 "a new bisect is refused while one is in progress" -- "$PERFGATE" -C "$repo" bisect good..main
expect_grep "points to --continue" 'in progress: perfgate bisect --continue' "$TRASH/err"

want=$((classes1 + 1))
start_and_kill TERM $want --continue
expect_true "SIGTERM: exit 143 (got $?)" -- test $? -eq 143
# a torn last line, as a killed writer could leave it
printf 'trip 0123' >>"$journal"

expect_exit 0 "--continue finishes" -- "$PERFGATE" -C "$repo" bisect --continue
expect_true "the saved --json was written" -- test -s "$TRASH/b.json"
expect_true "the planted commit" -- jqt --arg c "$BISECT_CULPRIT_OID" '.culprit.commit == $c' "$TRASH/b.json"
expect_true "the planted function" -- jqt '.culprit.function == "parse_field"' "$TRASH/b.json"
expect_true "samples came from the journal" -- jqt '.replayed > 0' "$TRASH/b.json"
dups=$(grep -E '^(class|skip) ' "$journal" | awk '{print $2}' | sort | uniq -d)
expect_true "no commit classified twice ($dups)" -- test -z "$dups"
trips=$(awk '$1 == "trip" {print $4}' "$journal" | sort | uniq -c | awk '$1 > 32')
expect_true "no step has more triplets than repeat.max ($trips)" -- test -z "$trips"
pairs=$(awk '$1 == "pair" && $2 == "ends"' "$journal" | wc -l)
expect_true "the ends were measured once ($pairs pairs)" -- test "$pairs" -le 32
expect_true "the torn line was dropped" -- test "$(grep -c '^trip 0123$' "$journal")" -eq 0
expect_true "checkout byte-identical" -- test "$before" = "$(tree_state "$repo")"
test_done
