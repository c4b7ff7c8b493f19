/*
 * perfgate: the command table, global options, and the one place where the
 * process exit code is returned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "sig.h"
#include "util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
	const char *activity; /* for "out of memory while ..." */
};

static const struct command commands[] = {
	{ "run", cmd_run, "build and run the benchmarks; print and store the results",
	  "running 'perfgate run'" },
	{ "check", cmd_check, "the pre-merge gate: measure base and head, judge against the base's budgets",
	  "running 'perfgate check'" },
	{ "bisect", cmd_bisect, "find the commit that made a benchmark slower, and the function",
	  "running 'perfgate bisect'" },
	{ "profile", cmd_profile, "capture a CPU profile of one benchmark (perf or callgrind)",
	  "running 'perfgate profile'" },
	{ "diff", cmd_diff, "compare two profiles: ranked function deltas, class, next step",
	  "running 'perfgate diff'" },
	{ "fold", cmd_fold, "perf script text to folded stacks",
	  "running 'perfgate fold'" },
	{ "flamegraph", cmd_flamegraph, "draw a profile as an SVG flame graph",
	  "running 'perfgate flamegraph'" },
	{ "comment", cmd_comment, "post or update one sticky comment on a pull or merge request",
	  "running 'perfgate comment'" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: perfgate [-C DIR] COMMAND [options] [args]\n\n"
		     "Guards software against performance regressions.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nglobal options:\n"
		     "  -C DIR        run as if started in DIR\n"
		     "  -h, --help    show this help ('perfgate COMMAND --help' for a command's)\n"
		     "  --version     print the version\n"
		     "\nexit codes: 0 pass (or culprit found), 1 budget exceeded, 2 usage or config error,\n"
		     "3 inconclusive, 4 infrastructure error (also out of memory), 5 report not\n"
		     "delivered, 130/143 interrupted, "
		     "141 stdout closed by its reader (as SIGPIPE gives).\n");
}

int main(int argc, char **argv)
{
	/*
	 * cJSON allocates through our wrappers: out of memory is then our one
	 * message and exit 4, never a NULL read as "invalid JSON". With a
	 * malloc_fn other than malloc, cJSON does not use realloc (it mallocs
	 * and copies), so no reallocate hook is needed.
	 */
	cJSON_Hooks hooks = { pg_xmalloc, free };
	int i = 1, ret;
	size_t c;

	cJSON_InitHooks(&hooks);
	pg_oom_on_fatal(pg_sig_kill_tracked);
	pg_oom_while("starting");

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return fflush(stdout) ? PG_EXIT_INFRA : PG_EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("perfgate %s\n", PERFGATE_VERSION);
			return fflush(stdout) ? PG_EXIT_INFRA : PG_EXIT_OK;
		} else if (!strcmp(argv[i], "-C")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "perfgate: option '-C' needs DIR\n");
				return PG_EXIT_USAGE;
			}
			if (chdir(argv[i + 1]) < 0) {
				fprintf(stderr, "perfgate: cannot change to '%s': %s\n", argv[i + 1],
					strerror(errno));
				return PG_EXIT_USAGE;
			}
			i += 2;
		} else {
			fprintf(stderr, "perfgate: unknown option '%s'\nTry 'perfgate --help'.\n", argv[i]);
			return PG_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return PG_EXIT_USAGE;
	}
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (strcmp(argv[i], commands[c].name))
			continue;
		pg_sig_install();
		pg_oom_while(commands[c].activity);
		ret = commands[c].fn(argc - i, argv + i);
		/* Results go to stdout: a failed flush (a full disk, a closed pipe) is an error. */
		if (fflush(stdout) != 0 || ferror(stdout)) {
			/*
			 * The reader went away (`perfgate fold big | head -1`): stop
			 * quietly with the status SIGPIPE would have given, as a Unix
			 * filter does. SIGPIPE itself stays ignored while children run.
			 */
			if (errno == EPIPE)
				return PG_EXIT_PIPE;
			fprintf(stderr, "perfgate: write to stdout: %s\n", strerror(errno));
			if (ret == PG_EXIT_OK)
				ret = PG_EXIT_INFRA;
		}
		if (pg_sig_received())
			ret = pg_sig_exit_code();
		return ret;
	}
	fprintf(stderr, "perfgate: '%s' is not a perfgate command. See 'perfgate --help'.\n", argv[i]);
	return PG_EXIT_USAGE;
}
