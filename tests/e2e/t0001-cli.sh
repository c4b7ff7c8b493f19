#!/usr/bin/env bash
# The command line itself: help, version, unknown commands and options.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate command line"

expect_exit 0 "--help" -- "$PERFGATE" --help
expect_grep "--help lists the commands" '^  check ' "$TRASH/out"
expect_grep "--help lists the exit codes" 'exit codes' "$TRASH/out"
expect_exit 0 "--version" -- "$PERFGATE" --version
expect_grep "--version prints a version" '^perfgate [0-9]+\.[0-9]+' "$TRASH/out"
expect_exit 2 "no command is a usage error" -- "$PERFGATE"
expect_exit 2 "unknown command" -- "$PERFGATE" frobnicate
expect_grep "unknown command is named" "'frobnicate' is not a perfgate command" "$TRASH/err"
expect_exit 2 "unknown global option" -- "$PERFGATE" --frob
expect_exit 2 "-C to a missing directory" -- "$PERFGATE" -C "$TRASH/nope" run
expect_grep "-C names the directory" "cannot change to '.*nope'" "$TRASH/err"
# options may follow positional arguments (GNU getopt's order); "--" ends the options
F=$PG_TEST_DATA/attrib
expect_exit 0 "options after a positional" -- "$PERFGATE" fold "$F/after.folded" --from folded -o "$TRASH/a.folded"
expect_true "the option after it took effect" -- grep -q '^# perfgate: unit=samples runs=1$' "$TRASH/a.folded"
expect_exit 0 "positional between options" -- "$PERFGATE" diff --top 2 "$F/before.folded" --json "$TRASH/d.json" "$F/after.folded"
expect_true "both options and both files" -- test "$(jq -r .responsible.name "$TRASH/d.json")" = checksum
cp "$F/after.folded" "$TRASH/-x.folded"
expect_exit 0 "after --, a name starting with '-' is a file" -- bash -c "cd '$TRASH' && '$PERFGATE' flamegraph -o f.svg -- -x.folded"
expect_exit 2 "without --, it is an unknown option" -- bash -c "cd '$TRASH' && '$PERFGATE' flamegraph -o f.svg -x.folded"
expect_exit 0 "a lone - is standard input" -- bash -c "'$PERFGATE' fold --from folded - --no-header < '$F/after.folded'"
for c in run check bisect profile diff fold flamegraph comment; do
	expect_exit 0 "$c --help" -- "$PERFGATE" "$c" --help
	expect_grep "$c --help shows usage" "^usage: perfgate $c" "$TRASH/out"
done

test_done
