#!/usr/bin/env bash
# D2: a perf.data that is cut short or damaged. The real perf records; a
# wrapper in PATH then truncates the recording (perf script dies of SIGBUS or
# says "failed to process"), zeroes its data size (what a killed perf record
# leaves: perf's "data size field is 0" warning), or, as a defensive case,
# lets perf script exit 0 after warning that the file is truncated. Each time:
# exit 4 naming the perf.data file and perf's words, no folded file written,
# nothing left in TMPDIR.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate profile: a damaged perf.data"
real=$(command -v perf) || { not_ok "perf installed"; test_done; }
mkdir -p "$TRASH/bin" "$TRASH/tmp"
cat >"$TRASH/bin/perf" <<EOF
#!/bin/sh
if [ "\$1" = record ]; then
	"$real" "\$@"; rc=\$?
	out=; prev=
	for a in "\$@"; do [ "\$prev" = -o ] && out=\$a; prev=\$a; done
	sz=\$(stat -c %s "\$out")
	case \$PG_DAMAGE in
	half) truncate -s \$((sz / 2)) "\$out" ;;
	tenth) truncate -s \$((sz / 10)) "\$out" ;;
	# perf.data header: magic, size, attr_size, attrs {offset, size}, data {offset, size}
	zero) printf '\0\0\0\0\0\0\0\0' | dd of="\$out" bs=1 seek=48 conv=notrunc status=none ;;
	esac
	exit \$rc
fi
if [ "\$1" = script ] && [ "\$PG_DAMAGE" = warn0 ]; then
	"$real" "\$@"; rc=\$?
	echo "WARNING: perf.data: file truncated, the last events are missing" >&2
	exit \$rc
fi
exec "$real" "\$@"
EOF
chmod +x "$TRASH/bin/perf"
cmd="sh -c 'i=0; while [ \$i -lt 100000 ]; do i=\$((i+1)); done'"

# the wrapper itself changes nothing: an undamaged recording profiles
PATH=$TRASH/bin:$PATH TMPDIR=$TRASH/tmp "$PERFGATE" profile --cmd "$cmd" -o "$TRASH/ok.folded" >"$TRASH/out" 2>"$TRASH/err"
rc=$?
if [ $rc -eq 4 ] && grep -q perf_event_paranoid "$TRASH/err"; then
	ok "# SKIP perf is not permitted here"
	test_done
fi
expect_true "undamaged: exit 0 (got $rc)" -- test $rc -eq 0
expect_true "undamaged: folded stacks written" -- test -s "$TRASH/ok.folded"

for d in half tenth zero warn0; do
	rm -f "$TRASH/$d.folded"
	PG_DAMAGE=$d PATH=$TRASH/bin:$PATH TMPDIR=$TRASH/tmp "$PERFGATE" profile --cmd "$cmd" -o "$TRASH/$d.folded" >"$TRASH/out" 2>"$TRASH/err"
	rc=$?
	expect_true "$d: exit 4 (got $rc)" -- test $rc -eq 4
	expect_grep "$d: names the perf.data file and says it is damaged" \
		"perf script -i $TRASH/tmp/perfgate-profile\.[A-Za-z0-9]+/perf\.0\.data.*: the recording is damaged or truncated \(.+\); no profile, no verdict" "$TRASH/err"
	expect_true "$d: no folded file" -- test ! -e "$TRASH/$d.folded" -a ! -e "$TRASH/$d.svg"
	expect_true "$d: nothing left in TMPDIR" -- test -z "$(ls -A "$TRASH/tmp")"
	case $d in
	zero) expect_grep "zero: perf's own warning is quoted" "data size field is 0 which is unexpected\. Was the 'perf record' command properly terminated\?" "$TRASH/err" ;;
	warn0) expect_grep "warn0: perf's warning, though it exited 0" "perf\.0\.data: the recording is damaged or truncated \(WARNING: perf\.data: file truncated" "$TRASH/err" ;;
	esac
done
test_done
