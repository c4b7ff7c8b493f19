/*
 * test_git: the git module against real repositories built with the git
 * command line (pinned dates, so commit ids repeat).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "git.h"
#include "util.h"
#include "git_env.h"

static char root[256]; /* the scratch directory of this test run */

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

#define SH(...) assert_int_equal(run(__VA_ARGS__), 0)
/* A call that must succeed; on failure, show err.msg. */
#define OK(call) \
	do { \
		if ((call) != 0) \
			fail_msg("%s: %s", #call, err.msg); \
	} while (0)

/* The output of a shell command (trailing newline removed); caller frees. */
static char *out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *out(const char *fmt, ...)
{
	char cmd[8192];
	struct pg_buf b = PG_BUF_INIT;
	char chunk[4096];
	size_t got;
	FILE *f;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		pg_buf_add(&b, chunk, got);
	assert_int_equal(pclose(f), 0);
	while (b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = 0;
	return pg_buf_detach(&b, NULL);
}

static void write_file(const char *path, const char *text)
{
	struct pg_err err = PG_ERR_INIT;
	char *dir = pg_xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash) {
		*slash = 0;
		SH("mkdir -p '%s'", dir);
	}
	free(dir);
	assert_int_equal(pg_file_write(path, text, strlen(text), &err), 0);
}

/* A fresh empty repository directory <root>/<name>. Returns a static path. */
static const char *new_repo(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, name);
	SH("rm -rf '%s' && git init -q -b main '%s'", path, path);
	return path;
}

static void commit(const char *repo, const char *msg)
{
	SH("cd '%s' && git add -A && git commit -q -m '%s'", repo, msg);
}

static char *rev(const char *repo, const char *r)
{
	return out("git -C '%s' rev-parse '%s'", repo, r);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/pg-test-git.XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(root, sizeof(root), "%s", tmpl);
	pg_test_git_env(root);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (!getenv("PG_KEEP_TRASH"))
		run("rm -rf '%s'", root);
	return 0;
}

static struct pg_git *open_ok(const char *path)
{
	struct pg_err err = PG_ERR_INIT;
	struct pg_git *g = NULL;

	if (pg_git_open(&g, path, &err) < 0)
		fail_msg("open %s: %s", path, err.msg);
	return g;
}

/* A linear history of three commits on main, tag v1 on the first, branch side on the second. */
static const char *linear_repo(void)
{
	const char *r = new_repo("linear");
	char path[600];

	snprintf(path, sizeof(path), "%s/f.txt", r);
	write_file(path, "one\n");
	commit(r, "first");
	SH("git -C '%s' tag v1", r);
	write_file(path, "two\n");
	commit(r, "second");
	SH("git -C '%s' branch side", r);
	write_file(path, "three\n");
	commit(r, "third");
	return r;
}

static void test_open_errors(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	struct pg_git *g = NULL;
	char dir[600], sub[700], want[900];
	const char *r;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/plain", root);
	SH("mkdir -p '%s'", dir);
	assert_int_equal(pg_git_open(&g, dir, &err), -1);
	assert_null(g);
	snprintf(want, sizeof(want), "not a git repository: '%s'", dir);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.kind, PG_ERR_USAGE);

	/* Discovery from a subdirectory, and the directories it reports. */
	r = linear_repo();
	snprintf(sub, sizeof(sub), "%s/deep/er", r);
	SH("mkdir -p '%s'", sub);
	g = open_ok(sub);
	snprintf(want, sizeof(want), "%s/", r);
	assert_string_equal(pg_git_workdir(g), want);
	snprintf(want, sizeof(want), "%s/.git/", r);
	assert_string_equal(pg_git_gitdir(g), want);
	pg_git_free(g);
}

static void test_open_not_owner(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	struct pg_git *g = NULL;
	const char *r;
	char want[900];

	(void)state;
	if (geteuid() != 0)
		skip(); /* needs root to give the repository to another uid */
	r = linear_repo();
	SH("chown -R 12345:12345 '%s'", r);
	assert_int_equal(pg_git_open(&g, r, &err), -1);
	assert_null(g);
	snprintf(want, sizeof(want),
		 "repository '%s' is owned by uid 12345, not by you (add it to safe.directory)", r);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.kind, PG_ERR_INFRA);
	SH("chown -R 0:0 '%s'", r);
}

