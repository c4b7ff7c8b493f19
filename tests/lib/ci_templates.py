#!/usr/bin/python3
"""ci_templates.py SRC PERFGATE: check perfgate's CI workflows and templates.

Every .github/workflows/*.yml and configs/ci/*.yml under SRC must be valid
YAML with the structure its safety depends on (which job holds which
permission, which job runs the pull request's code, which never does), and
every `perfgate COMMAND --option` named in them must exist: the real binary's
`perfgate COMMAND --help` is asked. A command whose --help says "not built
yet" is skipped, and named as skipped.

Prints "ok - ..." / "not ok - ..." lines (TAP-like); exits 1 if any failed.
"""
import os
import re
import subprocess
import sys

import yaml

SRC, PERFGATE = sys.argv[1], sys.argv[2]
failed = 0


def ok(cond, what):
    global failed
    if cond:
        print("ok - " + what)
    else:
        failed += 1
        print("not ok - " + what)
    return cond


def load(rel):
    path = os.path.join(SRC, rel)
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        ok(False, "%s is valid YAML: %s" % (rel, e))
        return None
    ok(isinstance(doc, dict), "%s is valid YAML (a mapping)" % rel)
    return doc if isinstance(doc, dict) else None


def on(doc):
    # YAML 1.1 reads a bare `on:` key as the boolean true.
    return doc.get("on", doc.get(True))


def steps(job):
    return job.get("steps") or []


def uses(step, action):
    return str(step.get("uses", "")).split("@")[0] == action


def text(node):
    return yaml.safe_dump(node, default_flow_style=False)


