#include "attrib.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Most caller paths an orphan allocator stack is split across (rule R3):
 * the biggest ones; keeps the tidy profile's size bounded. */
#define MAX_ORPHAN_CALLERS 64

/* ---- frame names ------------------------------------------------------ */

static bool is_kernel(const char *name)
{
	return pg_str_endswith(name, "_[k]");
}

static bool is_unknown(const char *name)
{
	return !*name || !strcmp(name, "[unknown]");
}

enum match { EXACT, PREFIX };

struct pattern {
	enum match how;
	const char *text;
};

/*
 * Name patterns per class, matched against the frame name without a kernel
 * "_[k]" suffix and without gcc clone suffixes (".isra.0", ".constprop.0").
 * Chosen from what glibc, libstdc++, the Linux kernel, Go and the JVM put on
 * stacks. Deliberately left out: libm's log/logf/log2 (CPU work, not
 * logging), __cxa_* other than dynamic casts (exceptions and static-init
 * guards are not dispatch), and mmap/brk (page-level, counted as CPU).
 */
static const struct pattern alloc_patterns[] = {
	{ EXACT, "malloc" }, { EXACT, "free" }, { EXACT, "calloc" }, { EXACT, "realloc" },
	{ EXACT, "reallocarray" }, { EXACT, "cfree" }, { EXACT, "posix_memalign" },
	{ EXACT, "aligned_alloc" }, { EXACT, "memalign" }, { EXACT, "valloc" },
	{ EXACT, "_int_malloc" }, { EXACT, "_int_free" }, { EXACT, "_int_realloc" },
	{ EXACT, "_int_memalign" }, { EXACT, "malloc_consolidate" }, { EXACT, "sysmalloc" },
	{ EXACT, "unlink_chunk" }, { PREFIX, "__libc_malloc" }, { PREFIX, "__libc_free" },
	{ PREFIX, "__libc_calloc" }, { PREFIX, "__libc_realloc" }, { PREFIX, "__GI___libc_malloc" },
	{ PREFIX, "__GI___libc_free" }, { PREFIX, "__malloc" }, { PREFIX, "__free" },
	{ PREFIX, "tcache_" }, { PREFIX, "_int_free_" }, { EXACT, "_Znwm" }, { EXACT, "_Znam" },
	{ PREFIX, "_ZdlPv" }, { PREFIX, "_ZdaPv" }, { PREFIX, "_ZnwmRKSt9nothrow_t" },
	{ PREFIX, "operator new" }, { PREFIX, "operator delete" }, { PREFIX, "je_" },
	{ PREFIX, "tc_malloc" }, { PREFIX, "tc_free" }, { PREFIX, "mi_malloc" }, { PREFIX, "mi_free" },
	{ PREFIX, "runtime.mallocgc" }, { PREFIX, "runtime.gcBgMarkWorker" },
	{ PREFIX, "runtime.gcDrain" }, { PREFIX, "runtime.scanobject" },
	{ PREFIX, "runtime.markroot" }, { PREFIX, "runtime.sweepone" }, { PREFIX, "GC_" },
	{ PREFIX, "G1ParTask" }, { PREFIX, "GCTaskThread" }, { PREFIX, "[GC Thread" },
	{ PREFIX, "(garbage collector)" }, { PREFIX, "(garbage collector)" },
};

static const struct pattern lock_patterns[] = {
	{ PREFIX, "pthread_mutex_" }, { PREFIX, "__pthread_mutex_" }, { PREFIX, "___pthread_mutex_" },
	{ PREFIX, "pthread_rwlock_" }, { PREFIX, "__pthread_rwlock_" }, { PREFIX, "pthread_spin_" },
	{ PREFIX, "pthread_cond_" }, { PREFIX, "__pthread_cond_" }, { PREFIX, "___pthread_cond_" },
	{ PREFIX, "futex" }, { PREFIX, "__futex" }, { PREFIX, "do_futex" },
	{ PREFIX, "__x64_sys_futex" }, { PREFIX, "__lll_lock" }, { PREFIX, "__lll_unlock" },
	{ PREFIX, "lll_lock" }, { PREFIX, "sem_wait" }, { PREFIX, "sem_timedwait" },
	{ PREFIX, "__new_sem_wait" }, { PREFIX, "std::mutex::" }, { PREFIX, "std::shared_mutex::" },
	{ PREFIX, "runtime.lock" }, { PREFIX, "runtime.unlock" }, { PREFIX, "sync.(*Mutex)" },
	{ PREFIX, "sync.(*RWMutex)" }, { PREFIX, "native_queued_spin_lock_slowpath" },
	{ PREFIX, "_raw_spin_lock" }, { PREFIX, "java/util/concurrent/locks/" },
};

