/*
 * stats_aa: the decision engine on this machine, for real. Compiles the demo
 * benchmark (examples/demo/bench.c) twice: A as it is, B with
 * CHECKSUM_PASSES=2 (the hot loop twice: about 2x slower). Then runs
 * COMPARISONS A/A comparisons (the same binary on both sides) and a few A/B
 * ones through pg_adapt_run (paired, shuffled pairs, 3..30, tolerance 5%,
 * alpha 1%), each run a real child (posix_spawn, output to /dev/null), wall
 * time from CLOCK_MONOTONIC. Prints the verdicts, the samples used, the CV
 * and the noise floor. Expect noise: the machine is shared.
 *
 * Usage (from the repository root):
 *   build/bench/bench_stats_aa [comparisons (50)] [ab comparisons (5)] [records (20000)]
 *                              [path to bench.c (examples/demo/bench.c)]
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "adapt.h"
#include "stats.h"

extern char **environ;

struct runner {
	const char *bin[2]; /* A, B */
	const char *records;
};

static int spawn_wait(char *const argv[], bool path_search, struct pg_err *err)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = path_search ? posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)
			 : posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return pg_err_set(err, PG_ERR_INFRA, "cannot run '%s': %s", argv[0], strerror(rc));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return pg_err_set(err, PG_ERR_INFRA, "waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return pg_err_set(err, PG_ERR_INFRA, "'%s' failed (status %d)", argv[0], status);
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int measure(void *ctx, enum pg_adapt_side side, double *value, struct pg_err *err)
{
	struct runner *r = ctx;
	char *argv[] = { (char *)r->bin[side], (char *)r->records, NULL };
	double t0 = now_ns();

	if (spawn_wait(argv, false, err) < 0)
		return -1;
	*value = now_ns() - t0;
	return 0;
}

struct tally {
	unsigned same, worse, better, inconclusive, unpaired[3];
	double samples, cv, mde_finite;
	unsigned mde_n;
};

static int compare_many(const char *label, struct runner *r, unsigned count, struct tally *t,
			struct pg_err *err)
{
	memset(t, 0, sizeof(*t));
	for (unsigned k = 0; k < count; k++) {
		struct pg_adapt_opts o = PG_ADAPT_OPTS_INIT;
		struct pg_adapt_result res = PG_ADAPT_RESULT_INIT;
		struct pg_stats_verdict u;
		struct pg_stats_opts uo;

		o.shuffle = true;
		o.seed = k + 1;
		if (pg_adapt_run(&res, &o, measure, r, err) < 0) {
			pg_adapt_result_release(&res);
			return -1;
		}
		uo = o.stats;
		uo.alpha = res.alpha_per_look;
		if (pg_stats_compare(&u, res.a, res.n_a, res.b, res.n_b, &uo, err) < 0) {
			pg_adapt_result_release(&res);
			return -1;
		}
		t->unpaired[u.kind]++;
		if (res.inconclusive)
			t->inconclusive++;
		else if (res.verdict.kind == PG_STATS_SAME)
			t->same++;
		else if (res.verdict.change == PG_STATS_WORSE)
			t->worse++;
		else
			t->better++;
		t->samples += (double)res.n_a;
		t->cv += (res.verdict.noise.cv_a + res.verdict.noise.cv_b) / 2;
		if (res.verdict.noise.mde < 1e9) {
			t->mde_finite += res.verdict.noise.mde;
			t->mde_n++;
		}
		fprintf(stderr, "%s %2u/%u: %-9s %-6s n=%2zu ratio %.4f CI [%.4f, %.4f] cv %.1f%% mde %.1f%%\n",
			label, k + 1, count, res.inconclusive ? "inconcl." : pg_stats_kind_name(res.verdict.kind),
			pg_stats_change_name(res.verdict.change), res.n_a, res.verdict.hl_ratio,
			res.verdict.ci_lo, res.verdict.ci_hi, 100 * res.verdict.noise.cv_a,
			100 * res.verdict.noise.mde);
		pg_adapt_result_release(&res);
	}
	return 0;
}

static void print_tally(const char *label, const struct tally *t, unsigned count)
{
	printf("%-6s %5u %5u %6u %6u %7u   %6.1f %7.2f%% %8.2f%%   %u/%u/%u\n", label, count, t->same,
	       t->worse, t->better, t->inconclusive, t->samples / count, 100 * t->cv / count,
	       t->mde_n ? 100 * t->mde_finite / t->mde_n : 0.0, t->unpaired[PG_STATS_SAME],
	       t->unpaired[PG_STATS_DIFFERENT], t->unpaired[PG_STATS_UNKNOWN]);
}

int main(int argc, char **argv)
{
	unsigned aa = argc > 1 ? (unsigned)atoi(argv[1]) : 50;
	unsigned ab = argc > 2 ? (unsigned)atoi(argv[2]) : 5;
	const char *records = argc > 3 ? argv[3] : "20000";
	const char *src = argc > 4 ? argv[4] : "examples/demo/bench.c";
	char dir[] = "/tmp/pg-stats-aa-XXXXXX", bin_a[64], bin_b[64];
	struct pg_err err = PG_ERR_INIT;
	struct runner r;
	struct tally t_aa, t_ab;
	int ret = 1;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(bin_a, sizeof(bin_a), "%s/bench_a", dir);
	snprintf(bin_b, sizeof(bin_b), "%s/bench_b", dir);
	{
		char *cc_a[] = { "cc", "-O2", "-o", bin_a, (char *)src, NULL };
		char *cc_b[] = { "cc", "-O2", "-DCHECKSUM_PASSES=2", "-o", bin_b, (char *)src, NULL };

		if (spawn_wait(cc_a, true, &err) < 0 || spawn_wait(cc_b, true, &err) < 0)
			goto done;
	}
	r.records = records;
	r.bin[0] = r.bin[1] = bin_a;
	if (compare_many("A/A", &r, aa, &t_aa, &err) < 0)
		goto done;
	r.bin[1] = bin_b;
	if (compare_many("A/B", &r, ab, &t_ab, &err) < 0)
		goto done;
	printf("stats_aa: demo bench (%s records), paired adaptive 3..30, shuffled pairs, tol 5%%, alpha 1%%\n",
	       records);
	printf("B = CHECKSUM_PASSES=2 (about 2x slower). 'unpaired' = pg_stats_compare on the same final samples.\n");
	printf("%-6s %5s %5s %6s %6s %7s   %6s %8s %9s   %s\n", "pair", "comps", "SAME", "WORSE",
	       "BETTER", "INCONCL", "n/side", "mean CV", "mean mde", "unpaired S/D/U");
	print_tally("A/A", &t_aa, aa);
	if (ab)
		print_tally("A/B", &t_ab, ab);
	ret = 0;
done:
	if (ret)
		fprintf(stderr, "stats_aa: %s\n", err.msg);
	unlink(bin_a);
	unlink(bin_b);
	rmdir(dir);
	return ret;
}
