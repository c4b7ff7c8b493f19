#!/usr/bin/env bash
# git_bisect_baseline.sh DIR: the plain method that perfgate bisect is
# measured against, on a repository made by bench/make_bisect_repo.sh
# (it reads DIR/.expected for the ends and the answer; DIR's checkout and
# bisect state are changed, so hand it a copy).
#
#   1. check out each end, build (`make bench`), time 3 runs, take the median;
#      the threshold is halfway between the two medians
#   2. git bisect start BAD GOOD; git bisect run STEP, where STEP builds
#      (failure -> 125, skip), times 3 runs and exits 1 (bad) when their
#      median is above the threshold, else 0 (good)
# BASELINE_RUNS (env, default 3) changes the runs per median, to show what
# more runs buy the plain method.
# Prints one line:
#   found SHA correct 0|1 executions N wall_s S threshold_ms T good_ms G bad_ms B
# executions counts benchmark runs (ends included); wall_s is the whole
# method's wall time, builds included.
set -euo pipefail
dir=${1:?usage: git_bisect_baseline.sh DIR}
exp=$dir/.expected
[ -f "$exp" ] || { echo "git_bisect_baseline.sh: no $exp (make the repo with bench/make_bisect_repo.sh)" >&2; exit 2; }
good=$(awk '$1 == "good" { print $2 }' "$exp")
bad=$(awk '$1 == "bad" { print $2 }' "$exp")
want=$(awk '$1 == "culprit" { print $2 }' "$exp")
work=$(mktemp -d "${TMPDIR:-/tmp}/pg-bisect-baseline.XXXXXX")
trap '[ -n "${BASELINE_KEEP:-}" ] || rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

# The step script: everything it needs comes from the environment.
cat >"$work/step.sh" <<'STEP'
#!/usr/bin/env bash
# Build; time a median of BASELINE_RUNS runs; bad (1) above BASELINE_THRESHOLD seconds.
make -s bench >/dev/null 2>&1 || exit 125
for ((k = 0; k < BASELINE_RUNS; k++)); do
	t0=$EPOCHREALTIME
	./bench >/dev/null 2>&1 || exit 125
	t1=$EPOCHREALTIME
	echo run >>"$BASELINE_COUNT"
	echo "$t0 $t1"
done | awk '{ print $2 - $1 }' | sort -g |
	awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }' >"$BASELINE_WORK/median"
m=$(cat "$BASELINE_WORK/median")
echo "$(git rev-parse --short HEAD) $m" >>"$BASELINE_WORK/steps"
awk -v m="$m" -v t="$BASELINE_THRESHOLD" 'BEGIN { exit !(m > t) }' && exit 1
exit 0
STEP
chmod +x "$work/step.sh"
: >"$work/count"
export BASELINE_COUNT=$work/count BASELINE_WORK=$work BASELINE_RUNS=${BASELINE_RUNS:-3}
case $BASELINE_RUNS in '' | 0 | *[!0-9]*) echo "git_bisect_baseline.sh: BASELINE_RUNS is a whole number > 0" >&2; exit 2 ;; esac

start=$EPOCHREALTIME
cd "$dir"
git checkout -q "$good"
"$work/step.sh" >/dev/null 2>&1 || true # measures only: threshold not set yet
BASELINE_THRESHOLD=0 # (set below; the step above ignored it)
gm=$(cat "$work/median")
git checkout -q "$bad"
"$work/step.sh" >/dev/null 2>&1 || true
bm=$(cat "$work/median")
export BASELINE_THRESHOLD
BASELINE_THRESHOLD=$(awk -v g="$gm" -v b="$bm" 'BEGIN { printf "%.6f", (g + b) / 2 }')
git bisect start "$bad" "$good" >/dev/null 2>&1
git bisect run "$work/step.sh" >"$work/bisect.log" 2>&1 || true
found=$(git rev-parse -q --verify refs/bisect/bad || echo none)
git bisect reset >/dev/null 2>&1 || true
end=$EPOCHREALTIME
correct=0
[ "$found" = "$want" ] && correct=1
awk -v f="$found" -v c="$correct" -v n="$(wc -l <"$work/count")" -v s="$start" -v e="$end" \
	-v t="$BASELINE_THRESHOLD" -v g="$gm" -v b="$bm" 'BEGIN {
	printf "found %s correct %d executions %d wall_s %.2f threshold_ms %.2f good_ms %.2f bad_ms %.2f\n",
		f, c, n, e - s, t * 1e3, g * 1e3, b * 1e3 }'
