#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sig.h"

extern char **environ;

/* How often the wait loop looks at the signal flag when nothing happens. */
#define SLICE_NS 100000000ull /* 100 ms */
#define MAX_CHILDREN 4096
#define READ_CHUNK 65536

/* Secrets that never reach a child, whatever the config says. */
static const char *const denied_env[] = {
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITLAB_TOKEN",
    "CI_JOB_TOKEN",
    "CI_JOB_JWT",
    "CI_JOB_JWT_V2",
    "PERFGATE_GITHUB_TOKEN",
    "PERFGATE_GITLAB_TOKEN",
    "PERFGATE_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "GITLAB_PRIVATE_TOKEN",
    "CI_REGISTRY_PASSWORD",
    "CI_DEPLOY_PASSWORD",
    NULL,
};

bool pg_proc_env_denied(const char *name, size_t len)
{
	size_t i;

	for (i = 0; denied_env[i]; i++)
		if (strlen(denied_env[i]) == len && !memcmp(denied_env[i], name, len))
			return true;
	/* Anything of ours that smells of a secret. */
	if (len > 9 && !memcmp(name, "PERFGATE_", 9) && memmem(name, len, "TOKEN", 5))
		return true;
	return false;
}

static bool in_list(const char *const *list, const char *name, size_t len)
{
	size_t i;

	if (!list)
		return false;
	for (i = 0; list[i]; i++)
		if (strlen(list[i]) == len && !memcmp(list[i], name, len))
			return true;
	return false;
}

static bool overridden(const struct pg_proc_opts *o, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < o->nr_env_add; i++)
		if (!strncmp(o->env_add[i], name, len) && o->env_add[i][len] == '=')
			return true;
	return false;
}

/* A new environment vector; strings are borrowed. free() the vector. */
static char **build_env(const struct pg_proc_opts *o)
{
	size_t n = 0, i, j = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = pg_xcalloc(n + o->nr_env_add + 1, sizeof(*env));
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);

		if (pg_proc_env_denied(environ[i], len) || in_list(o->env_deny, environ[i], len) ||
		    overridden(o, environ[i], len))
			continue;
		env[j++] = environ[i];
	}
	for (i = 0; i < o->nr_env_add; i++) {
		const char *eq = strchr(o->env_add[i], '=');
		size_t len = eq ? (size_t)(eq - o->env_add[i]) : strlen(o->env_add[i]);

		if (!eq || pg_proc_env_denied(o->env_add[i], len) ||
		    in_list(o->env_deny, o->env_add[i], len))
			continue;
		env[j++] = o->env_add[i];
	}
	env[j] = NULL;
	return env;
}

/* ---- the command line ---- */

static bool plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_./=:,@%+-", c) != NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *const shell_words[] = {
    ".",	":",	 "[",	    "alias", "bg",     "break", "cd",	  "command",
    "continue", "eval",	 "exec",    "exit",  "export", "false", "fg",	  "getopts",
    "hash",	"jobs",	 "kill",    "local", "printf", "pwd",	"read",	  "readonly",
    "return",	"set",	 "shift",   "test",  "times",  "trap",	"true",	  "type",
    "ulimit",	"umask", "unalias", "unset", "wait",   "echo",	"if",	  "then",
    "else",	"elif",	 "fi",	    "do",    "done",   "case",	"esac",	  "while",
    "until",	"for",	 "in",	    "!",     "{",      "}",	"source", NULL,
};

/* Builtins that are also programs: exec'ing the program does the same. */
static const char *const also_programs[] = {
    "[", "echo", "false", "kill", "printf", "pwd", "test", "true", NULL,
};

static bool is_shell_word(const char *w)
{
	return in_list(shell_words, w, strlen(w));
}

static bool needs_shell(const char *w)
{
	return is_shell_word(w) && !in_list(also_programs, w, strlen(w));
}

/* Path of word relative to cwd, into buf. */
static const char *rel_path(const char *cwd, const char *word, char *buf, size_t size)
{
	if (word[0] == '/' || !cwd || !cwd[0])
		return word;
	snprintf(buf, size, "%s/%s", cwd, word);
	return buf;
}

static int exec_ok(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	if (access(path, X_OK) < 0)
		return -errno;
	return 0;
}

/* Look word up in PATH: 0 found, -ENOENT or -EACCES. */
static int path_lookup(const char *word)
{
	const char *path = getenv("PATH");
	const char *p, *end;
	char buf[PATH_MAX];
	int best = -ENOENT;

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		size_t len;
		int r;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len == 0)
			snprintf(buf, sizeof(buf), "./%s", word);
		else
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, word);
		r = exec_ok(buf);
		if (r == 0)
			return 0;
		if (r == -EACCES)
			best = -EACCES;
		if (!*end)
			break;
	}
	return best;
}

