# bisect-repo.sh: a generated history for the bisect tests (source after test-lib.sh).
#
#   make_bisect_repo DIR [N] [CULPRIT] [BROKEN] [SPEEDUP]
# makes a repository of N commits (default 32) with pinned dates, commit 1
# tagged "good", the last one on main. The benchmark (bench.c, built by
# `make`) spends ~10 ms in parse_field() and ~4 ms in format_row():
#   CULPRIT (default 18)  "Validate fields twice": parse_field() 2x slower
#   BROKEN  (default 16)  "Refactor helpers": does not compile (fixed by the next
#                         commit; the first midpoint the search tries, so it is skipped)
#   SPEEDUP (default 25)  "Faster rows": format_row() 2x faster
#   every other commit    a neutral decoy (a comment or a rename in helpers.c/NOTES)
# Pass 0 for BROKEN or SPEEDUP to leave it out. Sets BISECT_CULPRIT_OID,
# BISECT_BROKEN_OID and BISECT_GOOD_OID. WORK (env, default 1) scales the loops.
# Instructions: ~34 M before the culprit, ~61 M after it, ~58 M after the speedup.
make_bisect_repo() {
	local dir=$1 n=${2:-32} culprit=${3:-18} broken=${4:-16} speedup=${5:-25} i
	local work=${WORK:-1}
	make_repo "$dir" || return 1
	cat >"$dir/bench.c" <<C
#include <stdint.h>
#include <stdio.h>
#include "helpers.h"
#ifndef ROW_PASSES
#define ROW_PASSES 2
#endif
static unsigned char buf[8192];
__attribute__((noinline))
uint32_t parse_field(int k)
{
	uint32_t h = 2166136261u;
	for (int p = 0; p < 1; p++) /* validation passes */
		for (int r = 0; r < 12 * $work; r++)
			for (size_t i = 0; i < sizeof(buf); i++) {
				h ^= buf[i] + (unsigned)k;
				h *= 16777619u;
			}
	return h;
}
__attribute__((noinline))
uint32_t format_row(int k)
{
	uint32_t h = 0;
	for (int p = 0; p < ROW_PASSES; p++)
		for (int r = 0; r < 1 * $work; r++)
			for (size_t i = 0; i < sizeof(buf); i++)
				h = h * 31u + buf[i] + (unsigned)k;
	return h;
}
int main(void)
{
	uint32_t acc = 0;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7u);
	for (int k = 0; k < 40; k++)
		acc ^= parse_field(k) + format_row(k) + helper(k);
	printf("%08x\n", acc);
	return 0;
}
C
	printf '#ifndef HELPERS_H\n#define HELPERS_H\nunsigned helper(int k);\n#endif\n' >"$dir/helpers.h"
	printf '#include "helpers.h"\nunsigned helper(int k)\n{\n\treturn (unsigned)k * 3u;\n}\n' >"$dir/helpers.c"
	printf 'bench: bench.c helpers.c helpers.h\n\t$(CC) -O2 -g -o bench bench.c helpers.c\n' >"$dir/Makefile"
	printf 'bench\n' >"$dir/.gitignore"
	cat >"$dir/perfgate.yml" <<'YML'
version: 1
build: make -s bench
benchmarks:
  - name: rows
    run: ./bench
    warmup: 1
    repeat: { min: 4, max: 32 }
    timeout: 30s
profile: { profiler: callgrind }
YML
	commit_all "$dir" "Initial benchmark" || return 1
	git -C "$dir" tag good
	BISECT_GOOD_OID=$(git -C "$dir" rev-parse HEAD)
	for i in $(seq 2 "$n"); do
		if [ "$i" -eq "$culprit" ]; then
			sed -i 's/p < 1; p++) \/\* validation passes/p < 2; p++) \/* validation passes/' "$dir/bench.c"
			sed -i 's/return (unsigned)k \* 3u$/return (unsigned)k * 3u;/' "$dir/helpers.c"
			commit_all "$dir" "Validate fields twice" || return 1
			BISECT_CULPRIT_OID=$(git -C "$dir" rev-parse HEAD)
		elif [ "$i" -eq "$broken" ]; then
			sed -i 's/return (unsigned)k \* 3u;/return (unsigned)k * 3u/' "$dir/helpers.c"
			commit_all "$dir" "Refactor helpers" || return 1
			BISECT_BROKEN_OID=$(git -C "$dir" rev-parse HEAD)
		elif [ "$i" -eq $((broken + 1)) ] && [ "$broken" -gt 0 ]; then
			sed -i 's/return (unsigned)k \* 3u$/return (unsigned)k * 3u;/' "$dir/helpers.c"
			commit_all "$dir" "Fix the build" || return 1
		elif [ "$i" -eq "$speedup" ]; then
			sed -i 's/^#define ROW_PASSES 2$/#define ROW_PASSES 1/' "$dir/bench.c"
			commit_all "$dir" "Faster rows" || return 1
		elif [ $((i % 2)) -eq 0 ]; then
			echo "Note $i." >>"$dir/NOTES"
			commit_all "$dir" "Notes, part $i" || return 1
		else
			printf '/* helper revision %s */\n' "$i" >>"$dir/helpers.c"
			commit_all "$dir" "Helpers: comment $i" || return 1
		fi
	done
	export BISECT_GOOD_OID BISECT_CULPRIT_OID BISECT_BROKEN_OID
}
