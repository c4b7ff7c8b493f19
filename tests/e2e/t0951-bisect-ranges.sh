#!/usr/bin/env bash
# perfgate bisect on bad input, before anything is measured: unknown and
# fuzzed ranges (C1, C13), a repository owned by another uid (C10), a
# shallow clone (C11), --reset on idle, garbage and hostile state (C8).
# Each: the documented exit code in bounded time, a message that names the
# revision or the path with non-printables escaped, no state directory made,
# nothing outside the state directory removed.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/bisect-repo.sh"
test_begin "perfgate bisect: bad ranges, foreign and shallow repositories, reset"

repo=$TRASH/repo
make_bisect_repo "$repo" 8 5 0 0 || { not_ok "make the repository"; test_done; }
state=$repo/.git/perfgate/bisect
jqt() { jq -e "$@" >/dev/null; }

# --- C1 ---
expect_exit 2 "C1: foo..HEAD" -- "$PERFGATE" -C "$repo" bisect foo..HEAD
expect_grep "C1: names the revision" "unknown revision 'foo'" "$TRASH/err"
expect_true "C1: no state directory" -- test ! -e "$state"

# --- C13: fuzzed range strings ---
long=$(head -c 10000 /dev/zero | tr '\0' a)
junk=$(printf 'x\033[31m\x01\x7f\xff\xfe..y\033]0;title\007')
binjunk=$(head -c 400 /dev/urandom | tr -d '\0')
i=0
for r in 'main@' 'good..main@' '@{' 'good..@{' 'good..main@{' '..' '...' \
	'good..main..x' 'good...main' 'a..b..c' "$long" "good..$long" "$long..main" \
	"$junk" "good..$junk" "$binjunk" "good..$binjunk" 'good..main@{-1}' '@{u}..main' \
	'good..HEAD^{tree}' 'main~999..main' 'good..-x' '-' 'good^@..main' 'good^!..main' \
	'good..main^-' 'good..main:NOTES' 'HEAD@{999999999999999999999}..main' ':/..main' \
	'good..refs/heads/../../x' 'good..main~99999999999999999999'; do
	i=$((i + 1))
	s=$(date +%s%N)
	"$PERFGATE" -C "$repo" bisect "$r" >"$TRASH/out" 2>"$TRASH/err" </dev/null
	rc=$?
	ms=$(( ($(date +%s%N) - s) / 1000000 ))
	show=$(printf '%s' "${r:0:24}" | tr -c '[:graph:]' '?')
	if [ "$rc" -eq 2 ]; then ok "C13 #$i ($show): exit 2"; else not_ok "C13 #$i ($show): exit $rc, wanted 2"; sed 's/^/# /' "$TRASH/err" | head -5 | cat -v; fi
	expect_true "C13 #$i: bounded time ($ms ms)" -- test "$ms" -lt 5000
	expect_true "C13 #$i: a message" -- test -s "$TRASH/err"
	expect_true "C13 #$i: the message is short ($(wc -c <"$TRASH/err") bytes)" -- test "$(wc -c <"$TRASH/err")" -lt 1000
	expect_no_grep "C13 #$i: no control characters in the message" $'[\x01-\x09\x0b-\x1f\x7f]' "$TRASH/err"
	expect_no_grep "C13 #$i: no sanitizer report" 'Sanitizer|runtime error' "$TRASH/err"
	expect_true "C13 #$i: no state directory" -- test ! -e "$state"
done
"$PERFGATE" -C "$repo" bisect "$junk" >"$TRASH/out" 2>"$TRASH/err"
expect_grep "C13: the junk is shown escaped" "'x\\\\x1b\\[31m\\\\x01" "$TRASH/err"
"$PERFGATE" -C "$repo" bisect "$long" >"$TRASH/out" 2>"$TRASH/err"
expect_grep "C13: a long range is cut, with its length" '\.\.\. \([0-9]+ bytes\)' "$TRASH/err"

# --- C10: a repository owned by another uid ---
if [ "$(id -u)" -eq 0 ]; then
	rm -rf "$state"
	cp -a "$repo" "$TRASH/foreign"
	chown -R 12345 "$TRASH/foreign"
	for args in "good..main" "--continue" "--log" "--reset"; do
		# shellcheck disable=SC2086
		expect_exit 4 "C10: bisect $args in a foreign repository" -- "$PERFGATE" -C "$TRASH/foreign" bisect $args
		expect_grep "C10: names the owner and safe.directory" "repository '$TRASH/foreign' is owned by uid 12345, not by you \(add it to safe.directory\)" "$TRASH/err"
	done
	expect_true "C10: nothing made in it" -- test ! -e "$TRASH/foreign/.git/perfgate"
	mkdir -p "$TRASH/home"
	printf '[safe]\n\tdirectory = %s\n' "$TRASH/foreign" >"$TRASH/home/.gitconfig"
	expect_exit 0 "C10: listed in safe.directory, it opens" -- env HOME="$TRASH/home" "$PERFGATE" -C "$TRASH/foreign" bisect --log
	expect_grep "C10: no bisect" '^no bisect$' "$TRASH/out"
