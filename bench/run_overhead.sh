#!/usr/bin/env bash
# How close is perfgate's wall-time measurement to hyperfine's, and what does
# perfgate add per run?
#
#   bench/run_overhead.sh [PERFGATE] [ROUNDS] [RUNS]
#
# Two commands, measured alternately by perfgate and hyperfine in ROUNDS rounds
# of RUNS runs each:
#   trivial  /bin/true
#   busy     a C busy loop compiled here, calibrated to about 50 ms
# perfgate executes both directly (no shell: they are plain words, see
# src/proc.h), so it is compared with hyperfine -N (no shell) for both.
# Prints, per command, the median of each tool's per-round medians, their ratio
# (target 0.98-1.02 for busy), and perfgate's per-run overhead on the trivial
# command (perfgate median - hyperfine -N median; target < 1 ms).
set -eu
PERFGATE=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/perfgate}
ROUNDS=${2:-5}
RUNS=${3:-30}
command -v hyperfine >/dev/null || { echo "needs hyperfine" >&2; exit 2; }
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }
[ -x "$PERFGATE" ] || { echo "no perfgate binary at $PERFGATE" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pg-run-overhead.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/busy.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, i;
	volatile unsigned long x = 0;
	for (i = 0; i < n; i++)
		x += i ^ (x >> 3);
	return (int)(x & 0);
}
C
cc -O1 -o "$work/busy" "$work/busy.c"

# Calibrate to ~50 ms.
n=20000000
t=$(hyperfine -N --runs 5 --export-json "$work/cal.json" "$work/busy $n" >/dev/null 2>&1 && jq '.results[0].median' "$work/cal.json")
n=$(awk -v n="$n" -v t="$t" 'BEGIN { printf "%d", n * 0.050 / t }')

cat >"$work/perfgate.yml" <<YML
version: 1
benchmarks:
  - name: trivial
    run: /bin/true
    warmup: 3
    repeat: $RUNS
  - name: busy
    run: $work/busy $n
    warmup: 3
    repeat: $RUNS
YML

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
: >"$work/pg_trivial"; : >"$work/pg_busy"; : >"$work/hf_trivial"; : >"$work/hf_busy"
for r in $(seq "$ROUNDS"); do
	"$PERFGATE" -C "$work" run --json "$work/pg.json" >/dev/null
	for b in trivial busy; do
		jq -r --arg b "$b" '.benchmarks[] | select(.name == $b) | .metrics[] | select(.name == "wall") | .samples[] / 1e9' "$work/pg.json" | median >>"$work/pg_$b"
	done
	hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/hf.json" /bin/true "$work/busy $n" >/dev/null 2>&1
	jq -r '.results[0].times[]' "$work/hf.json" | median >>"$work/hf_trivial"
	jq -r '.results[1].times[]' "$work/hf.json" | median >>"$work/hf_busy"
done

pt=$(median <"$work/pg_trivial"); ht=$(median <"$work/hf_trivial")
pb=$(median <"$work/pg_busy"); hb=$(median <"$work/hf_busy")
echo "perfgate run vs hyperfine -N: $ROUNDS alternating rounds x $RUNS runs, medians of round medians"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v pt="$pt" -v ht="$ht" -v pb="$pb" -v hb="$hb" -v n="$n" 'BEGIN {
	printf "%-28s %12s %12s %8s\n", "command", "perfgate", "hyperfine", "ratio"
	printf "%-28s %9.3f ms %9.3f ms %8.3f\n", "/bin/true", pt * 1e3, ht * 1e3, pt / ht
	printf "%-28s %9.3f ms %9.3f ms %8.3f\n", "busy " n, pb * 1e3, hb * 1e3, pb / hb
	printf "per-run overhead (trivial, perfgate - hyperfine -N): %.3f ms\n", (pt - ht) * 1e3
}'
