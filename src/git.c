/*
 * git: the libgit2 side of perfgate. See git.h for the contract.
 */
#include "git.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/alloc.h>
#include <git2/sys/repository.h>

#define REV_MAX 256                   /* longest revision string we parse */
#define NOTE_MAX ((size_t)16 << 20)   /* bytes: larger notes are refused */
#define SCAN_BLOB_MAX ((size_t)8 << 20) /* bytes: larger files use hunk headers only */
#define TOUCHED_MAX 10000             /* function names per commit */
#define NAME_MAX_LEN PG_GIT_FUNC_NAME_MAX /* bytes of one function name */

struct pg_git {
	git_repository *repo;
	char *workdir; /* "" for bare, else with a trailing '/' */
	char *gitdir;  /* with a trailing '/' */
};

/* Set err from the last libgit2 error: "<what>: <libgit2 message>". */
static int fail(struct pg_err *err, enum pg_err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct pg_err *err, enum pg_err_kind kind, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/*
	 * An OS call inside libgit2 ran out of memory (its message quotes
	 * strerror, "...: Cannot allocate memory"): ours, whatever the call.
	 */
	if (e && e->klass == GIT_ERROR_OS && e->message && strstr(e->message, strerror(ENOMEM)))
		pg_die_oom(0);
	/* libgit2 ran out of memory ("out of memory"): an infrastructure error, whatever the call. */
	if (e && e->klass == GIT_ERROR_NOMEMORY)
		kind = PG_ERR_INFRA;
	return pg_err_set(err, kind, "%s: %s", what, e && e->message ? e->message : "unknown error");
}

/*
 * libgit2 turns an allocation that fails inside libc (fopen, opendir) while it
 * looks up a reference into "not found". With errno cleared before the call,
 * ENOMEM after it means out of memory, not an unknown revision or an unborn
 * branch (t0956 found both).
 */
static void die_if_oom(int saved_errno)
{
	if (saved_errno == ENOMEM)
		pg_die_oom(0);
}

/* A revision as it may be shown: at most 64 bytes, non-printables escaped. */
static void show(const char *s, char out[300])
{
	size_t o = 0, i;

	for (i = 0; s[i] && o < 280; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i >= 64) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\')
			o += (size_t)snprintf(out + o, 300 - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = 0;
}

const char *pg_git_short(const char *oid, char buf[8])
{
	size_t n = strnlen(oid, 7);

	memcpy(buf, oid, n);
	buf[n] = 0;
	return buf;
}

static int parse_oid(git_oid *id, const char *hex, struct pg_err *err)
{
	char sh[300];

	if (strlen(hex) != PG_OID_HEX - 1 || git_oid_fromstr(id, hex) < 0) {
		show(hex, sh);
		return pg_err_set(err, PG_ERR_USAGE, "not a commit id: '%s'", sh);
	}
	return 0;
}

static char *with_slash(const char *p)
{
	size_t n = strlen(p);

	if (n && p[n - 1] == '/')
		return pg_xstrdup(p);
	return pg_xasprintf("%s/", p);
}

/*
 * The repository discovered from path, if its work tree or git directory
 * belongs to another user: that directory (owned by caller) and its owner.
 */
static char *foreign_owner(const char *path, uid_t *uid)
{
	git_buf found = GIT_BUF_INIT;
	char *gitdir = NULL, *top = NULL, *ret = NULL;
	struct stat st;
	size_t n;

	if (git_repository_discover(&found, path, 0, NULL) < 0)
		goto done;
	gitdir = pg_xstrdup(found.ptr);
	n = strlen(gitdir);
	if (n > 1 && gitdir[n - 1] == '/')
		gitdir[--n] = 0;
	if (n > 5 && strcmp(gitdir + n - 5, "/.git") == 0)
		top = pg_xstrndup(gitdir, n - 5);
	if (top && stat(top, &st) == 0 && st.st_uid != geteuid()) {
		ret = top;
		top = NULL;
	} else if (stat(gitdir, &st) == 0 && st.st_uid != geteuid()) {
		ret = gitdir;
		gitdir = NULL;
	}
	if (ret)
		*uid = st.st_uid;
done:
	git_buf_dispose(&found);
	free(gitdir);
	free(top);
	return ret;
}

/*
 * libgit2 allocates through our wrappers: out of memory inside it is our one
 * message and exit 4. Its own out-of-memory paths are not safe to rely on:
 * the torture test (t0956) found libgit2 1.5.1 freeing a bad pointer or
 * crashing when an allocation fails inside git_config_snapshot(), which
 * every git_repository_open_ext() and status call goes through.
 */
static void *ga_malloc(size_t n, const char *file, int line)
{
	return pg_xmalloc(n);
}

static void *ga_calloc(size_t nelem, size_t elsize, const char *file, int line)
{
	return pg_xcalloc(nelem, elsize);
}

static char *ga_strdup(const char *str, const char *file, int line)
{
	return pg_xstrdup(str);
}

static char *ga_strndup(const char *str, size_t n, const char *file, int line)
{
	return pg_xstrndup(str, n);
}

static char *ga_substrdup(const char *str, size_t n, const char *file, int line)
{
	char *p;

	if (n == SIZE_MAX)
		pg_die_oom(SIZE_MAX);
	p = pg_xmalloc(n + 1);
	memcpy(p, str, n);
	p[n] = '\0';
	return p;
}

static void *ga_realloc(void *ptr, size_t size, const char *file, int line)
{
	return pg_xrealloc(ptr, size);
}

static void *ga_reallocarray(void *ptr, size_t nelem, size_t elsize, const char *file, int line)
{
	return pg_xreallocarray(ptr, nelem, elsize);
}

static void *ga_mallocarray(size_t nelem, size_t elsize, const char *file, int line)
{
	return pg_xreallocarray(NULL, nelem, elsize);
}

static void ga_free(void *ptr)
{
	free(ptr);
}

static void init_libgit2(void)
{
	static git_allocator alloc = {ga_malloc,       ga_calloc,      ga_strdup,
				      ga_strndup,      ga_substrdup,   ga_realloc,
				      ga_reallocarray, ga_mallocarray, ga_free};

	/*
	 * Before git_libgit2_init(), whose own allocations (OOM there crashed
	 * libgit2 1.5.1 too) then use it: it keeps an allocator set before it.
	 * And after, in case an init installed the default.
	 */
	git_libgit2_opts(GIT_OPT_SET_ALLOCATOR, &alloc);
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_SET_ALLOCATOR, &alloc);
}

