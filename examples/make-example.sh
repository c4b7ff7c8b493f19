#!/usr/bin/env bash
# make-example.sh DIR: build the demo project's history into a new git
# repository at DIR (removed first if it exists), with pinned dates so that
# commit ids repeat. The history has 12 commits:
#   1        the demo as it is (bench.c, Makefile, perfgate.yml)
#   2..6     neutral changes (comments, README)
#   7        "Harden checksum": makes checksum() 2x slower (the planted slowdown)
#   8..12    more neutral changes
# Branch 'main' points at commit 12; tag 'v1.0' at commit 1.
set -euo pipefail
dir=${1:?usage: make-example.sh DIR}
src=$(cd "$(dirname "$0")/demo" && pwd)
rm -rf "$dir"
mkdir -p "$dir"
export GIT_AUTHOR_NAME="Demo Author" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="Demo Author" GIT_COMMITTER_EMAIL="demo@example.com"
git init -q -b main "$dir"
cp "$src/bench.c" "$src/Makefile" "$src/perfgate.yml" "$dir/"
printf 'bench\n*.o\n' >"$dir/.gitignore"
t=1767225600
commit() {
	t=$((t + 3600))
	git -C "$dir" add -A
	GIT_AUTHOR_DATE="@$t +0000" GIT_COMMITTER_DATE="@$t +0000" git -C "$dir" commit -q -m "$1"
}
commit "Initial demo"
git -C "$dir" tag v1.0
for i in 2 3 4 5 6; do
	echo "Note $i: the demo benchmark checksums 20000 records." >>"$dir/NOTES"
	commit "Notes, part $i"
done
sed -i 's/^#define CHECKSUM_PASSES 1$/#define CHECKSUM_PASSES 2/' "$dir/bench.c"
commit "Harden checksum"
for i in 8 9 10 11 12; do
	echo "Note $i." >>"$dir/NOTES"
	commit "Notes, part $i"
done
echo "$dir"