static void test_resolve(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	char oid[PG_OID_HEX], sh7[8];
	const char *r = linear_repo();
	struct pg_git *g = open_ok(r);
	char *head = rev(r, "HEAD"), *first = rev(r, "HEAD~2"), *second = rev(r, "HEAD~1");
	char *tagobj;
	static const char *const garbage[] = {
		"main@", "HEAD@", "@{", "HEAD@{", "main@{-", "HEAD^{", "HEAD~~~~~~~~~~~", "main..HEAD",
		"HEAD^{tree}", ":", "", "foo bar", "\x01\x1b[31m", "HEAD@{5}", "HEAD@{-1}x", "refs/../x",
	};
	char big[10001];

	(void)state;
	OK(pg_git_resolve(g, "main", oid, &err));
	assert_string_equal(oid, head);
	OK(pg_git_resolve(g, "HEAD~2", oid, &err));
	assert_string_equal(oid, first);
	OK(pg_git_resolve(g, "v1", oid, &err));
	assert_string_equal(oid, first);
	/* An annotated tag peels to its commit. */
	SH("git -C '%s' tag -a -m 'annotated' v2 side", r);
	tagobj = rev(r, "v2");
	assert_string_not_equal(tagobj, second);
	OK(pg_git_resolve(g, "v2", oid, &err));
	assert_string_equal(oid, second);
	OK(pg_git_resolve(g, pg_git_short(second, sh7), oid, &err));
	assert_string_equal(oid, second);
	OK(pg_git_resolve(g, head, oid, &err));
	assert_string_equal(oid, head);

	assert_int_equal(pg_git_resolve(g, "foo", oid, &err), -1);
	assert_string_equal(err.msg, "unknown revision 'foo'");
	assert_int_equal(err.kind, PG_ERR_USAGE);
	/* A full id that is not in a complete clone is a usage error, not a shallow one. */
	assert_int_equal(
		pg_git_resolve(g, "0123456789012345678901234567890123456789", oid, &err), -1);
	assert_int_equal(err.kind, PG_ERR_USAGE);

	for (size_t i = 0; i < PG_ARRAY_SIZE(garbage); i++) {
		uint64_t t0 = pg_now_ns();
		pg_err_clear(&err);
		if (pg_git_resolve(g, garbage[i], oid, &err) == 0)
			fail_msg("'%s' resolved to %s", garbage[i], oid);
		if (err.kind != PG_ERR_USAGE)
			fail_msg("'%s': %s (kind %d)", garbage[i], err.msg, err.kind);
		assert_true(strlen(err.msg) < 200);
		assert_null(strchr(err.msg, '\x1b'));
		/* bounded: generous, a hang would take far longer */
		assert_true(pg_now_ns() - t0 < 5000000000ull);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(pg_git_resolve(g, big, oid, &err), -1);
	assert_int_equal(err.kind, PG_ERR_USAGE);
	assert_true(strlen(err.msg) < 200);
	memset(big, '~', sizeof(big) - 1);
	big[0] = '@';
	assert_int_equal(pg_git_resolve(g, big, oid, &err), -1);
	assert_int_equal(err.kind, PG_ERR_USAGE);

	free(head);
	free(first);
	free(second);
	free(tagobj);
	pg_git_free(g);
}

static void test_commit_info(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	struct pg_git_commit c;
	const char *r = linear_repo();
	struct pg_git *g = open_ok(r);
	char *head = rev(r, "HEAD"), *parent = rev(r, "HEAD~1");

	(void)state;
	OK(pg_git_commit_info(g, head, &c, &err));
	assert_string_equal(c.oid, head);
	assert_string_equal(c.subject, "third");
	assert_string_equal(c.author_name, "A U Thor");
	assert_string_equal(c.author_email, "author@example.com");
	assert_int_equal(c.time, 1767225600); /* 2026-01-01T00:00:00Z */
	assert_int_equal(c.nr_parents, 1);
	assert_string_equal(c.parents[0], parent);
	assert_string_equal(c.parents[1], "");
	pg_git_commit_release(&c);
	assert_int_equal(pg_git_commit_info(g, "nothex", &c, &err), -1);
	free(head);
	free(parent);
	pg_git_free(g);
}

/*
 * A - B - M - C on main, M merging side S1 - S2 (branched from A).
 */
static const char *merge_repo(void)
{
	const char *r = new_repo("merge");
	char p[600];

	snprintf(p, sizeof(p), "%s/a.txt", r);
	write_file(p, "A\n");
	commit(r, "A");
	SH("git -C '%s' tag A && git -C '%s' checkout -q -b side", r, r);
	snprintf(p, sizeof(p), "%s/s.txt", r);
	write_file(p, "S1\n");
	commit(r, "S1");
	write_file(p, "S2\n");
	commit(r, "S2");
	SH("git -C '%s' tag S2 && git -C '%s' checkout -q main", r, r);
	snprintf(p, sizeof(p), "%s/a.txt", r);
	write_file(p, "B\n");
	commit(r, "B");
	SH("git -C '%s' tag B && git -C '%s' merge -q --no-ff -m M side", r, r);
	SH("git -C '%s' tag M", r);
	write_file(p, "C\n");
	commit(r, "C");
	SH("git -C '%s' tag C", r);
	return r;
}

static bool in_list(char (*oids)[PG_OID_HEX], size_t n, const char *oid)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(oids[i], oid))
			return true;
	return false;
}