static const struct pattern io_patterns[] = {
	{ EXACT, "read" }, { EXACT, "write" }, { EXACT, "pread" }, { EXACT, "pread64" },
	{ EXACT, "pwrite" }, { EXACT, "pwrite64" }, { EXACT, "readv" }, { EXACT, "writev" },
	{ EXACT, "open" }, { EXACT, "open64" }, { EXACT, "openat" }, { EXACT, "openat64" },
	{ EXACT, "close" }, { EXACT, "fsync" }, { EXACT, "fdatasync" }, { EXACT, "fread" },
	{ EXACT, "fwrite" }, { EXACT, "fflush" }, { EXACT, "send" }, { EXACT, "recv" },
	{ EXACT, "sendto" }, { EXACT, "recvfrom" }, { EXACT, "sendmsg" }, { EXACT, "recvmsg" },
	{ EXACT, "poll" }, { EXACT, "select" }, { EXACT, "epoll_wait" }, { EXACT, "__poll" },
	{ PREFIX, "__libc_read" }, { PREFIX, "__libc_write" }, { PREFIX, "__libc_pread" },
	{ PREFIX, "__libc_pwrite" }, { PREFIX, "__libc_open" }, { PREFIX, "__libc_recv" },
	{ PREFIX, "__libc_send" }, { PREFIX, "__GI___libc_read" }, { PREFIX, "__GI___libc_write" },
	{ EXACT, "__read" }, { EXACT, "__write" }, { PREFIX, "__read_nocancel" },
	{ PREFIX, "__write_nocancel" }, { PREFIX, "_IO_" }, { PREFIX, "new_do_write" },
	{ PREFIX, "vfs_" }, { PREFIX, "ext4_" }, { PREFIX, "xfs_" }, { PREFIX, "btrfs_" },
	{ PREFIX, "nfs_" }, { PREFIX, "ksys_read" }, { PREFIX, "ksys_write" },
	{ PREFIX, "ksys_pread" }, { PREFIX, "ksys_pwrite" }, { PREFIX, "__x64_sys_read" },
	{ PREFIX, "__x64_sys_write" }, { PREFIX, "__x64_sys_pread" }, { PREFIX, "__x64_sys_pwrite" },
	{ PREFIX, "__x64_sys_open" }, { PREFIX, "__x64_sys_sendto" }, { PREFIX, "__x64_sys_recvfrom" },
	{ PREFIX, "__x64_sys_fsync" }, { PREFIX, "tcp_" }, { PREFIX, "sock_" }, { PREFIX, "__sys_sendto" },
	{ PREFIX, "__sys_recvfrom" }, { PREFIX, "blk_" }, { PREFIX, "submit_bio" },
	{ PREFIX, "generic_file_" }, { PREFIX, "filemap_" }, { PREFIX, "io_schedule" },
	{ PREFIX, "os.(*File)." }, { PREFIX, "internal/poll." }, { PREFIX, "syscall.Syscall" },
	{ PREFIX, "java/io/" }, { PREFIX, "sun/nio/" },
};

static const struct pattern logging_patterns[] = {
	{ EXACT, "printf" }, { EXACT, "fprintf" }, { EXACT, "vfprintf" }, { EXACT, "vprintf" },
	{ EXACT, "dprintf" }, { EXACT, "vdprintf" }, { EXACT, "puts" }, { EXACT, "fputs" },
	{ EXACT, "perror" }, { EXACT, "syslog" }, { EXACT, "vsyslog" }, { PREFIX, "__syslog" },
	{ PREFIX, "__vsyslog" }, { EXACT, "__printf" }, { EXACT, "__fprintf" },
	{ PREFIX, "__vfprintf" }, { PREFIX, "__printf_chk" }, { PREFIX, "__fprintf_chk" },
	{ PREFIX, "__vfprintf_chk" }, { PREFIX, "__printf_fp" }, { PREFIX, "__GI___printf_fp" },
	{ EXACT, "_IO_printf" }, { PREFIX, "log_" }, { PREFIX, "Log::" }, { PREFIX, "Logger" },
	{ PREFIX, "logger" }, { PREFIX, "logging." }, { PREFIX, "g_log" }, { PREFIX, "spdlog::" },
	{ PREFIX, "google::LogMessage" }, { PREFIX, "fmt.Printf" }, { PREFIX, "fmt.Fprintf" },
	{ PREFIX, "fmt.Println" }, { PREFIX, "log.(*Logger)" }, { PREFIX, "log.Printf" },
	{ PREFIX, "java/util/logging/" }, { PREFIX, "org/slf4j/" }, { PREFIX, "org/apache/logging/" },
};

