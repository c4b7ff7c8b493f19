/*
 * failmalloc: an LD_PRELOAD shim that makes one allocation fail, for the
 * out-of-memory torture test (tests/e2e/t0956-reliability-oom.sh), after
 * curl's "torture" runs.
 *
 *   PG_FAILMALLOC=N          the Nth call of malloc, calloc, realloc or an
 *                            aligned allocator returns NULL with ENOMEM, once
 *   PG_FAILMALLOC_COUNT=FILE at exit, write the number of calls made to FILE
 *   PG_FAILMALLOC_WHO=FILE   when the Nth call fails, write to FILE the file
 *                            name of the object that called (dladdr): the
 *                            perfgate binary itself (its pg_x* wrappers, which
 *                            libgit2 and cJSON use too), or a library that
 *                            allocates on its own (libc's fopen, zlib, TLS),
 *                            then on a second line the nearest exported symbol
 *
 * Counting starts at main(): the shim wraps __libc_start_main, so that the
 * allocations of the shared libraries' constructors (GnuTLS, loaded by
 * libcurl, makes about 1,300 and prints a warning when one fails) are not
 * tortured; they run before perfgate has any say.
 *
 * The shim reads both on its first call, and its constructor removes them and
 * LD_PRELOAD from the environment, so that children (the benchmark, a
 * compiler, git) neither load it nor count; a fork()ed child stops counting
 * too. Only the perfgate process is tortured. unsetenv() in a constructor is
 * safe: it edits environ in place, allocates nothing, and runs before main.
 *
 * It delegates to glibc's __libc_malloc and friends (exported for exactly
 * this), so there is no dlsym() and no recursion; free() is glibc's own.
 * Not built with PERFGATE_SANITIZE: ASan owns malloc there.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t nmemb, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_memalign(size_t align, size_t size);

static int inited, wanted, active;
static unsigned long fail_at, calls;
static char count_path[4096], who_path[4096];

static void child_after_fork(void)
{
	wanted = active = 0;
}

static void init(void)
{
	const char *v;

	if (inited)
		return;
	inited = 1;
	if ((v = getenv("PG_FAILMALLOC")) != NULL) {
		fail_at = strtoul(v, NULL, 10);
		wanted = 1;
	}
	if ((v = getenv("PG_FAILMALLOC_WHO")) != NULL && strlen(v) < sizeof(who_path))
		memcpy(who_path, v, strlen(v) + 1);
	if ((v = getenv("PG_FAILMALLOC_COUNT")) != NULL && strlen(v) < sizeof(count_path)) {
		memcpy(count_path, v, strlen(v) + 1);
		wanted = 1;
	}
}

/* Write the name of the object holding address caller to who_path. */
static void tell_who(void *caller)
{
	Dl_info info;
	const char *name = "?";
	int fd;

	if (!who_path[0])
		return;
	memset(&info, 0, sizeof(info));
	if (dladdr(caller, &info) && info.dli_fname)
		name = info.dli_fname;
	fd = open(who_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t r = write(fd, name, strlen(name));
		/* then the nearest exported symbol, e.g. "fopen", on a line of its own */
		if (info.dli_sname) {
			r = write(fd, "\n", 1);
			r = write(fd, info.dli_sname, strlen(info.dli_sname));
		}
		(void)r;
		close(fd);
	}
}

/* true when this call (made from caller) is the one to fail */
static int fail_now(void *caller)
{
	unsigned long n;

	init();
	if (!active)
		return 0;
	n = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (fail_at && n == fail_at) {
		tell_who(caller);
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

__attribute__((constructor)) static void failmalloc_start(void)
{
	init();
	unsetenv("PG_FAILMALLOC");
	unsetenv("PG_FAILMALLOC_COUNT");
	unsetenv("PG_FAILMALLOC_WHO");
	unsetenv("LD_PRELOAD");
	pthread_atfork(NULL, NULL, child_after_fork);
}

typedef int (*main_fn)(int, char **, char **);
typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void),
			void *);
static main_fn real_main;

static int counted_main(int argc, char **argv, char **envp)
{
	active = wanted;
	return real_main(argc, argv, envp);
}

int __libc_start_main(main_fn main_, int argc, char **argv, void (*init_)(void), void (*fini)(void),
		      void (*rtld_fini)(void), void *stack_end)
{
	start_fn real = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");

	real_main = main_;
	return real(counted_main, argc, argv, init_, fini, rtld_fini, stack_end);
}

__attribute__((destructor)) static void failmalloc_end(void)
{
	char num[32];
	size_t n = sizeof(num);
	unsigned long c = calls;
	int fd;

	if (!active || !count_path[0])
		return;
	num[--n] = '\n';
	do {
		num[--n] = (char)('0' + c % 10);
		c /= 10;
	} while (c);
	fd = open(count_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t r = write(fd, num + n, sizeof(num) - n);
		(void)r;
		close(fd);
	}
}

void *malloc(size_t size)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_malloc(size);
}

void *calloc(size_t nmemb, size_t size)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_calloc(nmemb, size);
}

void *realloc(void *ptr, size_t size)
{
	/* realloc(p, 0) frees: a NULL from it would be ambiguous, so it never fails. */
	if (ptr && !size)
		return __libc_realloc(ptr, size);
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_realloc(ptr, size);
}

void *memalign(size_t align, size_t size)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (fail_now(__builtin_return_address(0)))
		return ENOMEM;
	p = __libc_memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}
