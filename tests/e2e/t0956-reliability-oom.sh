#!/usr/bin/env bash
# RELIABILITY G2 (out of memory), curl "torture" style: for fold, diff,
# flamegraph, run, check and comment, count the allocations a run makes (tests/lib/failmalloc.so, an
# LD_PRELOAD shim), then run again with the Nth allocation failing, for every
# N (or an even stride when there are too many). Each run must either succeed
# with the baseline's outputs, or exit 4 saying "out of memory" (or glibc's
# "Cannot allocate memory"), or fail in another library's words when the
# allocation that failed was that library's own (the shim names the caller:
# libc's fopen, zlib under libgit2, libcurl): exit 4, or for comment the
# delivery warning; never die of a signal, leave a *.tmp.* file, a
# half-written output or a benchmark process behind, or break the next run.
# An output may be absent after exit 4, or whole: the baseline's, or (check)
# a valid JSON report of the error. PG_OOM_DEBUG=1 shows the differences;
# PG_OOM_MAX=N tests up to N points per command (PG_OOM_MAX=100000: every one),
# PG_OOM_ONLY="run check" only those commands.
#
# Skipped in the sanitized build (PERFGATE_SANITIZE): ASan owns malloc there,
# so tests/CMakeLists.txt builds no shim and PG_FAILMALLOC_LIB is empty.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "out of memory at every allocation: a message and exit 4, or success"

if [ -z "${PG_FAILMALLOC_LIB:-}" ] || [ ! -f "$PG_FAILMALLOC_LIB" ]; then
	ok "# SKIP no failmalloc shim (sanitized build: ASan owns malloc)"
	test_done
fi

# The benchmark: a copy of sleep under a name no other process has.
marker=pgoom$$
mkdir -p "$TRASH/bin" && cp "$(command -v sleep)" "$TRASH/bin/$marker"

# Numbers (timings, ids of temporaries) vary from run to run; the shape must not.
num='[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?( ?(ns|us|ms|s|B|KiB|MiB|GiB)\b)?'
norm() { sed -E "s/$num/N/g; s/ +/ /g" "$1"; }
norm_json() {
	jq -S --arg num "$num" 'walk(if type == "number" then 0
		elif type == "string" then gsub($num; "N") | gsub(" +"; " ") else . end)' "$1" 2>&1
}

