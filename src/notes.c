/*
 * notes: perfgate's results as git notes (see notes.h).
 *
 * Every entry is a whole perfgate_result document, so a note read back goes
 * through the same validating reader as a results file (pg_result_from_json):
 * a note pushed by someone else is input from outside like any other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "notes.h"
#include "util.h"

/* What a note may hold, read back: PG_NOTES_MAX_BYTES with room for a hand edit. */
#define NOTE_READ_MAX (4 * PG_NOTES_MAX_BYTES)

static char *print_json(const cJSON *item)
{
	char *text = cJSON_PrintUnformatted(item), *copy;

	if (!text)
		pg_die_oom(0);
	copy = pg_xasprintf("%s", text);
	cJSON_free(text);
	return copy;
}

static const char *str_at(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The key an entry is kept under: its machine fingerprint and config hash. */
static bool same_key(const cJSON *a, const cJSON *b)
{
	const cJSON *ma = cJSON_GetObjectItemCaseSensitive(a, "machine"),
		    *mb = cJSON_GetObjectItemCaseSensitive(b, "machine");

	return !strcmp(str_at(ma, "fingerprint"), str_at(mb, "fingerprint")) &&
	       !strcmp(str_at(a, "config_hash"), str_at(b, "config_hash"));
}

/*
 * Parse note text into its results array. *root owned by the caller
 * (cJSON_Delete); *results borrowed from it. Empty text is an empty note.
 */
static int parse_note(cJSON **root, cJSON **results, const char *name, const char *note, size_t len,
		      struct pg_err *err)
{
	const cJSON *v;
	size_t i;

	*root = NULL;
	*results = NULL;
	for (i = 0;
	     i < len && (note[i] == ' ' || note[i] == '\n' || note[i] == '\t' || note[i] == '\r');
	     i++)
		;
	if (i == len) {
		*root = cJSON_CreateObject();
		cJSON_AddItemToObject(*root, "perfgate_notes",
				      cJSON_CreateNumber(PG_NOTES_VERSION));
		*results = cJSON_AddArrayToObject(*root, "results");
		if (!*root || !*results)
			pg_die_oom(0);
		return 0;
	}
	if (pg_json_parse(root, name, note, len, PG_JSON_MAX_DEPTH, err) < 0) {
		err->kind = PG_ERR_INFRA;
		return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(*root, "perfgate_notes");
	if (!cJSON_IsObject(*root) || !cJSON_IsNumber(v)) {
		pg_err_set(err, PG_ERR_INFRA, "%s: not perfgate's note (no \"perfgate_notes\")",
			   name);
		goto fail;
	}
	if (v->valuedouble != PG_NOTES_VERSION) {
		pg_err_set(err, PG_ERR_INFRA,
			   "%s: perfgate_notes version %g is not supported (this is %d)", name,
			   v->valuedouble, PG_NOTES_VERSION);
		goto fail;
	}
	*results = cJSON_GetObjectItemCaseSensitive(*root, "results");
	if (!cJSON_IsArray(*results)) {
		pg_err_set(err, PG_ERR_INFRA, "%s: \"results\": expected an array", name);
		goto fail;
	}
	return 0;
fail:
	cJSON_Delete(*root);
	*root = NULL;
	*results = NULL;
	return -1;
}

int pg_notes_merge(char **out, const char *name, const char *note, const struct pg_result *r,
		   struct pg_err *err)
{
	cJSON *root = NULL, *results, *entry = NULL, *e, *next;
	char *doc = NULL, *text = NULL;
	size_t kept = 0;
	int ret = -1;

	*out = NULL;
	if (!r->machine.fingerprint[0] || !r->config_hash[0]) {
		pg_err_set(err, PG_ERR_USAGE,
			   "%s: a result without a machine fingerprint and config hash cannot be "
			   "kept",
			   name);
		goto done;
	}
	if (parse_note(&root, &results, name, note ? note : "", note ? strlen(note) : 0, err) < 0)
		goto done;
	doc = pg_result_to_json(r);
	if (pg_json_parse(&entry, name, doc, strlen(doc), PG_JSON_MAX_DEPTH, err) < 0)
		goto done;

	/* The key's newest PG_NOTES_MAX_PER_KEY - 1 stay, with the new one. */
	for (e = results->child; e; e = e->next)
		if (same_key(e, entry))
			kept++;
	for (e = results->child; e && kept >= PG_NOTES_MAX_PER_KEY; e = next) {
		next = e->next;
		if (same_key(e, entry)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(results, e));
			kept--;
		}
	}
	cJSON_AddItemToArray(results, entry);
	entry = NULL;

	/* Then the whole note under its cap, the oldest results going first. */
	for (;;) {
		char *one = print_json(root);

		free(text);
		text = pg_xasprintf("%s\n", one); /* a line, as `git notes show` prints it */
		free(one);
		if (strlen(text) <= PG_NOTES_MAX_BYTES)
			break;
		if (cJSON_GetArraySize(results) <= 1) {
			pg_err_set(err, PG_ERR_USAGE,
				   "%s: result too large for a note (%zu bytes; at most %zu)", name,
				   strlen(text), PG_NOTES_MAX_BYTES);
			goto done;
		}
		cJSON_Delete(cJSON_DetachItemViaPointer(results, results->child));
	}
	*out = text;
	text = NULL;
	ret = 0;
done:
	cJSON_Delete(root);
	cJSON_Delete(entry);
	free(doc);
	free(text);
	return ret;
}

void pg_notes_free_results(struct pg_result *rs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pg_result_release(&rs[i]);
	free(rs);
}

int pg_notes_parse(const char *name, const char *note, size_t len, const struct pg_machine *machine,
		   const char *config_hash, unsigned flags, struct pg_result **out, size_t *n,
		   struct pg_notes_stats *stats, struct pg_err *err)
{
	struct pg_notes_stats st = {0};
	struct pg_result *rs = NULL;
	size_t nr = 0, alloc = 0;
	cJSON *root = NULL, *results;
	const cJSON *e;
	int ret = -1, i = 0;

	*out = NULL;
	*n = 0;
	if (parse_note(&root, &results, name, note, len, err) < 0)
		goto done;
	cJSON_ArrayForEach(e, results)
	{
		struct pg_result r = PG_RESULT_INIT;
		char *text = print_json(e), where[128];
		int rc;

		snprintf(where, sizeof(where), "%.80s: results[%d]", name, i++);
		rc = pg_result_from_json(&r, where, text, strlen(text), err);
		free(text);
		if (rc < 0) {
			err->kind = PG_ERR_INFRA;
			goto done;
		}
		st.total++;
		if (!pg_machine_same(&r.machine, machine)) {
			st.other_machine++;
		} else if (config_hash && strcmp(r.config_hash, config_hash)) {
			st.other_config++;
		} else if (r.dirty && !(flags & PG_NOTES_WITH_DIRTY)) {
			st.dirty++;
		} else {
			PG_GROW(rs, nr + 1, alloc);
			rs[nr++] = r;
			continue;
		}
		pg_result_release(&r);
	}
	*out = rs;
	*n = nr;
	rs = NULL;
	nr = 0;
	ret = 0;
done:
	pg_notes_free_results(rs, nr);
	cJSON_Delete(root);
	if (stats)
		*stats = st;
	return ret;
}

static void note_name(char *buf, size_t size, const char *oid)
{
	char s7[8];

	snprintf(buf, size, "note %s on %s", PG_NOTES_REF, pg_git_short(oid, s7));
}

int pg_notes_add_result(struct pg_git *g, const char *oid, const struct pg_result *r,
			struct pg_err *err)
{
	struct pg_buf old = PG_BUF_INIT;
	char name[96], s7[8], *text = NULL;
	int ret = -1, rc;

	note_name(name, sizeof(name), oid);
	if (!r->has_commit || strcmp(r->commit, oid)) {
		pg_err_set(err, PG_ERR_USAGE, "%s: the result was measured on %s, not on %s", name,
			   r->has_commit ? pg_git_short(r->commit, s7) : "no commit",
			   pg_git_short(oid, s7));
		goto done;
	}
	rc = pg_git_note_read(g, PG_NOTES_REF, oid, &old, err);
	if (rc < 0)
		goto done;
	if (pg_notes_merge(&text, name, rc == 1 ? NULL : pg_buf_cstr(&old), r, err) < 0)
		goto done;
	if (pg_git_note_write(g, PG_NOTES_REF, oid, text, err) < 0)
		goto done;
	ret = 0;
done:
	pg_buf_release(&old);
	free(text);
	return ret;
}

int pg_notes_load(struct pg_git *g, const char *oid, const struct pg_machine *machine,
		  const char *config_hash, unsigned flags, struct pg_result **out, size_t *n,
		  struct pg_notes_stats *stats, struct pg_err *err)
{
	struct pg_buf note = PG_BUF_INIT;
	char name[96];
	int ret = -1, rc;

	*out = NULL;
	*n = 0;
	if (stats)
		memset(stats, 0, sizeof(*stats));
	note_name(name, sizeof(name), oid);
	rc = pg_git_note_read(g, PG_NOTES_REF, oid, &note, err);
	if (rc != 0) {
		ret = rc;
		goto done;
	}
	if (note.len > NOTE_READ_MAX) {
		pg_err_set(err, PG_ERR_INFRA, "%s: larger than %zu bytes", name, NOTE_READ_MAX);
		goto done;
	}
	ret = pg_notes_parse(name, pg_buf_cstr(&note), note.len, machine, config_hash, flags, out,
			     n, stats, err);
done:
	pg_buf_release(&note);
	return ret;
}
