#!/usr/bin/env bash
# bisect_accuracy.sh [TRIALS] [PCTS] [--hog] [--baseline-only] [--keep DIR]:
# how often `perfgate bisect` names the right commit and function, and what
# it costs, beside a plain `git bisect run` (bench/git_bisect_baseline.sh).
#
#   TRIALS  seeds 1..TRIALS per slowdown (default 3)
#   PCTS    comma-separated planted slowdowns of the whole benchmark, in %
#           (default 5,10,25)
#   --hog   run a CPU hog (a shell busy loop, pinned to the last core when
#           taskset exists) during both methods
#   --baseline-only   skip perfgate (e.g. while it has no bisect command)
#   --baseline-runs N runs per median in the plain script (default 3, as the
#                     issue asks; more shows what a bigger budget buys it)
#   --keep DIR        keep every trial's repository, JSON and logs in DIR
#   --table FILE      only print the table of a kept results.tsv
#   --metric M        passed to perfgate bisect (e.g. instructions: callgrind's
#                     counts, one run per commit); the method column says so
# PERFGATE (env) is the binary, default build/perfgate next to this script.
# Repositories come from bench/make_bisect_repo.sh DIR SEED PCT (64 commits);
# perfgate bisect runs on the repository with the config from its checkout,
# `perfgate -C DIR bisect GOOD..BAD --json FILE`, and the baseline on a copy.
# One line per trial on stderr; the table on stdout:
#   pct, hog, method, commit right k/n (perfgate: the culprit in its JSON,
#   confirmed or not), right with exit 0 (perfgate only: confirmed), function
#   right k/n (perfgate only), inconclusive (perfgate exit 3), mean
#   executions, mean wall s
# The issue's full run is `bench/bisect_accuracy.sh 20 5` (and with --hog).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
trials=3 pcts=5,10,25 hog=0 pg=1 keep= metric= table=
pos=0
while [ $# -gt 0 ]; do
	case $1 in
	--hog) hog=1 ;;
	--baseline-only) pg=0 ;;
	--baseline-runs) export BASELINE_RUNS=${2:?--baseline-runs needs a number}; shift ;;
	--keep) keep=${2:?--keep needs a directory}; shift ;;
	--table) table=${2:?--table needs a results.tsv}; shift ;;
	--metric) metric=${2:?--metric needs a metric}; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "bisect_accuracy.sh: unknown option $1" >&2; exit 2 ;;
	*)
		pos=$((pos + 1))
		case $pos in 1) trials=$1 ;; 2) pcts=$1 ;; *) echo "bisect_accuracy.sh: too many arguments" >&2; exit 2 ;; esac
		;;
	esac
	shift
done
print_table() { # results.tsv
	awk -F'\t' '
	{ k = $1 "\t" $2 "\t" $3; if (!(k in n)) order[++nk] = k
	  n[k]++; c[k] += $5; if ($6 != "-") { f[k] += $6; hasf[k] = 1 }
	  if ($7 != "-") { inc[k] += $7; hasi[k] = 1; if ($5 && !$7) sure[k]++ }
	  ex[k] += $8; w[k] += $9 }
	END {
		printf "%-5s %-4s %-22s %-13s %-15s %-15s %-13s %-10s %s\n", "pct", "hog", "method", "commit right", "right, exit 0", "function right", "inconclusive", "mean exec", "mean wall s"
		for (i = 1; i <= nk; i++) { k = order[i]; split(k, p, "\t")
			printf "%-5s %-4s %-22s %-13s %-15s %-15s %-13s %-10.1f %.1f\n", p[1] "%", (p[2] ? "yes" : "no"), p[3],
				c[k] "/" n[k], (hasi[k] ? sure[k] + 0 "/" n[k] : "-"), (hasf[k] ? f[k] "/" n[k] : "-"),
				(hasi[k] ? inc[k] "/" n[k] : "-"), ex[k] / n[k], w[k] / n[k] }
	}' "$1"
}
[ -z "$table" ] || { print_table "$table"; exit 0; }
case $trials in '' | *[!0-9]*) echo "bisect_accuracy.sh: TRIALS is a whole number" >&2; exit 2 ;; esac
PERFGATE=${PERFGATE:-$here/../build/perfgate}
if [ "$pg" = 1 ]; then
	[ -x "$PERFGATE" ] || { echo "bisect_accuracy.sh: no perfgate binary at $PERFGATE" >&2; exit 2; }
	command -v jq >/dev/null || { echo "bisect_accuracy.sh: needs jq" >&2; exit 2; }
