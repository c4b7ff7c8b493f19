#include "machine.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util.h"

static void trim(char *s)
{
	size_t n = strlen(s);
	char *p = s;

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	memmove(s, p, strlen(p) + 1);
}

static void read_cpu_model(char *out, size_t size)
{
	char line[1024];
	FILE *f = fopen("/proc/cpuinfo", "re");

	snprintf(out, size, "unknown");
	if (!f) {
		/* glibc's fopen allocates: "unknown" would be another machine's fingerprint */
		if (errno == ENOMEM)
			pg_die_oom(0);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		/* x86 says "model name"; arm64 "CPU part"/"Hardware"; take the first of these. */
		if (!strncmp(line, "model name", 10) || !strncmp(line, "Hardware", 8) ||
		    !strncmp(line, "cpu model", 9) || !strncmp(line, "Processor", 9)) {
			snprintf(out, size, "%s", colon + 1);
			trim(out);
			if (!out[0])
				snprintf(out, size, "unknown");
			break;
		}
	}
	fclose(f);
}

void pg_machine_fingerprint(struct pg_machine *m)
{
	uint64_t h = 1469598103934665603ull;
	char cores[32];
	const char *parts[3];
	size_t i;

	snprintf(cores, sizeof(cores), "%u", m->cores);
	parts[0] = m->cpu_model;
	parts[1] = cores;
	parts[2] = m->kernel;
	for (i = 0; i < 3; i++) {
		const unsigned char *p = (const unsigned char *)parts[i];

		for (; *p; p++) {
			h ^= *p;
			h *= 1099511628211ull;
		}
		h ^= 0xff; /* separator: "a","bc" differs from "ab","c" */
		h *= 1099511628211ull;
	}
	snprintf(m->fingerprint, sizeof(m->fingerprint), "%016llx", (unsigned long long)h);
}

void pg_machine_probe(struct pg_machine *m)
{
	struct utsname u;
	long n;

	memset(m, 0, sizeof(*m));
	read_cpu_model(m->cpu_model, sizeof(m->cpu_model));
	n = sysconf(_SC_NPROCESSORS_ONLN);
	m->cores = n > 0 ? (unsigned)n : 0;
	if (uname(&u) == 0) {
		snprintf(m->kernel, sizeof(m->kernel), "%s %s %s", u.sysname, u.release, u.machine);
		snprintf(m->hostname, sizeof(m->hostname), "%s", u.nodename);
	} else {
		snprintf(m->kernel, sizeof(m->kernel), "unknown");
		snprintf(m->hostname, sizeof(m->hostname), "unknown");
	}
	if (getloadavg(m->load_avg, 3) != 3)
		m->load_avg[0] = m->load_avg[1] = m->load_avg[2] = -1;
	pg_machine_fingerprint(m);
}

bool pg_machine_same(const struct pg_machine *a, const struct pg_machine *b)
{
	return !strcmp(a->cpu_model, b->cpu_model) && a->cores == b->cores &&
	       !strcmp(a->kernel, b->kernel);
}
