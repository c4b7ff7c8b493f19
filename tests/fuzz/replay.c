/*
 * replay: main() for a fuzz target without libFuzzer. Runs the target on
 * every regular file named on the command line or found (not recursively)
 * in a directory named there, in name order, and reports how many ran.
 * Any crash or failed FUZZ_CHECK aborts, which fails the ctest.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "util.h"

static int run_file(const char *path)
{
	struct pg_buf b = PG_BUF_INIT;
	struct pg_err err = PG_ERR_INIT;

	if (pg_file_read(path, (size_t)64 << 20, &b, &err) < 0) {
		fprintf(stderr, "replay: %s\n", err.msg);
		return -1;
	}
	/* An owned copy of exactly len bytes, so ASan sees any overread. */
	size_t len = b.len;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		pg_die_oom(len ? len : 1);
	if (len)
		memcpy(copy, b.data, len);
	pg_buf_release(&b);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	size_t runs = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) < 0)
				rc = 1;
			runs++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		if (!d) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		char **names = NULL;
		size_t n = 0, alloc = 0;
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			PG_GROW(names, n + 1, alloc);
			names[n++] = pg_xasprintf("%s/%s", argv[i], e->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof(*names), by_name);
		for (size_t j = 0; j < n; j++) {
			if (stat(names[j], &st) == 0 && S_ISREG(st.st_mode)) {
				if (run_file(names[j]) < 0)
					rc = 1;
				runs++;
			}
			free(names[j]);
		}
		free(names);
	}
	printf("replay: %zu inputs\n", runs);
	if (!runs) {
		fprintf(stderr, "replay: no inputs\n");
		return 1;
	}
	return rc;
}
