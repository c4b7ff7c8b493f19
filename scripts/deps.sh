#!/usr/bin/env bash
# deps.sh [build|test|bench]: install the Debian 12 packages perfgate needs,
# only those that are missing. Needs root (or sudo) when something is missing.
set -euo pipefail
what=${1:-build}
build=(gcc make cmake pkg-config git libgit2-dev libyaml-dev libcjson-dev
       libcurl4-openssl-dev zlib1g-dev linux-perf valgrind)
test=(libcmocka-dev clang libclang-rt-14-dev libxml2-utils python3 python3-junitparser python3-yaml jq
      python3-prometheus-client openssl curl bc time
      chromium)
bench=(hyperfine)
case $what in
build) want=("${build[@]}") ;;
test) want=("${build[@]}" "${test[@]}") ;;
bench) want=("${build[@]}" "${test[@]}" "${bench[@]}") ;;
*) echo "usage: deps.sh [build|test|bench]" >&2; exit 2 ;;
esac
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps.sh: installing ${missing[*]}" >&2
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
