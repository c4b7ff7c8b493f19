#!/usr/bin/env bash
# demo.sh: install what is missing, build perfgate, make the demo repository
# (examples/make-example.sh: 12 commits, commit 7 "Harden checksum" makes
# checksum() 2x slower) and run perfgate's main jobs on it:
#   1. perfgate run                          the benchmarks of the checkout
#   2. perfgate check --base v1.0 --head main   the gate: fails (exit 1) on the planted slowdown
#   3. perfgate check --base main~1 --head main a neutral change: passes (exit 0; 3 when the
#                                               machine is too noisy to decide)
#   4. perfgate bisect v1.0..main            names commit 7 and the function checksum
# The demo's exit status is 0 when every step gave the answer it should.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
pg=$PWD/build/perfgate
demo=${PERFGATE_DEMO_DIR:-/tmp/perfgate-demo}
./examples/make-example.sh "$demo" >/dev/null
cd "$demo"
status=0
step() { printf '\n== %s\n' "$*"; }

step "perfgate run (in $demo)"
"$pg" run --json results.json

step "perfgate check --base v1.0 --head main  (commit 7 made checksum() 2x slower: must fail)"
code=0
"$pg" check --base v1.0 --head main --junit check-fail.xml --markdown check-fail.md || code=$?
echo "exit code $code (1 = budget exceeded); reports: $demo/check-fail.xml, check-fail.md"
[ "$code" -eq 1 ] || status=1

step "perfgate check --base main~1 --head main  (a neutral change: must not fail)"
code=0
"$pg" check --base main~1 --head main --junit check-pass.xml || code=$?
echo "exit code $code (0 = pass; 3 = inconclusive: this machine was too noisy to decide)"
[ "$code" -eq 0 ] || [ "$code" -eq 3 ] || status=1

step "perfgate bisect v1.0..main  (must name commit 7, 'Harden checksum', and checksum)"
code=0
"$pg" bisect v1.0..main --json bisect.json --svg bisect.svg || code=$?
echo "exit code $code (0 = culprit found); differential flame graph: $demo/bisect.svg"
[ "$code" -eq 0 ] || status=1
"$pg" bisect --reset >/dev/null

exit $status
