#!/usr/bin/env bash
# perfgate check with a hostile config at the BASE commit (A1-A5, A9 read
# through git, not from a file): billion laughs, a cyclic alias, 10,000
# nested '[', tab indentation, a UTF-16 BOM, an empty file, a 2 MB file,
# .nan/.inf/-5/1e309/"fast" budgets. Each: exit 2 in bounded time, the
# message names the base commit and perfgate.yml:line:col, nothing is built,
# the JUnit asked for is whole (an error testcase), no temporary file left.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate check: hostile config at the base commit"
. "$(dirname "$0")/../lib/check-lib.sh"

repo=$TRASH/repo
check_repo "$repo"

# plant NAME: commit perfgate.yml as given on stdin, tag it NAME
plant() {
	cat >"$repo/perfgate.yml"
	commit_all "$repo" "config: $1" && git -C "$repo" tag "$1"
}
plant laughs <<'Y'
version: 1
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
benchmarks:
  - name: hot
    run: ./bench
Y
printf 'version: 1\nx: &a [*a]\n' | plant cyclic
{ printf 'version: 1\nbenchmarks: '; head -c 10000 /dev/zero | tr '\0' '['; echo; } | plant deep
printf 'version: 1\nbenchmarks:\n\t- name: hot\n\t  run: ./bench\n' | plant tabs
printf '\xff\xfe\x76\x00\x65\x00\x72\x00\n\x00' | plant bom
printf 'version: 1\nbenchmarks:\n  - name: "hot\xc3\x28"\n    run: ./bench\n' | plant utf8
: | plant empty
printf 'version: 1\n---\nversion: 1\n' | plant twodocs
{ printf 'version: 1\n'; head -c 2000000 /dev/zero | tr '\0' '#'; echo; } | plant huge
for v in .nan .inf -5 1e309 '"fast"' .NaN; do
	tag=budget$(printf '%s' "$v" | tr -dc 'a-zA-Z0-9')
	printf 'version: 1\nbuild: cc -O1 -o bench bench.c\nbenchmarks:\n  - name: hot\n    run: ./bench 1000\nbudgets:\n  hot:\n    wall: { max: %s }\n' "$v" | plant "$tag"
done
printf 'version: 1\nbenchmarks:\n  - name: hot\n    run: ./bench 1000\nbudgets:\n  hot:\n    wall: { regress: .nan }\n' | plant regressnan
git -C "$repo" checkout -q base -- perfgate.yml
commit_all "$repo" "a sane head"

# want TAG LINE:COL-REGEX MESSAGE-REGEX
want() {
	local tag=$1 pos=$2 msg=$3 oid s e ms
	oid=$(git -C "$repo" rev-parse "$tag")
	rm -f "$TRASH/j.xml"
	s=$(date +%s%N)
	expect_exit 2 "$tag: exit 2" -- "$PERFGATE" -C "$repo" check --base "$tag" --junit "$TRASH/j.xml"
	ms=$(( ($(date +%s%N) - s) / 1000000 ))
	expect_true "$tag: bounded time ($ms ms)" -- test "$ms" -lt 5000
	expect_grep "$tag: names commit, file, line and column" "${oid:0:7}:perfgate\.yml:$pos .*$msg" "$TRASH/err"
	expect_no_grep "$tag: nothing built" 'building' "$TRASH/err"
	expect_no_grep "$tag: no pass" '^result: pass' "$TRASH/out"
	expect_no_grep "$tag: no sanitizer report" 'Sanitizer|runtime error' "$TRASH/err"
	junit_check "$tag" "$TRASH/j.xml"
	expect_grep "$tag: JUnit error testcase with the commit" "^error	'perfgate'	[\"'].*${oid:0:7}:perfgate\.yml:$pos" "$TRASH/j.xml.dump"
}
want laughs '2:[0-9]+:' 'aliases not allowed'
want cyclic '2:[0-9]+:' 'alias'
want deep '2:[0-9]+:' 'nest|deep'
want tabs '3:[0-9]+:' 'tab'
want bom '1:[0-9]+:' ''
want utf8 '[0-9]+:[0-9]+:' 'UTF-8'
want empty '1:1:' 'empty config'
want twodocs '2:[0-9]+:' 'document'

for t in budgetnan budgetinf budget5 budget1e309 budgetfast budgetNaN; do
	want "$t" '8:[0-9]+:' ''
done
want regressnan '7:[0-9]+:' ''
# over the size cap: named with the commit, not read
expect_exit 2 "huge: exit 2" -- "$PERFGATE" -C "$repo" check --base huge --junit "$TRASH/j.xml"
expect_grep "huge: names the commit, the file and the cap" "base [0-9a-f]{7}: 'perfgate.yml' at [0-9a-f]{7}: larger than [0-9]+ bytes" "$TRASH/err"
junit_check "huge" "$TRASH/j.xml"
expect_true "no temporary files" -- test -z "$(find "$TRASH" "$repo/.git/perfgate" -name '*.tmp*' 2>/dev/null)"
test_done