size_t pg_proc_split(const char *cmd, char ***argv_out)
{
	size_t n = 0, len = strlen(cmd), i;
	const char *p;
	char **argv, *s;
	bool in_word = false;

	*argv_out = NULL;
	for (p = cmd; *p; p++) {
		if (is_blank(*p)) {
			in_word = false;
			continue;
		}
		if (!plain_char((unsigned char)*p))
			return 0;
		if (!in_word)
			n++;
		in_word = true;
	}
	if (n == 0)
		return 0;
	argv = pg_xmalloc((n + 1) * sizeof(*argv) + len + 1);
	s = (char *)(argv + n + 1);
	memcpy(s, cmd, len + 1);
	for (i = 0, p = s; i < n;) {
		while (is_blank(*s))
			s++;
		argv[i++] = s;
		while (*s && !is_blank(*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
	argv[n] = NULL;
	/* VAR=x prefixes and builtins need the shell. */
	if (strchr(argv[0], '=') || needs_shell(argv[0])) {
		free(argv);
		return 0;
	}
	*argv_out = argv;
	return n;
}

/* The first word when it is plain, into buf; NULL when the check cannot judge it. */
static const char *first_word(const char *cmd, char *buf, size_t size)
{
	size_t n = 0;

	while (is_blank(*cmd) || *cmd == '\n')
		cmd++;
	while (*cmd && !is_blank(*cmd) && *cmd != '\n' && *cmd != ';' && *cmd != '|' &&
	       *cmd != '&') {
		if (!plain_char((unsigned char)*cmd) || n + 1 >= size)
			return NULL;
		buf[n++] = *cmd++;
	}
	buf[n] = '\0';
	if (n == 0 || strchr(buf, '=') || is_shell_word(buf))
		return NULL;
	return buf;
}

int pg_proc_check_cmd(const char *cmd, const char *cwd, struct pg_err *err)
{
	char word[PATH_MAX], buf[PATH_MAX + 256];
	const char *w = first_word(cmd, word, sizeof(word));
	int r;

	if (!w)
		return 0;
	if (strchr(w, '/')) {
		r = exec_ok(rel_path(cwd, w, buf, sizeof(buf)));
		if (r == -ENOENT || r == -ENOTDIR)
			return pg_err_set(err, PG_ERR_INFRA, "command '%s' not found: %s", w,
					  strerror(-r));
		if (r < 0)
			return pg_err_set(err, PG_ERR_INFRA, "command '%s' is not executable: %s",
					  w, strerror(-r));
		return 0;
	}
	r = path_lookup(w);
	if (r == -EACCES)
		return pg_err_set(err, PG_ERR_INFRA, "command '%s' is not executable: %s", w,
				  strerror(EACCES));
	if (r < 0)
		return pg_err_set(err, PG_ERR_INFRA, "command '%s' not found in PATH", w);
	return 0;
}

/* ---- names of signals and statuses ---- */

const char *pg_proc_signame(int sig)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = {
	    {SIGHUP, "SIGHUP"},	  {SIGINT, "SIGINT"},	{SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
	    {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
	    {SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
	    {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}, {SIGXCPU, "SIGXCPU"},
	    {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"},
	};
	size_t i;

	for (i = 0; i < PG_ARRAY_SIZE(names); i++)
		if (names[i].sig == sig)
			return names[i].name;
	return "unknown signal";
}

int pg_proc_status_code(const struct pg_proc_result *res)
{
	if (res->status == PG_PROC_EXITED)
		return res->exit_code;
	if (res->signal)
		return 128 + res->signal;
	return res->exit_code;
}

const char *pg_proc_describe(const struct pg_proc_result *res, uint64_t timeout_ns, char *buf,
			     size_t size)
{
	switch (res->status) {
	case PG_PROC_EXITED:
		if (res->exit_code == 127 && !res->direct)
			snprintf(buf, size, "exited with 127 (command not found?)");
		else if (res->exit_code == 126 && !res->direct)
			snprintf(buf, size, "exited with 126 (command not executable?)");
		else
			snprintf(buf, size, "exited with %d", res->exit_code);
		break;
	case PG_PROC_SIGNALED:
		snprintf(buf, size, "killed by signal %d (%s)%s", res->signal,
			 pg_proc_signame(res->signal), res->core_dumped ? ", core dumped" : "");
		break;
	case PG_PROC_TIMEOUT:
		if (timeout_ns % 1000000000ull == 0)
			snprintf(buf, size, "timed out after %llu s",
				 (unsigned long long)(timeout_ns / 1000000000ull));
		else
			snprintf(buf, size, "timed out after %.3f s", (double)timeout_ns / 1e9);
		break;
	}
	return buf;
}

/* ---- capture: the head and the tail of a stream ---- */

struct capture {
	struct pg_buf *head; /* first half of the cap */
	char *ring;	     /* last half, circular */
	size_t head_cap, ring_cap, ring_pos, ring_len;
	uint64_t total;
	bool discard;
};

static void cap_init(struct capture *c, struct pg_buf *head, size_t cap, bool discard)
{
	memset(c, 0, sizeof(*c));
	c->head = head;
	c->head_cap = cap - cap / 2;
	c->ring_cap = cap / 2;
	c->discard = discard;
}

static void cap_add(struct capture *c, const char *p, size_t n)
{
	c->total += n;
	if (c->discard)
		return;
	if (c->head->len < c->head_cap) {
		size_t take = c->head_cap - c->head->len;

		if (take > n)
			take = n;
		pg_buf_add(c->head, p, take);
		p += take;
		n -= take;
	}
	if (!n || !c->ring_cap)
		return;
	if (!c->ring)
		c->ring = pg_xmalloc(c->ring_cap);
	if (n >= c->ring_cap) {
		memcpy(c->ring, p + n - c->ring_cap, c->ring_cap);
		c->ring_pos = 0;
		c->ring_len = c->ring_cap;
		return;
	}
	while (n) {
		size_t take = c->ring_cap - c->ring_pos;

		if (take > n)
			take = n;
		memcpy(c->ring + c->ring_pos, p, take);
		c->ring_pos = (c->ring_pos + take) % c->ring_cap;
		c->ring_len = c->ring_len + take > c->ring_cap ? c->ring_cap : c->ring_len + take;
		p += take;
		n -= take;
	}
}

/* Head, then (when bytes were dropped) a marker, then the tail. */
static bool cap_finish(struct capture *c)
{
	uint64_t kept = c->head->len + c->ring_len;
	bool truncated = c->total > kept;

	if (truncated)
		pg_buf_addf(c->head, "\n[... perfgate: %llu bytes omitted ...]\n",
			    (unsigned long long)(c->total - kept));
	if (c->ring_len < c->ring_cap) {
		pg_buf_add(c->head, c->ring, c->ring_len);
	} else if (c->ring_len) {
		pg_buf_add(c->head, c->ring + c->ring_pos, c->ring_cap - c->ring_pos);
		pg_buf_add(c->head, c->ring, c->ring_pos);
	}
	pg_buf_grow(c->head, 0);
	free(c->ring);
	c->ring = NULL;
	return truncated;
}

/* Read what is there. Returns 1 on EOF (fd closed), 0 otherwise. */
static int drain(int *fd, struct capture *c)
{
	char chunk[READ_CHUNK];

	for (;;) {
		ssize_t n = read(*fd, chunk, sizeof(chunk));

		if (n > 0) {
			cap_add(c, chunk, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		close(*fd);
		*fd = -1;
		return 1;
	}
}

/* ---- children left behind ---- */

/* Our direct children, from /proc (the subreaper gets every orphan). */
static size_t list_children(pid_t *out, size_t max)
{
	char path[64], buf[8192];
	size_t n = 0;
	ssize_t len;
	char *p;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/children", (long)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	for (p = buf; *p && n < max;) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		out[n++] = (pid_t)v;
		p = end;
	}
	return n;
}

static bool pid_in(const pid_t *set, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};

	nanosleep(&ts, NULL);
}

/*
 * Kill the process group pgid and reap whatever of it comes back to us: TERM,
 * then KILL after grace. Returns the number of processes we reaped.
 */
static unsigned kill_group(pid_t pgid, uint64_t grace_ns, bool term_first)
{
	uint64_t start = pg_now_ns(), wait_ns = 1000000;
	unsigned reaped = 0;
	bool killed = !term_first;
	int st;

	if (kill(-pgid, term_first ? SIGTERM : SIGKILL) < 0)
		return 0;
	for (;;) {
		pid_t p;

		while ((p = waitpid(-pgid, &st, WNOHANG)) > 0)
			reaped++;
		if (kill(-pgid, 0) < 0 && errno == ESRCH)
			break;
		if (!killed && pg_now_ns() - start >= grace_ns) {
			kill(-pgid, SIGKILL);
			killed = true;
		}
		/* A process stuck in the kernel: do not wait forever. */
		if (pg_now_ns() - start >= grace_ns + 5000000000ull)
			break;
		sleep_ns(wait_ns);
		if (wait_ns < 20000000)
			wait_ns *= 2;
	}
	return reaped;
}

/*
 * The command is over: kill what is left of its group, then any daemon that
 * escaped the group (it came back to us as an orphan: we are its subreaper).
 */
static void clean_up(pid_t pgid, const pid_t *before, size_t nr_before, uint64_t grace_ns,
		     struct pg_proc_result *res)
{
	pid_t kids[256];
	int round;

	if (kill(-pgid, 0) == 0)
		res->strays += kill_group(pgid, grace_ns, true);
	for (round = 0; round < 64; round++) {
		size_t n = list_children(kids, PG_ARRAY_SIZE(kids)), i;
		bool any = false;

		for (i = 0; i < n; i++) {
			pid_t k = kids[i];

			if (pid_in(before, nr_before, k))
				continue;
			any = true;
			res->strays++;
			res->stray_daemons++;
			/* The daemon leads its own group (setsid); its children are in it. */
			if (getpgid(k) == k) {
				kill_group(k, grace_ns, true);
			} else {
				kill(k, SIGKILL);
			}
			waitpid(k, NULL, 0);
		}
		if (!any)
			break;
	}
}

/* ---- spawn and wait ---- */

static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ull + (uint64_t)tv->tv_usec * 1000ull;
}

int pg_proc_run(const struct pg_proc_opts *o, struct pg_proc_result *res, struct pg_err *err)
{
	int outp[2] = {-1, -1}, errp[2] = {-1, -1}, pidfd = -1, ret = -1, rc, status = 0;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	bool fa_init = false, attr_init = false, leader_done = false, term_sent = false;
	bool kill_sent = false, timed_out = false, interrupted = false;
	char **argv = NULL, **env = NULL;
	char *sh_argv[4];
	pid_t pid = -1, before[MAX_CHILDREN / 16];
	size_t nr_before;
	uint64_t start, end = 0, deadline = 0, kill_at = 0, grace;
	size_t cap = o->out_cap ? o->out_cap : PG_PROC_OUT_CAP_DEFAULT;
	struct capture cout, cerr;
	struct rusage ru;
	sigset_t mask;
	const char *prev = pg_oom_while("running a command and capturing its output");

	grace = o->grace_ns ? o->grace_ns : PG_PROC_GRACE_NS_DEFAULT;
	memset(&ru, 0, sizeof(ru));
	cap_init(&cout, &res->out, cap, o->discard_output);
	cap_init(&cerr, &res->err, cap, o->discard_output);

	/* Orphans of the benchmark come back to us, not to init. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	nr_before = list_children(before, PG_ARRAY_SIZE(before));

	if (pipe2(outp, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(errp, O_CLOEXEC | O_NONBLOCK) < 0) {
		pg_err_set(err, PG_ERR_INFRA, "cannot run '%s': pipe: %s", o->cmd, strerror(errno));
		goto done;
	}
	/* The child's ends must block: plenty of programs mishandle EAGAIN. */
	fcntl(outp[1], F_SETFL, 0);
	fcntl(errp[1], F_SETFL, 0);

	posix_spawn_file_actions_init(&fa);
	fa_init = true;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	if (o->cwd && o->cwd[0])
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);

	posix_spawnattr_init(&attr);
	attr_init = true;
	posix_spawnattr_setpgroup(&attr, 0);
	sigemptyset(&mask);
	posix_spawnattr_setsigmask(&attr, &mask);
	/* SIGPIPE is ignored in perfgate; the child gets every default back. */
	sigfillset(&mask);
	sigdelset(&mask, SIGKILL);
	sigdelset(&mask, SIGSTOP);
	posix_spawnattr_setsigdefault(&attr, &mask);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);

	env = build_env(o);
	if (o->argv) {
		size_t n = 0;

		while (o->argv[n])
			n++;
		argv = pg_xcalloc(n + 1, sizeof(*argv));
		memcpy(argv, o->argv, n * sizeof(*argv));
	} else if (!o->force_shell && pg_proc_split(o->cmd, &argv) > 0) {
		char buf[PATH_MAX + 256];

		/* Only exec directly what we can see is executable; the rest goes to sh. */
		if (strchr(argv[0], '/') ? exec_ok(rel_path(o->cwd, argv[0], buf, sizeof(buf))) != 0
					 : path_lookup(argv[0]) != 0) {
			free(argv);
			argv = NULL;
		}
	}
	res->direct = argv != NULL;
	if (!argv) {
		sh_argv[0] = "sh";
		sh_argv[1] = "-c";
		sh_argv[2] = (char *)o->cmd;
		sh_argv[3] = NULL;
	}

	start = pg_now_ns();
	if (argv)
		rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, env);
	else
		rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, sh_argv, env);
	if (rc != 0) {
		pg_err_set(err, PG_ERR_INFRA, "cannot run '%s': %s", o->cmd, strerror(rc));
		pid = -1;
		goto done;
	}
	pg_sig_track(pid);
	res->pid = (int)pid;
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	pidfd = pidfd_open_(pid);
	if (o->timeout_ns)
		deadline = start + o->timeout_ns;

	while (!leader_done) {
		struct pollfd fds[3];
		struct timespec ts;
		uint64_t now = pg_now_ns(), wait = pidfd >= 0 ? SLICE_NS : 1000000ull;
		int nfds;

		if (term_sent && !kill_sent)
			wait = kill_at > now ? (kill_at - now < wait ? kill_at - now : wait) : 0;
		else if (deadline && !term_sent)
			wait = deadline > now ? (deadline - now < wait ? deadline - now : wait) : 0;
		ts.tv_sec = (time_t)(wait / 1000000000ull);
		ts.tv_nsec = (long)(wait % 1000000000ull);
		fds[0].fd = pidfd;
		fds[1].fd = outp[0];
		fds[2].fd = errp[0];
		fds[0].events = fds[1].events = fds[2].events = POLLIN;
		nfds = ppoll(fds, 3, &ts, NULL);
		now = pg_now_ns();
		if (nfds > 0) {
			if (fds[1].revents && outp[0] >= 0)
				drain(&outp[0], &cout);
			if (fds[2].revents && errp[0] >= 0)
				drain(&errp[0], &cerr);
		}
		if (pidfd < 0 || (nfds > 0 && fds[0].revents)) {
			pid_t w = wait4(pid, &status, WNOHANG, &ru);

			if (w == pid) {
				leader_done = true;
				end = now;
				break;
			}
		}
		if (!term_sent && ((deadline && now >= deadline) || pg_sig_received())) {
			if (pg_sig_received())
				interrupted = true;
			else
				timed_out = true;
			kill(-pid, SIGTERM);
			term_sent = true;
			kill_at = now + grace;
		} else if (term_sent && !kill_sent && now >= kill_at) {
			kill(-pid, SIGKILL);
			kill_sent = true;
		}
	}
	res->wall_ns = end - start;
	res->user_ns = tv_ns(&ru.ru_utime);
	res->sys_ns = tv_ns(&ru.ru_stime);
	res->max_rss_bytes = (uint64_t)ru.ru_maxrss * 1024u;
	if (WIFEXITED(status)) {
		res->status = PG_PROC_EXITED;
		res->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->status = PG_PROC_SIGNALED;
		res->signal = WTERMSIG(status);
		res->core_dumped = WCOREDUMP(status);
	}
	if (timed_out)
		res->status = PG_PROC_TIMEOUT;

	/* Output still in the pipes; then whatever holds them open is a stray. */
	if (outp[0] >= 0)
		drain(&outp[0], &cout);
	if (errp[0] >= 0)
		drain(&errp[0], &cerr);
	clean_up(pid, before, nr_before, grace, res);
	if (outp[0] >= 0)
		drain(&outp[0], &cout);
	if (errp[0] >= 0)
		drain(&errp[0], &cerr);

	if (interrupted) {
		int sig = pg_sig_received();

		pg_err_set(err, PG_ERR_INTERRUPTED, "interrupted by %s", pg_proc_signame(sig));
		goto done;
	}
	ret = 0;
done:
	if (pid > 0)
		pg_sig_untrack(pid);
	res->out_bytes = cout.total;
	res->err_bytes = cerr.total;
	res->out_truncated = cap_finish(&cout);
	res->err_truncated = cap_finish(&cerr);
	if (pidfd >= 0)
		close(pidfd);
	if (outp[0] >= 0)
		close(outp[0]);
	if (outp[1] >= 0)
		close(outp[1]);
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (fa_init)
		posix_spawn_file_actions_destroy(&fa);
	if (attr_init)
		posix_spawnattr_destroy(&attr);
	free(argv);
	free(env);
	pg_oom_while(prev);
	return ret;
}

void pg_proc_result_release(struct pg_proc_result *res)
{
	pg_buf_release(&res->out);
	pg_buf_release(&res->err);
	memset(res, 0, sizeof(*res));
}
