#!/usr/bin/env bash
# make_bisect_repo.sh DIR SEED PCT [NCOMMITS]: a generated C repository for
# the bisect benchmark (bench/bisect_accuracy.sh), removed first if it exists.
#
# History of NCOMMITS (default 64) commits with pinned dates, so commit ids
# repeat for the same SEED, PCT and NCOMMITS:
#   0            a benchmark program (bench.c, ~40 ms a run) whose time is
#                split about evenly between four functions, parse_records,
#                hash_block, sort_keys and render_output (noinline, built
#                with -O2 -g -fno-omit-frame-pointer), a Makefile and a
#                perfgate.yml
#   1..N-1       neutral decoys: a line of NOTES.md, a comment inside one of
#                the four functions, or a comment in the file header; none
#                changes the machine code
#   culprit      one commit C (2 <= C <= N-2, chosen by SEED and PCT) raises
#                the pass count of one function (chosen by SEED and PCT) so
#                that the whole benchmark is about PCT% slower; its message
#                is as bland as a decoy's
# The expected answer goes to DIR/.expected (excluded in .git/info/exclude,
# so neither git nor a checkout sees it), lines "key value":
#   culprit SHA / index C / function NAME / pct PCT / seed SEED /
#   good SHA (commit 0) / bad SHA (commit N-1)
# Prints DIR.
set -euo pipefail
dir=${1:?usage: make_bisect_repo.sh DIR SEED PCT [NCOMMITS]}
seed=${2:?usage: make_bisect_repo.sh DIR SEED PCT [NCOMMITS]}
pct=${3:?usage: make_bisect_repo.sh DIR SEED PCT [NCOMMITS]}
n=${4:-64}
case $seed$pct$n in *[!0-9]*) echo "make_bisect_repo.sh: SEED, PCT and NCOMMITS are whole numbers" >&2; exit 2 ;; esac
[ "$n" -ge 5 ] || { echo "make_bisect_repo.sh: NCOMMITS must be at least 5" >&2; exit 2; }

# A small LCG, so the choice is the same in every shell.
r=$(((seed * 1000003 + pct * 7919 + 17) & 0x7fffffff))
rnd() { # rnd N -> $v in 0..N-1
	r=$(((r * 1103515245 + 12345) & 0x7fffffff))
	v=$(((r >> 8) % $1))
}
funcs=(parse_records hash_block sort_keys render_output)
# Passes per function at commit 0, and what one pass costs (ns, measured on
# this project's 2-core x86 machine with gcc 12): about 9.5 ms per function,
# ~39.4 ms a run with start-up.
base=(390 1150 20 135)
cost=(24430 8245 492500 70600)
total_ns=39400000
rnd $((n - 3)); culprit=$((v + 2))
rnd 4; fi=$v; func=${funcs[$fi]}
# Extra passes worth PCT% of the whole run.
extra=$(((pct * total_ns / 100 + cost[fi] / 2) / cost[fi]))
[ "$extra" -ge 1 ] || extra=1

rm -rf "$dir"
mkdir -p "$dir"
export GIT_AUTHOR_NAME="Bench Author" GIT_AUTHOR_EMAIL="bench@example.com"
export GIT_COMMITTER_NAME="Bench Author" GIT_COMMITTER_EMAIL="bench@example.com"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
git init -q -b main "$dir"