int pg_git_open(struct pg_git **out, const char *path, struct pg_err *err)
{
	struct pg_git *g = NULL;
	git_repository *repo = NULL;
	int rc;

	*out = NULL;
	init_libgit2();
	errno = 0;
	rc = git_repository_open_ext(&repo, path, 0, NULL);
	if (rc < 0)
		die_if_oom(errno);
	/*
	 * libgit2 1.5.1 reports a repository owned by someone else as
	 * GIT_EOWNER only when some safe.directory is configured, and as
	 * GIT_ENOTFOUND ("config value 'safe.directory' was not found")
	 * otherwise; so on either, look at the owner ourselves.
	 */
	if (rc == GIT_EOWNER || rc == GIT_ENOTFOUND) {
		uid_t uid;
		char *where = foreign_owner(path, &uid);
		if (where) {
			pg_err_set(err, PG_ERR_INFRA,
				   "repository '%s' is owned by uid %ld, not by you (add it to "
				   "safe.directory)",
				   where, (long)uid);
			free(where);
			goto fail;
		}
		if (rc == GIT_EOWNER) {
			fail(err, PG_ERR_INFRA, "cannot open repository '%s'", path);
			goto fail;
		}
	}
	if (rc == GIT_ENOTFOUND) {
		pg_err_set(err, PG_ERR_USAGE, "not a git repository: '%s'", path);
		goto fail;
	}
	if (rc < 0) {
		fail(err, PG_ERR_INFRA, "cannot open repository '%s'", path);
		goto fail;
	}
	g = pg_xcalloc(1, sizeof(*g));
	g->repo = repo;
	g->workdir = git_repository_workdir(repo) ? with_slash(git_repository_workdir(repo))
						  : pg_xstrdup("");
	g->gitdir = with_slash(git_repository_path(repo));
	*out = g;
	return 0;
fail:
	git_repository_free(repo);
	git_libgit2_shutdown();
	return -1;
}

void pg_git_free(struct pg_git *g)
{
	if (!g)
		return;
	git_repository_free(g->repo);
	free(g->workdir);
	free(g->gitdir);
	free(g);
	git_libgit2_shutdown();
}

const char *pg_git_workdir(const struct pg_git *g)
{
	return g->workdir;
}

const char *pg_git_gitdir(const struct pg_git *g)
{
	return g->gitdir;
}

static int mkdir_one(const char *path, struct pg_err *err)
{
	struct stat st;

	if (mkdir(path, 0755) == 0)
		return 0;
	if (errno == EEXIST && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		return pg_err_set(err, PG_ERR_INFRA, "cannot create '%s': exists and is not a directory",
				  path);
	return pg_err_set(err, PG_ERR_INFRA, "cannot create '%s': %s", path, strerror(errno));
}

int pg_git_state_dir(struct pg_git *g, char **out, struct pg_err *err)
{
	char *p = pg_xasprintf("%sperfgate/", g->gitdir);

	*out = NULL;
	if (mkdir_one(p, err) < 0) {
		free(p);
		return -1;
	}
	*out = p;
	return 0;
}

static bool all_hex(const char *s, size_t min)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]))
			return false;
	return n >= min;
}

