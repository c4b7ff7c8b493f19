#!/usr/bin/env bash
# perfgate diff and flamegraph on folded profiles: naming, JSON, SVG, bad input.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate diff / flamegraph on folded stacks"
D=$PG_TEST_DATA/attrib
jqt() { jq -e "$@" >/dev/null; }

expect_exit 0 "diff two folded profiles" -- "$PERFGATE" diff "$D/before.folded" "$D/after.folded" \
	--json "$TRASH/d.json" --svg "$TRASH/d.svg" --touched checksum,setup
expect_grep "names the function that doubled" '^responsible: checksum ' "$TRASH/out"
expect_grep "class and next step" '^next step: CPU-bound' "$TRASH/out"
expect_true "JSON responsible" -- test "$(jq -r .responsible.name "$TRASH/d.json")" = checksum
expect_true "JSON touched marks checksum" -- test "$(jq -r '.functions[] | select(.name=="checksum") | .touched' "$TRASH/d.json")" = true
expect_true "JSON touched leaves parse_record" -- test "$(jq -r '.functions[] | select(.name=="parse_record") | .touched' "$TRASH/d.json")" = false
expect_true "JSON has the fields" -- jqt '.functions[0] | has("self_before") and has("self_after") and has("total_before") and has("total_after") and has("unit")' "$TRASH/d.json"
expect_true "JSON class, next_step, top leaves" -- jqt '.class == "cpu" and (.next_step|length) > 10 and (.top_leaves_before|length) == 4 and (.top_leaves_after|length) == 5' "$TRASH/d.json"
expect_true "the shrinking setup is not responsible" -- test "$(jq -r '.functions[-1].name' "$TRASH/d.json")" = setup
expect_true "differential SVG is valid XML" -- xmllint --noout "$TRASH/d.svg"
expect_grep "SVG escapes names" 'odd&amp;&lt;&gt;&quot;&apos;name' "$TRASH/d.svg"

printf 'checksum\n\n  parse_record  \n' >"$TRASH/touched"
expect_exit 0 "--touched-file" -- "$PERFGATE" diff --touched-file "$TRASH/touched" --json - "$D/before.folded" "$D/after.folded"
expect_true "touched-file marks both" -- test "$(jq '[.functions[] | select(.touched)] | length' "$TRASH/out")" = 2

expect_exit 0 "--runs-b 2 halves the after side" -- "$PERFGATE" diff "$D/before.folded" "$D/after.folded" --runs-b 2 --json "$TRASH/r.json"
expect_true "per run: checksum no longer grew" -- test "$(jq -r '.functions[] | select(.name=="checksum") | .self_after' "$TRASH/r.json")" = 500

expect_exit 0 "flamegraph" -- "$PERFGATE" flamegraph "$D/after.folded" -o "$TRASH/f.svg" --title 'A & B'
expect_true "flame graph is valid XML" -- xmllint --noout "$TRASH/f.svg"
expect_grep "title escaped" 'A &amp; B' "$TRASH/f.svg"

expect_exit 2 "diff wants two profiles" -- "$PERFGATE" diff "$D/before.folded"
expect_exit 2 "flamegraph wants -o" -- "$PERFGATE" flamegraph "$D/after.folded"
expect_exit 2 "bad --top" -- "$PERFGATE" diff --top x "$D/before.folded" "$D/after.folded"
expect_exit 2 "missing profile is named" -- "$PERFGATE" diff "$TRASH/nope.folded" "$D/after.folded"
expect_grep "message names the file" 'nope.folded' "$TRASH/err"
: >"$TRASH/empty.folded"
expect_exit 2 "an empty profile is refused, never 'no regression'" -- "$PERFGATE" diff "$TRASH/empty.folded" "$D/after.folded"
expect_grep "says no samples" 'no samples' "$TRASH/err"
test_done
