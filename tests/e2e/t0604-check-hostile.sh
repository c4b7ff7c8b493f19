#!/usr/bin/env bash
# perfgate check's JUnit with hostile text: benchmark and metric names with
# & < > " ' (the config refuses control characters in names), commit subjects with invalid UTF-8 and escapes, a
# failing benchmark whose stderr holds both, and reported metric names with
# invalid UTF-8. Every JUnit file is valid against the schema and reads back
# with junitparser, names exactly as expected; JSON is accepted by jq.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate check: hostile names"
. "$(dirname "$0")/../lib/check-lib.sh"

repo=$TRASH/repo
make_repo "$repo"
cat >"$repo/perfgate.yml" <<'YML'
version: 1
benchmarks:
  - name: "a&b<c>\"d'e"
    run: "true"
    warmup: 0
    repeat: { min: 3, max: 3 }
  - name: "bad out"
    run: "./bad.sh"
    warmup: 0
    repeat: { min: 3, max: 3 }
  - name: rep
    run: "./rep.sh"
    output: lines
    warmup: 0
    repeat: { min: 3, max: 3 }
budgets:
  "a&b<c>\"d'e":
    wall: { max: 1ns }
  "bad out":
    wall: { max: 10s }
  rep:
    "x<&>\"'y": { max: 5 }
YML
printf '#!/bin/sh\nexit 0\n' >"$repo/bad.sh"
printf '#!/bin/sh\nprintf "x<&>\\"'"'"'y: 9 count\\n"\nprintf "inv\\377\\033name: 3 count\\n"\n' >"$repo/rep.sh"
chmod +x "$repo/bad.sh" "$repo/rep.sh"
git -C "$repo" add -A
printf 'base \033[31m\377\376 & <b>"\x27\n' | git -C "$repo" -c i18n.commitEncoding=binary commit -q -F - 2>/dev/null ||
	printf 'base \033[31m\377\376 & <b>"\x27\n' | git -C "$repo" commit -q -F -
git -C "$repo" tag base
# the head: the second benchmark fails with hostile stderr
printf '#!/bin/sh\nprintf "oops \\377\\033[0m & <x>\\n" >&2\nexit 7\n' >"$repo/bad.sh"
commit_all "$repo" "break bad.sh"
expect_true "rep.sh prints the metrics" -- sh -c "cd '$repo' && ./rep.sh | grep -q 'x<&>\"'\"'\"'y: 9 count'"

expect_exit 2 "the config refuses a control character in a name" -- sh -c "cd '$repo' && '$PERFGATE' run -c /dev/stdin" <<'YML'
version: 1
benchmarks:
  - name: "x\x1by"
    run: "true"
YML
expect_exit 1 "hostile names: one breach, one error, one more breach" -- "$PERFGATE" -C "$repo" check --base base \
	--junit "$TRASH/h.xml" --json "$TRASH/h.json" --markdown "$TRASH/h.md" --metrics "$TRASH/h.metrics"
junit_check "hostile" "$TRASH/h.xml"
expect_true "JSON accepted by jq" -- jqt '.perfgate_report == 1 and .result == "fail"' "$TRASH/h.json"
expect_exit 0 "Markdown and stdout are valid UTF-8" -- iconv -f UTF-8 -t UTF-8 -o /dev/null "$TRASH/h.md"
expect_exit 0 "stdout is valid UTF-8" -- sh -c "'$PERFGATE' -C '$repo' check --base base --repeat-max 3 >'$TRASH/h.out' 2>/dev/null; iconv -f UTF-8 -t UTF-8 -o /dev/null '$TRASH/h.out'"
expect_no_grep "no raw escape character on stdout" $'\x1b' "$TRASH/h.out"

cat >"$TRASH/hostile_check.py" <<'PY'
import sys
from junitparser import JUnitXml, Failure, Error
xml = JUnitXml.fromfile(sys.argv[1])
s = list(xml)[0]
cases = {tc.name: tc for tc in s}
bad = []
want_fail = "a&b<c>\"d'e wall: budget max 1 ns"
want_err = "bad out wall: budget max 10 s"
want_rep = "rep x<&>\"'y: budget max 5"
for name, kind in ((want_fail, Failure), (want_err, Error), (want_rep, Failure)):
    tc = cases.get(name)
    if tc is None:
        bad.append(f"no testcase {name!r}; have {sorted(cases)!r}")
        continue
    if not tc.result or not isinstance(tc.result[0], kind):
        bad.append(f"{name!r}: {tc.result!r}, wanted {kind.__name__}")
        continue
    r = tc.result[0]
    if not r.message.startswith(name.split(": budget")[0] + ":"):
        bad.append(f"{name!r}: message {r.message!r}")
err = cases.get(want_err)
if err is not None and err.result:
    m = err.result[0].message
    for part in ("exited with 7", "oops \\xff\\x1b[0m & <x>"):
        if part not in m:
            bad.append(f"error message lacks {part!r}: {m!r}")
cls = [tc.classname for tc in s]
if "perfgate.a&b<c>\"d'e" not in cls:
    bad.append(f"classnames {cls!r}")
props = {p.name: p.value for p in s.properties()}
if props.get("perfgate.base_subject") != "base \\x1b[31m\\xff\\xfe & <b>\"'":
    bad.append(f"base subject {props.get('perfgate.base_subject')!r}")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
expect_exit 0 "junitparser reads the hostile names back exactly" -- "$PG_PYTHON" "$TRASH/hostile_check.py" "$TRASH/h.xml"
expect_true "JSON: the reported name with invalid UTF-8 is there, cleaned" -- jqt '[.metrics[].metric] | any(startswith("inv"))' "$TRASH/h.json"
expect_no_grep "Markdown: no raw control characters" $'\x1b' "$TRASH/h.md"
if "$PG_PYTHON" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null; then
	cat >"$TRASH/om.py" <<'PY'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
list(text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()))
PY
	expect_exit 0 "OpenMetrics parses" -- "$PG_PYTHON" "$TRASH/om.py" "$TRASH/h.metrics"
fi
test_done