int pg_git_resolve(struct pg_git *g, const char *rev, char oid[PG_OID_HEX], struct pg_err *err)
{
	git_object *obj = NULL, *commit = NULL;
	char sh[300];
	int rc, ret = -1;

	oid[0] = 0;
	if (!rev || !*rev)
		return pg_err_set(err, PG_ERR_USAGE, "empty revision");
	show(rev, sh);
	if (strlen(rev) > REV_MAX)
		return pg_err_set(err, PG_ERR_USAGE, "revision too long (%zu bytes): '%s'", strlen(rev),
				  sh);
	for (const char *p = rev; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return pg_err_set(err, PG_ERR_USAGE, "invalid revision '%s'", sh);
	/* As git does, and libgit2 does not: "main@" is not a revision. */
	if (strlen(rev) > 1 && rev[strlen(rev) - 1] == '@')
		return pg_err_set(err, PG_ERR_USAGE, "unknown revision '%s'", sh);
	errno = 0;
	rc = git_revparse_single(&obj, g->repo, rev);
	if (rc < 0) {
		/* Apart from the repository failing us (an OS, memory or object
		 * database error other than "not found"), every libgit2 failure
		 * here is about the spec (a bad ref name gives -1 with no
		 * message): a usage error, unless the object may be missing
		 * because the clone is shallow. */
		const git_error *ge = git_error_last();
		int klass = ge ? ge->klass : GIT_ERROR_NONE;
		bool shallow;

		die_if_oom(errno);
		if (rc != GIT_ENOTFOUND &&
		    (klass == GIT_ERROR_OS || klass == GIT_ERROR_NOMEMORY || klass == GIT_ERROR_ODB ||
		     klass == GIT_ERROR_ZLIB)) {
			/* the repository failed us (a file, memory: t0956), not the spec */
			fail(err, PG_ERR_INFRA, "resolving '%s'", sh);
			goto done;
		}
		shallow = git_repository_is_shallow(g->repo) == 1;
		if (shallow && all_hex(rev, 7)) {
			char s7[8];
			pg_err_set(err, PG_ERR_INFRA, "commit %s not present (shallow clone?)",
				   pg_git_short(rev, s7));
		} else if (shallow && rc == GIT_ENOTFOUND && strpbrk(rev, "~^")) {
			pg_err_set(err, PG_ERR_INFRA, "revision '%s' not present (shallow clone?)", sh);
		} else if (rc == GIT_EAMBIGUOUS) {
			pg_err_set(err, PG_ERR_USAGE, "ambiguous revision '%s'", sh);
		} else {
			pg_err_set(err, PG_ERR_USAGE, "unknown revision '%s'", sh);
		}
		goto done;
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		pg_err_set(err, PG_ERR_USAGE, "revision '%s' is not a commit", sh);
		goto done;
	}
	git_oid_tostr(oid, PG_OID_HEX, git_object_id(commit));
	ret = 0;
done:
	git_object_free(commit);
	git_object_free(obj);
	return ret;
}

static int lookup_commit(struct pg_git *g, const char *hex, git_commit **out, struct pg_err *err)
{
	git_oid id;
	char s7[8];
	int rc;

	*out = NULL;
	if (parse_oid(&id, hex, err) < 0)
		return -1;
	rc = git_commit_lookup(out, g->repo, &id);
	if (rc == GIT_ENOTFOUND && git_repository_is_shallow(g->repo) == 1)
		return pg_err_set(err, PG_ERR_INFRA, "commit %s not present (shallow clone?)",
				  pg_git_short(hex, s7));
	if (rc < 0)
		return fail(err, PG_ERR_INFRA, "commit %s", pg_git_short(hex, s7));
	return 0;
}

int pg_git_commit_info(struct pg_git *g, const char *oid, struct pg_git_commit *out,
		       struct pg_err *err)
{
	git_commit *c = NULL;
	const git_signature *a;
	const char *summary;
	unsigned i, np;

	memset(out, 0, sizeof(*out));
	if (lookup_commit(g, oid, &c, err) < 0)
		return -1;
	git_oid_tostr(out->oid, PG_OID_HEX, git_commit_id(c));
	summary = git_commit_summary(c);
	out->subject = pg_xstrdup(summary ? summary : "");
	a = git_commit_author(c);
	out->author_name = pg_xstrdup(a && a->name ? a->name : "");
	out->author_email = pg_xstrdup(a && a->email ? a->email : "");
	out->time = a ? (int64_t)a->when.time : (int64_t)git_commit_time(c);
	np = git_commit_parentcount(c);
	out->nr_parents = np;
	for (i = 0; i < np && i < 2; i++)
		git_oid_tostr(out->parents[i], PG_OID_HEX, git_commit_parent_id(c, i));
	git_commit_free(c);
	return 0;
}

void pg_git_commit_release(struct pg_git_commit *c)
{
	if (!c)
		return;
	free(c->subject);
	free(c->author_name);
	free(c->author_email);
	c->subject = c->author_name = c->author_email = NULL;
}

/* Shallow clones: walk first parents from bad to good with no revwalk (see git.h). */
static int shallow_range(git_commit *bc, const git_oid *good, bool first_parent,
			 char (**oids)[PG_OID_HEX], size_t *n, const char *s1, const char *s2,
			 struct pg_err *err)
{
	git_commit *c = NULL, *next = NULL;
	char (*arr)[PG_OID_HEX] = NULL, s7[8];
	size_t len = 0, alloc = 0, i;
	int rc, ret = -1;

	if (!first_parent)
		return pg_err_set(err, PG_ERR_INFRA,
				  "range %s..%s: the history is not present (shallow clone?): "
				  "--all-parents needs git fetch --unshallow",
				  s1, s2);
	if (git_commit_dup(&c, bc) < 0)
		return fail(err, PG_ERR_INFRA, "range %s..%s", s1, s2);
	while (!git_oid_equal(git_commit_id(c), good)) {
		PG_GROW(arr, len + 1, alloc);
		git_oid_tostr(arr[len++], PG_OID_HEX, git_commit_id(c));
		if (git_commit_parentcount(c) == 0) {
			pg_err_set(err, PG_ERR_USAGE, "good %s is not an ancestor of bad %s", s1,
				   s2);
			goto done;
		}
		rc = git_commit_parent(&next, c, 0);
		if (rc == GIT_ENOTFOUND) {
			pg_err_set(err, PG_ERR_INFRA,
				   "range %s..%s: parent of %s not present (shallow clone?): good "
				   "must be on bad's first-parent chain; git fetch --deepen N",
				   s1, s2, pg_git_short(arr[len - 1], s7));
			goto done;
		}
		if (rc < 0) {
			fail(err, PG_ERR_INFRA, "range %s..%s", s1, s2);
			goto done;
		}
		git_commit_free(c);
		c = next;
		next = NULL;
	}
	/* oldest first */
	for (i = 0; i < len / 2; i++) {
		char t[PG_OID_HEX];

		memcpy(t, arr[i], PG_OID_HEX);
		memcpy(arr[i], arr[len - 1 - i], PG_OID_HEX);
		memcpy(arr[len - 1 - i], t, PG_OID_HEX);
	}
	*oids = arr;
	*n = len;
	arr = NULL;
	ret = 0;
done:
	free(arr);
	git_commit_free(c);
	return ret;
}

int pg_git_range(struct pg_git *g, const char *good_oid, const char *bad_oid, bool first_parent,
		 char (**oids)[PG_OID_HEX], size_t *n, struct pg_err *err)
{
	git_revwalk *walk = NULL;
	git_commit *gc = NULL, *bc = NULL;
	git_oid good, bad, id;
	char (*arr)[PG_OID_HEX] = NULL;
	size_t len = 0, alloc = 0;
	char s1[8], s2[8];
	int rc, ret = -1;

	*oids = NULL;
	*n = 0;
	if (lookup_commit(g, good_oid, &gc, err) < 0 || lookup_commit(g, bad_oid, &bc, err) < 0)
		goto done;
	git_oid_cpy(&good, git_commit_id(gc));
	git_oid_cpy(&bad, git_commit_id(bc));
	pg_git_short(good_oid, s1);
	pg_git_short(bad_oid, s2);
	if (git_oid_equal(&good, &bad)) {
		pg_err_set(err, PG_ERR_USAGE, "range %s..%s is empty", s1, s2);
		goto done;
	}
	if (git_repository_is_shallow(g->repo) == 1) {
		ret = shallow_range(bc, &good, first_parent, oids, n, s1, s2, err);
		goto done;
	}
	rc = git_graph_descendant_of(g->repo, &bad, &good);
	if (rc < 0) {
		fail(err, PG_ERR_INFRA, "range %s..%s", s1, s2);
		goto done;
	}
	if (rc == 0) {
		pg_err_set(err, PG_ERR_USAGE, "good %s is not an ancestor of bad %s", s1, s2);
		goto done;
	}
	if (git_revwalk_new(&walk, g->repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, &bad) < 0 || git_revwalk_hide(walk, &good) < 0 ||
	    (first_parent && git_revwalk_simplify_first_parent(walk) < 0)) {
		fail(err, PG_ERR_INFRA, "range %s..%s", s1, s2);
		goto done;
	}
	while ((rc = git_revwalk_next(&id, walk)) == 0) {
		PG_GROW(arr, len + 1, alloc);
		git_oid_tostr(arr[len++], PG_OID_HEX, &id);
	}
	if (rc != GIT_ITEROVER) {
		fail(err, PG_ERR_INFRA, "walking %s..%s", s1, s2);
		goto done;
	}
	if (len == 0) {
		pg_err_set(err, PG_ERR_USAGE, "range %s..%s is empty", s1, s2);
		goto done;
	}
	*oids = arr;
	*n = len;
	arr = NULL;
	ret = 0;
done:
	free(arr);
	git_revwalk_free(walk);
	git_commit_free(gc);
	git_commit_free(bc);
	return ret;
}

int pg_git_read_file(struct pg_git *g, const char *oid, const char *path, size_t cap,
		     struct pg_buf *out, struct pg_err *err)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *ent = NULL;
	git_blob *blob = NULL;
	git_odb *odb = NULL;
	size_t size;
	git_object_t type;
	char s7[8];
	int rc, ret = -1;

	if (lookup_commit(g, oid, &c, err) < 0)
		return -1;
	pg_git_short(oid, s7);
	if (git_commit_tree(&tree, c) < 0) {
		fail(err, PG_ERR_INFRA, "tree of commit %s", s7);
		goto done;
	}
	rc = git_tree_entry_bypath(&ent, tree, path);
	if (rc == GIT_ENOTFOUND) {
		ret = 1;
		goto done;
	}
	if (rc < 0) {
		fail(err, PG_ERR_INFRA, "'%s' at %s", path, s7);
		goto done;
	}
	if (git_tree_entry_type(ent) != GIT_OBJECT_BLOB) {
		pg_err_set(err, PG_ERR_USAGE, "'%s' at %s is not a file", path, s7);
		goto done;
	}
	/* Learn the size from the object header before inflating the blob. */
	if (git_repository_odb(&odb, g->repo) < 0 ||
	    git_odb_read_header(&size, &type, odb, git_tree_entry_id(ent)) < 0) {
		fail(err, PG_ERR_INFRA, "'%s' at %s", path, s7);
		goto done;
	}
	if (size > cap) {
		pg_err_set(err, PG_ERR_USAGE, "'%s' at %s: larger than %zu bytes", path, s7, cap);
		goto done;
	}
	if (git_blob_lookup(&blob, g->repo, git_tree_entry_id(ent)) < 0) {
		fail(err, PG_ERR_INFRA, "'%s' at %s", path, s7);
		goto done;
	}
	pg_buf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	ret = 0;
done:
	git_blob_free(blob);
	git_odb_free(odb);
	git_tree_entry_free(ent);
	git_tree_free(tree);
	git_commit_free(c);
	return ret;
}

