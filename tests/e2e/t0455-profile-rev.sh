#!/usr/bin/env bash
# perfgate profile --rev REV on a real repository: each revision is checked out into a
# private worktree, built with the config's build command and profiled there; the function
# that is hot at that revision is named; the user's checkout (with staged, unstaged and
# untracked changes) is byte-identical afterwards. perf when it may record here, else
# callgrind (exact, needs no permission).
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate profile --rev REV"

if perf record -o "$TRASH/probe.data" -e cpu-clock -F 999 true >/dev/null 2>&1; then
	PROFILER=perf N=1500000
else
	echo "# perf cannot record here: callgrind"
	PROFILER=callgrind N=300000
fi
rm -f "$TRASH/probe.data"

R=$TRASH/repo
make_repo "$R"
# bench.c with the work split A:B between alpha and beta
write_bench() {
	cat >"$R/bench.c" <<EOF
#include <stdlib.h>
volatile unsigned long sink;
__attribute__((noinline)) void alpha(unsigned long n)
{
	unsigned long i, x = 1;
	for (i = 0; i < n; i++)
		x = x * 6364136223846793005ul + i;
	sink += x;
}
__attribute__((noinline)) void beta(unsigned long n)
{
	unsigned long i, x = 7;
	for (i = 0; i < n; i++)
		x = x * 2862933555777941757ul + i;
	sink += x;
}
int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], 0, 10) : 1000;
	alpha(n * $1);
	beta(n * $2);
	return 0;
}
EOF
}
write_bench 40 1
cat >"$R/perfgate.yml" <<EOF
version: 1
build: cc -O1 -g -o bench bench.c
benchmarks:
  - name: hot
    run: ./bench $N
    timeout: 30s
profile: { profiler: $PROFILER }
EOF
printf 'bench\n*.folded\n*.svg\n' >"$R/.gitignore"
commit_all "$R" "alpha is hot"
write_bench 1 40
commit_all "$R" "beta is hot"
git -C "$R" checkout -q -b broken
echo 'this is not C' >>"$R/bench.c"
commit_all "$R" "does not build"
git -C "$R" checkout -q main

# the user's checkout: a staged, an unstaged and an untracked change
echo '/* staged */' >>"$R/bench.c" && git -C "$R" add bench.c
echo '# unstaged' >>"$R/perfgate.yml"
echo 'untracked' >"$R/notes.txt"
before=$(tree_state "$R")
cd "$R" || exit 1

expect_exit 0 "profile --rev main~1" -- "$PERFGATE" profile -b hot --rev main~1 -o "$TRASH/r1.folded"
expect_grep "alpha is hot at main~1" '^hottest: alpha' "$TRASH/out"
expect_grep "built in the private worktree" "building [0-9a-f]{7} in .*/\.git/perfgate/worktrees/profile: cc -O1" "$TRASH/err"
expect_exit 0 "profile --rev main" -- "$PERFGATE" profile -b hot --rev main -o "$TRASH/r2.folded"
expect_grep "beta is hot at main" '^hottest: beta' "$TRASH/out"
expect_exit 0 "diff the two revisions" -- "$PERFGATE" diff "$TRASH/r1.folded" "$TRASH/r2.folded"
expect_grep "beta is responsible" '^responsible: beta' "$TRASH/out"

expect_exit 2 "unknown revision" -- "$PERFGATE" profile -b hot --rev nope
expect_grep "names it" "unknown revision 'nope'" "$TRASH/err"
expect_exit 2 "unknown benchmark with --rev" -- "$PERFGATE" profile -b hto --rev main
expect_grep "did you mean" "did you mean 'hot'" "$TRASH/err"
expect_exit 4 "a revision that does not build" -- "$PERFGATE" profile -b hot --rev broken -o "$TRASH/b.folded"
expect_grep "says the build failed" 'build failed' "$TRASH/err"
expect_true "no profile written for it" -- test ! -e "$TRASH/b.folded"
expect_exit 0 "--no-build runs what the worktree holds" -- "$PERFGATE" profile -b hot --rev broken --no-build -o "$TRASH/nb.folded"
expect_no_grep "--no-build builds nothing" 'building' "$TRASH/err"

after=$(tree_state "$R")
expect_true "the user's checkout, index and HEAD are byte-identical" -- test "$before" = "$after"
expect_true "no bench binary in the user's checkout" -- test ! -e "$R/bench"
expect_true "still on main with the staged change" -- \
	test "$(git -C "$R" symbolic-ref HEAD) $(git -C "$R" diff --cached --name-only)" = "refs/heads/main bench.c"
test_done