cat >"$dir/bench.c" <<C
/*
 * bench: a synthetic workload in four parts of about equal cost.
 * header notes:
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NREC 4096

static char text[NREC * 12];
static uint32_t keys[NREC], work[NREC];
static char out[NREC * 12];

__attribute__((noinline)) static uint64_t parse_records(void)
{
	uint64_t sum = 0;

	for (int pass = 0; pass < ${base[0]}; pass++) {
		uint32_t v = 0;
		for (const char *p = text; *p; p++) {
			if (*p >= '0' && *p <= '9')
				v = v * 10 + (uint32_t)(*p - '0');
			else {
				sum += v ^ (uint32_t)pass;
				v = 0;
			}
		}
	}
	return sum;
}

__attribute__((noinline)) static uint64_t hash_block(void)
{
	uint64_t h = 1469598103934665603ull;

	for (int pass = 0; pass < ${base[1]}; pass++)
		for (int i = 0; i < NREC; i++) {
			h ^= keys[i] + (uint64_t)pass;
			h *= 1099511628211ull;
			h ^= h >> 29;
		}
	return h;
}

__attribute__((noinline)) static uint64_t sort_keys(void)
{
	uint64_t acc = 0;

	for (int pass = 0; pass < ${base[2]}; pass++) {
		memcpy(work, keys, sizeof(work));
		for (int gap = NREC / 2; gap > 0; gap /= 2)
			for (int i = gap; i < NREC; i++) {
				uint32_t t = work[i];
				int j = i;
				for (; j >= gap && work[j - gap] > t; j -= gap)
					work[j] = work[j - gap];
				work[j] = t;
			}
		acc += work[pass % NREC];
	}
	return acc;
}

__attribute__((noinline)) static uint64_t render_output(void)
{
	uint64_t len = 0;

	for (int pass = 0; pass < ${base[3]}; pass++) {
		char *o = out;
		for (int i = 0; i < NREC; i++) {
			uint32_t v = keys[i] + (uint32_t)pass;
			char tmp[12];
			int k = 0;
			do {
				tmp[k++] = (char)('0' + v % 10);
				v /= 10;
			} while (v);
			while (k)
				*o++ = tmp[--k];
			*o++ = '\n';
		}
		len += (uint64_t)(o - out);
	}
	return len;
}

int main(void)
{
	uint32_t x = 12345;
	char *t = text;
	uint64_t r;

	for (int i = 0; i < NREC; i++) {
		x = x * 1664525u + 1013904223u;
		keys[i] = x >> 4;
		t += sprintf(t, "%u ", keys[i] % 100000000u);
	}
	r = parse_records() + hash_block() + sort_keys() + render_output();
	printf("%llx\n", (unsigned long long)r);
	return 0;
}
C
cat >"$dir/Makefile" <<'MK'
CFLAGS ?= -O2 -g -fno-omit-frame-pointer -fno-inline-functions-called-once
bench: bench.c
	$(CC) $(CFLAGS) -o $@ bench.c
MK
cat >"$dir/perfgate.yml" <<'YML'
version: 1
build: make bench
benchmarks:
  - name: work
    run: ./bench
    warmup: 1
    repeat: { min: 3, max: 30 }
    timeout: 60s
profile: { profiler: perf, frequency: 999, call_graph: fp }
YML
printf 'bench\n*.o\n' >"$dir/.gitignore"
printf '# Notes\n' >"$dir/NOTES.md"

t=1767225600
commit() {
	t=$((t + 3600))
	git -C "$dir" add -A
	GIT_AUTHOR_DATE="@$t +0000" GIT_COMMITTER_DATE="@$t +0000" git -C "$dir" commit -q -m "$1"
}
commit "Initial benchmark"
good=$(git -C "$dir" rev-parse HEAD)
for ((i = 1; i < n; i++)); do
	if [ "$i" -eq "$culprit" ]; then
		sed -i "/ ${func}(void)\$/,/^}/ s/pass < ${base[fi]};/pass < $((base[fi] + extra));/" "$dir/bench.c"
		grep -q "pass < $((base[fi] + extra));" "$dir/bench.c" || { echo "make_bisect_repo.sh: planting failed" >&2; exit 1; }
		commit "Tidy ${func}, step $i"
		sha=$(git -C "$dir" rev-parse HEAD)
		continue
	fi
	rnd 3
	case $v in
	0)
		echo "- note $i: the benchmark runs four parts in a row." >>"$dir/NOTES.md"
		commit "Notes, step $i"
		;;
	1)
		rnd 4; f=${funcs[$v]}
		# A comment line right after the function's opening brace.
		sed -i "/ ${f}(void)\$/{n;s|^{\$|{\\n\\t/* step $i: reviewed */|}" "$dir/bench.c"
		commit "Tidy ${f}, step $i"
		;;
	2)
		sed -i "s|^ \\* header notes:\$|&\\n * - step $i|" "$dir/bench.c"
		commit "Header notes, step $i"
		;;
	esac
done
bad=$(git -C "$dir" rev-parse HEAD)
echo ".expected" >>"$dir/.git/info/exclude"
printf 'culprit %s\nindex %s\nfunction %s\npct %s\nseed %s\ngood %s\nbad %s\n' \
	"$sha" "$culprit" "$func" "$pct" "$seed" "$good" "$bad" >"$dir/.expected"
echo "$dir"