/* ---- private worktrees ---- */

static bool valid_name(const char *name)
{
	size_t i;

	if (!name || !*name || strlen(name) > 64)
		return false;
	for (i = 0; name[i]; i++)
		if (!(islower((unsigned char)name[i]) || isdigit((unsigned char)name[i]) ||
		      name[i] == '-'))
			return false;
	return true;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

/* Remove a directory tree, never following symbolic links. Absent is fine. */
static int rm_tree(const char *path, struct pg_err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : pg_err_set(err, PG_ERR_INFRA, "cannot remove '%s': %s",
							path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0)
			return pg_err_set(err, PG_ERR_INFRA, "cannot remove '%s': %s", path,
					  strerror(errno));
		return 0;
	}
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return pg_err_set(err, PG_ERR_INFRA, "cannot remove '%s': %s", path, strerror(errno));
	return 0;
}

struct wt_paths {
	char *base;  /* <gitdir>perfgate/worktrees/ */
	char *dir;   /* <base><name> : the checkout */
	char *index; /* <base><name>.index : its private index, outside the checkout */
	char *state; /* <base><name>.oid : the commit checked out, written last */
};

static void wt_paths_release(struct wt_paths *p)
{
	free(p->base);
	free(p->dir);
	free(p->index);
	free(p->state);
}

static int wt_paths_init(struct pg_git *g, const char *name, struct wt_paths *p, bool create,
			 struct pg_err *err)
{
	char *sd = NULL;
	char sh[300];

	memset(p, 0, sizeof(*p));
	if (!valid_name(name)) {
		show(name ? name : "", sh);
		return pg_err_set(err, PG_ERR_USAGE, "invalid worktree name '%s' (want [a-z0-9-]+)",
				  sh);
	}
	if (create) {
		if (pg_git_state_dir(g, &sd, err) < 0)
			return -1;
		free(sd);
	}
	p->base = pg_xasprintf("%sperfgate/worktrees/", g->gitdir);
	p->dir = pg_xasprintf("%s%s", p->base, name);
	p->index = pg_xasprintf("%s%s.index", p->base, name);
	p->state = pg_xasprintf("%s%s.oid", p->base, name);
	if (create && mkdir_one(p->base, err) < 0) {
		wt_paths_release(p);
		return -1;
	}
	return 0;
}

