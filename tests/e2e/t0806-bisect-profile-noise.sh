#!/usr/bin/env bash
# perfgate bisect names no function when none grew beyond the noise: the
# culprit makes the benchmark sleep 40 ms (wall time, no code), so callgrind's
# exact profiles of culprit and parent differ by a few instructions only.
# And --metric instructions profiles with callgrind even when the config says
# perf: exact, one run a side.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate bisect: no function grew beyond the noise"
jqt() { jq -e "$@" >/dev/null; }
command -v valgrind >/dev/null || { ok "valgrind not installed: skipped"; test_done; }

repo=$TRASH/repo
make_repo "$repo"
cat >"$repo/bench.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#ifndef NAP_US
#define NAP_US 0
#endif
__attribute__((noinline)) static uint32_t spin(void)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < 3000000u; i++)
		h = (h ^ i) * 16777619u;
	return h;
}
int main(void)
{
	uint32_t h = spin();
	if (NAP_US)
		usleep(NAP_US);
	printf("%08x\n", h);
	return 0;
}
C
printf 'bench: bench.c\n\t$(CC) -O2 -g -o bench bench.c\n' >"$repo/Makefile"
printf 'bench\n' >"$repo/.gitignore"
cat >"$repo/perfgate.yml" <<'YML'
version: 1
build: make -s bench
benchmarks:
  - name: nap
    run: ./bench
    warmup: 1
    repeat: { min: 4, max: 16 }
    timeout: 30s
profile: { profiler: callgrind }
YML
commit_all "$repo" "Initial benchmark"
git -C "$repo" tag good
echo "Notes." >"$repo/NOTES"
commit_all "$repo" "Notes"
sed -i 's/^#define NAP_US 0$/#define NAP_US 40000/' "$repo/bench.c"
commit_all "$repo" "Wait for the device"
culprit=$(git -C "$repo" rev-parse HEAD)

expect_exit 0 "the sleeping commit is found" -- "$PERFGATE" -C "$repo" bisect good..main --json "$TRASH/n.json"
expect_true "the culprit" -- jqt --arg c "$culprit" '.culprit.commit == $c' "$TRASH/n.json"
expect_true "JSON: no function, below the noise" -- jqt '.culprit.function == null and .culprit.function_below_noise' "$TRASH/n.json"
expect_grep "says no function grew beyond the noise" '^function:  not named: no function grew beyond the noise' "$TRASH/out"
expect_exit 0 "--reset" -- "$PERFGATE" -C "$repo" bisect --reset
test_done
