#!/usr/bin/env bash
# The report renderers' output, read back by the tools that consume it:
# JUnit by xmllint against the schema and by junitparser (counts, messages,
# names with & < > " ' exactly), JSON by jq, OpenMetrics by prometheus_client's
# parser, annotations and Markdown by their limits. The documents come from
# tests/unit/test_report.c (run with PG_REPORT_OUT), which also writes
# CASE.expect.json: what each JUnit file must hold, taken from the report.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "report renderers validate"

PG_BUILD=${PG_BUILD:-$PG_SRC/build}
TEST_REPORT=$PG_BUILD/tests/test_report
OUT=$TRASH/reports
mkdir -p "$OUT"

expect_exit 0 "test_report writes its documents" -- env PG_REPORT_OUT="$OUT" "$TEST_REPORT"
cases=$(cd "$OUT" && ls *.expect.json 2>/dev/null | sed 's/\.expect\.json$//')
expect_true "every case was written" -- test "$(echo $cases | wc -w)" -ge 5

for c in $cases; do
	expect_exit 0 "$c: JUnit valid against junit-10.xsd" -- \
		xmllint --noout --schema "$PG_TEST_DATA/junit-10.xsd" "$OUT/$c.junit.xml"
	expect_exit 0 "$c: JSON parses with jq" -- jq -e '.perfgate_report == 1' "$OUT/$c.json"
	expect_exit 0 "$c: JSON result matches" -- \
		jq -e --slurpfile e "$OUT/$c.expect.json" '.result == $e[0].result' "$OUT/$c.json"
	expect_no_grep "$c: JSON has no NaN or Infinity" ':[[:space:]]*-?(nan|NaN|inf|Infinity)\b' "$OUT/$c.json"
	expect_true "$c: Markdown within 65,536 bytes" -- test "$(wc -c <"$OUT/$c.md")" -le 65536
	expect_no_grep "$c: annotations are one command a line" '^[^:]|^:[^:]' "$OUT/$c.annotations.txt"
	expect_true "$c: at most 10 error annotations" -- \
		test "$(grep -c '^::error ' "$OUT/$c.annotations.txt")" -le 10
done

# junitparser: counts, outcomes, messages and names read back exactly.
# (expect_exit runs its command with stdin from /dev/null: scripts go in files)
cat >"$TRASH/junit_check.py" <<'EOF'
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped

out, cases = sys.argv[1], sys.argv[2:]
bad = []
exact_seen = 0
for c in cases:
    exp = json.load(open(f"{out}/{c}.expect.json"))
    xml = JUnitXml.fromfile(f"{out}/{c}.junit.xml")
    suites = list(xml)
    if len(suites) != 1:
        bad.append(f"{c}: {len(suites)} testsuites")
        continue
    s = suites[0]
    for k in ("tests", "failures", "errors", "skipped"):
        if getattr(s, k) != exp[k]:
            bad.append(f"{c}: {k}={getattr(s, k)}, expected {exp[k]}")
    got = list(s)
    if len(got) != exp["tests"]:
        bad.append(f"{c}: {len(got)} testcases, expected {exp['tests']}")
    by_name = {}
    for tc in got:
        by_name.setdefault(tc.name, []).append(tc)
    for e in exp["cases"]:
        if "name" not in e:
            continue
        exact_seen += 1
        tcs = by_name.get(e["name"])
        if not tcs:
            bad.append(f"{c}: no testcase named {e['name']!r}")
            continue
        tc = tcs.pop(0)
        kinds = {"failure": Failure, "error": Error, "skipped": Skipped}
        res = tc.result
        if e["result"] == "pass":
            if res:
                bad.append(f"{c}: {e['name']!r} should pass, has {res}")
            continue
        if len(res) != 1 or not isinstance(res[0], kinds[e["result"]]):
            bad.append(f"{c}: {e['name']!r} should be {e['result']}, has {res}")
            continue
        r = res[0]
        if "type" in e and r.type != e["type"]:
            bad.append(f"{c}: {e['name']!r} type {r.type!r}, expected {e['type']!r}")
        if "message" in e:
            if r.message != e["message"]:
                bad.append(f"{c}: message {r.message!r} != {e['message']!r}")
            # GitLab shows only the text: the message must be there too
            if e["result"] != "skipped" and not (r.text or "").startswith(e["message"]):
                bad.append(f"{c}: text {r.text!r} does not start with the message")
    props = {p.name: p.value for p in (s.properties() or [])}
    if c == "mixed" and props.get("perfgate.base_sha") != "3f2a9d1c0b7e5a4f1e2d3c4b5a69788796a5b4c3":
        bad.append(f"{c}: base commit property: {props}")
    if c == "hostile" and props.get("perfgate.base_subject") != "subject \\x1b\\xff & <b>\"'":
        bad.append(f"{c}: hostile subject property: {props.get('perfgate.base_subject')!r}")
if exact_seen < 10:
    bad.append(f"only {exact_seen} named testcases checked")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
expect_exit 0 "JUnit reads back with junitparser" -- "$PG_PYTHON" "$TRASH/junit_check.py" "$OUT" $cases

# OpenMetrics: prometheus_client's parser (python3-prometheus-client) accepts
# every file; label values of printable names come back exactly.
if "$PG_PYTHON" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null; then
	cat >"$TRASH/metrics_check.py" <<'EOF'
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families

out, cases = sys.argv[1], sys.argv[2:]
bad = []
for c in cases:
    text = open(f"{out}/{c}.metrics.txt", encoding="utf-8").read()
    fams = {f.name: f for f in text_string_to_metric_families(text)}
    rep = json.load(open(f"{out}/{c}.json"))
    want = set()
    for m in rep["metrics"]:
        if m["head"]["median"] is None:
            continue
        names = (m["benchmark"], m["metric"])
        if all(ch.isprintable() and "\\x" not in n for n in names for ch in n):
            want.add(names)
    got = set()
    for s in fams["perfgate_metric"].samples if "perfgate_metric" in fams else []:
        got.add((s.labels["benchmark"], s.labels["metric"]))
    missing = want - got
    if missing:
        bad.append(f"{c}: label values not found exactly: {sorted(missing)[:3]}")
    v = fams["perfgate_budget_violations"].samples[0].value
    if v != rep["counts"]["fail"]:
        bad.append(f"{c}: violations {v} != {rep['counts']['fail']}")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
	expect_exit 0 "OpenMetrics parse and round-trip names" -- \
		"$PG_PYTHON" "$TRASH/metrics_check.py" "$OUT" $cases
else
	not_ok "python3-prometheus-client is not installed (apt-get install python3-prometheus-client)"
fi

test_done