/* The commit recorded as checked out, or "" when none (or unreadable). */
static void wt_read_state(const char *state, char oid[PG_OID_HEX])
{
	struct pg_buf b = PG_BUF_INIT;
	struct pg_err e = PG_ERR_INIT;
	git_oid id;

	oid[0] = 0;
	if (pg_file_read(state, 128, &b, &e) == 0 && b.len >= PG_OID_HEX - 1) {
		b.data[PG_OID_HEX - 1] = 0;
		if (git_oid_fromstr(&id, b.data) == 0)
			git_oid_tostr(oid, PG_OID_HEX, &id);
	}
	pg_buf_release(&b);
}

int pg_git_worktree_current(struct pg_git *g, const char *name, char oid[PG_OID_HEX],
			    struct pg_err *err)
{
	struct wt_paths p;
	struct stat st;
	int ret;

	oid[0] = 0;
	if (wt_paths_init(g, name, &p, false, err) < 0)
		return -1;
	wt_read_state(p.state, oid);
	ret = oid[0] && lstat(p.dir, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : 1;
	if (ret)
		oid[0] = 0;
	wt_paths_release(&p);
	return ret;
}

int pg_git_worktree_checkout(struct pg_git *g, const char *name, const char *oid, char **path_out,
			     struct pg_err *err)
{
	struct wt_paths p;
	git_repository *r2 = NULL;
	git_index *idx = NULL;
	git_commit *c = NULL;
	git_tree *tree = NULL, *tree2 = NULL;
	git_checkout_options opts;
	char prev[PG_OID_HEX], s7[8];
	struct stat st;
	int ret = -1;

	*path_out = NULL;
	if (wt_paths_init(g, name, &p, true, err) < 0)
		return -1;
	if (lookup_commit(g, oid, &c, err) < 0)
		goto done;
	pg_git_short(oid, s7);
	if (git_commit_tree(&tree, c) < 0) {
		fail(err, PG_ERR_INFRA, "tree of commit %s", s7);
		goto done;
	}

	/*
	 * The state file is written only after a checkout completed. Without it,
	 * what is on disk is unknown (first use, or an interrupted checkout), so
	 * start from an empty directory and an empty index.
	 */
	wt_read_state(p.state, prev);
	if (!prev[0] || lstat(p.dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    lstat(p.index, &st) < 0) {
		if (rm_tree(p.dir, err) < 0 || rm_tree(p.index, err) < 0)
			goto done;
	}
	if (unlink(p.state) < 0 && errno != ENOENT) {
		pg_err_set(err, PG_ERR_INFRA, "cannot remove '%s': %s", p.state, strerror(errno));
		goto done;
	}
	if (mkdir_one(p.dir, err) < 0)
		goto done;

	/*
	 * A second handle on the same git directory whose work tree is the
	 * private directory and whose index is the private index: checkout then
	 * compares and updates only those, never the user's index or files.
	 * The baseline is the private index, so files whose content and stat
	 * data match are left alone (their mtimes survive for incremental
	 * builds); FORCE resets tracked files a build modified and removes files
	 * the target no longer has; untracked files are kept.
	 */
	if (git_repository_open_ext(&r2, g->gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
	    git_repository_set_workdir(r2, p.dir, 0) < 0 || git_index_open(&idx, p.index) < 0 ||
	    git_repository_set_index(r2, idx) < 0) {
		fail(err, PG_ERR_INFRA, "private worktree '%s'", p.dir);
		goto done;
	}
	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	opts.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_RECREATE_MISSING;
	opts.baseline_index = idx;
	if (git_tree_lookup(&tree2, r2, git_tree_id(tree)) < 0 ||
	    git_checkout_tree(r2, (git_object *)tree2, &opts) < 0) {
		fail(err, PG_ERR_INFRA, "checkout of %s into '%s'", s7, p.dir);
		goto done;
	}
	{
		char line[PG_OID_HEX + 1];
		git_oid_tostr(line, PG_OID_HEX, git_commit_id(c));
		strcat(line, "\n");
		if (pg_file_write(p.state, line, strlen(line), err) < 0)
			goto done;
	}
	*path_out = pg_xstrdup(p.dir);
	ret = 0;
done:
	git_tree_free(tree2);
	git_index_free(idx);
	git_repository_free(r2);
	git_tree_free(tree);
	git_commit_free(c);
	wt_paths_release(&p);
	return ret;
}

int pg_git_worktree_remove(struct pg_git *g, const char *name, struct pg_err *err)
{
	struct wt_paths p;
	int ret = -1;

	if (wt_paths_init(g, name, &p, false, err) < 0)
		return -1;
	/* The state file first: a half-removed worktree is then rebuilt from scratch. */
	if (rm_tree(p.state, err) < 0 || rm_tree(p.dir, err) < 0 || rm_tree(p.index, err) < 0)
		goto done;
	ret = 0;
done:
	wt_paths_release(&p);
	return ret;
}

int pg_git_head_state(struct pg_git *g, char oid[PG_OID_HEX], bool *dirty, struct pg_err *err)
{
	git_reference *head = NULL;
	git_object *obj = NULL;
	git_status_list *sl = NULL;
	git_status_options so;
	int rc, ret = -1;

	oid[0] = 0;
	*dirty = false;
	errno = 0;
	rc = git_repository_head(&head, g->repo);
	if (rc < 0)
		die_if_oom(errno);
	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
		/* unborn: no commit yet */
	} else if (rc < 0) {
		fail(err, PG_ERR_INFRA, "HEAD");
		goto done;
	} else {
		errno = 0;
		if (git_reference_peel(&obj, head, GIT_OBJECT_COMMIT) < 0) {
			die_if_oom(errno);
			fail(err, PG_ERR_INFRA, "HEAD");
			goto done;
		}
		git_oid_tostr(oid, PG_OID_HEX, git_object_id(obj));
	}
	if (git_repository_is_bare(g->repo)) {
		ret = 0;
		goto done;
	}
	/* perfgate's own state lives under the git directory, which status never lists. */
	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&sl, g->repo, &so) < 0) {
		fail(err, PG_ERR_INFRA, "status of '%s'", g->workdir);
		goto done;
	}
	for (size_t i = 0; i < git_status_list_entrycount(sl); i++) {
		const git_status_entry *e = git_status_byindex(sl, i);
		if (e->status != GIT_STATUS_CURRENT && !(e->status & GIT_STATUS_IGNORED)) {
			*dirty = true;
			break;
		}
	}
	ret = 0;
done:
	git_status_list_free(sl);
	git_object_free(obj);
	git_reference_free(head);
	return ret;
}

