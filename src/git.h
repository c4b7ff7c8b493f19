/*
 * git: everything perfgate asks of a repository. The ONLY includer of <git2.h>.
 *
 * Owns: opening a repository, resolving revisions, listing a range,
 * private worktrees under the git directory, reading a file from a commit's
 * tree (never from disk), the functions a commit's diff touches, the state
 * of the user's HEAD, and git notes under refs/notes/perfgate.
 * Must not: touch the user's checkout, index, HEAD or branches; build shell
 * commands; print.
 *
 * Errors name the revision, commit or path, e.g.
 *   "unknown revision 'foo'"                       (PG_ERR_USAGE)
 *   "commit abc1234 not present (shallow clone?)"  (PG_ERR_INFRA; callers
 *       prefix the role: "base: ...")
 *   "repository '/x' is owned by uid 1000, not by you (add it to
 *       safe.directory)"                            (PG_ERR_INFRA)
 *   "not a git repository: '/x'"                   (PG_ERR_USAGE)
 *   "good abc1234 is not an ancestor of bad def5678" (PG_ERR_USAGE)
 *
 * Use:
 *   struct pg_git *g = NULL;
 *   if (pg_git_open(&g, ".", &err) < 0) ...
 *   char oid[PG_OID_HEX];  pg_git_resolve(g, "main~3", oid, &err);
 *   ...
 *   pg_git_free(g);
 */
#ifndef PG_GIT_H
#define PG_GIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "util.h"

#define PG_OID_HEX 41 /* 40 hex digits and a NUL */
#define PG_NOTES_REF "refs/notes/perfgate"

struct pg_git; /* opaque */

struct pg_git_commit {
	char oid[PG_OID_HEX];
	char *subject;       /* first line of the message */
	char *author_name;
	char *author_email;
	int64_t time;        /* author time, seconds since the epoch */
	char parents[2][PG_OID_HEX]; /* first two parents; "" when absent */
	unsigned nr_parents;
};

/* Open the repository containing path (discovers upward). Owns *out; free with pg_git_free. */
int pg_git_open(struct pg_git **out, const char *path, struct pg_err *err);
void pg_git_free(struct pg_git *g);

/* Borrowed: the working directory ("" for bare) and the git directory, with a trailing '/'. */
const char *pg_git_workdir(const struct pg_git *g);
const char *pg_git_gitdir(const struct pg_git *g);
/* perfgate's own state directory, <gitdir>/perfgate/, created on demand. Owned by caller. */
int pg_git_state_dir(struct pg_git *g, char **out, struct pg_err *err);

/* Resolve any revision (sha, prefix, branch, tag, HEAD~2, ...) to a commit id. */
int pg_git_resolve(struct pg_git *g, const char *rev, char oid[PG_OID_HEX], struct pg_err *err);
/* "abc1234": the 7-digit short form, for messages. Writes into buf[8]. */
const char *pg_git_short(const char *oid, char buf[8]);

int pg_git_commit_info(struct pg_git *g, const char *oid, struct pg_git_commit *out,
		       struct pg_err *err);
void pg_git_commit_release(struct pg_git_commit *c);

/*
 * The commits of good..bad (reachable from bad, not from good), oldest first,
 * bad last. first_parent: follow only first parents. *oids is an array of
 * *n strings of PG_OID_HEX bytes, owned by the caller (free()).
 * Errors: good not an ancestor of bad; an empty range.
 * In a shallow clone (libgit2 1.5's walks fail at the shallow boundary, and
 * leak) the range is the first-parent chain from bad down to good, which
 * must lie on it; otherwise "not present (shallow clone?)", PG_ERR_INFRA.
 */
int pg_git_range(struct pg_git *g, const char *good_oid, const char *bad_oid, bool first_parent,
		 char (**oids)[PG_OID_HEX], size_t *n, struct pg_err *err);

/*
 * Read path from the tree of commit oid (the object database, not the disk),
 * refusing blobs over cap bytes. Returns 0 and appends to out; returns 1 if
 * the commit has no such file; -1 on error.
 */
int pg_git_read_file(struct pg_git *g, const char *oid, const char *path, size_t cap,
		     struct pg_buf *out, struct pg_err *err);

/*
 * A private worktree named name (a slug: [a-z0-9-], at most 64 bytes) at
 * <gitdir>/perfgate/worktrees/<name>, created on first use and reused: the
 * tree of oid is checked out into it with its own index (<name>.index beside
 * the directory, never inside it), updating only the files that differ from
 * what is there (unchanged files keep their mtimes, so incremental builds
 * stay fast); tracked files modified or deleted by a build are reset; files
 * the commit does not have are removed; untracked and ignored build outputs
 * are kept. <name>.oid records the commit once a checkout has completed; a
 * checkout that was interrupted is redone from an empty directory.
 * The user's checkout, index, HEAD and refs are not touched; no branch is made.
 * A missing object is PG_ERR_INFRA with libgit2's message (it names the id).
 * *path_out (owned by caller) is the worktree's directory, without a trailing '/'.
 */
int pg_git_worktree_checkout(struct pg_git *g, const char *name, const char *oid, char **path_out,
			     struct pg_err *err);
/*
 * The commit last checked out completely into private worktree name:
 * 0 and oid filled; 1 when there is none (never made, removed, or a
 * checkout was interrupted).
 */
int pg_git_worktree_current(struct pg_git *g, const char *name, char oid[PG_OID_HEX],
			    struct pg_err *err);
/* Remove a private worktree and its files. Succeeds if it does not exist. */
int pg_git_worktree_remove(struct pg_git *g, const char *name, struct pg_err *err);

/* The user's HEAD commit (oid "" on an unborn branch) and whether the
 * checkout differs from it (staged, unstaged or untracked non-ignored). */
int pg_git_head_state(struct pg_git *g, char oid[PG_OID_HEX], bool *dirty, struct pg_err *err);

/*
 * The functions that commit oid changed against its first parent: the
 * function context of each diff hunk (the "@@ ... @@ context" text, reduced
 * to the function's name) and the functions whose definitions the hunk's
 * lines fall in. Deduplicated, in diff order; *names owned by the caller
 * (free each, then the array).
 */
int pg_git_touched_functions(struct pg_git *g, const char *oid, char ***names, size_t *n,
			     struct pg_err *err);

/* Longest function name the scan keeps, in bytes. */
#define PG_GIT_FUNC_NAME_MAX 200
/*
 * The scan's rule for one line (pure, for tests): true, and the name in
 * name, when the line [line, line + len) is the first line of a function
 * definition in the language of path's extension (C-like by default; Go,
 * Python, JavaScript/TypeScript, Rust). C-like: at column 0, not a
 * preprocessor line, not ending in ';', no '=' before the parameters; the
 * name is the identifier before the first '(' that is not an attribute's
 * (__attribute__((...)), __declspec(...), [[...]], alignas(...)), so
 * `__attribute__((noinline)) uint32_t f(int k)` and `char *f(void)` define f.
 */
bool pg_git_function_defined(const char *path, const char *line, size_t len,
			     char name[PG_GIT_FUNC_NAME_MAX + 1]);

/* Notes under ref (PG_NOTES_REF): read returns 1 when the commit has none. */
int pg_git_note_read(struct pg_git *g, const char *ref, const char *oid, struct pg_buf *out,
		     struct pg_err *err);
int pg_git_note_write(struct pg_git *g, const char *ref, const char *oid, const char *text,
		      struct pg_err *err);

#endif