static void test_range(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	const char *r = merge_repo();
	struct pg_git *g = open_ok(r);
	char *A = rev(r, "A"), *B = rev(r, "B"), *M = rev(r, "M"), *C = rev(r, "C");
	char *S1 = rev(r, "S2~1"), *S2 = rev(r, "S2");
	char (*oids)[PG_OID_HEX] = NULL;
	char want[200], s1[8], s2[8];
	size_t n = 0;

	(void)state;
	OK(pg_git_range(g, A, C, true, &oids, &n, &err));
	assert_int_equal(n, 3);
	assert_string_equal(oids[0], B);
	assert_string_equal(oids[1], M);
	assert_string_equal(oids[2], C);
	free(oids);

	OK(pg_git_range(g, A, C, false, &oids, &n, &err));
	assert_int_equal(n, 5);
	assert_string_equal(oids[4], C);
	assert_string_equal(oids[3], M);
	assert_true(in_list(oids, n, B) && in_list(oids, n, S1) && in_list(oids, n, S2));
	assert_false(in_list(oids, n, A));
	/* topological: S1 before S2 */
	for (size_t i = 0; i < n; i++)
		if (!strcmp(oids[i], S2))
			assert_true(i > 0 && in_list(oids, i, S1));
	free(oids);

	/* Hiding the side branch leaves B, M, C */
	OK(pg_git_range(g, S2, C, false, &oids, &n, &err));
	assert_int_equal(n, 3);
	assert_true(in_list(oids, n, B) && in_list(oids, n, M));
	free(oids);

	assert_int_equal(pg_git_range(g, C, A, true, &oids, &n, &err), -1);
	snprintf(want, sizeof(want), "good %s is not an ancestor of bad %s", pg_git_short(C, s1),
		 pg_git_short(A, s2));
	assert_string_equal(err.msg, want);
	assert_int_equal(err.kind, PG_ERR_USAGE);
	assert_null(oids);
	assert_int_equal(n, 0);
	assert_int_equal(pg_git_range(g, S2, B, true, &oids, &n, &err), -1);
	assert_non_null(strstr(err.msg, "is not an ancestor of bad"));
	assert_int_equal(pg_git_range(g, C, C, true, &oids, &n, &err), -1);
	assert_non_null(strstr(err.msg, "is empty"));
	assert_int_equal(err.kind, PG_ERR_USAGE);

	free(A);
	free(B);
	free(M);
	free(C);
	free(S1);
	free(S2);
	pg_git_free(g);
}

static void test_read_file(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	struct pg_buf b = PG_BUF_INIT;
	const char *r = linear_repo();
	struct pg_git *g = open_ok(r);
	char *head = rev(r, "HEAD"), *first = rev(r, "HEAD~2");
	char p[600];

	(void)state;
	/* What is on disk does not matter: the tree is read. */
	snprintf(p, sizeof(p), "%s/f.txt", r);
	write_file(p, "dirty on disk\n");
	OK(pg_git_read_file(g, head, "f.txt", 1024, &b, &err));
	assert_string_equal(b.data, "three\n");
	pg_buf_reset(&b);
	OK(pg_git_read_file(g, first, "f.txt", 1024, &b, &err));
	assert_string_equal(b.data, "one\n");
	pg_buf_reset(&b);
	assert_int_equal(pg_git_read_file(g, head, "missing.yml", 1024, &b, &err), 1);
	assert_int_equal(pg_git_read_file(g, head, "f.txt/x", 1024, &b, &err), 1);
	assert_int_equal(b.len, 0);
	assert_int_equal(pg_git_read_file(g, head, "f.txt", 3, &b, &err), -1);
	assert_non_null(strstr(err.msg, "larger than 3 bytes"));
	assert_non_null(strstr(err.msg, "f.txt"));

	SH("mkdir -p '%s/d' && echo x > '%s/d/x' && git -C '%s' add d && git -C '%s' commit -q -m d",
	   r, r, r, r);
	free(head);
	head = rev(r, "HEAD");
	assert_int_equal(pg_git_read_file(g, head, "d", 1024, &b, &err), -1);
	assert_non_null(strstr(err.msg, "is not a file"));
	OK(pg_git_read_file(g, head, "d/x", 1024, &b, &err));
	assert_string_equal(b.data, "x\n");
	pg_buf_release(&b);
	free(head);
	free(first);
	pg_git_free(g);
}

/*
 * Does directory dir hold exactly the tree of commit c: same paths, types
 * (file, directory, symlink: no empty directory left by a deleted file),
 * contents and executable bits? builds: ignore the two build outputs the
 * tests leave there (build.o, untracked-log.txt).
 */
static void assert_same_as_archive(const char *repo, const char *c, const char *dir, bool builds)
{
	const char *x = builds ? "! -name build.o ! -name untracked-log.txt" : "";
	char exp[600];

	snprintf(exp, sizeof(exp), "%s/archive", root);
	SH("rm -rf '%s' && mkdir -p '%s' && git -C '%s' archive '%s' | tar -x -C '%s'", exp, exp,
	   repo, c, exp);
	SH("diff -r --no-dereference %s '%s' '%s' >&2",
	   builds ? "-x build.o -x untracked-log.txt" : "", exp, dir);
	SH("cd '%s' && find . -printf '%%y %%p\\n' | sort > ../types.exp && cd '%s' && "
	   "find . %s -printf '%%y %%p\\n' | sort > '%s/types.got' && "
	   "cmp '%s/types.exp' '%s/types.got' >&2",
	   exp, dir, x, root, root, root);
	SH("cd '%s' && find . -type f -perm -u+x | sort > ../exec.exp && cd '%s' && "
	   "find . -type f -perm -u+x %s | sort > '%s/exec.got' && "
	   "cmp '%s/exec.exp' '%s/exec.got' >&2",
	   exp, dir, x, root, root, root);
}

