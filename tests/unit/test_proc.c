/* proc: real processes, real signals, real process groups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "proc.h"
#include "sig.h"
#include "util.h"

static int run(const char *cmd, uint64_t timeout_ns, struct pg_proc_result *r, struct pg_err *err)
{
	struct pg_proc_opts o = PG_PROC_OPTS_INIT;

	o.cmd = cmd;
	o.timeout_ns = timeout_ns;
	o.grace_ns = 300000000ull;
	return pg_proc_run(&o, r, err);
}

static bool group_gone(int pgid)
{
	return kill(-pgid, 0) < 0 && errno == ESRCH;
}

static void test_exit_codes(void **state)
{
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	char buf[128];

	(void)state;
	assert_int_equal(run("true", 0, &r, &err), 0);
	assert_int_equal(r.status, PG_PROC_EXITED);
	assert_int_equal(r.exit_code, 0);
	assert_true(r.direct); /* a plain word found in PATH: no shell */
	pg_proc_result_release(&r);

	assert_int_equal(run("exit 3", 0, &r, &err), 0);
	assert_int_equal(r.status, PG_PROC_EXITED);
	assert_int_equal(r.exit_code, 3);
	assert_false(r.direct); /* a builtin goes through sh */
	assert_string_equal(pg_proc_describe(&r, 0, buf, sizeof(buf)), "exited with 3");
	assert_int_equal(pg_proc_status_code(&r), 3);
	pg_proc_result_release(&r);

	assert_int_equal(run("echo out; echo err >&2; exit 125", 0, &r, &err), 0);
	assert_int_equal(r.exit_code, 125);
	assert_string_equal(r.out.data, "out\n");
	assert_string_equal(r.err.data, "err\n");
	pg_proc_result_release(&r);

	/* sh's own verdicts on a missing command */
	assert_int_equal(run("no-such-command-pg 1 2 | cat", 0, &r, &err), 0);
	assert_int_equal(r.exit_code, 0); /* the pipeline's status is cat's */
	pg_proc_result_release(&r);
	assert_int_equal(run("no-such-command-pg", 0, &r, &err), 0);
	assert_int_equal(r.exit_code, 127);
	assert_string_equal(pg_proc_describe(&r, 0, buf, sizeof(buf)),
			    "exited with 127 (command not found?)");
	pg_proc_result_release(&r);
}

static void test_signal(void **state)
{
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	char buf[128];

	(void)state;
	assert_int_equal(run("kill -SEGV $$", 0, &r, &err), 0);
	assert_int_equal(r.status, PG_PROC_SIGNALED);
	assert_int_equal(r.signal, SIGSEGV);
	assert_int_equal(pg_proc_status_code(&r), 139);
	assert_string_equal(pg_proc_describe(&r, 0, buf, sizeof(buf)),
			    "killed by signal 11 (SIGSEGV)");
	pg_proc_result_release(&r);

	/* perfgate ignores SIGPIPE; the child must get the default back. */
	assert_int_equal(run("yes | head -c 10 >/dev/null; kill -0 $$", 0, &r, &err), 0);
	assert_int_equal(r.exit_code, 0);
	pg_proc_result_release(&r);
	assert_int_equal(run("trap - PIPE; (sleep 0.2; yes) | true; exit $?", 0, &r, &err), 0);
	pg_proc_result_release(&r);
}

static void test_timeout_kills_group(void **state)
{
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	uint64_t t0 = pg_now_ns();
	char buf[128];

	(void)state;
	assert_int_equal(run("sleep 1000 & sleep 1000 & sleep 1000", 200000000ull, &r, &err), 0);
	assert_int_equal(r.status, PG_PROC_TIMEOUT);
	assert_true(group_gone(r.pid));
	assert_true(pg_now_ns() - t0 < 5000000000ull);
	assert_string_equal(pg_proc_describe(&r, 200000000ull, buf, sizeof(buf)),
			    "timed out after 0.200 s");
	pg_proc_result_release(&r);

	/* direct exec (no shell) */
	assert_int_equal(run("sleep 1000", 100000000ull, &r, &err), 0);
	assert_true(r.direct);
	assert_int_equal(r.status, PG_PROC_TIMEOUT);
	assert_int_equal(r.signal, SIGTERM);
	assert_true(group_gone(r.pid));
	pg_proc_result_release(&r);
}

static void test_term_ignored_is_killed(void **state)
{
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	uint64_t t0 = pg_now_ns(), took;

	(void)state;
	/* An ignored TERM is inherited by sleep too. */
	assert_int_equal(run("trap '' TERM; sleep 1000; sleep 1000", 200000000ull, &r, &err), 0);
	took = pg_now_ns() - t0;
	assert_int_equal(r.status, PG_PROC_TIMEOUT);
	assert_int_equal(r.signal, SIGKILL);
	assert_true(group_gone(r.pid));
	/* timeout 0.2 s + grace 0.3 s + 1 s */
	assert_true(took < 1500000000ull);
	pg_proc_result_release(&r);
}