static const struct pattern dispatch_patterns[] = {
	{ PREFIX, "__x86_indirect_thunk" }, { PREFIX, "__x86_indirect_call_thunk" },
	{ PREFIX, "_dl_runtime_resolve" }, { PREFIX, "_dl_fixup" }, { PREFIX, "__dynamic_cast" },
	{ PREFIX, "__cxxabiv1::" }, { PREFIX, "virtual thunk to " }, { PREFIX, "non-virtual thunk to " },
	{ PREFIX, "objc_msgSend" }, { PREFIX, "runtime.getitab" }, { PREFIX, "runtime.assertE2I" },
	{ PREFIX, "runtime.assertI2I" }, { PREFIX, "runtime.typeAssert" },
	{ PREFIX, "std::_Function_handler" }, { PREFIX, "itable stub" }, { PREFIX, "vtable stub" },
};

/* The frame name reduced for pattern matching, into buf. */
static const char *match_name(const char *name, char *buf, size_t size)
{
	size_t len = strlen(name);
	static const char *const clones[] = { ".isra.", ".constprop.", ".part.", ".cold",
					      ".lto_priv.", ".localalias" };
	size_t i;

	if (len >= 4 && name[len - 4] == '_' && name[len - 3] == '[' && name[len - 1] == ']')
		len -= 4; /* _[k], _[j], _[i]: perf and async-profiler annotations */
	if (len >= size)
		len = size - 1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	for (i = 0; i < PG_ARRAY_SIZE(clones); i++) {
		char *c = strstr(buf, clones[i]);
		if (c && c != buf)
			*c = '\0';
	}
	return buf;
}

static bool match_any(const char *name, const struct pattern *pats, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (pats[i].how == EXACT ? !strcmp(name, pats[i].text)
					 : pg_str_startswith(name, pats[i].text))
			return true;
	}
	return false;
}

enum pg_attrib_class pg_attrib_classify_frame(const char *name)
{
	char buf[512];
	const char *n = match_name(name, buf, sizeof(buf));

	if (match_any(n, logging_patterns, PG_ARRAY_SIZE(logging_patterns)))
		return PG_ATTRIB_LOGGING;
	if (match_any(n, alloc_patterns, PG_ARRAY_SIZE(alloc_patterns)))
		return PG_ATTRIB_ALLOC;
	if (match_any(n, lock_patterns, PG_ARRAY_SIZE(lock_patterns)))
		return PG_ATTRIB_LOCK;
	if (match_any(n, io_patterns, PG_ARRAY_SIZE(io_patterns)))
		return PG_ATTRIB_IO;
	if (match_any(n, dispatch_patterns, PG_ARRAY_SIZE(dispatch_patterns)))
		return PG_ATTRIB_DISPATCH;
	return PG_ATTRIB_CPU;
}

const char *pg_attrib_class_name(enum pg_attrib_class cls)
{
	static const char *const names[] = { "cpu", "allocator", "lock", "io", "logging",
					     "dispatch" };
	return (unsigned)cls < PG_ARRAY_SIZE(names) ? names[cls] : "cpu";
}

const char *pg_attrib_next_step(enum pg_attrib_class cls)
{
	switch (cls) {
	case PG_ATTRIB_ALLOC:
		return "Allocator pressure: find the callers that allocate on the hot path and reuse "
		       "buffers, preallocate or pool objects; confirm with a heap profiler "
		       "(heaptrack, valgrind --tool=massif).";
	case PG_ATTRIB_LOCK:
		return "Lock contention: shorten or split the critical section, or shard the lock; "
		       "measure waits with `perf lock` or off-CPU profiling.";
	case PG_ATTRIB_IO:
		return "I/O: batch or buffer the reads and writes, or move them off the hot path; "
		       "count the system calls with `strace -c`.";
	case PG_ATTRIB_LOGGING:
		return "Logging: lower the level or guard the logging call on the hot path, and do "
		       "not format messages that are never emitted.";
	case PG_ATTRIB_DISPATCH:
		return "Dynamic dispatch: devirtualise the hot call (final classes, templates, "
		       "link-time optimisation) or hoist the indirect call out of the loop.";
	case PG_ATTRIB_CPU:
	default:
		return "CPU-bound: read the named function's algorithm and inner loop with "
		       "`perf annotate` and reduce the work it does per call or how often it is "
		       "called.";
	}
}

/* Base name for matching touched functions: no "_[x]" annotation, no gcc
 * clone suffix, no trailing parameter list or qualifiers, no namespace,
 * class or package qualification. */
