#!/usr/bin/python3
"""A loopback stand-in for the GitHub REST API (issue comments) and the GitLab
REST API v4 (merge request notes), for the `perfgate comment` tests.

It answers as the real APIs do (status codes, error bodies, pagination with
Link / X-Next-Page, ids, required headers) and CHECKS every request as they
would. A request the real API would refuse gets the API's 4xx and a line in
DIR/violations.log, which the tests read: an empty file means perfgate spoke
the API correctly. Every request is also logged to DIR/requests.log (one JSON
object per line, never the token) and the comments to DIR/state.json.

Start it with --daemon: it forks, serves in the background, and prints
"API_PORT=N API_PID=N" for the test to eval once the port is listening. The
server exits when the process --watch-pid names is gone, or after --lifetime s.

Scenarios (--scenario, comma-separated) plant the faults of RELIABILITY.md F:
  429-once          the first POST gets 429 with Retry-After: 1
  403-retry-once    the first GET gets 403 (secondary rate limit) with retry-after: 1
  500-post          every POST gets 500; nothing is created
  502-post-created  POST creates the comment, then answers 502 (a proxy's HTML page)
  503-get-once      the first GET gets 503
  slow              every response is sent one byte per --slow-interval seconds
  redirect-other    list GETs get 301 to --redirect-to (another host)
  redirect-same     list GETs on /repos/... get 301 to /repositories/ID/... (same host)
  no-token          the token must NOT be sent here (the other host of a redirect)
  huge-list         list GETs answer a 9 MiB body
  deep-json         list GETs answer 100000 '['
  no-link           GitLab: pagination by X-Next-Page only (no Link header)
"""
import argparse
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GITHUB_MAX = 65536
GITLAB_MAX = 1000000
REPO_ID = 4242


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.comments = []  # oldest first: {id, body, user, system}
        self.next_id = 2000000000001 if args.flavor == "github" else 9001
        self.counts = {}
        self.once = set()
        self.last_429 = None
        for i in range(args.seed):
            self.add("someone", "Looks good to me (%d)" % i, system=(args.flavor == "gitlab" and i % 7 == 3))
        if args.seed:
            # Someone quoting the marker, not at the start: never ours to edit.
            self.add("someone", "Why does perfgate put `<!-- perfgate:perfgate -->` in its comment?")

    def add(self, user, body, system=False):
        c = {"id": self.next_id, "body": body, "user": user, "system": system,
             "created_at": "2026-01-01T00:00:%02dZ" % (len(self.comments) % 60)}
        self.next_id += 1
        self.comments.append(c)
        return c

    def save(self):
        path = os.path.join(self.args.dir, "state.json")
        with open(path + ".tmp", "w") as f:
            json.dump({"comments": self.comments, "counts": self.counts}, f)
        os.replace(path + ".tmp", path)

    def log(self, name, line):
        with open(os.path.join(self.args.dir, name), "a") as f:
            f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-api/1"

    def log_message(self, fmt, *a):
        pass

    # ---- plumbing ----
    @property
    def st(self):
        return self.server.state

    def violation(self, why):
        self.st.log("violations.log", "VIOLATION %s %s: %s" % (self.command, self.path, why))

    def send(self, status, obj=None, headers=None, raw=None, ctype="application/json; charset=utf-8"):
        body = raw if raw is not None else (b"" if obj is None else json.dumps(obj).encode())
        hdrs = [("Content-Type", ctype), ("Content-Length", str(len(body)))]
        hdrs += list((headers or {}).items())
        self.st.log("requests.log", json.dumps({
            "method": self.command, "path": self.path, "status": status, "auth": self.auth_state,
            "t": time.time(), "host": self.server.server_address[0]}))
        if "slow" in self.st.args.scenario:
            self.dribble(status, hdrs, body)
            return
        self.send_response(status)
        for k, v in hdrs:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def dribble(self, status, hdrs, body):
        raw = ("HTTP/1.1 %d %s\r\n" % (status, self.responses.get(status, ("",))[0])).encode()
        raw += b"".join(("%s: %s\r\n" % kv).encode() for kv in hdrs) + b"\r\n" + body
        self.close_connection = True
        try:
            for i in range(len(raw)):
                self.wfile.write(raw[i:i + 1])
                self.wfile.flush()
                time.sleep(self.st.args.slow_interval)
        except OSError:
            self.st.log("requests.log", json.dumps({"method": self.command, "path": self.path,
                                                    "status": "client-gave-up", "auth": self.auth_state}))

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def count(self, key):
        with self.st.lock:
            self.st.counts[key] = self.st.counts.get(key, 0) + 1

    def first_time(self, key):
        with self.st.lock:
            if key in self.st.once:
                return False
            self.st.once.add(key)
            return True

    # ---- checks every request must pass ----
    def check_auth(self):
        """None when authorised, else the response was sent."""
        a = self.st.args
        gh = a.flavor == "github"
        bearer = self.headers.get("Authorization")
        private = self.headers.get("PRIVATE-TOKEN")
        if "no-token" in a.scenario:
            if bearer or private:
                self.auth_state = "LEAKED"
                self.violation("a token was sent to this other host")
            else:
                self.auth_state = "absent"
            if gh:
                self.send(401, {"message": "Requires authentication",
                                "documentation_url": "https://docs.github.com/rest"})
            else:
                self.send(401, {"message": "401 Unauthorized"})
            return True
        if gh:
            if private:
                self.violation("PRIVATE-TOKEN sent to GitHub")
            if not bearer:
                self.auth_state = "missing"
                self.violation("no Authorization header")
                self.send(401, {"message": "Requires authentication",
                                "documentation_url": "https://docs.github.com/rest"})
                return True
            if bearer != "Bearer " + a.token:
                self.auth_state = "wrong"
                self.send(401, {"message": "Bad credentials",
                                "documentation_url": "https://docs.github.com/rest"})
                return True
        else:
            if bearer:
                self.violation("Authorization header sent to GitLab (expected PRIVATE-TOKEN)")
            if not private:
                self.auth_state = "missing"
                self.violation("no PRIVATE-TOKEN header")
                self.send(401, {"message": "401 Unauthorized"})
                return True
            if private != a.token:
                self.auth_state = "wrong"
                self.send(401, {"message": "401 Unauthorized"})
                return True
        self.auth_state = "ok"
        return False

    def check_headers(self):
        gh = self.st.args.flavor == "github"
        ua = self.headers.get("User-Agent") or ""
        if not ua.startswith("perfgate/"):
            self.violation("User-Agent %r" % ua)
            if gh:
                self.send(403, {"message": "Request forbidden by administrative rules. "
                                           "Please make sure your request has a User-Agent header"})
                return True
        if gh:
            if self.headers.get("Accept") != "application/vnd.github+json":
                self.violation("Accept %r" % self.headers.get("Accept"))
                self.send(415, {"message": "Unsupported 'Accept' header"})
                return True
            if self.headers.get("X-GitHub-Api-Version") != "2022-11-28":
                self.violation("X-GitHub-Api-Version %r" % self.headers.get("X-GitHub-Api-Version"))
                self.send(400, {"message": "Invalid API version"})
                return True
        return False

    def json_comment_body(self):
        """The "body" of a POST/PATCH/PUT, or None when the response was sent."""
        gh = self.st.args.flavor == "github"
        raw = self.raw_body
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype != "application/json":
            self.violation("Content-Type %r" % ctype)
            self.send(415, {"message": "Unsupported Media Type"})
            return None
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self.violation("body is not JSON")
            self.send(400, {"message": "Problems parsing JSON"} if gh else {"error": "body is invalid"})
            return None
        if not isinstance(obj, dict) or not isinstance(obj.get("body"), str) or not obj["body"].strip():
            self.violation("no non-empty \"body\" string")
            if gh:
                self.send(422, {"message": "Validation Failed", "errors": [
                    {"resource": "IssueComment", "code": "missing_field", "field": "body"}]})
            else:
                self.send(400, {"error": "body is missing"})
            return None
        body = obj["body"]
        if gh and len(body) > GITHUB_MAX:
            self.violation("body of %d characters" % len(body))
            self.send(422, {"message": "Validation Failed", "errors": [
                {"resource": "IssueComment", "code": "custom", "field": "body",
                 "message": "body is too long (maximum is 65536 characters)"}]})
            return None
        if not gh and len(body) > GITLAB_MAX:
            self.violation("body of %d characters" % len(body))
            self.send(400, {"message": {"note": ["is too long (maximum is 1000000 characters)"]}})
            return None
        return body

    # ---- routing ----
    def route(self):
        """(kind, ids) with kind in list, one or None; (None, None) for a malformed path."""
        a = self.st.args
        u = urllib.parse.urlsplit(self.path)
        parts = u.path.split("/")
        if a.flavor == "github":
            # /repos/O/R/issues/N/comments, /repositories/ID/issues/N/comments,
            # /repos/O/R/issues/comments/ID
            if len(parts) >= 3 and parts[1] == "repos" and len(parts) >= 4:
                repo_ok = "/".join(parts[2:4]) == a.repo
                rest = parts[4:]
            elif len(parts) >= 3 and parts[1] == "repositories":
                repo_ok = parts[2] == str(REPO_ID)
                rest = parts[3:]
            else:
                return None, None, None
            if len(rest) == 3 and rest[0] == "issues" and rest[2] == "comments" and rest[1].isdigit():
                return "list", repo_ok and rest[1] == str(a.pr), None
            if len(rest) == 3 and rest[0] == "issues" and rest[1] == "comments" and rest[2].isdigit():
                return "one", repo_ok, int(rest[2])
            return None, None, None
        # /api/v4/projects/ID/merge_requests/IID/notes[/NOTE]
        if parts[1:4] != ["api", "v4", "projects"] or len(parts) < 8:
            return None, None, None
        pid = parts[4]
        proj_ok = pid in (str(a.project_id), urllib.parse.quote(a.project, safe=""))
        if "/" in urllib.parse.unquote(pid) and "%2F" not in pid.upper():
            return None, None, None
        if parts[5] != "merge_requests" or not parts[6].isdigit() or parts[7] != "notes":
            return None, None, None
        ok = proj_ok and parts[6] == str(a.mr)
        if len(parts) == 8:
            return "list", ok, None
        if len(parts) == 9 and parts[8].isdigit():
            return "one", ok, int(parts[8])
        return None, None, None

    def not_found(self):
        if self.st.args.flavor == "github":
            self.send(404, {"message": "Not Found",
                            "documentation_url": "https://docs.github.com/rest"})
        else:
            self.send(404, {"message": "404 Not found"})

    def handle_any(self):
        self.auth_state = "-"
        # Read the body first: an early answer must not leave it in the connection.
        self.raw_body = self.read_body()
        a = self.st.args
        self.count(self.command)
        if self.check_auth() or self.check_headers():
            return
        kind, ok, cid = self.route()
        if kind is None:
            self.violation("no such API path")
            self.not_found()
            return
        if not ok:
            self.not_found()  # wrong repository or number: what the API says, not a protocol error
            return
        sc = a.scenario
        if "503-get-once" in sc and self.command == "GET" and self.first_time("503"):
            self.send(503, {"message": "Service Unavailable"})
            return
        if "403-retry-once" in sc and self.command == "GET" and self.first_time("403"):
            self.send(403, {"message": "You have exceeded a secondary rate limit. Please wait a few "
                                       "minutes before you try again."}, {"retry-after": "1"})
            return
        if "429-once" in sc and self.command == "POST":
            if self.first_time("429"):
                self.st.last_429 = time.time()
                self.send(429, {"message": "API rate limit exceeded"}, {"Retry-After": "1"})
                return
            if time.time() - self.st.last_429 < 0.9:
                self.violation("retried %.2f s after a 429 with Retry-After: 1" %
                               (time.time() - self.st.last_429))
        if kind == "list" and self.command == "GET":
            self.list_comments()
        elif kind == "list" and self.command == "POST":
            self.create()
        elif kind == "one" and self.command == ("PATCH" if a.flavor == "github" else "PUT"):
            self.edit(cid)
        else:
            self.violation("method %s not allowed here" % self.command)
            self.not_found()

    def list_comments(self):
        a = self.st.args
        sc = a.scenario
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        if "redirect-other" in sc:
            self.send(301, {"message": "Moved Permanently", "url": a.redirect_to + self.path},
                      {"Location": a.redirect_to + self.path})
            return
        if "redirect-same" in sc and u.path.startswith("/repos/"):
            loc = "/repositories/%d/%s" % (REPO_ID, u.path.split("/", 4)[4]) + "?" + u.query
            self.send(301, {"message": "Moved Permanently"}, {"Location": loc})
            return
        if "huge-list" in sc:
            self.send(200, raw=b"[" + b'{"id":1,"body":"x"},' * ((9 << 20) // 20) + b'{"id":1,"body":"x"}]')
            return
        if "deep-json" in sc:
            self.send(200, raw=b"[" * 100000)
            return
        if q.get("per_page") != ["100"]:
            self.violation("list without per_page=100")
        per_page = min(int((q.get("per_page") or ["30"])[0]), 100)
        page = int((q.get("page") or ["1"])[0])
        with self.st.lock:
            items = list(self.st.comments)
        if a.flavor == "gitlab":
            items.reverse()  # GitLab lists notes newest first
        pages = max(1, (len(items) + per_page - 1) // per_page)
        chunk = items[(page - 1) * per_page: page * per_page]
        base = "%s://%s:%d" % ("https" if a.tls_cert else "http", self.server.server_address[0],
                               self.server.server_address[1])
        hdrs = {}
        if a.flavor == "github":
            path = "/repositories/%d/issues/%d/comments" % (REPO_ID, a.pr)
            links = []
            if page < pages:
                links.append('<%s%s?per_page=%d&page=%d>; rel="next"' % (base, path, per_page, page + 1))
                links.append('<%s%s?per_page=%d&page=%d>; rel="last"' % (base, path, per_page, pages))
            if page > 1:
                links.append('<%s%s?per_page=%d&page=%d>; rel="prev"' % (base, path, per_page, page - 1))
                links.append('<%s%s?per_page=%d&page=1>; rel="first"' % (base, path, per_page))
            if links:
                hdrs["Link"] = ", ".join(links)
            out = [self.github_comment(c) for c in chunk]
        else:
            hdrs = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(len(items)),
                    "X-Total-Pages": str(pages), "X-Next-Page": str(page + 1) if page < pages else "",
                    "X-Prev-Page": str(page - 1) if page > 1 else ""}
            if "no-link" not in a.scenario and page < pages:
                hdrs["Link"] = '<%s%s?page=%d&per_page=%d>; rel="next"' % (base, u.path, page + 1, per_page)
            out = [self.gitlab_note(c) for c in chunk]
        self.send(200, out, hdrs)

    def github_comment(self, c):
        a = self.st.args
        return {"id": c["id"], "node_id": "IC_kwDO%d" % c["id"],
                "url": "https://api.github.com/repos/%s/issues/comments/%d" % (a.repo, c["id"]),
                "html_url": "https://github.com/%s/pull/%d#issuecomment-%d" % (a.repo, a.pr, c["id"]),
                "body": c["body"], "user": {"login": c["user"], "type": "Bot" if c["user"] == "github-actions[bot]" else "User"},
                "created_at": c["created_at"], "updated_at": c["created_at"],
                "author_association": "NONE"}

    def gitlab_note(self, c):
        return {"id": c["id"], "type": None, "body": c["body"], "attachment": None,
                "author": {"id": 1, "username": c["user"], "name": c["user"]},
                "created_at": c["created_at"], "updated_at": c["created_at"],
                "system": c["system"], "noteable_id": 77, "noteable_type": "MergeRequest",
                "noteable_iid": self.st.args.mr, "resolvable": False, "confidential": False}

    def render(self, c):
        return self.github_comment(c) if self.st.args.flavor == "github" else self.gitlab_note(c)

    def create(self):
        body = self.json_comment_body()
        if body is None:
            return
        sc = self.st.args.scenario
        if "500-post" in sc:
            self.send(500, {"message": "Server Error"})
            return
        with self.st.lock:
            c = self.st.add("github-actions[bot]" if self.st.args.flavor == "github" else "perfgate-bot", body)
            for i in range(self.st.args.chatter):
                self.st.add("someone", "chatter %d" % i)
            self.st.save()
        if "502-post-created" in sc:
            self.send(502, raw=b"<html><body><h1>502 Bad Gateway</h1></body></html>", ctype="text/html")
            return
        self.send(201, self.render(c), {"Location": "/comments/%d" % c["id"]})

    def edit(self, cid):
        body = self.json_comment_body()
        if body is None:
            return
        with self.st.lock:
            found = [c for c in self.st.comments if c["id"] == cid]
            if found and found[0]["user"] == "someone":
                self.violation("edited someone else's comment %d" % cid)
            if found:
                found[0]["body"] = body
                self.st.save()
        if not found:
            self.not_found()
            return
        self.send(200, self.render(found[0]))

    do_GET = handle_any
    do_POST = handle_any
    do_PATCH = handle_any
    do_PUT = handle_any
    do_DELETE = handle_any


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--flavor", choices=["github", "gitlab"], default="github")
    p.add_argument("--dir", required=True, help="logs and state go here")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--token", default="ghs_test_token_0123456789")
    p.add_argument("--scenario", default="")
    p.add_argument("--repo", default="octo/widgets")
    p.add_argument("--pr", type=int, default=7)
    p.add_argument("--project", default="group/widgets")
    p.add_argument("--project-id", type=int, default=4242)
    p.add_argument("--mr", type=int, default=3)
    p.add_argument("--seed", type=int, default=0, help="comments by others before the test")
    p.add_argument("--chatter", type=int, default=0, help="comments by others after each post")
    p.add_argument("--redirect-to", default="")
    p.add_argument("--slow-interval", type=float, default=3.0)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--daemon", action="store_true")
    p.add_argument("--watch-pid", type=int, default=0)
    p.add_argument("--lifetime", type=float, default=300)
    args = p.parse_args()
    args.scenario = set(s for s in args.scenario.split(",") if s)
    os.makedirs(args.dir, exist_ok=True)
    for name in ("violations.log", "requests.log"):
        open(os.path.join(args.dir, name), "a").close()

    server = ThreadingHTTPServer((args.host, 0), Handler)
    server.daemon_threads = True
    server.state = State(args)
    server.state.save()
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]

    if args.daemon:
        r, w = os.pipe()
        if os.fork():
            os.close(w)
            pid = os.read(r, 64).decode().strip()
            print("API_PORT=%d API_PID=%s" % (port, pid))
            sys.exit(0)
        os.close(r)
        os.setsid()
        if os.fork():
            os._exit(0)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1):
            os.dup2(devnull, fd)
        err = os.open(os.path.join(args.dir, "server.err"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(err, 2)
        os.write(w, str(os.getpid()).encode())
        os.close(w)

    deadline = time.time() + args.lifetime

    def watchdog():
        while time.time() < deadline:
            if args.watch_pid:
                try:
                    os.kill(args.watch_pid, 0)
                except ProcessLookupError:
                    break
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