static void test_leftovers_killed(void **state)
{
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	uint64_t t0 = pg_now_ns();

	(void)state;
	/* The leader exits at once; its background child holds stdout open. */
	assert_int_equal(run("sleep 1000 & echo started", 0, &r, &err), 0);
	assert_int_equal(r.status, PG_PROC_EXITED);
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(r.out.data, "started\n");
	assert_true(r.strays >= 1);
	assert_int_equal(r.stray_daemons, 0);
	assert_true(group_gone(r.pid));
	assert_true(pg_now_ns() - t0 < 3000000000ull);
	pg_proc_result_release(&r);
}

static void test_setsid_daemon(void **state)
{
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	uint64_t t0 = pg_now_ns();
	long daemon;

	(void)state;
	/* Double fork + setsid: the daemon leaves our group and our session. */
	assert_int_equal(run("(setsid sh -c 'echo $$; exec sleep 1000' &); sleep 0.2", 0, &r, &err),
			 0);
	assert_int_equal(r.status, PG_PROC_EXITED);
	assert_true(pg_now_ns() - t0 < 4000000000ull);
	daemon = strtol(pg_buf_cstr(&r.out), NULL, 10);
	assert_true(daemon > 1);
	assert_true(r.stray_daemons >= 1);
	assert_true(kill((pid_t)daemon, 0) < 0 && errno == ESRCH);
	pg_proc_result_release(&r);
}

static void test_output_cap(void **state)
{
	struct pg_proc_opts o = PG_PROC_OPTS_INIT;
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	o.cmd = "printf HEAD; head -c 300000 /dev/zero | tr '\\0' x; printf TAIL; echo e >&2";
	o.out_cap = 1000;
	assert_int_equal(pg_proc_run(&o, &r, &err), 0);
	assert_true(r.out_truncated);
	assert_false(r.err_truncated);
	assert_int_equal(r.out_bytes, 300008);
	assert_true(pg_str_startswith(r.out.data, "HEADxxx"));
	assert_true(pg_str_endswith(r.out.data, "xxxTAIL"));
	assert_non_null(strstr(r.out.data, "[... perfgate: 299008 bytes omitted ...]"));
	assert_true(r.out.len < 1100);
	assert_string_equal(r.err.data, "e\n");
	pg_proc_result_release(&r);

	/* exactly at the cap: nothing lost, no marker */
	o.cmd = "head -c 1000 /dev/zero | tr '\\0' y";
	assert_int_equal(pg_proc_run(&o, &r, &err), 0);
	assert_false(r.out_truncated);
	assert_int_equal(r.out.len, 1000);
	pg_proc_result_release(&r);

	/* stdin is /dev/null: cat ends at once */
	o.cmd = "cat";
	assert_int_equal(pg_proc_run(&o, &r, &err), 0);
	assert_int_equal(r.out.len, 0);
	pg_proc_result_release(&r);
}

static void test_check_cmd(void **state)
{
	struct pg_err err = PG_ERR_INIT;
	char dir[] = "/tmp/pg-test-proc.XXXXXX", path[256];
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	struct pg_proc_opts o = PG_PROC_OPTS_INIT;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/noexec", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\necho hi\n", f);
	fclose(f);
	chmod(path, 0644);
	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0755);

	assert_int_equal(pg_proc_check_cmd("./missing --flag", dir, &err), -1);
	assert_int_equal(err.kind, PG_ERR_INFRA);
	assert_string_equal(err.msg, "command './missing' not found: No such file or directory");
	assert_int_equal(pg_proc_check_cmd("./noexec", dir, &err), -1);
	assert_string_equal(err.msg, "command './noexec' is not executable: Permission denied");
	assert_int_equal(pg_proc_check_cmd("./sub arg", dir, &err), -1);
	assert_string_equal(err.msg, "command './sub' is not executable: Permission denied");
	assert_int_equal(pg_proc_check_cmd("no-such-command-pg x", dir, &err), -1);
	assert_string_equal(err.msg, "command 'no-such-command-pg' not found in PATH");
	assert_int_equal(pg_proc_check_cmd("true", dir, &err), 0);
	assert_int_equal(pg_proc_check_cmd("echo hi | cat", dir, &err), 0);
	assert_int_equal(pg_proc_check_cmd("FOO=1 ./missing", dir, &err), 0); /* cannot judge */
	assert_int_equal(pg_proc_check_cmd("cd sub && ./x", dir, &err), 0);
	assert_int_equal(pg_proc_check_cmd("/bin/sh -c true", dir, &err), 0);

	/* and the run itself: sh says 126 for the non-executable file */
	o.cmd = "./noexec";
	o.cwd = dir;
	assert_int_equal(pg_proc_run(&o, &r, &err), 0);
	assert_false(r.direct);
	assert_int_equal(r.exit_code, 126);
	pg_proc_result_release(&r);
	o.cmd = "pwd";
	assert_int_equal(pg_proc_run(&o, &r, &err), 0);
	assert_true(pg_str_startswith(r.out.data, dir));
	pg_proc_result_release(&r);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

