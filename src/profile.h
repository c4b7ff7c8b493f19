/*
 * profile: capture a CPU profile of one benchmark command with perf or
 * callgrind, through proc (every child in its own process group, capped
 * output, timeouts), into the one profile model (prof.h).
 *
 * Owns: the perf and valgrind command lines, their scratch files, and the
 * diagnosis when they fail: perf not permitted (perf_event_paranoid, EACCES),
 * no samples recorded, valgrind missing, a perf.data that perf script finds
 * damaged or cut short (perf's warning quoted, the file named; exit 4).
 * Must not: print, pick exit codes, choose the revision (the caller checks it
 * out and passes cwd).
 *
 * perf: `perf record -e cpu-clock -F FREQ --call-graph dwarf|fp -o F -- CMD`
 *   (cpu-clock because hardware counters are often missing on CI machines;
 *   DWARF by default because with frame pointers gcc gives leaf functions no
 *   frame; PG_CALL_GRAPH_NONE leaves --call-graph out: leaf frames only), then `perf script -F comm,pid,tid,time,period,event,ip,sym,dso`
 *   parsed by the perf-script reader. Unit: samples with the period in ns.
 * callgrind: `valgrind --tool=callgrind --callgrind-out-file=F CMD`;
 *   unit: instructions, exact and repeatable.
 * Each of opts->runs runs is recorded separately and merged; the result's
 * runs field says how many, so costs compare per run.
 *
 * Use:
 *   struct pg_profile_opts o = PG_PROFILE_OPTS_INIT;  o.cmd = b->run; o.cwd = dir; ...
 *   struct pg_prof p;
 *   if (pg_profile_capture(&p, &o, &err) < 0) -> err (PG_ERR_INFRA: exit 4)
 *   ... pg_prof_release(&p);   (also after a failure)
 */
#ifndef PG_PROFILE_H
#define PG_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "prof.h"

#define PG_PROFILE_SCRIPT_CAP ((size_t)1 << 30) /* bytes of perf script text per run */

struct pg_profile_opts {
	const char *cmd;            /* benchmark command (required) */
	const char *cwd;            /* its working directory; NULL = ours */
	char *const *env;           /* "KEY=VALUE" added for the benchmark */
	size_t nr_env;
	enum pg_profiler profiler;
	enum pg_call_graph call_graph;
	unsigned frequency_hz;      /* perf sampling frequency; 0 = 999 */
	unsigned runs;              /* recorded runs; 0 = 1 */
	uint64_t timeout_ns;        /* per run, for the profiler and the benchmark; 0 = none */
	const char *scratch_dir;    /* where recordings go (required; created by caller) */
};

#define PG_PROFILE_OPTS_INIT { NULL, NULL, NULL, 0, PG_PROFILER_PERF, PG_CALL_GRAPH_DWARF, 0, 0, 0, NULL }

/* Capture into *out (initialised here; release with pg_prof_release even on failure). */
int pg_profile_capture(struct pg_prof *out, const struct pg_profile_opts *opts, struct pg_err *err);

/* "perf" / "callgrind", "dwarf" / "fp" / "none" and back; -1 for an unknown name. */
int pg_profile_profiler_parse(const char *name, enum pg_profiler *out);
int pg_profile_call_graph_parse(const char *name, enum pg_call_graph *out);

#endif
