/*
 * git_env: the pinned identities and dates that unit tests making real git
 * repositories use (as tests/lib/test-lib.sh does for the e2e tests), so
 * that commit ids repeat; HOME is the test's scratch directory, so no
 * user.name is found anywhere (notes then use perfgate's own signature).
 */
#ifndef PG_TEST_GIT_ENV_H
#define PG_TEST_GIT_ENV_H

#include <stdlib.h>

static inline void pg_test_git_env(const char *home)
{
	setenv("GIT_AUTHOR_NAME", "A U Thor", 1);
	setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "C O Mitter", 1);
	setenv("GIT_COMMITTER_EMAIL", "committer@example.com", 1);
	setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z", 1);
	setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z", 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("HOME", home, 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
}

#endif
