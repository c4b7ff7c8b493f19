/*
 * ci_env: what the CI system says about the change being gated.
 *
 * Owns: reading the base revision of a pull or merge request from the
 * environment: GitHub Actions (GITHUB_EVENT_PATH's pull_request.base.sha,
 * or merge_group.base_sha) and GitLab (CI_MERGE_REQUEST_DIFF_BASE_SHA).
 * Must not: print or guess: outside CI, or in CI with no pull request,
 * it says so and the caller makes it a usage error.
 */
#ifndef PG_CI_ENV_H
#define PG_CI_ENV_H

#include "err.h"

/*
 * *base_out (owned by the caller) is the base commit from the CI
 * environment and *source_out (borrowed, static) says where it came from;
 * returns 1 when the environment names no base (not in CI, or not a pull
 * request), 0 when found, -1 on error (an unreadable or malformed event file).
 */
int pg_ci_base(char **base_out, const char **source_out, struct pg_err *err);

#endif
