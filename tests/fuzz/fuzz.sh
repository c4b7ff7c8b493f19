#!/usr/bin/env bash
# fuzz.sh BUILD SECONDS [TARGET...]: run each libFuzzer target (built with
# -DPERFGATE_FUZZ=ON -DCMAKE_C_COMPILER=clang in BUILD) for SECONDS, one at a
# time, niced, on one core, starting from the committed corpus; new inputs
# go to BUILD/fuzz-corpus/<target>, crashes to BUILD/fuzz-artifacts/, the
# log with -print_final_stats=1 to BUILD/fuzz-logs/<target>/fuzz-0.log.
# Then minimise into the committed corpus with:
#   fuzz_<t> -merge=1 tests/fuzz/corpus/<t>.min tests/fuzz/corpus/<t> BUILD/fuzz-corpus/<t>
set -u
build=$(cd "$1" && pwd) secs=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
targets=${*:-config fold pprof cpuprofile callgrind benchfmt folded speedscope result report}
mkdir -p "$build/fuzz-logs" "$build/fuzz-artifacts"
for t in $targets; do
	mkdir -p "$build/fuzz-corpus/$t" "$build/fuzz-logs/$t"
	# with -jobs, libFuzzer writes its log to fuzz-0.log in the current directory
	(cd "$build/fuzz-logs/$t" && nice -n 19 "$build/tests/fuzz/fuzz_$t" -jobs=1 -workers=1 -max_total_time="$secs" \
		-timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$build/fuzz-artifacts/$t-" \
		"$build/fuzz-corpus/$t" "$src/corpus/$t" >/dev/null 2>&1)
	echo "$t: exit $? $(grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$build/fuzz-logs/$t/fuzz-0.log" | tr '\n' ' ')"
done