# torture NAME MAX_RUNS OUTPUT NORM_STDOUT NORM_OUTPUT -- CMD...: OUTPUT is
# the file CMD writes; the NORM_* are cat, norm or norm_json. PG_OOM_ONLY
# (e.g. "comment check") tortures only the commands it names.
torture() {
	case " ${PG_OOM_ONLY:-$1} " in *" $1 "*) ;; *) ok "# SKIP $1: not in PG_OOM_ONLY"; return ;; esac
	local name=$1 max=${PG_OOM_MAX:-$2} out=$3 ns=$4 nf=$5 count stride n rc runs=0 oom=0 success=0 bad=0 reports=0 lib=0 libslips=0 who libs=
	shift 6
	rm -f "$TRASH/count" "$out"
	LD_PRELOAD=$PG_FAILMALLOC_LIB PG_FAILMALLOC_COUNT=$TRASH/count "$@" \
		>"$TRASH/base.out" 2>"$TRASH/base.err" </dev/null
	rc=$?
	count=$(cat "$TRASH/count" 2>/dev/null || echo 0)
	if [ "$rc" -ne 0 ] || [ "$count" -lt 1 ]; then
		not_ok "$name: baseline run: exit $rc, $count allocations"
		sed 's/^/# stderr: /' "$TRASH/base.err" | head -20
		return
	fi
	"$ns" "$TRASH/base.out" >"$TRASH/base.out.n"
	"$nf" "$out" >"$TRASH/base.file.n"
	stride=$(((count + max - 1) / max))
	for ((n = 1; n <= count; n += stride)); do
		runs=$((runs + 1))
		rm -f "$out" "$TRASH/who"
		LD_PRELOAD=$PG_FAILMALLOC_LIB PG_FAILMALLOC=$n PG_FAILMALLOC_WHO=$TRASH/who "$@" \
			>"$TRASH/t.out" 2>"$TRASH/t.err" </dev/null
		rc=$?
		local why= libown=
		# the object that made the failed allocation: perfgate (its pg_x*
		# wrappers, which libgit2 and cJSON use) or a library on its own
		who=$(head -n 1 "$TRASH/who" 2>/dev/null)
		[ -n "$who" ] && [ "$(basename "$who")" != "$(basename "$PERFGATE")" ] && libown=1
		if [ "$rc" -ge 128 ]; then
			why="killed by signal $((rc - 128))"
		elif [ "$rc" -eq 0 ] && [ -n "$libown" ] && grep -q '^perfgate: warning: comment not posted: ' "$TRASH/t.err"; then
			# libcurl's or libc's own allocation failed and libcurl called
			# it "empty reply" or "could not resolve host": a delivery
			# failure, which is a warning (exit 0) by design.
			lib=$((lib + 1))
			case " $libs " in *" $(basename "$who") "*) ;; *) libs="$libs $(basename "$who")" ;; esac
		elif [ "$rc" -eq 0 ]; then
			success=$((success + 1))
			"$ns" "$TRASH/t.out" | cmp -s - "$TRASH/base.out.n" || why="exit 0, stdout differs"
			if ! "$nf" "$out" | cmp -s - "$TRASH/base.file.n"; then
				why="exit 0, $(basename "$out") differs"
			fi
		elif [ "$rc" -eq 4 ] && grep -qiE 'out of memory|Cannot allocate memory' "$TRASH/t.err"; then
			oom=$((oom + 1))
			if [ -e "$out" ] && ! "$nf" "$out" | cmp -s - "$TRASH/base.file.n"; then
				# check writes its report of the error: whole, valid JSON.
				if [ "$nf" = norm_json ] && jq -e . "$out" >/dev/null 2>&1; then
					reports=$((reports + 1))
				else
					why="exit 4, a half-written $(basename "$out")"
				fi
			fi
		elif [ "$rc" -eq 4 ] && [ -n "$libown" ]; then
			# The allocation that failed was a library's own (libc's fopen
			# or opendir, zlib under libgit2, TLS), not perfgate's: that
			# library reported it as another error. Exit 4 all the same.
			lib=$((lib + 1))
			case " $libs " in *" $(basename "$who") "*) ;; *) libs="$libs $(basename "$who")" ;; esac
			if [ -e "$out" ] && ! "$nf" "$out" | cmp -s - "$TRASH/base.file.n" &&
				! { [ "$nf" = norm_json ] && jq -e . "$out" >/dev/null 2>&1; }; then
				why="exit 4, a half-written $(basename "$out")"
			fi
		else
			why="exit $rc${who:+ (the failed allocation was made in $who)}"
		fi
		if [ -n "$(find "$TRASH" -name '*.tmp.*' -print -quit)" ]; then
			why="${why:+$why; }temporary left: $(find "$TRASH" -name '*.tmp.*' | head -1)"
			find "$TRASH" -name '*.tmp.*' -delete
		fi
		if [ -n "$libown" ] && [ -s "$TRASH/api/violations.log" ]; then
			# libcurl 7.88.1, its own allocation failing, sent a request
			# without its query string (the fake API saw it): libcurl's bug,
			# not perfgate's; counted, then cleared for the final check.
			libslips=$((libslips + 1))
			: >"$TRASH/api/violations.log"
		fi
		if pgrep -x "$marker" >/dev/null; then
			why="${why:+$why; }benchmark process left running"
			kill -KILL $(pgrep -x "$marker") 2>/dev/null
		fi
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			if [ "$bad" -le 5 ]; then
				echo "# $name: allocation $n: $why"
				sed 's/^/#   stderr: /' "$TRASH/t.err" | head -5
				[ -n "${PG_OOM_DEBUG:-}" ] && { "$nf" "$out" | diff "$TRASH/base.file.n" - | head; "$ns" "$TRASH/t.out" | diff "$TRASH/base.out.n" - | head; }
			fi
		fi
	done
	echo "# $name: $count allocations, $runs points tested (every ${stride}), $oom oom exit 4 ($reports with an error report), $lib failures in a library's words${libs:+ (${libs# })}, $libslips libcurl requests malformed, $success success, $bad bad"
	if [ "$bad" -eq 0 ] && [ "$runs" -gt 0 ]; then
		ok "$name: every failing allocation gives exit 4 and a message, or success"
	else
		not_ok "$name: $bad of $runs points misbehaved"
	fi
	# The state left behind by all those failures does not break the next run.
	expect_exit 0 "$name: a normal run afterwards succeeds" -- "$@"
}

