#!/usr/bin/env bash
# demo.sh: install what is missing, build perfgate, make the demo repository
# (examples/make-example.sh) and run perfgate on it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
pg=$PWD/build/perfgate
demo=${PERFGATE_DEMO_DIR:-/tmp/perfgate-demo}
./examples/make-example.sh "$demo" >/dev/null
cd "$demo"
echo "== perfgate run (in $demo)"
"$pg" run --json results.json
echo "== results written to $demo/results.json"