static time_t mtime_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mtime;
}

static void set_old_mtime(const char *path)
{
	struct timeval tv[2] = { { 946684800, 0 }, { 946684800, 0 } }; /* 2000-01-01 */

	assert_int_equal(utimes(path, tv), 0);
}

/* Commit A: a.txt keep.txt run.sh(+x) sub/del.txt; commit B: a.txt changed,
 * sub/del.txt removed, new/added.txt added, run.sh no longer executable. */
static const char *ab_repo(void)
{
	const char *r = new_repo("ab");
	char p[600];

	snprintf(p, sizeof(p), "%s/a.txt", r);
	write_file(p, "a at A\n");
	snprintf(p, sizeof(p), "%s/keep.txt", r);
	write_file(p, "unchanged\n");
	snprintf(p, sizeof(p), "%s/sub/del.txt", r);
	write_file(p, "deleted in B\n");
	snprintf(p, sizeof(p), "%s/run.sh", r);
	write_file(p, "#!/bin/sh\necho hi\n");
	SH("chmod +x '%s/run.sh' && printf 'build.o\\n' > '%s/.gitignore'", r, r);
	SH("ln -s a.txt '%s/link'", r);
	commit(r, "A");
	SH("git -C '%s' tag A", r);
	snprintf(p, sizeof(p), "%s/a.txt", r);
	write_file(p, "a at B, longer\n");
	SH("git -C '%s' rm -q sub/del.txt && chmod -x '%s/run.sh'", r, r);
	snprintf(p, sizeof(p), "%s/new/added.txt", r);
	write_file(p, "added in B\n");
	commit(r, "B");
	SH("git -C '%s' tag B", r);
	return r;
}

static void test_worktree_checkout(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	const char *r = ab_repo();
	struct pg_git *g = open_ok(r);
	char *A = rev(r, "A"), *B = rev(r, "B");
	char *wt = NULL, *wt2 = NULL, cur[PG_OID_HEX], p[900], want[700];

	(void)state;
	assert_int_equal(pg_git_worktree_current(g, "bench", cur, &err), 1);
	OK(pg_git_worktree_checkout(g, "bench", A, &wt, &err));
	snprintf(want, sizeof(want), "%s/.git/perfgate/worktrees/bench", r);
	assert_string_equal(wt, want);
	assert_same_as_archive(r, "A", wt, false);
	OK(pg_git_worktree_current(g, "bench", cur, &err));
	assert_string_equal(cur, A);

	/* A build: an untracked (ignored) output, and a tracked file it rewrites. */
	snprintf(p, sizeof(p), "%s/build.o", wt);
	write_file(p, "object code\n");
	snprintf(p, sizeof(p), "%s/untracked-log.txt", wt);
	write_file(p, "log\n");
	snprintf(p, sizeof(p), "%s/keep.txt", wt);
	set_old_mtime(p);

	OK(pg_git_worktree_checkout(g, "bench", B, &wt2, &err));
	assert_string_equal(wt2, wt);
	free(wt2);
	assert_same_as_archive(r, "B", wt, true);
	snprintf(p, sizeof(p), "%s/keep.txt", wt);
	assert_int_equal(mtime_of(p), 946684800); /* unchanged file not rewritten */
	snprintf(p, sizeof(p), "%s/build.o", wt);
	assert_int_equal(access(p, F_OK), 0);
	snprintf(p, sizeof(p), "%s/sub/del.txt", wt);
	assert_int_equal(access(p, F_OK), -1);

	/* The build modified a tracked file: the next checkout resets it. */
	snprintf(p, sizeof(p), "%s/keep.txt", wt);
	write_file(p, "modified by the build\n");
	snprintf(p, sizeof(p), "%s/a.txt", wt);
	SH("rm '%s'", p); /* and deleted one */
	OK(pg_git_worktree_checkout(g, "bench", A, &wt2, &err));
	free(wt2);
	assert_same_as_archive(r, "A", wt, true);
	OK(pg_git_worktree_checkout(g, "bench", A, &wt2, &err));
	free(wt2);
	assert_same_as_archive(r, "A", wt, true);

	/* An interrupted checkout (no state file) starts over from scratch. */
	snprintf(p, sizeof(p), "%s/.git/perfgate/worktrees/bench.oid", r);
	SH("rm '%s'", p);
	assert_int_equal(pg_git_worktree_current(g, "bench", cur, &err), 1);
	OK(pg_git_worktree_checkout(g, "bench", B, &wt2, &err));
	free(wt2);
	assert_same_as_archive(r, "B", wt, false);

	/* Two worktrees side by side. */
	OK(pg_git_worktree_checkout(g, "other-1", A, &wt2, &err));
	assert_same_as_archive(r, "A", wt2, false);
	assert_same_as_archive(r, "B", wt, false);
	free(wt2);
	wt2 = NULL;

	assert_int_equal(pg_git_worktree_checkout(g, "../evil", A, &wt2, &err), -1);
	assert_int_equal(err.kind, PG_ERR_USAGE);
	assert_int_equal(pg_git_worktree_checkout(g, "Bench", A, &wt2, &err), -1);

	OK(pg_git_worktree_remove(g, "bench", &err));
	assert_int_equal(access(wt, F_OK), -1);
	assert_int_equal(pg_git_worktree_current(g, "bench", cur, &err), 1);
	OK(pg_git_worktree_remove(g, "bench", &err));
	OK(pg_git_worktree_remove(g, "never-made", &err));
	free(wt);
	free(A);
	free(B);
	pg_git_free(g);
}

