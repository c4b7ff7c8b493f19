/*
 * Fuzz target: a result document -> pg_result_from_json; what loads is
 * written back and must load again to the same text (save/load round trip).
 */
#include <string.h>

#include "fuzz.h"
#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_result r = PG_RESULT_INIT, r2 = PG_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;

	if (pg_result_from_json(&r, "fuzz.json", (const char *)data, size, &err) < 0) {
		FUZZ_CHECK(strstr(err.msg, "fuzz.json") != NULL);
		pg_result_release(&r);
		return 0;
	}
	char *text = pg_result_to_json(&r);
	FUZZ_CHECK(text != NULL);
	FUZZ_CHECK(pg_utf8_valid(text, strlen(text)));
	int rc = pg_result_from_json(&r2, "again.json", text, strlen(text), &err);
	if (rc < 0)
		fprintf(stderr, "reload: %s\n", err.msg);
	FUZZ_CHECK(rc == 0);
	char *text2 = pg_result_to_json(&r2);
	FUZZ_CHECK(strcmp(text, text2) == 0);
	free(text);
	free(text2);
	pg_result_release(&r);
	pg_result_release(&r2);
	return 0;
}
