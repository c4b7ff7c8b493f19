#!/usr/bin/env bash
# The SVGs open in a real browser: the script runs without errors, the named
# function's frame is there, and search highlights it.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "flame graphs in headless chromium"
D=$PG_TEST_DATA/attrib
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "# chromium not installed"; ok "skipped: no chromium"; test_done
fi

browse() { # FILE FRAGMENT -> $TRASH/dom, $TRASH/console
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d "$TRASH/prof.XXXXXX")" \
		--enable-logging=stderr --v=0 --dump-dom "file://$1$2" >"$TRASH/dom" 2>"$TRASH/console"
}

expect_exit 0 "diff writes an SVG" -- "$PERFGATE" diff "$D/before.folded" "$D/after.folded" --svg "$TRASH/d.svg"
browse "$TRASH/d.svg" "#s=^checksum\$"
expect_grep "the script ran" 'data-pg-ready="[1-9]' "$TRASH/dom"
expect_grep "search highlighted one frame" 'data-pg-matches="1"' "$TRASH/dom"
expect_grep "the named function's frame is in the page" '<title>checksum' "$TRASH/dom"
expect_no_grep "no console errors" 'CONSOLE|Uncaught' "$TRASH/console"

expect_exit 0 "flamegraph writes an SVG" -- "$PERFGATE" flamegraph "$D/after.folded" -o "$TRASH/f.svg"
browse "$TRASH/f.svg" ""
expect_grep "the script ran" 'data-pg-ready="[1-9]' "$TRASH/dom"
expect_grep "labels were fitted" '<text x="[0-9.]+" y="[0-9]+">checksum</text>' "$TRASH/dom"
expect_no_grep "no console errors" 'CONSOLE|Uncaught' "$TRASH/console"
test_done