/* ---- touched functions ---- */

enum lang { LANG_C, LANG_GO, LANG_PY, LANG_JS, LANG_RUST };

static enum lang lang_of(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;

	if (!dot)
		return LANG_C;
	if (!strcmp(dot, ".go"))
		return LANG_GO;
	if (!strcmp(dot, ".py") || !strcmp(dot, ".pyi"))
		return LANG_PY;
	if (!strcmp(dot, ".js") || !strcmp(dot, ".mjs") || !strcmp(dot, ".cjs") ||
	    !strcmp(dot, ".ts") || !strcmp(dot, ".jsx") || !strcmp(dot, ".tsx"))
		return LANG_JS;
	if (!strcmp(dot, ".rs"))
		return LANG_RUST;
	return LANG_C;
}

static bool ident_start(int c)
{
	return isalpha(c) || c == '_' || c == '$';
}

static bool ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '$';
}

/* Copy the identifier at s (len bytes max) into name; returns its length. */
static size_t take_ident(const char *s, const char *end, char name[NAME_MAX_LEN + 1])
{
	size_t n = 0;

	while (s + n < end && ident_char((unsigned char)s[n]) && n < NAME_MAX_LEN) {
		name[n] = s[n];
		n++;
	}
	name[n] = 0;
	return n;
}

/* Skip spaces and tabs. */
static const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* After "kw " at s, the identifier that follows if then comes '(' (or '<' for generics). */
static bool after_keyword(const char *s, const char *end, const char *kw, char *name)
{
	size_t k = strlen(kw);

	if ((size_t)(end - s) <= k || memcmp(s, kw, k) != 0 || (s[k] != ' ' && s[k] != '\t'))
		return false;
	s = skip_ws(s + k, end);
	if (s >= end || !ident_start((unsigned char)*s))
		return false;
	s += take_ident(s, end, name);
	s = skip_ws(s, end);
	return s < end && (*s == '(' || *s == '<');
}

static const char *const c_not_functions[] = {
	"if", "for", "while", "switch", "return", "sizeof", "do", "else", "case", "typedef",
	"struct", "union", "enum", "int", "char", "void", "long", "short", "unsigned", "signed",
	"float", "double", "static", "const", "extern", "defined", "alignof", "_Alignof",
};

static const char *const c_attribute_words[] = {
	"__attribute__", "__attribute", "__declspec", "_Alignas", "alignas", "__asm__", "__asm",
};

/* After the balanced group opening at s ('(' or '['), or NULL when it does not close. */
static const char *skip_group(const char *s, const char *end)
{
	char open = *s, close = open == '(' ? ')' : ']';
	int depth = 0;

	for (; s < end; s++) {
		if (*s == '"' || *s == '\'') { /* a string inside: its parentheses do not count */
			char quote = *s;
			for (s++; s < end && *s != quote; s++)
				if (*s == '\\')
					s++;
			if (s >= end)
				return NULL;
		} else if (*s == open) {
			depth++;
		} else if (*s == close && --depth == 0) {
			return s + 1;
		}
	}
	return NULL;
}

/*
 * The parameter list's '(' of a C-like definition line [s, end): the first
 * '(' that does not belong to an attribute (__attribute__((...)),
 * __declspec(...), [[...]], alignas(...)), or NULL when there is none, or
 * when an '=' comes first (an initialiser, `x = f(y)`).
 */
static const char *c_params(const char *s, const char *end)
{
	const char *p = s;

	while (p < end) {
		if (*p == '=' || *p == ';' || *p == '{')
			return NULL;
		if (*p == '(')
			return p;
		if (*p == '[' && p + 1 < end && p[1] == '[') {
			if (!(p = skip_group(p, end)))
				return NULL;
			continue;
		}
		if (ident_start((unsigned char)*p) && (p == s || !ident_char((unsigned char)p[-1]))) {
			char word[NAME_MAX_LEN + 1];
			size_t n = take_ident(p, end, word);
			bool attr = false;

			for (size_t i = 0; i < PG_ARRAY_SIZE(c_attribute_words); i++)
				if (!strcmp(word, c_attribute_words[i]))
					attr = true;
			p += n;
			if (attr) {
				p = skip_ws(p, end);
				if (p < end && *p == '(' && !(p = skip_group(p, end)))
					return NULL;
			}
			continue;
		}
		p++;
	}
	return NULL;
}

/*
 * Is the line [s, end) a function definition's first line? If so, its name.
 * Heuristics per language; C-like: at column 0, an identifier directly
 * before the first '(' that is not an attribute's (c_params), and not a
 * declaration or statement ending in ';', nor a preprocessor line.
 */
