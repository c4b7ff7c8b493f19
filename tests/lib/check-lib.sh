# check-lib.sh: shared helpers for tests/e2e/t06NN-check-*.sh (after test-lib.sh).
#
#   check_repo DIR      a repository whose commit "base" (tag base) has a tiny
#                       C benchmark (bench.c: work() ~15 ms a run), a build
#                       command and a perfgate.yml with a wall regress budget
#   set_factor DIR N    make work() N times slower (FACTOR in bench.c)
#   junit_check DESC FILE
#                       FILE is valid against junit-10.xsd (xmllint --schema)
#                       and reads back with junitparser, its counts agreeing
#                       with its testcases; the testcases are dumped to
#                       FILE.dump, one "OUTCOME<TAB>NAME<TAB>MESSAGE" line
#                       each (Python repr of name and message), then
#                       "property<TAB>NAME<TAB>VALUE" lines
#   jqt ARGS            jq -e ARGS, quietly

jqt() { jq -e "$@" >/dev/null; }

check_repo() {
	local dir=$1
	make_repo "$dir"
	cat >"$dir/bench.c" <<'C'
#include <stdlib.h>
#define FACTOR 1
static volatile unsigned long sink;
static unsigned long work(unsigned long n)
{
	unsigned long x = 1;
	for (unsigned long i = 0; i < n * FACTOR; i++)
		x = x * 6364136223846793005ul + i;
	return x;
}
int main(int argc, char **argv)
{
	sink = work(argc > 1 ? strtoul(argv[1], 0, 10) : 1000000);
	return 0;
}
C
	cat >"$dir/perfgate.yml" <<'YML'
version: 1
build: cc -O1 -o bench bench.c
benchmarks:
  - name: hot
    run: ./bench 5000000
    warmup: 1
    repeat: { min: 6, max: 96 }
    timeout: 30s
budgets:
  hot:
    wall: { max: 10s, regress: 50% }
YML
	printf 'bench\n' >"$dir/.gitignore"
	commit_all "$dir" "base" && git -C "$dir" tag base
}

set_factor() {
	sed -i "s/^#define FACTOR .*/#define FACTOR $2/" "$1/bench.c"
}

cat >"${TRASH:?test_begin first}/junit_dump.py" <<'PY'
import sys
from junitparser import JUnitXml, Failure, Error, Skipped

path = sys.argv[1]
xml = JUnitXml.fromfile(path)
suites = list(xml)
bad = []
if len(suites) != 1:
    bad.append(f"{len(suites)} testsuites")
lines = []
for s in suites:
    cases = list(s)
    count = {"failures": 0, "errors": 0, "skipped": 0}
    for tc in cases:
        res = tc.result
        kind = "pass"
        msg = ""
        if res:
            r = res[0]
            kind = {Failure: "failure", Error: "error", Skipped: "skipped"}[type(r)]
            count[{"failure": "failures", "error": "errors", "skipped": "skipped"}[kind]] += 1
            msg = r.message or ""
            if kind != "skipped" and not (r.text or "").startswith(msg):
                bad.append(f"{tc.name!r}: text does not start with the message")
            if kind == "failure":
                kind += ":" + (r.type or "")
        lines.append(f"{kind}\t{tc.name!r}\t{msg!r}")
    if s.tests != len(cases):
        bad.append(f"tests={s.tests}, {len(cases)} testcases")
    for k, v in count.items():
        if getattr(s, k) != v:
            bad.append(f"{k}={getattr(s, k)}, counted {v}")
    for p in s.properties() or []:
        lines.append(f"property\t{p.name}\t{p.value!r}")
open(path + ".dump", "w", encoding="utf-8").write("\n".join(lines) + "\n")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY

junit_check() {
	local desc=$1 file=$2
	expect_exit 0 "$desc: JUnit valid against junit-10.xsd" -- \
		xmllint --noout --schema "$PG_TEST_DATA/junit-10.xsd" "$file"
	expect_exit 0 "$desc: JUnit reads back with junitparser" -- \
		"$PG_PYTHON" "$TRASH/junit_dump.py" "$file"
}