else
	ok "C10: not root, cannot make a repository owned by another uid: skipped"
fi

# --- C11: shallow clones ---
git clone -q --depth 3 "file://$repo" "$TRASH/shallow" 2>/dev/null
expect_true "C11: the clone is shallow" -- test -f "$TRASH/shallow/.git/shallow"
for r in "$BISECT_GOOD_OID..main" "${BISECT_GOOD_OID:0:10}..main" "main~5..main" "main~2..main --all-parents"; do
	# shellcheck disable=SC2086
	expect_exit 4 "C11: $r in a depth-3 clone" -- "$PERFGATE" -C "$TRASH/shallow" bisect $r --metric cpu
	expect_grep "C11: $r: says the clone is shallow" 'not present \(shallow clone\?\)' "$TRASH/err"
	expect_no_grep "C11: $r: no sanitizer report" 'Sanitizer' "$TRASH/err"
	expect_no_grep "C11: $r: nothing measured" 'step|first bad commit' "$TRASH/err"
	expect_true "C11: $r: no state directory" -- test ! -e "$TRASH/shallow/.git/perfgate/bisect"
done
# a good end inside the clone's history: bisected (libgit2 1.5's own walks
# fail at the shallow boundary; perfgate walks the first parents itself)
git clone -q --depth 5 "file://$repo" "$TRASH/shallow5" 2>/dev/null
expect_exit 0 "C11: main~4..main in a depth-5 clone is bisected" -- "$PERFGATE" -C "$TRASH/shallow5" bisect main~4..main --metric cpu --json "$TRASH/s.json"
expect_true "C11: the planted commit" -- jqt --arg c "$BISECT_CULPRIT_OID" '.culprit.commit == $c and .culprit.function == "parse_field"' "$TRASH/s.json"
expect_true "C11: a range of 4 commits" -- jqt '.range.commits == 4' "$TRASH/s.json"

# --- C8: --reset, idle, garbage and hostile state ---
expect_exit 0 "C8: --reset when idle" -- "$PERFGATE" -C "$repo" bisect --reset
mkdir -p "$repo/.git/perfgate" && printf 'junk' >"$state"
expect_exit 0 "C8: --reset when the state is a file" -- "$PERFGATE" -C "$repo" bisect --reset
expect_true "C8: gone" -- test ! -e "$state"
mkdir -p "$state/journal/x" && head -c 5000 /dev/urandom >"$state/cache"
expect_exit 4 "C8: --continue when the journal is a directory" -- "$PERFGATE" -C "$repo" bisect --continue
expect_grep "C8: names it" "cannot read '.*/bisect/journal': Is a directory" "$TRASH/err"
expect_exit 0 "C8: --reset when the journal is a directory" -- "$PERFGATE" -C "$repo" bisect --reset
expect_true "C8: gone" -- test ! -e "$state"
mkdir -p "$TRASH/precious/sub" && echo keep >"$TRASH/precious/sub/file"
mkdir -p "$state/logs" && ln -s "$TRASH/precious" "$state/logs/link" && ln -s "$TRASH/precious/sub/file" "$state/journal"
expect_exit 0 "C8: --reset with symlinks in the state" -- "$PERFGATE" -C "$repo" bisect --reset
expect_true "C8: gone" -- test ! -e "$state" -a ! -L "$state"
expect_true "C8: what the links pointed to is untouched" -- test "$(cat "$TRASH/precious/sub/file")" = keep
ln -s "$TRASH/precious" "$state"
expect_exit 0 "C8: --reset when the state directory is a symlink" -- "$PERFGATE" -C "$repo" bisect --reset
expect_true "C8: the link is gone, its target kept" -- test ! -L "$state" -a "$(cat "$TRASH/precious/sub/file")" = keep
mkdir -p "$repo/.git/perfgate/worktrees/bisect-1" && echo junk >"$repo/.git/perfgate/worktrees/bisect-1/x"
mkdir -p "$repo/.git/perfgate/worktrees" && echo junk >"$repo/.git/perfgate/worktrees/bisect-2"
expect_exit 0 "C8: --reset with garbage worktrees" -- "$PERFGATE" -C "$repo" bisect --reset
expect_true "C8: the worktrees are gone" -- test -z "$(ls "$repo/.git/perfgate/worktrees" 2>/dev/null)"
expect_true "C8: git fsck is clean" -- git -C "$repo" fsck --no-progress --no-dangling
test_done
