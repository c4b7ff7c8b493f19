#!/usr/bin/env bash
# A crashing benchmark reports the signal.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate run: a benchmark killed by a signal"
jqt() { jq -e "$@" >/dev/null; }

repo=$TRASH/repo
mkdir -p "$repo"
cat >"$repo/crash.c" <<'C'
#include <stdio.h>
int main(void)
{
	volatile int *p = 0;
	fprintf(stderr, "about to crash\n");
	return *p;
}
C
cc -O0 -o "$repo/crash" "$repo/crash.c" || { not_ok "cc"; test_done; }
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: crash
    run: ./crash
    warmup: 0
YML
expect_exit 4 "a crashing benchmark" -- "$PERFGATE" -C "$repo" run --json "$TRASH/r.json"
expect_grep "the signal named" "benchmark 'crash': run 1/3 killed by signal 11 \(SIGSEGV\)" "$TRASH/err"
expect_grep "stderr quoted" 'about to crash' "$TRASH/err"
expect_true "status 139 in JSON" -- jqt '.benchmarks[0].status == 139' "$TRASH/r.json"

cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: abort
    run: kill -ABRT $$
    warmup: 0
YML
expect_exit 4 "an aborting benchmark" -- "$PERFGATE" -C "$repo" run
expect_grep "SIGABRT named" "killed by signal 6 \(SIGABRT\)" "$TRASH/err"

test_done
