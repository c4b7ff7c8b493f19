/*
 * sig: SIGINT, SIGTERM and SIGHUP turned into a flag that long-running loops
 * poll, and a registry of child process groups to kill.
 *
 * First signal: the flag is set; proc's wait loop sees it, TERMs the running
 * group, KILLs it after the grace period, and the command unwinds, keeping
 * journals consistent, and exits 130 (SIGINT, SIGHUP) or 143 (SIGTERM).
 * Second signal: every registered group is sent SIGKILL at once from the
 * handler. SIGPIPE is ignored so that a closed stdout is an error we report.
 */
#ifndef PG_SIG_H
#define PG_SIG_H

#include <sys/types.h>

void pg_sig_install(void);
/* The first signal received (SIGINT, SIGTERM, SIGHUP), or 0. */
int pg_sig_received(void);
/* 130 for SIGINT and SIGHUP, 143 for SIGTERM, 0 when none. */
int pg_sig_exit_code(void);
/* Track a child's process group so a second signal can kill it. */
void pg_sig_track(pid_t pgid);
void pg_sig_untrack(pid_t pgid);
/*
 * SIGKILL every tracked group now. Async-signal-safe and allocates nothing:
 * the second signal's handler and the out-of-memory exit (main.c) use it.
 */
void pg_sig_kill_tracked(void);
/* For tests: forget any signal received. */
void pg_sig_reset(void);

#endif
