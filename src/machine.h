/*
 * machine: what the measuring machine is, so that results from different
 * machines are never compared as if they were alike.
 *
 * Owns: reading /proc/cpuinfo, uname and the load average, and the
 * fingerprint of the parts that must match for two results to be compared
 * (CPU model, cores, kernel). The load average is recorded, not compared.
 * Must not: print, run anything.
 *
 * Use:
 *   struct pg_machine m;
 *   pg_machine_probe(&m);            // never fails: unknown parts say "unknown"
 *   if (strcmp(a.fingerprint, b.fingerprint)) -> "measured on different machines"
 */
#ifndef PG_MACHINE_H
#define PG_MACHINE_H

#include <stdbool.h>

#define PG_MACHINE_FIELD 256
#define PG_MACHINE_FP 17 /* 16 hex digits and a NUL */

struct pg_machine {
	char cpu_model[PG_MACHINE_FIELD]; /* "AMD EPYC 7B13", or "unknown" */
	unsigned cores;                   /* online logical CPUs */
	char kernel[PG_MACHINE_FIELD];    /* "Linux 6.1.0-18-amd64 x86_64" */
	char hostname[PG_MACHINE_FIELD];  /* recorded only; not part of the fingerprint */
	double load_avg[3];               /* 1, 5, 15 minutes; -1 when unknown */
	char fingerprint[PG_MACHINE_FP];  /* FNV-1a 64 of model, cores, kernel, in hex */
};

void pg_machine_probe(struct pg_machine *m);
/* Recompute m->fingerprint from its model, cores and kernel. */
void pg_machine_fingerprint(struct pg_machine *m);
/* true when a and b may be compared (same fingerprint parts). */
bool pg_machine_same(const struct pg_machine *a, const struct pg_machine *b);

#endif
