#!/usr/bin/env bash
# What does the pre-merge gate cost, and is it honest, on this machine?
#
#   bench/check_gate.sh [PERFGATE] [AA_GATES] [SLOW_GATES] [REPEAT_MAX] [TOLERANCE]
#
# A throwaway repository with a C benchmark of about 30 ms (a dependent
# multiply chain, ITERS iterations) and a perfgate.yml with
# `wall: { regress: TOLERANCE }` (default 5%) and repeat { min: 6, max:
# REPEAT_MAX } (default 60). Three heads:
#   slow10     ITERS * 1.1: a clear 10% slowdown        (should fail, exit 1)
#   identical  a README change: the same code           (should pass, exit 0)
# Runs SLOW_GATES (default 3) whole gates against slow10 and AA_GATES
# (default 20) against identical: each a real `perfgate check --base base
# --head X` (two private worktrees, two builds, warm-ups, interleaved
# adaptive sampling). Prints one row per gate (scenario, runs per side,
# gate wall time, exit code, verdict, change) and a summary: the share of
# A/A gates that wrongly failed (target: none), and how many were
# inconclusive (exit 3: honest, but not a pass).
set -eu
PERFGATE=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/perfgate}
AA=${2:-20}
SLOW=${3:-3}
REPEAT_MAX=${4:-60}
TOL=${5:-5%}
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }
command -v cc >/dev/null || { echo "needs cc" >&2; exit 2; }
[ -x "$PERFGATE" ] || { echo "no perfgate binary at $PERFGATE" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pg-check-gate.XXXXXX")
trap 'rm -rf "$work"' EXIT
repo=$work/repo
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
export NO_COLOR=1
git init -q -b main "$repo"
cat >"$repo/bench.c" <<'C'
#include <stdlib.h>
#define ITERS 10000000ul
static volatile unsigned long sink;
static unsigned long work(unsigned long n)
{
	unsigned long x = 1;
	for (unsigned long i = 0; i < n; i++)
		x = x * 6364136223846793005ul + i;
	return x;
}
int main(void)
{
	sink = work(ITERS);
	return 0;
}
C
cat >"$repo/perfgate.yml" <<YML
version: 1
build: cc -O1 -o bench bench.c
benchmarks:
  - name: chain
    run: ./bench
    warmup: 1
    repeat: { min: 6, max: $REPEAT_MAX }
budgets:
  chain:
    wall: { regress: $TOL }
YML
printf 'bench\n' >"$repo/.gitignore"
git -C "$repo" add -A && git -C "$repo" commit -q -m base && git -C "$repo" tag base
echo "docs" >"$repo/README" && git -C "$repo" add -A && git -C "$repo" commit -q -m "README" && git -C "$repo" tag identical
git -C "$repo" checkout -q base
sed -i 's/^#define ITERS .*/#define ITERS 11000000ul/' "$repo/bench.c"
git -C "$repo" commit -q -am "10% slower" && git -C "$repo" tag slow10
git -C "$repo" checkout -q main

printf '# machine: %s cores, load %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '# config: wall regress %s, repeat 6..%s pairs; benchmark ~30 ms\n' "$TOL" "$REPEAT_MAX"
printf '%-10s %4s  %9s  %6s  %4s  %-9s  %7s  %s\n' scenario gate "runs/side" "wall s" exit verdict change "CV base/head"
gate() { # scenario head i
	local t0 t1 rc
	t0=$(date +%s.%N)
	set +e
	"$PERFGATE" -C "$repo" check --base base --head "$2" --json "$work/r.json" >/dev/null 2>"$work/err"
	rc=$?
	set -e
	t1=$(date +%s.%N)
	jq -r --arg s "$1" --arg i "$3" --arg t "$(echo "$t1 - $t0" | bc)" --arg rc "$rc" \
		'.metrics[] | select(.metric == "wall") |
		 [$s, $i, (.comparison.runs_base | tostring), ($t | tonumber * 10 | round / 10 | tostring), $rc,
		  .comparison.verdict, (((.comparison.ratio - 1) * 1000 | round / 10 | tostring) + "%"),
		  ((.comparison.cv_base * 100 | round | tostring) + "%/" + (.comparison.cv_head * 100 | round | tostring) + "%")] | @tsv' \
		"$work/r.json" | awk -F'\t' '{ printf "%-10s %4s  %9s  %6s  %4s  %-9s  %7s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
	echo "$1 $rc $(jq '.metrics[] | select(.metric == "wall") | .comparison.runs_base' "$work/r.json")" >>"$work/rows"
}
for i in $(seq 1 "$SLOW"); do gate slow10 slow10 "$i"; done
for i in $(seq 1 "$AA"); do gate identical identical "$i"; done
awk -v aa="$AA" -v slow="$SLOW" '
	$1 == "slow10" { s++; if ($2 == 1) sf++; if ($2 == 3) si++; sr += $3 }
	$1 == "identical" { a++; if ($2 == 1) af++; if ($2 == 3) ai++; if ($2 == 0) ap++; ar += $3 }
	END {
		printf "# slow10: %d of %d gates failed (detected), %d inconclusive; mean %.1f runs per side\n", sf, s, si, s ? sr / s : 0
		printf "# A/A: %d of %d gates wrongly failed (%.0f%%), %d inconclusive, %d passed; mean %.1f runs per side\n", af, a, a ? 100 * af / a : 0, ai, ap, a ? ar / a : 0
	}' "$work/rows"