static bool def_name(enum lang lang, const char *s, const char *end, char name[NAME_MAX_LEN + 1])
{
	const char *p, *q, *t;

	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end <= s)
		return false;
	switch (lang) {
	case LANG_GO:
		if (end - s < 5 || memcmp(s, "func", 4) != 0 || (s[4] != ' ' && s[4] != '('))
			return false;
		p = skip_ws(s + 4, end);
		if (p < end && *p == '(') { /* method receiver: func (r *T) Name( */
			int depth = 0;
			for (; p < end; p++) {
				if (*p == '(')
					depth++;
				else if (*p == ')' && --depth == 0)
					break;
			}
			if (p >= end)
				return false;
			p = skip_ws(p + 1, end);
		}
		if (p >= end || !ident_start((unsigned char)*p))
			return false;
		p += take_ident(p, end, name);
		return p < end && (*p == '(' || *p == '[');
	case LANG_PY:
		p = skip_ws(s, end);
		if ((size_t)(end - p) > 6 && memcmp(p, "async ", 6) == 0)
			p = skip_ws(p + 6, end);
		return after_keyword(p, end, "def", name);
	case LANG_JS:
		p = skip_ws(s, end);
		for (;;) {
			static const char *const pre[] = { "export ", "default ", "async " };
			bool moved = false;
			for (size_t i = 0; i < PG_ARRAY_SIZE(pre); i++) {
				size_t k = strlen(pre[i]);
				if ((size_t)(end - p) > k && memcmp(p, pre[i], k) == 0) {
					p = skip_ws(p + k, end);
					moved = true;
				}
			}
			if (!moved)
				break;
		}
		if (after_keyword(p, end, "function", name))
			return true;
		if ((size_t)(end - p) > 9 && memcmp(p, "function*", 9) == 0) {
			p = skip_ws(p + 9, end);
			if (p < end && ident_start((unsigned char)*p)) {
				p += take_ident(p, end, name);
				return p < end && *p == '(';
			}
		}
		return false;
	case LANG_RUST:
		p = skip_ws(s, end);
		for (;;) {
			static const char *const pre[] = { "pub(crate) ", "pub ", "async ", "unsafe ",
							   "const ", "extern \"C\" " };
			bool moved = false;
			for (size_t i = 0; i < PG_ARRAY_SIZE(pre); i++) {
				size_t k = strlen(pre[i]);
				if ((size_t)(end - p) > k && memcmp(p, pre[i], k) == 0) {
					p = skip_ws(p + k, end);
					moved = true;
				}
			}
			if (!moved)
				break;
		}
		return after_keyword(p, end, "fn", name);
	case LANG_C:
		break;
	}
	if ((!ident_start((unsigned char)*s) && !(*s == '[' && end - s > 1 && s[1] == '[')) ||
	    end[-1] == ';')
		return false;
	/* A statement that starts with a keyword (a wrapped line at column 0). */
	{
		static const char *const stmt[] = { "return", "if", "else", "while", "for",
						    "do", "switch", "case", "goto", "typedef" };
		char first[NAME_MAX_LEN + 1];

		take_ident(s, end, first);
		for (size_t i = 0; i < PG_ARRAY_SIZE(stmt); i++)
			if (!strcmp(first, stmt[i]))
				return false;
	}
	/* The first '(' outside attributes, with no '=' before it (an initialiser). */
	p = c_params(s, end);
	if (!p || p == s)
		return false;
	q = p;
	while (q > s && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	t = q;
	while (t > s && (ident_char((unsigned char)t[-1]) || t[-1] == ':' || t[-1] == '~'))
		t--;
	while (t < q && (*t == ':'))
		t++;
	if (t == q || !ident_start((unsigned char)*t) || (size_t)(q - t) > NAME_MAX_LEN)
		return false;
	memcpy(name, t, (size_t)(q - t));
	name[q - t] = 0;
	for (size_t i = 0; i < PG_ARRAY_SIZE(c_not_functions); i++)
		if (!strcmp(name, c_not_functions[i]))
			return false;
	return true;
}

bool pg_git_function_defined(const char *path, const char *line, size_t len,
			     char name[PG_GIT_FUNC_NAME_MAX + 1])
{
	return def_name(lang_of(path), line, line + len, name);
}

/* For each line (1-based) of a file, the function whose definition it falls in. */
struct fmap {
	char **at; /* at[line]: borrowed from names, or NULL */
	char **names;
	size_t nlines, nnames;
};

static void fmap_release(struct fmap *m)
{
	for (size_t i = 0; i < m->nnames; i++)
		free(m->names[i]);
	free(m->names);
	free(m->at);
	memset(m, 0, sizeof(*m));
}

static void fmap_build(struct fmap *m, enum lang lang, const char *data, size_t len)
{
	const char *s = data, *end = data + len;
	size_t line = 0, alloc_at = 0, alloc_names = 0;
	char name[NAME_MAX_LEN + 1];
	char *cur = NULL;

	memset(m, 0, sizeof(*m));
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl + 1 : end;
		line++;
		if (def_name(lang, s, e, name)) {
			PG_GROW(m->names, m->nnames + 1, alloc_names);
			cur = m->names[m->nnames++] = pg_xstrdup(name);
		}
		PG_GROW(m->at, line + 1, alloc_at);
		m->at[0] = NULL;
		m->at[line] = cur;
		s = e;
	}
	m->nlines = line;
}

static const char *fmap_at(const struct fmap *m, int line)
{
	if (line <= 0 || (size_t)line > m->nlines)
		return NULL;
	return m->at[line];
}

static bool load_blob_lines(git_repository *repo, const git_diff_file *f, enum lang lang,
			    struct fmap *m)
{
	git_blob *b = NULL;

	memset(m, 0, sizeof(*m));
	if (!(f->flags & GIT_DIFF_FLAG_EXISTS) || git_oid_is_zero(&f->id) ||
	    f->size > SCAN_BLOB_MAX || git_blob_lookup(&b, repo, &f->id) < 0)
		return false;
	if ((size_t)git_blob_rawsize(b) <= SCAN_BLOB_MAX && !git_blob_is_binary(b))
		fmap_build(m, lang, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	git_blob_free(b);
	return true;
}

struct names {
	char **v;
	size_t n, alloc;
};

static void names_add(struct names *ns, const char *name)
{
	if (!name || !*name || ns->n >= TOUCHED_MAX)
		return;
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], name))
			return;
	PG_GROW(ns->v, ns->n + 1, ns->alloc);
	ns->v[ns->n++] = pg_xstrdup(name);
}

int pg_git_touched_functions(struct pg_git *g, const char *oid, char ***names, size_t *n,
			     struct pg_err *err)
{
	git_commit *c = NULL, *parent = NULL;
	git_tree *t_new = NULL, *t_old = NULL;
	git_diff *diff = NULL;
	git_diff_options dopts;
	struct names ns = { NULL, 0, 0 };
	char s7[8];
	int ret = -1;