static const char *base_name(const char *name, char *buf, size_t size)
{
	char *end, *p;
	const char *start;

	match_name(name, buf, size);
	end = buf + strlen(buf);
	if (end - buf > 6 && !strcmp(end - 6, " const"))
		*(end -= 6) = '\0';
	if (end > buf && end[-1] == ')') {
		int depth = 0;
		for (p = end - 1; p >= buf; p--) {
			if (*p == ')')
				depth++;
			else if (*p == '(' && --depth == 0)
				break;
		}
		if (p > buf)
			*p = '\0';
	}
	start = buf;
	for (p = buf; *p; p++) {
		if (p[0] == ':' && p[1] == ':')
			start = p + 2;
		else if (p[0] == '.' && p[1] && p[1] != '.')
			start = p + 1;
	}
	return start;
}

bool pg_attrib_name_matches(const char *frame, const char *touched)
{
	char b1[512], b2[512];
	const char *f, *t;

	if (!*touched || !*frame)
		return false;
	if (!strcmp(frame, touched))
		return true;
	f = base_name(frame, b1, sizeof(b1));
	t = base_name(touched, b2, sizeof(b2));
	return *f && !strcmp(f, t);
}

/* ---- a map from frame-id sequences to indexes -------------------------- */

struct smap {
	uint32_t **keys;
	uint32_t *lens;
	size_t n, alloc, alloc_lens;
	uint32_t *ht;
	size_t ht_size;
};

static uint64_t hash_ids(const uint32_t *k, uint32_t len)
{
	uint64_t h = 1469598103934665603ull;
	uint32_t i;

	for (i = 0; i < len; i++) {
		h ^= k[i];
		h *= 1099511628211ull;
	}
	return h ^ len;
}

static void smap_rehash(struct smap *m)
{
	size_t n = m->ht_size ? m->ht_size * 2 : 256, i;

	free(m->ht);
	m->ht = pg_xmalloc(n * sizeof(*m->ht));
	memset(m->ht, 0xff, n * sizeof(*m->ht));
	m->ht_size = n;
	for (i = 0; i < m->n; i++) {
		size_t h = hash_ids(m->keys[i], m->lens[i]) & (n - 1);
		while (m->ht[h] != UINT32_MAX)
			h = (h + 1) & (n - 1);
		m->ht[h] = (uint32_t)i;
	}
}

/* Index of key; created when create is set, else SIZE_MAX when absent. */
static size_t smap_get(struct smap *m, const uint32_t *k, uint32_t len, bool create)
{
	size_t h;

	if ((m->n + 1) * 2 > m->ht_size)
		smap_rehash(m);
	h = hash_ids(k, len) & (m->ht_size - 1);
	while (m->ht[h] != UINT32_MAX) {
		uint32_t i = m->ht[h];
		if (m->lens[i] == len && !memcmp(m->keys[i], k, len * sizeof(*k)))
			return i;
		h = (h + 1) & (m->ht_size - 1);
	}
	if (!create)
		return SIZE_MAX;
	PG_GROW(m->keys, m->n + 1, m->alloc);
	PG_GROW(m->lens, m->n + 1, m->alloc_lens);
	m->keys[m->n] = pg_xmalloc((len ? len : 1) * sizeof(*k));
	if (len)
		memcpy(m->keys[m->n], k, len * sizeof(*k));
	m->lens[m->n] = len;
	m->ht[h] = (uint32_t)m->n;
	return m->n++;
}

static void smap_release(struct smap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->lens);
	free(m->ht);
	memset(m, 0, sizeof(*m));
}

/* ---- rules R1-R4 -------------------------------------------------------- */

static void prof_like(struct pg_prof *out, const struct pg_prof *src)
{
	pg_prof_init(out, src->unit);
	out->period_ns = src->period_ns;
	out->runs = src->runs;
	out->event = src->event ? pg_xstrdup(src->event) : NULL;
}

/* R1 and R2 into out (frame ids of out). */
static void tidy_frames(struct pg_prof *out, const struct pg_prof *src)
{
	uint32_t *ids = NULL, unknown_id;
	size_t alloc = 0, i;

	unknown_id = pg_prof_intern(out, "[unknown]", 9);
	for (i = 0; i < src->nr_stacks; i++) {
		const struct pg_prof_stack *s = &src->stacks[i];
		uint32_t d, n = 0, last_user = UINT32_MAX;

		PG_GROW(ids, s->depth + 1, alloc);
		for (d = 0; d < s->depth; d++) {
			const char *name = pg_prof_name(src, s->frames[d]);
			if (is_unknown(name))
				continue; /* R1 */
			if (!is_kernel(name))
				last_user = n;
			ids[n++] = pg_prof_intern(out, name, strlen(name));
		}
		if (n == 0)
			ids[n++] = unknown_id; /* R1: nothing known at all */
		else if (last_user != UINT32_MAX)
			n = last_user + 1; /* R2: kernel tail paid by the user frame above */
		pg_prof_add(out, ids, n, s->weight);
	}
	free(ids);
}

