/*
 * build: running the config's build command in a tree, the one way every
 * command does it (run, check, bisect, profile --rev).
 *
 * Owns: the build child (through proc: its own process group, stdin from
 * /dev/null, the config's build_timeout, capped output), the wording of a
 * failed build ("build failed (exited with 2): make bench" plus the tail of
 * its stdout and stderr), and handing the whole captured log to a caller
 * that wants to keep it (bisect saves it per skipped commit).
 * Must not: print, choose exit codes, decide what a failed build means
 * (run: exit 4; check: an error testcase; bisect: skip the commit).
 *
 * Use:
 *   struct pg_buf log = PG_BUF_INIT;              (or pass NULL)
 *   int r = pg_build_run(cfg, tree_dir, &log, &err);
 *   r == 0  built (or the config has no build command: nothing run)
 *   r == PG_BUILD_FAILED  the command ran and failed; err says how
 *   r == -1 could not run it, or interrupted (err->kind PG_ERR_INTERRUPTED)
 *   pg_buf_release(&log);
 */
#ifndef PG_BUILD_H
#define PG_BUILD_H

#include "config.h"
#include "err.h"
#include "util.h"

#define PG_BUILD_FAILED (-2)
/* Bytes of a failed build's log quoted in the error message. */
#define PG_BUILD_LOG_TAIL 1500

/*
 * Run cfg->build with cwd dir (NULL: the current directory). When log is
 * not NULL the child's stdout, then its stderr, are appended to it (each
 * capped at 256 KiB, head and tail kept). err on PG_BUILD_FAILED is
 * PG_ERR_INFRA with the message described above.
 */
int pg_build_run(const struct pg_config *cfg, const char *dir, struct pg_buf *log,
		 struct pg_err *err);

#endif