# fold: perf script text to folded stacks, -o FILE (atomic write).
cp "$PG_TEST_DATA/fold/fp-kernel.in" "$TRASH/perf.txt"
torture fold 300 "$TRASH/out.folded" cat cat -- "$PERFGATE" fold -o "$TRASH/out.folded" "$TRASH/perf.txt"
case " ${PG_OOM_ONLY:-fold} " in *" fold "*)
	expect_grep "fold: the message names the activity and the size" \
		"^perfgate: out of memory while running 'perfgate fold' \\(allocating [0-9]+ bytes\\)$" "$TRASH/t.err" ;;
esac

# diff: two folded profiles, attribution as JSON.
"$PERFGATE" fold -o "$TRASH/a.folded" "$PG_TEST_DATA/fold/fp-kernel.in"
"$PERFGATE" fold -o "$TRASH/b.folded" "$PG_TEST_DATA/fold/dwarf-inlined.in"
torture diff 150 "$TRASH/diff.json" cat cat -- "$PERFGATE" diff "$TRASH/a.folded" "$TRASH/b.folded" \
	--json "$TRASH/diff.json"

# flamegraph: a profile drawn as SVG, -o FILE (atomic write).
torture flamegraph 150 "$TRASH/fg.svg" cat cat -- "$PERFGATE" flamegraph "$TRASH/b.folded" -o "$TRASH/fg.svg"

# run and check in a tiny repository of two commits.
repo=$TRASH/repo
make_repo "$repo"
cat >"$repo/perfgate.yml" <<YML
version: 1
benchmarks:
  - name: quick
    run: "$TRASH/bin/$marker 0.001"
    warmup: 0
    repeat: { min: 2, max: 2 }
budgets:
  quick:
    wall: { max: 10s }
YML
commit_all "$repo" "base" && git -C "$repo" tag base
echo "a change" >"$repo/README"
commit_all "$repo" "head"

torture run 150 "$TRASH/run.json" norm norm_json -- "$PERFGATE" -C "$repo" run --json "$TRASH/run.json"
# check: libgit2 heavy (thousands of allocations), strided. A first run makes
# the private worktrees, so that the count is the steady state's.
"$PERFGATE" -C "$repo" check --base base >/dev/null 2>&1
torture check 200 "$TRASH/check.json" norm norm_json -- "$PERFGATE" -C "$repo" check --base base \
	--json "$TRASH/check.json"
expect_true "check: the checkout is untouched" -- test -z "$(git -C "$repo" status --porcelain)"

# comment: libcurl (its own allocator: it reports CURLE_OUT_OF_MEMORY, which
# must be exit 4 too, not a delivery warning) against the loopback GitHub API.
# A failure must never make a second comment: exactly one of ours at the end.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy PERFGATE_GITHUB_TOKEN
. "$(dirname "$0")/../lib/comment-lib.sh"
start_api api --lifetime 3600 # a full run (PG_OOM_MAX) takes longer than the default 300 s
export GITHUB_REPOSITORY=octo/widgets GITHUB_TOKEN=$TOKEN
printf '## perfgate: pass\n\nnothing slower\n' >"$TRASH/report.md"
# the first run posts; the torture's runs then all find and edit that comment
"$PERFGATE" comment --github --pr 7 "$TRASH/report.md" >/dev/null 2>&1
torture comment 150 "$TRASH/no-such-output" norm cat -- "$PERFGATE" comment --github --pr 7 "$TRASH/report.md"
expect_true "comment: still exactly one comment of ours" -- test "$(ours api)" -eq 1
no_violations api

test_done
