/*
 * Fuzz target: perf script text -> pg_fold, fed in chunks whose size the
 * first byte picks (so a line split across feeds is exercised), with the
 * pid/tid options and a small stack cap picked by the second byte.
 * The same text fed whole must give the same folded output.
 */
#include "fold.h"
#include "prof_check.h"

static void fold(struct pg_buf *folded, const char *text, size_t len, size_t chunk,
		 const struct pg_prof_read_opts *opts)
{
	struct pg_prof p;
	struct pg_prof_warnings warn = {0};
	struct pg_fold f;

	pg_prof_init(&p, PG_PROF_SAMPLES);
	pg_fold_init(&f, &p, "fuzz.txt", opts, &warn);
	for (size_t off = 0; off < len; off += chunk)
		pg_fold_feed(&f, text + off, len - off < chunk ? len - off : chunk);
	pg_fold_finish(&f);
	fuzz_prof_check(&p, opts);
	pg_prof_write_folded(&p, folded);
	pg_fold_release(&f);
	pg_prof_release(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	struct pg_prof_read_opts opts = {0};
	size_t chunk = (size_t)data[0] + 1;
	opts.pid = data[1] & 1;
	opts.tid = data[1] & 2;
	if (data[1] & 4) {
		opts.max_stacks = 4;
		opts.max_frames = 8;
	}
	const char *text = (const char *)data + 2;
	size_t len = size - 2;

	struct pg_buf a = PG_BUF_INIT, b = PG_BUF_INIT;
	fold(&a, text, len, chunk, &opts);
	fold(&b, text, len, len ? len : 1, &opts);
	FUZZ_CHECK(a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0));
	pg_buf_release(&a);
	pg_buf_release(&b);
	return 0;
}
