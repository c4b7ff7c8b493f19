#!/usr/bin/env bash
# memcheck.sh [BUILD] [TEST...]: run the end-to-end tests with every perfgate
# they start under valgrind's memcheck, and report leaks and errors.
#
#   tests/memcheck.sh build                 every tests/e2e/t*.sh
#   tests/memcheck.sh build t0200-run-basic one test
#
# PERFGATE points at a wrapper that runs
#   valgrind --error-exitcode=99 --leak-check=full
#            --errors-for-leak-kinds=definite,indirect --track-fds=no -q
#            --log-file=LOGS/<test>.%p.log  BUILD/perfgate "$@"
# (children perfgate spawns, such as benchmarks, perf or callgrind, run
# natively: --trace-children=no). Fails when a test fails or any valgrind
# log is non-empty; the logs of the failures are printed. Use the gcc build:
# valgrind does not run ASan binaries.
#
# Left out by default, and why (run them by name to try):
#   t0201-run-hang   checks wall-clock bounds (timeout + grace + 1 s) that
#                    valgrind's slowdown of perfgate itself breaks
#   t0901-reliability-outputs  points TMPDIR at a missing directory, which
#                    valgrind itself needs, and closes stdout, which valgrind's
#                    log file then takes as fd 1
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
shift || true
real=$build/perfgate
[ -x "$real" ] || { echo "memcheck: no $real" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "memcheck: valgrind not installed" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pg-memcheck.XXXXXX")
logs=$work/logs
mkdir -p "$logs"
trap 'rm -rf "$work"' EXIT

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=()
	for t in "$src"/tests/e2e/t*.sh; do
		n=$(basename "$t" .sh)
		case $n in t0201-run-hang | t0901-reliability-outputs) continue ;; esac
		tests+=("$n")
	done
fi

failed=0
for n in "${tests[@]}"; do
	cat >"$work/perfgate" <<SH
#!/bin/sh
exec valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \\
	--track-fds=no -q --log-file="$logs/$n.%p.log" "$real" "\$@"
SH
	chmod +x "$work/perfgate"
	start=$(date +%s)
	PERFGATE=$work/perfgate PG_SRC=$src PG_BUILD=$build PG_TEST_DATA=$src/tests/data \
		timeout 900 bash "$src/tests/e2e/$n.sh" >"$work/$n.out" 2>&1
	rc=$?
	runs=$(ls "$logs" | grep -c "^$n\.")
	# Errors and leaks are "==PID==" lines; "--PID--" lines are valgrind's own
	# warnings (this valgrind does not know pidfd_open, syscall 434: proc
	# falls back to its polling wait, which is what runs here).
	bad=$(grep -lE '^==[0-9]+==' "$logs/$n".*.log 2>/dev/null | wc -l)
	echo "$n: exit $rc, $runs perfgate runs, $bad with valgrind reports, $(($(date +%s) - start)) s"
	if [ "$rc" -ne 0 ]; then
		grep '^not ok' "$work/$n.out" | head -10
		failed=1
	fi
	if [ "$bad" -ne 0 ]; then
		grep -lE '^==[0-9]+==' "$logs/$n".*.log | head -3 | xargs grep -hE '^==[0-9]+==' | head -80
		failed=1
	fi
done
if [ "$failed" -eq 0 ]; then
	echo "memcheck: no leak or error reported"
fi
exit $failed