/* Everything about the user's checkout, as one string. */
static char *user_state(const char *r)
{
	return out("cd '%s' && git rev-parse HEAD && cat .git/HEAD && sha256sum .git/index && "
		   "git status --porcelain --untracked-files=all --ignored && "
		   "git for-each-ref --format='%%(refname) %%(objectname)' refs/heads refs/tags && "
		   "git worktree list --porcelain && git stash list && "
		   "find . -path ./.git -prune -o -type f -print | sort | xargs sha256sum && "
		   "find . -path ./.git -prune -o -print | sort | xargs stat -c '%%n %%a %%s %%Y'",
		   r);
}

/* A tree whose blob is missing from the object database: an infrastructure
 * error naming the object, and nothing recorded as checked out. */
static void test_worktree_missing_object(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	const char *r = new_repo("missing");
	struct pg_git *g;
	char *head, *blob, *wt = NULL, cur[PG_OID_HEX];

	(void)state;
	SH("cd '%s' && echo lost > lost.txt && echo kept > kept.txt", r);
	commit(r, "one");
	head = rev(r, "HEAD");
	blob = rev(r, "HEAD:lost.txt");
	SH("rm -f '%s/.git/objects/%.2s/%s'", r, blob, blob + 2);
	g = open_ok(r);
	assert_int_equal(pg_git_worktree_checkout(g, "m", head, &wt, &err), -1);
	assert_null(wt);
	assert_int_equal(err.kind, PG_ERR_INFRA);
	assert_non_null(strstr(err.msg, blob));
	assert_int_equal(pg_git_worktree_current(g, "m", cur, &err), 1);
	free(head);
	free(blob);
	pg_git_free(g);
}

static void test_user_checkout_untouched(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	const char *r = ab_repo();
	struct pg_git *g;
	char *A = rev(r, "A"), *B = rev(r, "B"), *before, *after, *wt = NULL;
	char oid[PG_OID_HEX];
	bool dirty;

	(void)state;
	/* staged, unstaged and untracked changes, and an ignored file */
	SH("cd '%s' && echo staged > staged.txt && git add staged.txt && echo more >> a.txt && "
	   "echo untracked > u.txt && echo obj > build.o && git rm -q --cached keep.txt",
	   r);
	before = user_state(r);
	g = open_ok(r);
	OK(pg_git_head_state(g, oid, &dirty, &err));
	assert_true(dirty);
	OK(pg_git_worktree_checkout(g, "x", A, &wt, &err));
	free(wt);
	OK(pg_git_worktree_checkout(g, "x", B, &wt, &err));
	free(wt);
	OK(pg_git_worktree_checkout(g, "x", A, &wt, &err));
	free(wt);
	OK(pg_git_note_write(g, PG_NOTES_REF, A, "{}", &err));
	OK(pg_git_head_state(g, oid, &dirty, &err));
	OK(pg_git_worktree_remove(g, "x", &err));
	pg_git_free(g);
	after = user_state(r);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(A);
	free(B);
}

static void test_head_state(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	const char *r = new_repo("head");
	struct pg_git *g = open_ok(r);
	char oid[PG_OID_HEX], *head, *wt = NULL;
	bool dirty = true;

	(void)state;
	/* unborn */
	OK(pg_git_head_state(g, oid, &dirty, &err));
	assert_string_equal(oid, "");
	assert_false(dirty);
	SH("cd '%s' && echo x > f && printf 'out/\\n' > .gitignore", r);
	commit(r, "one");
	head = rev(r, "HEAD");
	OK(pg_git_head_state(g, oid, &dirty, &err));
	assert_string_equal(oid, head);
	assert_false(dirty);
	/* ignored files and perfgate's own state do not make it dirty */
	SH("mkdir -p '%s/out' && echo o > '%s/out/o'", r, r);
	OK(pg_git_worktree_checkout(g, "w", head, &wt, &err));
	free(wt);
	OK(pg_git_head_state(g, oid, &dirty, &err));
	assert_false(dirty);
	SH("echo u > '%s/untracked'", r);
	OK(pg_git_head_state(g, oid, &dirty, &err));
	assert_true(dirty);
	SH("rm '%s/untracked' && echo y >> '%s/f'", r, r);
	OK(pg_git_head_state(g, oid, &dirty, &err));
	assert_true(dirty);
	SH("cd '%s' && git add f", r);
	OK(pg_git_head_state(g, oid, &dirty, &err));
	assert_true(dirty);
	SH("cd '%s' && git reset -q --hard", r);
	OK(pg_git_head_state(g, oid, &dirty, &err));
	assert_false(dirty);
	free(head);
	pg_git_free(g);
}

