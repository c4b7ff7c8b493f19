/*
 * proc: run one command as a measured, contained child.
 *
 * Owns: spawning (posix_spawn, i.e. vfork speed), the child's process group,
 * its environment (with secrets removed), stdin from /dev/null, capturing
 * stdout and stderr through a size cap (head and tail kept), the timeout
 * (TERM to the group, KILL after the grace period), reaping every process the
 * command left behind (perfgate makes itself a child subreaper, so that even
 * a double-forked setsid daemon comes back to us and is killed), and the
 * kernel's accounting of the finished child (wall, user, sys, peak RSS).
 * Must not: print, read config, build a command from data.
 *
 * How the command is started: a command made only of plain words (letters,
 * digits and _ . / - + = : , @ %, separated by blanks) whose first word is an
 * executable file is split on blanks and executed directly, without a shell,
 * so that /bin/sh's start-up is not part of the measurement. Anything else
 * (quotes, $, globs, pipes, redirections, builtins, VAR=x prefixes) runs as
 * `/bin/sh -c CMD`. Set force_shell to always use the shell.
 *
 * Use:
 *   struct pg_proc_opts o = PG_PROC_OPTS_INIT;
 *   o.cmd = "./bench parse"; o.cwd = dir; o.timeout_ns = 60e9;
 *   struct pg_proc_result r = PG_PROC_RESULT_INIT;
 *   if (pg_proc_run(&o, &r, &err) < 0) -> spawn failure or PG_ERR_INTERRUPTED
 *   r.status / r.exit_code / r.signal / r.wall_ns ... r.out.data
 *   pg_proc_result_release(&r);
 * A timeout is not an error of pg_proc_run: it returns 0 with
 * r.status == PG_PROC_TIMEOUT; the caller words the message.
 */
#ifndef PG_PROC_H
#define PG_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "util.h"

#define PG_PROC_GRACE_NS_DEFAULT (2000000000ull) /* 2 s between TERM and KILL */
#define PG_PROC_OUT_CAP_DEFAULT (8u * 1024 * 1024) /* bytes kept per stream */

struct pg_proc_opts {
	const char *cmd;         /* the command line (required; named in messages) */
	char *const *argv;       /* when set: exec this vector (argv[0] looked up in PATH), not cmd */
	const char *cwd;         /* working directory; NULL = ours */
	char *const *env_add;    /* "KEY=VALUE" set for the child (override ours) */
	size_t nr_env_add;
	const char *const *env_deny; /* extra variable names to remove; NULL-terminated or NULL */
	uint64_t timeout_ns;     /* 0 = no timeout */
	uint64_t grace_ns;       /* 0 = PG_PROC_GRACE_NS_DEFAULT */
	size_t out_cap;          /* bytes kept per stream; 0 = PG_PROC_OUT_CAP_DEFAULT */
	bool force_shell;        /* always /bin/sh -c */
	bool discard_output;     /* read and drop stdout/stderr (still drained) */
};

#define PG_PROC_OPTS_INIT { NULL, NULL, NULL, NULL, 0, NULL, 0, 0, 0, false, false }

enum pg_proc_status {
	PG_PROC_EXITED = 0,  /* exit_code is valid */
	PG_PROC_SIGNALED,    /* killed by signal (not by us); signal is valid */
	PG_PROC_TIMEOUT,     /* we killed it at its timeout; signal = the one that ended it */
};

struct pg_proc_result {
	enum pg_proc_status status;
	int exit_code;           /* PG_PROC_EXITED: 0..255 */
	int signal;              /* PG_PROC_SIGNALED / PG_PROC_TIMEOUT */
	bool core_dumped;
	bool direct;             /* executed without a shell */
	int pid;                 /* the leader's pid, which is also its process group id */
	uint64_t wall_ns;        /* spawn to the leader's exit, CLOCK_MONOTONIC */
	uint64_t user_ns;        /* the leader and the descendants it waited for */
	uint64_t sys_ns;
	uint64_t max_rss_bytes;  /* peak RSS of the largest of those */
	struct pg_buf out;       /* captured stdout (head + marker + tail when truncated) */
	struct pg_buf err;       /* captured stderr, likewise */
	uint64_t out_bytes;      /* total bytes the child wrote to stdout */
	uint64_t err_bytes;
	bool out_truncated;
	bool err_truncated;
	unsigned strays;         /* processes left behind after the leader exited (killed) */
	unsigned stray_daemons;  /* of which had left the group (setsid daemons) */
};

#define PG_PROC_RESULT_INIT { 0, 0, 0, false, false, 0, 0, 0, 0, 0, PG_BUF_INIT, PG_BUF_INIT, 0, 0, false, false, 0, 0 }

/*
 * Run opts->cmd to completion (or timeout) and fill *res (which must be
 * PG_PROC_RESULT_INIT or released). Returns 0 when the command ran (whatever
 * its exit status), -1 when it could not be started (PG_ERR_INFRA) or a
 * signal asked perfgate to stop (PG_ERR_INTERRUPTED: the group was TERMed
 * then KILLed and reaped before returning).
 */
int pg_proc_run(const struct pg_proc_opts *opts, struct pg_proc_result *res, struct pg_err *err);
void pg_proc_result_release(struct pg_proc_result *res);

/*
 * Check before any run that the command's first word can be executed:
 * when it is a path (contains '/'), relative to cwd, it must exist
 * ("command './bench' not found: No such file or directory") and be an
 * executable file ("command './bench' is not executable: Permission denied");
 * a bare word must be found in PATH or be a shell builtin or keyword.
 * Commands the check cannot judge (first word with quotes, $, ...) pass.
 * Errors are PG_ERR_INFRA.
 */
int pg_proc_check_cmd(const char *cmd, const char *cwd, struct pg_err *err);

/* "SIGSEGV" for 11; "signal N" text for unknown ones. Borrowed/static. */
const char *pg_proc_signame(int sig);

/* "exited with 1", "killed by signal 11 (SIGSEGV)", "timed out after 5 s". Into buf. */
const char *pg_proc_describe(const struct pg_proc_result *res, uint64_t timeout_ns, char *buf,
			     size_t size);

/* The shell-style status: exit code, or 128 + signal. */
int pg_proc_status_code(const struct pg_proc_result *res);

/* true when name is one of the secrets never passed to children. */
bool pg_proc_env_denied(const char *name, size_t len);

/*
 * Split cmd into argv when it is a plain command (see above) and return
 * the argument count, or 0 when it needs a shell. *argv_out is one
 * allocation (free() it) holding the NULL-terminated vector and strings.
 */
size_t pg_proc_split(const char *cmd, char ***argv_out);

#endif