static void test_env(void **state)
{
	struct pg_proc_opts o = PG_PROC_OPTS_INIT;
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	char *add[] = { "PG_EXTRA=added", "GITHUB_TOKEN=fromconfig", "HOME=/nowhere" };

	(void)state;
	setenv("GITHUB_TOKEN", "s3cret-gh", 1);
	setenv("GITLAB_TOKEN", "s3cret-gl", 1);
	setenv("PERFGATE_GITHUB_TOKEN", "s3cret-pg", 1);
	setenv("CI_JOB_TOKEN", "s3cret-ci", 1);
	setenv("PERFGATE_OTHER_TOKEN_X", "s3cret-x", 1);
	setenv("PG_KEEP", "kept", 1);
	o.cmd = "env";
	o.env_add = add;
	o.nr_env_add = PG_ARRAY_SIZE(add);
	assert_int_equal(pg_proc_run(&o, &r, &err), 0);
	assert_null(strstr(r.out.data, "s3cret"));
	assert_null(strstr(r.out.data, "fromconfig"));
	assert_non_null(strstr(r.out.data, "PG_EXTRA=added\n"));
	assert_non_null(strstr(r.out.data, "PG_KEEP=kept\n"));
	assert_non_null(strstr(r.out.data, "HOME=/nowhere\n"));
	pg_proc_result_release(&r);
	/* through the shell too */
	o.cmd = "echo \"[$GITHUB_TOKEN$CI_JOB_TOKEN]\"";
	assert_int_equal(pg_proc_run(&o, &r, &err), 0);
	assert_string_equal(r.out.data, "[]\n");
	pg_proc_result_release(&r);
	assert_true(pg_proc_env_denied("GITHUB_TOKEN", 12));
	assert_false(pg_proc_env_denied("GITHUB_TOKENS", 13));
	unsetenv("GITHUB_TOKEN");
	unsetenv("GITLAB_TOKEN");
	unsetenv("PERFGATE_GITHUB_TOKEN");
	unsetenv("CI_JOB_TOKEN");
	unsetenv("PERFGATE_OTHER_TOKEN_X");
}

static void test_rusage(void **state)
{
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	assert_int_equal(run("i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done", 0, &r, &err), 0);
	assert_int_equal(r.exit_code, 0);
	assert_true(r.user_ns + r.sys_ns > 0);
	assert_true(r.wall_ns >= (r.user_ns + r.sys_ns) / 2);
	assert_true(r.max_rss_bytes > 100 * 1024);
	pg_proc_result_release(&r);
}

static void test_interrupted(void **state)
{
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	uint64_t t0;

	(void)state;
	pg_sig_install();
	raise(SIGINT); /* the flag is set: the next wait loop TERMs the group */
	t0 = pg_now_ns();
	assert_int_equal(run("sleep 1000", 0, &r, &err), -1);
	assert_int_equal(err.kind, PG_ERR_INTERRUPTED);
	assert_string_equal(err.msg, "interrupted by SIGINT");
	assert_true(group_gone(r.pid));
	assert_true(pg_now_ns() - t0 < 2000000000ull);
	pg_proc_result_release(&r);
	pg_sig_reset();
}

static void test_split(void **state)
{
	char **argv = NULL;

	(void)state;
	assert_int_equal(pg_proc_split("  ./bench  parse data/big.txt ", &argv), 3);
	assert_string_equal(argv[0], "./bench");
	assert_string_equal(argv[1], "parse");
	assert_string_equal(argv[2], "data/big.txt");
	assert_null(argv[3]);
	free(argv);
	assert_int_equal(pg_proc_split("./bench --n=3 a,b @x %y +z", &argv), 6);
	free(argv);
	assert_int_equal(pg_proc_split("./bench > out", &argv), 0);
	assert_int_equal(pg_proc_split("./bench 'a b'", &argv), 0);
	assert_int_equal(pg_proc_split("./bench $HOME", &argv), 0);
	assert_int_equal(pg_proc_split("FOO=1 ./bench", &argv), 0);
	assert_int_equal(pg_proc_split("cd x", &argv), 0);
	assert_int_equal(pg_proc_split("./b *.c", &argv), 0);
	assert_int_equal(pg_proc_split("   ", &argv), 0);
	assert_null(argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_term_ignored_is_killed),
		cmocka_unit_test(test_leftovers_killed),
		cmocka_unit_test(test_setsid_daemon),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_check_cmd),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_rusage),
		cmocka_unit_test(test_interrupted),
		cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