static const char c_before[] = "#include <stdio.h>\n"
			       "\n"
			       "static int alpha(int x)\n"
			       "{\n"
			       "\treturn x + 1;\n"
			       "}\n"
			       "\n"
			       "int\n"
			       "beta(const char *s,\n"
			       "     int n)\n"
			       "{\n"
			       "\tint r = 0;\n"
			       "\n"
			       "\tif (!s)\n"
			       "\t\tgoto done;\n"
			       "\tr = n;\n"
			       "done:\n"
			       "\tr += 1;\n"
			       "\tr += 2;\n"
			       "\tr += 3;\n"
			       "\tr += 4;\n"
			       "\treturn r;\n"
			       "}\n"
			       "\n"
			       "static int gamma(void)\n"
			       "{\n"
			       "\tint g = 1;\n"
			       "\tg *= 2;\n"
			       "\tg *= 3;\n"
			       "\tg *= 4;\n"
			       "\tg *= 5;\n"
			       "\tg *= 6;\n"
			       "\treturn g;\n"
			       "}\n";

static void test_touched_functions(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	const char *r = new_repo("touched");
	struct pg_git *g;
	char p[600], *head, **names = NULL, *text;
	size_t n = 0;

	(void)state;
	snprintf(p, sizeof(p), "%s/demo.c", r);
	write_file(p, c_before);
	snprintf(p, sizeof(p), "%s/m.go", r);
	write_file(p, "package m\n\nfunc (r *Reader) Next(n int) int {\n\tn++\n\tn++\n\tn++\n"
		      "\tn++\n\treturn n\n}\n");
	snprintf(p, sizeof(p), "%s/m.py", r);
	write_file(p, "import os\n\n\nclass K:\n    def parse(self, s):\n        a = 1\n"
		      "        b = 2\n        c = 3\n        d = 4\n        return a\n");
	snprintf(p, sizeof(p), "%s/m.js", r);
	write_file(p, "'use strict';\n\nexport async function load(x) {\n  let a = 1;\n  a++;\n"
		      "  a++;\n  a++;\n  return a;\n}\n");
	commit(r, "base");
	g = open_ok(r);
	head = rev(r, "HEAD");
	/* root commit: every function is new */
	OK(pg_git_touched_functions(g, head, &names, &n, &err));
	assert_true(n >= 3);
	assert_string_equal(names[0], "alpha");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(head);

	/* Change beta's body after its "done:" label (the hunk header says "done:"),
	 * gamma's first body line (the header names beta, the line before), and
	 * add delta. */
	text = pg_xstrdup(c_before);
	{
		struct pg_buf b = PG_BUF_INIT;
		char *s;
		s = strstr(text, "\tr += 3;");
		memcpy(s, "\tr *= 3;", 8);
		s = strstr(text, "\tint g = 1;");
		memcpy(s, "\tint g = 7;", 11);
		pg_buf_adds(&b, text);
		pg_buf_adds(&b, "\nint delta(int d)\n{\n\treturn d * 2;\n}\n");
		snprintf(p, sizeof(p), "%s/demo.c", r);
		write_file(p, b.data);
		pg_buf_release(&b);
	}
	free(text);
	commit(r, "change C");
	head = rev(r, "HEAD");
	OK(pg_git_touched_functions(g, head, &names, &n, &err));
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "beta");
	assert_string_equal(names[1], "gamma");
	assert_string_equal(names[2], "delta");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(head);

	SH("cd '%s' && sed -i 's/\\tn++$/\\tn += 2/; s/c = 3/c = 33/; s/  a++;/  a += 2;/' m.go m.py m.js",
	   r);
	commit(r, "change others");
	head = rev(r, "HEAD");
	OK(pg_git_touched_functions(g, head, &names, &n, &err));
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "Next");
	assert_string_equal(names[1], "load");
	assert_string_equal(names[2], "parse");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(head);
	pg_git_free(g);
}

/* The scan's rule for one line: C-like definitions with attributes, storage
 * classes, pointer returns, K&R braces; calls, declarations and macros are not. */
