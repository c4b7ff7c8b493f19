/*
 * notes: results kept with the repository, as git notes under
 * refs/notes/perfgate (PG_NOTES_REF) on the commit measured, so that a team
 * shares them with `git push origin refs/notes/perfgate` and
 * `git fetch origin refs/notes/perfgate:refs/notes/perfgate`.
 *
 * Owns: the note's document and its rules: which results go in, how many
 * are kept, and which come back as comparable. Reading and writing the note
 * itself is the git module's (pg_git_note_read / pg_git_note_write).
 * Must not: print, run anything, or compare results from different machines
 * or configs as if they were alike.
 *
 * The note (one per commit), JSON:
 *   { "perfgate_notes": 1,
 *     "results": [ <a perfgate_result document, as result.h writes it>, ... ] }
 * oldest first. Each result is keyed by its machine fingerprint
 * (machine.fingerprint, see machine.h) and its config hash (config_hash, the
 * sha256 of the config's bytes). A key keeps its PG_NOTES_MAX_PER_KEY newest
 * results; the whole note stays under PG_NOTES_MAX_BYTES by dropping the
 * oldest results (of any key). A note that is not this document (written by
 * hand, or by a newer perfgate) is an error naming the commit, never
 * overwritten.
 *
 * Use (save what `perfgate run` measured):
 *   struct pg_git *g; pg_git_open(&g, ".", &err);
 *   pg_notes_add_result(g, res.commit, &res, &err);   // res.commit == oid
 *
 * Use (load what is comparable with this machine and config):
 *   struct pg_machine m; pg_machine_probe(&m);
 *   struct pg_result *rs = NULL; size_t n = 0;
 *   struct pg_notes_stats st;
 *   int rc = pg_notes_load(g, oid, &m, cfg.hash, 0, &rs, &n, &st, &err);
 *   // rc 1: the commit has no note (n == 0); rc 0: n results, oldest first,
 *   // st.other_machine / st.other_config say how many were left out and why.
 *   pg_notes_free_results(rs, n);
 *
 * Both functions take a full 40-hex commit id (resolve revisions with
 * pg_git_resolve first).
 */
#ifndef PG_NOTES_H
#define PG_NOTES_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "git.h"
#include "machine.h"
#include "result.h"

#define PG_NOTES_VERSION 1
/* Results kept per (machine fingerprint, config hash) on one commit. */
#define PG_NOTES_MAX_PER_KEY 8
/* Bytes: a note never grows past this (the oldest results are dropped). */
#define PG_NOTES_MAX_BYTES ((size_t)1 << 20)

/* pg_notes_load flags */
#define PG_NOTES_WITH_DIRTY 1u /* also return results measured on a dirty tree */

struct pg_notes_stats {
	size_t total;	      /* results in the note */
	size_t other_machine; /* left out: another machine fingerprint */
	size_t other_config;  /* left out: same machine, another config hash */
	size_t dirty;	      /* left out: measured on a dirty tree (no PG_NOTES_WITH_DIRTY) */
};

/*
 * Append r to the note on commit oid under PG_NOTES_REF, creating it.
 * r must record that commit (r->has_commit and r->commit == oid), a machine
 * fingerprint and a config hash (PG_ERR_USAGE otherwise). Drops the key's
 * oldest results beyond PG_NOTES_MAX_PER_KEY and the note's oldest results
 * beyond PG_NOTES_MAX_BYTES; a single result larger than that is refused
 * (PG_ERR_USAGE, "result too large for a note"). An existing note that is
 * not perfgate's document: PG_ERR_INFRA naming the commit, left unchanged.
 */
int pg_notes_add_result(struct pg_git *g, const char *oid, const struct pg_result *r,
			struct pg_err *err);

/*
 * The results on commit oid comparable with machine and config_hash: the same
 * machine fingerprint (pg_machine_same) and, unless config_hash is NULL, the
 * same config hash; measured on a clean tree unless flags has
 * PG_NOTES_WITH_DIRTY. *out is an array of *n results, oldest first, owned by
 * the caller: pg_notes_free_results(*out, *n). stats may be NULL.
 * Returns 1 when the commit has no note (*out NULL, *n 0), 0 otherwise (also
 * when nothing matched: *n 0 and stats say why), -1 on error (a corrupt note
 * names the commit).
 */
int pg_notes_load(struct pg_git *g, const char *oid, const struct pg_machine *machine,
		  const char *config_hash, unsigned flags, struct pg_result **out, size_t *n,
		  struct pg_notes_stats *stats, struct pg_err *err);

void pg_notes_free_results(struct pg_result *rs, size_t n);

/*
 * Pure helpers behind the two above, for tests and for callers that hold the
 * note's text themselves (name is used in messages, e.g. "note on abc1234").
 * pg_notes_merge: *out (owned, free()) is note text (or NULL/"" for none)
 * with r appended under the rules above.
 * pg_notes_parse: the results of note text, filtered as pg_notes_load does.
 */
int pg_notes_merge(char **out, const char *name, const char *note, const struct pg_result *r,
		   struct pg_err *err);
int pg_notes_parse(const char *name, const char *note, size_t len, const struct pg_machine *machine,
		   const char *config_hash, unsigned flags, struct pg_result **out, size_t *n,
		   struct pg_notes_stats *stats, struct pg_err *err);

#endif