	*names = NULL;
	*n = 0;
	if (lookup_commit(g, oid, &c, err) < 0)
		return -1;
	pg_git_short(oid, s7);
	if (git_commit_tree(&t_new, c) < 0 ||
	    (git_commit_parentcount(c) > 0 &&
	     (git_commit_parent(&parent, c, 0) < 0 || git_commit_tree(&t_old, parent) < 0))) {
		if (git_commit_parentcount(c) > 0 && git_repository_is_shallow(g->repo) == 1)
			pg_err_set(err, PG_ERR_INFRA, "parent of %s not present (shallow clone?)", s7);
		else
			fail(err, PG_ERR_INFRA, "commit %s", s7);
		goto done;
	}
	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	dopts.context_lines = 3;
	dopts.interhunk_lines = 0;
	/* Renames paired up, so that moving a file touches no function. */
	if (git_diff_tree_to_tree(&diff, g->repo, t_old, t_new, &dopts) < 0 ||
	    git_diff_find_similar(diff, NULL) < 0) {
		fail(err, PG_ERR_INFRA, "diff of %s", s7);
		goto done;
	}
	for (size_t d = 0; d < git_diff_num_deltas(diff); d++) {
		git_patch *patch = NULL;
		const git_diff_delta *delta;
		struct fmap fnew, fold;
		enum lang lang;

		if (git_patch_from_diff(&patch, diff, d) < 0) {
			fail(err, PG_ERR_INFRA, "diff of %s", s7);
			goto done;
		}
		if (!patch)
			continue; /* binary or unchanged */
		delta = git_patch_get_delta(patch);
		if (delta->flags & GIT_DIFF_FLAG_BINARY) {
			git_patch_free(patch);
			continue;
		}
		lang = lang_of(delta->new_file.path ? delta->new_file.path : delta->old_file.path);
		load_blob_lines(g->repo, &delta->new_file, lang, &fnew);
		load_blob_lines(g->repo, &delta->old_file, lang, &fold);
		for (size_t h = 0; h < git_patch_num_hunks(patch); h++) {
			const git_diff_hunk *hunk;
			size_t nl;
			char hname[NAME_MAX_LEN + 1] = "";
			const char *ctx;

			if (git_patch_get_hunk(&hunk, &nl, patch, h) < 0)
				continue;
			/* The hunk header's function context: after the second "@@". */
			ctx = strstr(hunk->header + 2, "@@");
			if (ctx) {
				ctx += 2;
				while (*ctx == ' ')
					ctx++;
				if (!def_name(lang, ctx, ctx + strlen(ctx), hname))
					hname[0] = 0;
			}
			for (size_t l = 0; l < nl; l++) {
				const git_diff_line *line;
				const char *fn = NULL;
				char dname[NAME_MAX_LEN + 1];

				if (git_patch_get_line_in_hunk(&line, patch, h, l) < 0)
					continue;
				if (line->origin == GIT_DIFF_LINE_ADDITION) {
					fn = fmap_at(&fnew, line->new_lineno);
					if (!fn && def_name(lang, line->content,
							    line->content + line->content_len, dname))
						fn = dname;
				} else if (line->origin == GIT_DIFF_LINE_DELETION) {
					fn = fmap_at(&fold, line->old_lineno);
					if (!fn && def_name(lang, line->content,
							    line->content + line->content_len, dname))
						fn = dname;
				} else {
					continue;
				}
				names_add(&ns, fn ? fn : hname);
			}
		}
		fmap_release(&fnew);
		fmap_release(&fold);
		git_patch_free(patch);
	}
	*names = ns.v;
	*n = ns.n;
	ns.v = NULL;
	ret = 0;
done:
	for (size_t i = 0; ns.v && i < ns.n; i++)
		free(ns.v[i]);
	free(ns.v);
	git_diff_free(diff);
	git_tree_free(t_old);
	git_tree_free(t_new);
	git_commit_free(parent);
	git_commit_free(c);
	return ret;
}

/* ---- notes ---- */

int pg_git_note_read(struct pg_git *g, const char *ref, const char *oid, struct pg_buf *out,
		     struct pg_err *err)
{
	git_note *note = NULL;
	git_oid id;
	const char *msg;
	char s7[8];
	int rc;

	if (parse_oid(&id, oid, err) < 0)
		return -1;
	rc = git_note_read(&note, g->repo, ref, &id);
	if (rc == GIT_ENOTFOUND)
		return 1;
	if (rc < 0)
		return fail(err, PG_ERR_INFRA, "note %s on %s", ref, pg_git_short(oid, s7));
	msg = git_note_message(note);
	if (msg && strlen(msg) > NOTE_MAX) {
		git_note_free(note);
		return pg_err_set(err, PG_ERR_INFRA, "note %s on %s: larger than %zu bytes", ref,
				  pg_git_short(oid, s7), NOTE_MAX);
	}
	pg_buf_adds(out, msg ? msg : "");
	git_note_free(note);
	return 0;
}

int pg_git_note_write(struct pg_git *g, const char *ref, const char *oid, const char *text,
		      struct pg_err *err)
{
	git_signature *sig = NULL;
	git_oid id, note_id;
	char s7[8];
	int ret = -1;

	if (parse_oid(&id, oid, err) < 0)
		return -1;
	pg_git_short(oid, s7);
	if (strlen(text) > NOTE_MAX)
		return pg_err_set(err, PG_ERR_USAGE, "note on %s: larger than %zu bytes", s7, NOTE_MAX);
	if (git_signature_default(&sig, g->repo) < 0 &&
	    git_signature_now(&sig, "perfgate", "perfgate@localhost") < 0) {
		fail(err, PG_ERR_INFRA, "note signature");
		goto done;
	}
	if (git_note_create(&note_id, g->repo, ref, sig, sig, &id, text, 1) < 0) {
		fail(err, PG_ERR_INFRA, "cannot write note %s on %s", ref, s7);
		goto done;
	}
	ret = 0;
done:
	git_signature_free(sig);
	return ret;
}