static void test_function_defined(void **state)
{
	static const struct {
		const char *path, *line, *want; /* want NULL: not a definition */
	} cases[] = {
	    {"a.c", "__attribute__((noinline)) uint32_t parse_field(int k)\n", "parse_field"},
	    {"a.c", "__attribute__ ((noinline, cold)) static int f(void) {\n", "f"},
	    {"a.c", "__attribute__((section(\"t(x)\"))) int g(void)\n", "g"},
	    {"a.c", "uint32_t __attribute__((noinline)) h(int k)\n", "h"},
	    {"a.c", "__attribute__((hot)) __attribute__((noinline)) void two(void)\n", "two"},
	    {"a.c", "[[nodiscard]] int c23(int x)\n", "c23"},
	    {"a.c", "__declspec(noinline) int win(int x)\n", "win"},
	    {"a.c", "static inline int fast(int x)\n", "fast"},
	    {"a.c", "static inline int fast(int x) {\n", "fast"},
	    {"a.c", "char *f(void)\n", "f"},
	    {"a.c", "static const char *name_of(const struct x *p)\n", "name_of"},
	    {"a.c", "char * spaced (void)\n", "spaced"},
	    {"a.c", "struct pg_buf *pg_buf_new(size_t n)\n", "pg_buf_new"},
	    {"a.c", "int knr(a, b)\n", "knr"}, /* K&R: the brace on a later line */
	    {"a.c", "main()\n", "main"},
	    {"a.c", "beta(const char *s,\n", "beta"}, /* GNU style: type on the line above */
	    {"a.cc", "int Parser::next(int k) const\n", "Parser::next"},
	    {"a.c", "x = f(y);\n", NULL},
	    {"a.c", "x = f(y)\n", NULL},
	    {"a.c", "int x = f(y);\n", NULL},
	    {"a.c", "static int table[] = { f(1), f(2) };\n", NULL},
	    {"a.c", "f(y);\n", NULL},
	    {"a.c", "\tparse_field(k);\n", NULL},
	    {"a.c", "\tif (x) {\n", NULL},
	    {"a.c", "if (x)\n", NULL},
	    {"a.c", "#define MAX(a, b) ((a) > (b) ? (a) : (b))\n", NULL},
	    {"a.c", "#define F(x) f(x)\n", NULL},
	    {"a.c", "# define G(x) g(x)\n", NULL},
	    {"a.c", "int declared(int x);\n", NULL},
	    {"a.c", "__attribute__((noinline)) uint32_t declared(int k);\n", NULL},
	    {"a.c", "__attribute__((noinline))\n", NULL},
	    {"a.c", "struct s {\n", NULL},
	    {"a.c", "} while (0)\n", NULL},
	    {"a.c", "return f(x)\n", NULL},
	    {"a.c", "__attribute__((unclosed uint32_t f(int k)\n", NULL},
	    {"a.go", "func (r *Reader) Next(n int) int {\n", "Next"},
	    {"a.py", "    async def fetch(self):\n", "fetch"},
	    {"a.rs", "pub fn run(x: u32) -> u32 {\n", "run"},
	    {"a.js", "export function load(x) {\n", "load"},
	};
	(void)state;
	for (size_t i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		char name[PG_GIT_FUNC_NAME_MAX + 1] = "";
		bool got = pg_git_function_defined(cases[i].path, cases[i].line,
						   strlen(cases[i].line), name);

		if (got != (cases[i].want != NULL) || (got && strcmp(name, cases[i].want)))
			fail_msg("%s: '%s': got %s '%s', want %s", cases[i].path, cases[i].line,
				 got ? "a definition" : "none", name,
				 cases[i].want ? cases[i].want : "none");
	}
}

/* A commit changing the body of a function whose attributes, return type and
 * name share one line (as bisect's test repository writes them) touches it. */
static void test_touched_attributes(void **state)
{
	static const char before[] = "#include <stdint.h>\n"
				     "__attribute__((noinline)) uint32_t parse_field(int k)\n"
				     "{\n"
				     "\tuint32_t h = 2166136261u;\n"
				     "\tfor (int p = 0; p < 1; p++)\n"
				     "\t\th ^= (uint32_t)k;\n"
				     "\th *= 3;\n"
				     "\th *= 5;\n"
				     "\th *= 7;\n"
				     "\treturn h;\n"
				     "}\n"
				     "\n"
				     "static inline char *label(void)\n"
				     "{\n"
				     "\treturn \"x\";\n"
				     "}\n";
	struct pg_err err = PG_ERR_INIT;
	const char *r = new_repo("touched-attr");
	struct pg_git *g;
	char p[600], *head, **names = NULL, *text;
	size_t n = 0;

	(void)state;
	snprintf(p, sizeof(p), "%s/bench.c", r);
	write_file(p, before);
	commit(r, "base");
	text = pg_xstrdup(before);
	memcpy(strstr(text, "p < 1;"), "p < 2;", 6);
	memcpy(strstr(text, "\"x\""), "\"y\"", 3);
	write_file(p, text);
	free(text);
	commit(r, "Validate twice");
	g = open_ok(r);
	head = rev(r, "HEAD");
	OK(pg_git_touched_functions(g, head, &names, &n, &err));
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "parse_field");
	assert_string_equal(names[1], "label");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(head);
	pg_git_free(g);
}