fi

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	work=$(cd "$keep" && pwd)
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/pg-bisect-accuracy.XXXXXX")
fi
hogpid=
cleanup() {
	[ -z "$hogpid" ] || kill "$hogpid" 2>/dev/null || true
	[ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_hog() {
	[ "$hog" = 1 ] || return 0
	local last=$(($(nproc) - 1))
	if command -v taskset >/dev/null; then
		taskset -c "$last" sh -c 'while :; do :; done' &
	else
		sh -c 'while :; do :; done' &
	fi
	hogpid=$!
}
stop_hog() {
	[ -n "$hogpid" ] || return 0
	kill "$hogpid" 2>/dev/null || true
	wait "$hogpid" 2>/dev/null || true
	hogpid=
}

res=$work/results.tsv # pct hog method seed commit_ok func_ok inconclusive executions wall_s
: >"$res"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); trials $trials, pcts $pcts, hog $hog" >&2
for pct in ${pcts//,/ }; do
	for seed in $(seq "$trials"); do
		t=$work/p$pct-s$seed-h$hog
		rm -rf "$t"
		mkdir -p "$t"
		"$here/make_bisect_repo.sh" "$t/repo" "$seed" "$pct" >/dev/null
		cp -a "$t/repo" "$t/copy"
		want=$(awk '$1 == "culprit" { print $2 }' "$t/repo/.expected")
		wantf=$(awk '$1 == "function" { print $2 }' "$t/repo/.expected")
		good=$(awk '$1 == "good" { print $2 }' "$t/repo/.expected")
		bad=$(awk '$1 == "bad" { print $2 }' "$t/repo/.expected")
		if [ "$pg" = 1 ]; then
			start_hog
			s=$EPOCHREALTIME
			rc=0
			"$PERFGATE" -C "$t/repo" bisect "$good..$bad" --json "$t/perfgate.json" ${metric:+--metric "$metric"} \
				>"$t/perfgate.out" 2>"$t/perfgate.err" || rc=$?
			e=$EPOCHREALTIME
			stop_hog
			got=none gotf=none ex=0 wall=
			if [ -s "$t/perfgate.json" ]; then
				got=$(jq -r '.culprit.commit // "none"' "$t/perfgate.json" 2>/dev/null || echo none)
				gotf=$(jq -r '.culprit.function // "none"' "$t/perfgate.json" 2>/dev/null || echo none)
				ex=$(jq -r '.executions // 0' "$t/perfgate.json" 2>/dev/null || echo 0)
				wall=$(jq -r '.wall_s // empty' "$t/perfgate.json" 2>/dev/null || true)
			fi
			[ -n "$wall" ] || wall=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }')
			ok=0 okf=0 inc=0
			[ "$got" = "$want" ] && ok=1
			[ "$ok" = 1 ] && [ "$gotf" = "$wantf" ] && okf=1
			[ "$rc" = 3 ] && inc=1
			printf '%s\t%s\tperfgate%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$pct" "$hog" "${metric:+/$metric}" "$seed" "$ok" "$okf" "$inc" "$ex" "$wall" >>"$res"
			printf 'pct %s seed %s hog %s perfgate%s: exit %s commit %s (%s) function %s (want %s) executions %s wall %s s\n' \
				"$pct" "$seed" "$hog" "${metric:+ --metric $metric}" "$rc" "${got:0:12}" "$([ "$ok" = 1 ] && echo right || echo "WRONG, want ${want:0:12}")" \
				"$gotf" "$wantf" "$ex" "$wall" >&2
		fi
		start_hog
		line=$("$here/git_bisect_baseline.sh" "$t/copy" || echo "found none correct 0 executions 0 wall_s 0")
		stop_hog
		echo "$line" >"$t/baseline.out"
		read -r _ got _ ok _ ex _ wall _ <<<"$line"
		printf '%s\t%s\tgit-bisect-run/%s\t%s\t%s\t-\t-\t%s\t%s\n' "$pct" "$hog" "${BASELINE_RUNS:-3}" "$seed" "$ok" "$ex" "$wall" >>"$res"
		printf 'pct %s seed %s hog %s git bisect run: commit %s (%s) executions %s wall %s s\n' \
			"$pct" "$seed" "$hog" "${got:0:12}" "$([ "$ok" = 1 ] && echo right || echo "WRONG, want ${want:0:12}")" "$ex" "$wall" >&2
		[ -n "$keep" ] || rm -rf "$t"
	done
done

echo "bisect accuracy: 64-commit generated repositories, seeds 1..$trials; machine $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
print_table "$res"
