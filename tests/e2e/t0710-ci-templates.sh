#!/usr/bin/env bash
# CI adoption: perfgate's workflows and templates are valid YAML with the
# structure their safety depends on, and every `perfgate COMMAND --option`
# they name exists in the real binary's --help (tests/lib/ci_templates.py).
# Then broken copies must be caught: the check can fail.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "CI workflows and templates"
checker=$PG_SRC/tests/lib/ci_templates.py

"$PG_PYTHON" "$checker" "$PG_SRC" "$PERFGATE" >"$TRASH/report" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && ! grep -q '^not ok' "$TRASH/report"; then
	ok "the workflows and templates pass ($(grep -c '^ok' "$TRASH/report") checks)"
else
	not_ok "the workflows and templates: exit $rc"
	grep -v '^ok' "$TRASH/report" | sed 's/^/# /'
fi
# Commands not built yet are named, not silently passed.
grep '^# skipped' "$TRASH/report" || true

# mutant SRC_DIR: a copy of what the checker reads
mutant() {
	rm -rf "$TRASH/m"
	mkdir -p "$TRASH/m/scripts"
	cp -r "$PG_SRC/.github" "$PG_SRC/configs" "$TRASH/m/"
	cp "$PG_SRC/scripts/test.sh" "$TRASH/m/scripts/"
}
# expect_caught DESCRIPTION PATTERN: the checker fails on $TRASH/m with a line matching PATTERN.
expect_caught() {
	"$PG_PYTHON" "$checker" "$TRASH/m" "$PERFGATE" >"$TRASH/mreport" 2>&1
	local rc=$?
	if [ "$rc" -ne 0 ] && grep -Eq -- "^not ok - .*$2" "$TRASH/mreport"; then
		ok "caught: $1"
	else
		not_ok "not caught: $1 (exit $rc)"
		grep -v '^ok' "$TRASH/mreport" | sed 's/^/# /' | head -20
	fi
}
gate=$TRASH/m/.github/workflows/perfgate-gate.yml
edit() { # edit FILE PYTHON-EXPR-ON-s
	"$PG_PYTHON" -c 'import sys; p=sys.argv[1]; s=open(p).read(); t=eval(sys.argv[2]); assert t != s, "no change"; open(p,"w").write(t)' "$1" "$2"
}

mutant
edit "$gate" 's.replace("    permissions:\n      contents: read\n    outputs:", "    permissions:\n      contents: read\n      pull-requests: write\n    outputs:")'
expect_caught "the measure job given pull-requests: write" "measure: permissions contents: read only"

mutant
edit "$gate" 's.replace("          OUT: ${{ github.workspace }}/perfgate-out\n        run: |\n          mkdir", "          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n          OUT: ${{ github.workspace }}/perfgate-out\n        run: |\n          mkdir", 1)'
expect_caught "a secret handed to the measure job" "measure: no secrets"

mutant
edit "$gate" 's.replace("      - name: Check out perfgate (never the pull request)", "      - uses: actions/checkout@v4\n      - name: Check out perfgate (never the pull request)")'
expect_caught "the report job checking out the pull request" "report: checks out nothing but perfgate"

mutant
edit "$gate" 's.replace("fetch-depth: 0", "fetch-depth: 1", 1)'
expect_caught "a shallow checkout (no base commit)" "fetch-depth 0"

mutant
edit "$gate" 's.replace("  report:\n    needs: measure\n    if: always()\n", "  report:\n    needs: measure\n")'
expect_caught "the report job skipped when the gate fails" "report: runs always"

mutant
edit "$gate" 's.replace("perfgate comment --github", "perfgate comment --githb")'
expect_caught "an option perfgate comment does not have" "perfgate comment --githb is in perfgate comment --help"

mutant
edit "$gate" 's.replace("          BASE: ${{ github.event.pull_request.base.sha }}\n", "").replace("--rev \"$BASE\"", "--rev ${{ github.event.pull_request.base.sha }}")'
expect_caught "an expression pasted into a shell script" "no \\$\\{\\{ \\}\\} expressions inside shell scripts"

mutant
edit "$TRASH/m/configs/ci/gitlab-ci.yml" 's.replace("      metrics: metrics.txt", "      metrics: metric.txt")'
expect_caught "the GitLab metrics report naming another file" "reports: metrics: metrics.txt"

mutant
edit "$TRASH/m/configs/ci/gitlab-ci.yml" 's.replace("    GIT_STRATEGY: none", "    GIT_STRATEGY: fetch")'
expect_caught "the GitLab comment job checking out the merge request" "checks out nothing"

mutant
edit "$TRASH/m/configs/ci/github-workflow.yml" 's.replace("      config: perfgate.yml", "      config-file: perfgate.yml")'
expect_caught "the example caller passing an input the workflow lacks" "passes only inputs"

mutant
printf 'jobs: [unclosed\n' >>"$TRASH/m/configs/ci/gitlab-ci.yml"
expect_caught "invalid YAML" "gitlab-ci.yml is valid YAML"

mutant
edit "$TRASH/m/scripts/test.sh" 's.replace("-DPERFGATE_SANITIZE=ON", "")'
expect_caught "CI without the sanitizer build" "ASan and UBSan"

# every option of `perfgate run` the README-to-be names exists too (--save, --bmf)
mutant
cat >"$TRASH/m/configs/ci/extra.yml" <<'YML'
jobs:
  x:
    steps:
      - run: perfgate run --save --bmf out.bmf && perfgate run --sav
YML
PG_CI_EXTRA=configs/ci/extra.yml expect_caught "perfgate run --sav (a typo)" "perfgate run --sav is in"
grep -q '^ok - .*perfgate run --save is in' "$TRASH/mreport" && grep -q '^ok - .*perfgate run --bmf is in' "$TRASH/mreport"
expect_true "while perfgate run --save and --bmf exist" -- test $? -eq 0

test_done