static void test_notes(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	struct pg_buf b = PG_BUF_INIT;
	const char *r = linear_repo();
	struct pg_git *g = open_ok(r), *g2;
	char *head = rev(r, "HEAD"), *first = rev(r, "HEAD~2"), *who, other[600], clone[600];

	(void)state;
	assert_int_equal(pg_git_note_read(g, PG_NOTES_REF, head, &b, &err), 1);
	OK(pg_git_note_write(g, PG_NOTES_REF, head, "{\"v\":1}\n", &err));
	OK(pg_git_note_read(g, PG_NOTES_REF, head, &b, &err));
	assert_string_equal(b.data, "{\"v\":1}\n");
	pg_buf_reset(&b);
	OK(pg_git_note_write(g, PG_NOTES_REF, head, "{\"v\":2}\n", &err));
	OK(pg_git_note_write(g, PG_NOTES_REF, first, "first", &err));
	OK(pg_git_note_read(g, PG_NOTES_REF, head, &b, &err));
	assert_string_equal(b.data, "{\"v\":2}\n");
	pg_buf_reset(&b);
	/* git sees them too; no user configured: perfgate's own signature */
	who = out("git -C '%s' log -1 --format='%%an <%%ae>' %s", r, PG_NOTES_REF);
	assert_string_equal(who, "perfgate <perfgate@localhost>");
	free(who);
	who = out("git -C '%s' notes --ref=perfgate show %s", r, head);
	assert_string_equal(who, "{\"v\":2}");
	free(who);
	assert_int_equal(pg_git_note_read(g, PG_NOTES_REF, "zz", &b, &err), -1);

	/* pushed to another repository, and fetched into a clone */
	snprintf(other, sizeof(other), "%s/other.git", root);
	snprintf(clone, sizeof(clone), "%s/clone", root);
	SH("rm -rf '%s' '%s' && git init -q --bare -b main '%s' && cd '%s' && git push -q '%s' main "
	   "refs/notes/perfgate",
	   other, clone, other, r, other);
	g2 = open_ok(other);
	OK(pg_git_note_read(g2, PG_NOTES_REF, head, &b, &err));
	assert_string_equal(b.data, "{\"v\":2}\n");
	pg_buf_reset(&b);
	pg_git_free(g2);
	SH("git clone -q '%s' '%s' && git -C '%s' fetch -q origin refs/notes/perfgate:refs/notes/perfgate",
	   other, clone, clone);
	g2 = open_ok(clone);
	OK(pg_git_note_read(g2, PG_NOTES_REF, first, &b, &err));
	assert_string_equal(b.data, "first");
	pg_buf_release(&b);
	pg_git_free(g2);

	/* With a user configured, notes carry that identity. */
	SH("git -C '%s' config user.name 'Real Person' && git -C '%s' config user.email r@p", r, r);
	pg_git_free(g);
	g = open_ok(r);
	OK(pg_git_note_write(g, PG_NOTES_REF, head, "3", &err));
	who = out("git -C '%s' log -1 --format='%%an <%%ae>' %s", r, PG_NOTES_REF);
	assert_string_equal(who, "Real Person <r@p>");
	free(who);
	free(head);
	free(first);
	pg_git_free(g);
}

static void test_shallow(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	const char *r = linear_repo();
	char shallow[600], oid[PG_OID_HEX], want[200], s7[8];
	char *first = rev(r, "HEAD~2"), *head = rev(r, "HEAD"), **names = NULL;
	char (*oids)[PG_OID_HEX] = NULL;
	struct pg_git *g;
	size_t n;

	(void)state;
	snprintf(shallow, sizeof(shallow), "%s/shallow", root);
	SH("rm -rf '%s' && git clone -q --depth 1 'file://%s' '%s'", shallow, r, shallow);
	g = open_ok(shallow);
	OK(pg_git_resolve(g, "HEAD", oid, &err));
	assert_string_equal(oid, head);
	assert_int_equal(pg_git_resolve(g, first, oid, &err), -1);
	snprintf(want, sizeof(want), "commit %s not present (shallow clone?)",
		 pg_git_short(first, s7));
	assert_string_equal(err.msg, want);
	assert_int_equal(err.kind, PG_ERR_INFRA);
	pg_err_prefix(&err, "base");
	assert_int_equal(pg_git_resolve(g, "HEAD~2", oid, &err), -1);
	assert_non_null(strstr(err.msg, "shallow clone?"));
	assert_int_equal(err.kind, PG_ERR_INFRA);
	assert_int_equal(pg_git_range(g, first, head, true, &oids, &n, &err), -1);
	assert_string_equal(err.msg, want);
	/* The one commit we have: its diff needs its absent parent. */
	assert_int_equal(pg_git_touched_functions(g, head, &names, &n, &err), -1);
	assert_non_null(strstr(err.msg, "shallow clone?"));
	free(first);
	free(head);
	pg_git_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_open_not_owner),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_commit_info),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_worktree_checkout),
		cmocka_unit_test(test_worktree_missing_object),
		cmocka_unit_test(test_user_checkout_untouched),
		cmocka_unit_test(test_head_state),
		cmocka_unit_test(test_touched_functions),
		cmocka_unit_test(test_function_defined),
		cmocka_unit_test(test_touched_attributes),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_shallow),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