struct caller_path {
	size_t stack; /* index into the profile's stacks */
	uint32_t len; /* frames before the first allocator frame */
	double weight;
};

static int cmp_caller_weight(const void *a, const void *b)
{
	const struct caller_path *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight < y->weight ? 1 : -1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

/* R3 into out; src has out's frame ids (both share interning via copy). */
static void tidy_orphans(struct pg_prof *out, const struct pg_prof *src)
{
	struct smap paths = { 0 };
	struct caller_path *callers = NULL;
	size_t nr_callers = 0, alloc_callers = 0, i, j, k;
	bool *is_alloc = pg_xcalloc(src->nr_frames ? src->nr_frames : 1, sizeof(*is_alloc));
	uint32_t *ids = NULL;
	size_t alloc_ids = 0;
	double sum = 0;

	for (i = 0; i < src->nr_frames; i++) {
		is_alloc[i] = pg_attrib_classify_frame(src->frames[i]) == PG_ATTRIB_ALLOC;
		pg_prof_intern(out, src->frames[i], strlen(src->frames[i])); /* same ids */
	}
	for (i = 0; i < src->nr_stacks; i++) {
		const struct pg_prof_stack *s = &src->stacks[i];
		uint32_t d;
		size_t idx;

		if (!s->depth || is_alloc[s->frames[0]])
			continue;
		for (d = 1; d < s->depth && !is_alloc[s->frames[d]]; d++)
			;
		if (d == s->depth)
			continue;
		idx = smap_get(&paths, s->frames, d, true);
		if (idx == nr_callers) {
			PG_GROW(callers, nr_callers + 1, alloc_callers);
			callers[nr_callers++] = (struct caller_path){ i, d, 0 };
		}
		callers[idx].weight += s->weight;
	}
	if (nr_callers)
		qsort(callers, nr_callers, sizeof(*callers), cmp_caller_weight);
	if (nr_callers > MAX_ORPHAN_CALLERS)
		nr_callers = MAX_ORPHAN_CALLERS;
	for (j = 0; j < nr_callers; j++)
		sum += callers[j].weight;

	for (i = 0; i < src->nr_stacks; i++) {
		const struct pg_prof_stack *s = &src->stacks[i];

		if (!s->depth || !is_alloc[s->frames[0]] || sum <= 0) {
			pg_prof_add(out, s->frames, s->depth, s->weight);
			continue;
		}
		for (j = 0; j < nr_callers; j++) {
			const struct pg_prof_stack *c = &src->stacks[callers[j].stack];
			uint32_t len = callers[j].len;

			PG_GROW(ids, (size_t)len + s->depth, alloc_ids);
			for (k = 0; k < len; k++)
				ids[k] = c->frames[k];
			memcpy(ids + len, s->frames, s->depth * sizeof(*ids));
			pg_prof_add(out, ids, len + s->depth, s->weight * callers[j].weight / sum);
		}
	}
	free(ids);
	free(callers);
	free(is_alloc);
	smap_release(&paths);
}

struct leaf_parent {
	size_t key;  /* smap index of prefix;L */
	uint32_t y;  /* the caller that X;L lost */
	double weight;
};

static int cmp_leaf_parent(const void *a, const void *b)
{
	const struct leaf_parent *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->y < y->y ? -1 : x->y > y->y;
}

/* R4 into out. */
static void tidy_fp_leaves(struct pg_prof *out, const struct pg_prof *src)
{
	struct smap keys = { 0 };
	struct leaf_parent *lp = NULL;
	size_t nr_lp = 0, alloc_lp = 0, i, *first = NULL;
	uint32_t *ids = NULL;
	size_t alloc_ids = 0;

	for (i = 0; i < src->nr_frames; i++)
		pg_prof_intern(out, src->frames[i], strlen(src->frames[i]));
	for (i = 0; i < src->nr_stacks; i++) {
		const struct pg_prof_stack *s = &src->stacks[i];
		uint32_t d = s->depth;

		if (d < 3 || s->frames[d - 2] == s->frames[d - 1] || s->frames[d - 3] == s->frames[d - 1])
			continue;
		PG_GROW(ids, d, alloc_ids);
		memcpy(ids, s->frames, (d - 2) * sizeof(*ids));
		ids[d - 2] = s->frames[d - 1];
		PG_GROW(lp, nr_lp + 1, alloc_lp);
		lp[nr_lp].key = smap_get(&keys, ids, d - 1, true);
		lp[nr_lp].y = s->frames[d - 2];
		lp[nr_lp++].weight = s->weight;
	}
	if (nr_lp)
		qsort(lp, nr_lp, sizeof(*lp), cmp_leaf_parent);
	first = pg_xmalloc((keys.n + 1) * sizeof(*first));
	for (i = 0; i <= keys.n; i++)
		first[i] = nr_lp;
	for (i = nr_lp; i-- > 0;)
		first[lp[i].key] = i;

	for (i = 0; i < src->nr_stacks; i++) {
		const struct pg_prof_stack *s = &src->stacks[i];
		size_t key = s->depth >= 2 ? smap_get(&keys, s->frames, s->depth, false) : SIZE_MAX;
		double sum = 0;
		size_t j;

		if (key == SIZE_MAX) {
			pg_prof_add(out, s->frames, s->depth, s->weight);
			continue;
		}
		for (j = first[key]; j < nr_lp && lp[j].key == key; j++)
			sum += lp[j].weight;
		PG_GROW(ids, (size_t)s->depth + 1, alloc_ids);
		memcpy(ids, s->frames, (s->depth - 1) * sizeof(*ids));
		ids[s->depth] = s->frames[s->depth - 1];
		for (j = first[key]; j < nr_lp && lp[j].key == key; j++) {
			ids[s->depth - 1] = lp[j].y;
			pg_prof_add(out, ids, s->depth + 1, s->weight * lp[j].weight / sum);
		}
	}
	free(first);
	free(ids);
	free(lp);
	smap_release(&keys);
}

void pg_attrib_tidy(struct pg_prof *out, const struct pg_prof *src, bool frame_pointers)
{
	struct pg_prof a, b;

	prof_like(&a, src);
	tidy_frames(&a, src);
	prof_like(&b, &a);
	tidy_orphans(&b, &a);
	pg_prof_release(&a);
	if (!frame_pointers) {
		*out = b;
		return;
	}
	prof_like(out, &b);
	tidy_fp_leaves(out, &b);
	pg_prof_release(&b);
}

/* ---- costs ---------------------------------------------------------------- */

struct side {
	struct pg_prof tidy;
	uint32_t *map;     /* tidy frame id -> combined id */
	double scale;      /* per-run cost of one unit of weight */
	double *self, *total;
	double sum;        /* per run */
};

static void side_count(struct side *sd, const struct pg_prof *src, struct pg_prof *names,
		       bool fp)
{
	size_t i;

	pg_attrib_tidy(&sd->tidy, src, fp);
	sd->scale = pg_prof_per_run(src, 1.0);
	sd->map = pg_xmalloc((sd->tidy.nr_frames ? sd->tidy.nr_frames : 1) * sizeof(*sd->map));
	for (i = 0; i < sd->tidy.nr_frames; i++)
		sd->map[i] = pg_prof_intern(names, sd->tidy.frames[i], strlen(sd->tidy.frames[i]));
}

static void side_costs(struct side *sd, size_t nr_names)
{
	uint32_t *stamp = pg_xcalloc(nr_names ? nr_names : 1, sizeof(*stamp));
	size_t i;

	sd->self = pg_xcalloc(nr_names ? nr_names : 1, sizeof(double));
	sd->total = pg_xcalloc(nr_names ? nr_names : 1, sizeof(double));
	for (i = 0; i < sd->tidy.nr_stacks; i++) {
		const struct pg_prof_stack *s = &sd->tidy.stacks[i];
		double w = s->weight * sd->scale;
		uint32_t d;

		sd->sum += w;
		if (!s->depth)
			continue;
		sd->self[sd->map[s->frames[s->depth - 1]]] += w;
		for (d = 0; d < s->depth; d++) {
			uint32_t id = sd->map[s->frames[d]];
			if (stamp[id] == (uint32_t)i + 1)
				continue; /* R5: once per stack */
			stamp[id] = (uint32_t)i + 1;
			sd->total[id] += w;
		}
	}
	free(stamp);
}

static void side_release(struct side *sd)
{
	pg_prof_release(&sd->tidy);
	free(sd->map);
	free(sd->self);
	free(sd->total);
}

static int cmp_fn(const void *a, const void *b)
{
	const struct pg_attrib_fn *x = a, *y = b;
	double dx = x->self_after - x->self_before, dy = y->self_after - y->self_before;

	if (dx != dy)
		return dx < dy ? 1 : -1;
	dx = x->total_after - x->total_before;
	dy = y->total_after - y->total_before;
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int cmp_by_total(const void *a, const void *b, void *arg)
{
	const struct pg_attrib_fn *fns = arg;
	const struct pg_attrib_fn *x = &fns[*(const size_t *)a];
	const struct pg_attrib_fn *y = &fns[*(const size_t *)b];
	double dx = x->total_after - x->total_before, dy = y->total_after - y->total_before;

	if (dx != dy)
		return dx < dy ? 1 : -1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int cmp_cost_desc(const void *a, const void *b, void *arg)
{
	const double *cost = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (cost[x] != cost[y])
		return cost[x] < cost[y] ? 1 : -1;
	return x < y ? -1 : 1;
}

static void top_leaves(struct pg_attrib_leaf *top, size_t *nr, const struct side *sd,
		       const struct pg_prof *names)
{
	uint32_t *idx = pg_xmalloc((names->nr_frames ? names->nr_frames : 1) * sizeof(*idx));
	size_t i, n = 0;

	for (i = 0; i < names->nr_frames; i++)
		if (sd->self[i] > 0)
			idx[n++] = (uint32_t)i;
	if (n)
		qsort_r(idx, n, sizeof(*idx), cmp_cost_desc, sd->self);
	if (n > PG_ATTRIB_TOP_LEAVES)
		n = PG_ATTRIB_TOP_LEAVES;
	for (i = 0; i < n; i++) {
		top[i].name = pg_xstrdup(names->frames[idx[i]]);
		top[i].cost = sd->self[idx[i]];
		top[i].share = sd->sum > 0 ? top[i].cost / sd->sum : 0;
	}
	*nr = n;
	free(idx);
}

/* Class of the hot path through function r: per stack, the first frame of
 * a class from r's deepest occurrence down to the leaf (kernel frames
 * included); the class whose per-run cost grew most wins. */
static enum pg_attrib_class classify(const struct pg_prof *src[2], uint32_t r_name,
				     const struct pg_prof *names, enum pg_attrib_class r_cls)
{
	double grow[PG_ATTRIB_NR_CLASSES] = { 0 };
	int side, c, best = -1;

	for (side = 0; side < 2; side++) {
		const struct pg_prof *p = src[side];
		double scale = pg_prof_per_run(p, 1.0) * (side ? 1 : -1);
		uint32_t *cls = pg_xmalloc((p->nr_frames ? p->nr_frames : 1) * sizeof(*cls));
		bool *is_r = pg_xcalloc(p->nr_frames ? p->nr_frames : 1, sizeof(*is_r));
		size_t i;

		for (i = 0; i < p->nr_frames; i++) {
			cls[i] = pg_attrib_classify_frame(p->frames[i]);
			is_r[i] = !strcmp(p->frames[i], names->frames[r_name]);
		}
		for (i = 0; i < p->nr_stacks; i++) {
			const struct pg_prof_stack *s = &p->stacks[i];
			uint32_t d, at = UINT32_MAX;
			enum pg_attrib_class k = PG_ATTRIB_CPU;

			for (d = s->depth; d-- > 0;)
				if (is_r[s->frames[d]]) {
					at = d;
					break;
				}
			if (at == UINT32_MAX)
				continue;
			for (d = at; d < s->depth; d++)
				if (cls[s->frames[d]] != PG_ATTRIB_CPU) {
					k = cls[s->frames[d]];
					break;
				}
			grow[k] += s->weight * scale;
		}
		free(cls);
		free(is_r);
	}
	for (c = 0; c < PG_ATTRIB_NR_CLASSES; c++)
		if (grow[c] > 0 && (best < 0 || grow[c] > grow[best]))
			best = c;
	return best < 0 ? r_cls : (enum pg_attrib_class)best;
}

/* The user function above library frames of a class: per stack through r,
 * the nearest frame above r's run of class frames whose class is CPU. */
static char *find_caller(struct side sd[2], uint32_t r_name, const struct pg_prof *names)
{
	double *grow = pg_xcalloc(names->nr_frames ? names->nr_frames : 1, sizeof(*grow));
	long best = -1;
	size_t i;
	int side;
	char *out = NULL;

	for (side = 0; side < 2; side++) {
		const struct pg_prof *p = &sd[side].tidy;
		double scale = sd[side].scale * (side ? 1 : -1);

		for (i = 0; i < p->nr_stacks; i++) {
			const struct pg_prof_stack *s = &p->stacks[i];
			uint32_t d, at = UINT32_MAX;

			for (d = s->depth; d-- > 0;)
				if (sd[side].map[s->frames[d]] == r_name) {
					at = d;
					break;
				}
			if (at == UINT32_MAX)
				continue;
			for (d = at; d-- > 0;) {
				uint32_t id = sd[side].map[s->frames[d]];
				if (pg_attrib_classify_frame(names->frames[id]) == PG_ATTRIB_CPU) {
					grow[id] += s->weight * scale;
					break;
				}
			}
		}
	}
	for (i = 0; i < names->nr_frames; i++)
		if (grow[i] > 0 && (best < 0 || grow[i] > grow[best]))
			best = (long)i;
	if (best >= 0)
		out = pg_xstrdup(names->frames[best]);
	free(grow);
	return out;
}

int pg_attrib_compare(struct pg_attrib *out, const struct pg_prof *before,
		      const struct pg_prof *after, const struct pg_attrib_opts *opts,
		      struct pg_err *err)
{
	struct pg_attrib_opts none = PG_ATTRIB_OPTS_INIT;
	struct side sd[2];
	struct pg_prof names;
	const struct pg_prof *src[2] = { before, after };
	size_t i, j, n = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(sd, 0, sizeof(sd));
	out->responsible = -1;
	out->unit = pg_prof_unit_name(after);
	pg_prof_init(&names, after->unit);
	if (!opts)
		opts = &none;

	if (strcmp(pg_prof_unit_name(before), pg_prof_unit_name(after))) {
		pg_err_set(err, PG_ERR_USAGE,
			   "cannot compare profiles in different cost units: %s before, %s after "
			   "(record both sides with the same profiler and event)",
			   pg_prof_unit_name(before), pg_prof_unit_name(after));
		goto done;
	}
	if (before->total <= 0 || after->total <= 0) {
		pg_err_set(err, PG_ERR_USAGE, "the %s profile has no samples",
			   before->total <= 0 ? "first (before)" : "second (after)");
		goto done;
	}

	for (i = 0; i < 2; i++)
		side_count(&sd[i], src[i], &names, opts->frame_pointers);
	for (i = 0; i < 2; i++)
		side_costs(&sd[i], names.nr_frames);
	out->total_before = sd[0].sum;
	out->total_after = sd[1].sum;

	out->fns = pg_xcalloc(names.nr_frames ? names.nr_frames : 1, sizeof(*out->fns));
	for (i = 0; i < names.nr_frames; i++) {
		struct pg_attrib_fn *f = &out->fns[n];

		if (sd[0].total[i] == 0 && sd[1].total[i] == 0)
			continue; /* only in [unknown]-style placeholders */
		f->name = pg_xstrdup(names.frames[i]);
		f->self_before = sd[0].self[i];
		f->self_after = sd[1].self[i];
		f->total_before = sd[0].total[i];
		f->total_after = sd[1].total[i];
		for (j = 0; j < opts->nr_touched; j++)
			if (opts->touched[j] && pg_attrib_name_matches(f->name, opts->touched[j]))
				f->touched = true;
		n++;
	}
	out->nr_fns = n;
	if (n)
		qsort(out->fns, n, sizeof(*out->fns), cmp_fn);
	out->by_total = pg_xmalloc((n ? n : 1) * sizeof(*out->by_total));
	for (i = 0; i < n; i++)
		out->by_total[i] = i;
	if (n)
		qsort_r(out->by_total, n, sizeof(*out->by_total), cmp_by_total, out->fns);

	top_leaves(out->top_before, &out->nr_top_before, &sd[0], &names);
	top_leaves(out->top_after, &out->nr_top_after, &sd[1], &names);

	out->cls = PG_ATTRIB_CPU;
	if (n && out->fns[0].self_after > out->fns[0].self_before) {
		uint32_t r = pg_prof_intern(&names, out->fns[0].name, strlen(out->fns[0].name));
		enum pg_attrib_class r_cls = pg_attrib_classify_frame(out->fns[0].name);

		out->responsible = 0;
		out->cls = classify(src, r, &names, r_cls);
		if (r_cls != PG_ATTRIB_CPU)
			out->caller = find_caller(sd, r, &names);
	}
	ret = 0;
done:
	for (i = 0; i < 2; i++)
		side_release(&sd[i]);
	pg_prof_release(&names);
	return ret;
}

void pg_attrib_release(struct pg_attrib *a)
{
	size_t i;

	for (i = 0; i < a->nr_fns; i++)
		free(a->fns[i].name);
	for (i = 0; i < a->nr_top_before; i++)
		free(a->top_before[i].name);
	for (i = 0; i < a->nr_top_after; i++)
		free(a->top_after[i].name);
	free(a->fns);
	free(a->by_total);
	free(a->caller);
	memset(a, 0, sizeof(*a));
	a->responsible = -1;
}