def run_texts(node):
    """Every shell text: GitHub `run:` values and GitLab script lists."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "run" and isinstance(v, str):
                out.append(v)
            elif k in ("script", "before_script", "after_script"):
                out.extend(x for x in (v if isinstance(v, list) else [v]) if isinstance(x, str))
            else:
                out.extend(run_texts(v))
    elif isinstance(node, list):
        for v in node:
            out.extend(run_texts(v))
    return out


# ---- perfgate's own CI ----

ci = load(".github/workflows/ci.yml")
if ci:
    ev = on(ci) or {}
    ok("push" in ev and "pull_request" in ev, "ci.yml runs on push and pull_request")
    ok(ci.get("permissions") == {"contents": "read"}, "ci.yml: read-only token")
    runs = "\n".join(run_texts(ci))
    ok("./scripts/test.sh" in runs, "ci.yml runs ./scripts/test.sh")
with open(os.path.join(SRC, "scripts/test.sh"), encoding="utf-8") as f:
    test_sh = f.read()
ok(re.search(r"CMAKE_C_COMPILER=gcc.*PERFGATE_WERROR=ON", test_sh) is not None,
   "test.sh builds with gcc and -Werror")
ok(re.search(r"CMAKE_C_COMPILER=clang -DPERFGATE_SANITIZE=ON", test_sh) is not None,
   "test.sh builds with clang, ASan and UBSan")
ok(test_sh.count("ctest") >= 2, "test.sh runs the tests in both builds")

# ---- the reusable workflow ----

gate = load(".github/workflows/perfgate-gate.yml")
gate_inputs = {}
if gate:
    wc = (on(gate) or {}).get("workflow_call")
    ok(isinstance(wc, dict), "perfgate-gate.yml is a reusable workflow (on: workflow_call)")
    gate_inputs = (wc or {}).get("inputs") or {}
    for name in ("perfgate-ref", "config", "working-directory"):
        ok(name in gate_inputs, "perfgate-gate.yml has input " + name)
    ok(not (wc or {}).get("secrets"), "perfgate-gate.yml asks for no secrets")
    ok(gate.get("permissions") == {}, "perfgate-gate.yml: no permissions by default")
    jobs = gate.get("jobs") or {}
    measure, report = jobs.get("measure") or {}, jobs.get("report") or {}
    ok(set(jobs) == {"measure", "report"}, "two jobs: measure and report")

    # measure: the pull request's code, a read-only token, no secrets
    ok(measure.get("permissions") == {"contents": "read"}, "measure: permissions contents: read only")
    mtext = text(measure)
    ok("secrets." not in mtext and "github.token" not in mtext and "GITHUB_TOKEN" not in mtext,
       "measure: no secrets and no token handed to any step")
    cos = [s for s in steps(measure) if uses(s, "actions/checkout")]
    project = [s for s in cos if "repository" not in (s.get("with") or {})]
    ok(len(project) == 1 and str((project[0].get("with") or {}).get("fetch-depth")) == "0",
       "measure: checks out the pull request with fetch-depth 0")
    ok(all((s.get("with") or {}).get("persist-credentials") is False for s in cos),
       "measure: no checkout leaves credentials behind")
    mruns = "\n".join(run_texts(measure))
    ok(re.search(r"\bperfgate\b.*\bcheck\b", mruns) is not None, "measure: runs perfgate check")
    for opt in ("--json", "--junit", "--markdown"):
        ok(opt in mruns, "measure: perfgate check writes " + opt)
    ok("GITHUB_OUTPUT" in mruns and "exit-code" in mruns, "measure: records the exit code")
    ok("GITHUB_STEP_SUMMARY" in mruns, "measure: writes the step summary")
    ok((measure.get("outputs") or {}).get("exit-code") is not None, "measure: exit-code is a job output")
    up = [s for s in steps(measure) if uses(s, "actions/upload-artifact")]
    ok(len(up) == 1 and "always()" in str(up[0].get("if", "")), "measure: uploads the artifact, always")

    # report: the token, never the pull request's code
    ok(report.get("needs") in ("measure", ["measure"]), "report: needs measure")
    ok("always()" in str(report.get("if", "")), "report: runs always()")
    perms = report.get("permissions") or {}
    ok(perms.get("pull-requests") == "write", "report: pull-requests: write")
    ok(all(v != "write" for k, v in perms.items() if k != "pull-requests"),
       "report: no other write permission")
    rcos = [s for s in steps(report) if uses(s, "actions/checkout")]
    ok(all((s.get("with") or {}).get("repository") == "${{ inputs.perfgate-repository }}"
           for s in rcos), "report: checks out nothing but perfgate's own repository")
    ok(all((s.get("with") or {}).get("persist-credentials") is False for s in rcos),
       "report: its checkout leaves no credentials behind")
    ok(any(uses(s, "actions/download-artifact") for s in steps(report)), "report: downloads the artifact")
    rruns = "\n".join(run_texts(report))
    ok(re.search(r"\bperfgate comment --github\b", rruns) is not None, "report: perfgate comment --github")
    tok = [s for s in steps(report) if "github.token" in text(s) or "secrets." in text(s)]
    ok(len(tok) == 1 and "perfgate comment" in str(tok[0].get("run", "")),
       "report: only the comment step sees the token")
    last = steps(report)[-1] if steps(report) else {}
    ok("needs.measure.outputs.exit-code" in text(last) and 'exit "$CODE"' in str(last.get("run", "")),
       "report: ends with the gate's exit code")

# ---- the example caller ----

caller = load("configs/ci/github-workflow.yml")
if caller:
    ok("pull_request" in (on(caller) or {}), "github-workflow.yml runs on pull_request")
    ok(caller.get("permissions") == {"contents": "read"}, "github-workflow.yml: read-only by default")
    calls = [j for j in (caller.get("jobs") or {}).values()
             if str(j.get("uses", "")).split("@")[0].endswith("/.github/workflows/perfgate-gate.yml")]
    ok(len(calls) == 1, "github-workflow.yml calls perfgate-gate.yml")
    if calls:
        with_ = calls[0].get("with") or {}
        unknown = sorted(set(with_) - set(gate_inputs))
        ok(not unknown, "github-workflow.yml passes only inputs perfgate-gate.yml has %s" % (unknown or ""))
        for k, v in with_.items():
            want = (gate_inputs.get(k) or {}).get("type")
            good = {"string": str, "boolean": bool, "number": (int, float)}.get(want, object)
            ok(isinstance(v, good), "github-workflow.yml: input %s is a %s" % (k, want))
        ok(calls[0].get("permissions") == {"contents": "read", "pull-requests": "write"},
           "github-workflow.yml grants the gate contents: read and pull-requests: write")
        ok("secrets" not in calls[0], "github-workflow.yml hands the gate no secrets")

# ---- the GitLab template ----

gl = load("configs/ci/gitlab-ci.yml")
if gl:
    jobs = {k: v for k, v in gl.items() if isinstance(v, dict) and not k.startswith(".")
            and k not in ("variables", "default", "workflow", "include")}
    checks = [(k, j) for k, j in jobs.items() if "perfgate check" in "\n".join(run_texts(j))]
    ok(len(checks) == 1, "gitlab-ci.yml has one job running perfgate check")
    if checks:
        name, job = checks[0]
        rules = text(job.get("rules"))
        ok('$CI_PIPELINE_SOURCE == "merge_request_event"' in rules, name + ": merge request pipelines")
        ok(str((job.get("variables") or {}).get("GIT_DEPTH")) == "0", name + ": GIT_DEPTH 0 (the base commit)")
        reports = (job.get("artifacts") or {}).get("reports") or {}
        ok(reports.get("junit") == "results.xml", name + ": artifacts: reports: junit: results.xml")
        ok(reports.get("metrics") == "metrics.txt", name + ": artifacts: reports: metrics: metrics.txt")
        ok((job.get("artifacts") or {}).get("when") == "always", name + ": artifacts kept when the gate fails")
        s = "\n".join(run_texts(job))
        ok("--junit results.xml" in s and "--metrics metrics.txt" in s,
           name + ": writes the files its reports name")
        ok("PERFGATE_GITLAB_TOKEN" not in text(job), name + ": never names the token")
    comments = [(k, j) for k, j in jobs.items() if "perfgate comment --gitlab" in "\n".join(run_texts(j))]
    ok(len(comments) == 1, "gitlab-ci.yml has one job running perfgate comment --gitlab")
    if comments:
        name, job = comments[0]
        ok((job.get("variables") or {}).get("GIT_STRATEGY") == "none", name + ": checks out nothing")
        rules = text(job.get("rules"))
        ok("PERFGATE_GITLAB_TOKEN" in rules and "always" in rules,
           name + ": runs always, when the access token variable is set")
        ok("CI_JOB_TOKEN" not in "\n".join(run_texts(job)), name + ": does not use CI_JOB_TOKEN")
        needs = text(job.get("needs"))
        ok(checks and checks[0][0] in needs, name + ": needs the check job's artifacts")

# ---- no ${{ }} expression inside a shell script (script injection) ----

docs = {".github/workflows/ci.yml": ci, ".github/workflows/perfgate-gate.yml": gate,
        "configs/ci/github-workflow.yml": caller, "configs/ci/gitlab-ci.yml": gl}
for rel, doc in docs.items():
    if doc:
        ok(all("${{" not in r for r in run_texts(doc)),
           rel + ": no ${{ }} expressions inside shell scripts (they go through env)")

# ---- every `perfgate COMMAND --option` exists ----

main_help = subprocess.run([PERFGATE, "--help"], capture_output=True, text=True).stdout
commands = re.findall(r"^  ([a-z]+) ", main_help.split("commands:", 1)[-1].split("global options:")[0], re.M)
ok(len(commands) >= 5, "perfgate --help lists its commands (%s)" % " ".join(commands))
for extra in os.environ.get("PG_CI_EXTRA", "").split(":"):
    if extra:
        docs[extra] = load(extra)
used = {}
for rel, doc in docs.items():
    if not doc:
        continue
    for script in run_texts(doc):
        script = re.sub(r"\\\n", " ", script)
        for line in re.split(r"[\n;|&]+", script):
            for m in re.finditer(r"(?:^|[\s(\"'])(?:\S*/)?perfgate((?:\s+-C\s+\S+)*)\s+([a-z]+)\b(.*)", line):
                cmd = m.group(2)
                if cmd not in commands:
                    continue
                # "--opt", "-o", and "${VAR:+--opt}"
                opts = re.findall(r"(?:^|\s|:\+)(--[a-z][a-z0-9-]*|-[a-zA-Z])(?=[\s=}]|$)", m.group(3))
                used.setdefault(cmd, {}).setdefault(rel, set()).update(opts)
ok("check" in used and "comment" in used, "the templates run perfgate check and perfgate comment")
for cmd in sorted(used):
    h = subprocess.run([PERFGATE, cmd, "--help"], capture_output=True, text=True)
    if "not built yet" in h.stdout + h.stderr:
        print("# skipped: perfgate %s --help says it is not built yet; options not checked: %s"
              % (cmd, " ".join(sorted(set().union(*used[cmd].values())))))
        continue
    ok(h.returncode == 0, "perfgate %s --help exits 0" % cmd)
    known = set(re.findall(r"(?:^|[\s,])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b", h.stdout))
    for rel in sorted(used[cmd]):
        for opt in sorted(used[cmd][rel]):
            ok(opt in known, "%s: perfgate %s %s is in perfgate %s --help" % (rel, cmd, opt, cmd))

sys.exit(1 if failed else 0)
