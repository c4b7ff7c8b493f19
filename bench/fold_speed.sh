#!/usr/bin/env bash
# fold_speed: how fast `perfgate fold` folds >= 200 MB of perf script text, and its peak
# memory, beside the time `perf script` takes to print the same samples. Not a test.
#
#   bench/fold_speed.sh [BUILD_DIR] [TARGET_MB]     (defaults: build, 200)
#
# Records the demo (examples/demo/bench.c, -O2 -g -fno-omit-frame-pointer) with
# `perf record -e cpu-clock -F 20000 -g`, long enough for perf script to print TARGET_MB
# directly (the preferred way: no replication), timing `perf script` with the pinned fields.
# If the recording falls short, the text is replicated up to TARGET_MB and perf script's time
# scaled by the same factor (the script says so). Then times `perfgate fold` on the text
# (best of 3) and reads its peak RSS from /usr/bin/time -v.
# Targets: fold time < perf script time / 10; peak RSS < 100 MB.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
TARGET_MB=${2:-200}
SRC=$(cd "$(dirname "$0")/.." && pwd)
PERFGATE=$BUILD/perfgate
FIELDS=comm,pid,tid,time,period,event,ip,sym,dso,symoff
W=$(mktemp -d "${TMPDIR:-/tmp}/fold_speed.XXXXXX")
trap 'rm -rf "$W"' EXIT
[ -x /usr/bin/time ] || { echo "install the 'time' package (/usr/bin/time)" >&2; exit 1; }

cc -O2 -g -fno-omit-frame-pointer -o "$W/bench" "$SRC/examples/demo/bench.c"
# ~430 bytes of text per sample, 20000 samples/s of CPU, ~200000 records/s
records=$((TARGET_MB * 1024 * 1024 / 430 * 10 * 11 / 10))
echo "recording: perf record -e cpu-clock -F 20000 -g ./bench $records"
perf record -q -o "$W/perf.data" -e cpu-clock -F 20000 -g "$W/bench" "$records" >/dev/null 2>&1
s0=$(date +%s.%N)
perf script -i "$W/perf.data" -F $FIELDS > "$W/perf.txt" 2>/dev/null
s1=$(date +%s.%N)
script_s=$(echo "$s1 - $s0" | bc -l)
bytes=$(stat -c %s "$W/perf.txt")
samples=$(grep -c 'cpu-clock:' "$W/perf.txt" || true)
echo "perf script: $((bytes / 1048576)) MB, $samples samples, ${script_s} s"
factor=1
target=$((TARGET_MB * 1024 * 1024))
if [ "$bytes" -lt "$target" ]; then
	factor=$(( (target + bytes - 1) / bytes ))
	for _ in $(seq "$factor"); do cat "$W/perf.txt"; done > "$W/big.txt"
	mv "$W/big.txt" "$W/perf.txt"
	script_s=$(echo "$script_s * $factor" | bc -l)
	bytes=$(stat -c %s "$W/perf.txt")
	echo "replicated x$factor to $((bytes / 1048576)) MB; perf script time scaled to ${script_s} s"
fi

best=
for _ in 1 2 3; do
	/usr/bin/time -v -o "$W/time.txt" "$PERFGATE" fold -o "$W/out.folded" "$W/perf.txt" 2>/dev/null
	t=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s }' "$W/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$W/time.txt")
	if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; best_rss=$rss; fi
done
mb=$(echo "$bytes / 1048576" | bc -l)
printf 'perfgate fold: %.0f MB in %.2f s = %.0f MB/s, peak RSS %d MB (best of 3)\n' \
	"$mb" "$best" "$(echo "$mb / $best" | bc -l)" $((best_rss / 1024))
printf 'perf script:   %.2f s for the same samples; fold/script = %.3f (target < 0.1)\n' \
	"$script_s" "$(echo "$best / $script_s" | bc -l)"
echo "folded stacks: $(wc -l < "$W/out.folded"), heaviest: $(sort -t' ' -k2 -n -r "$W/out.folded" | awk '!/^#/ { if ($NF > m) { m = $NF; l = $0 } } END { print l }')"
