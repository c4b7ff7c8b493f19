#include "sig.h"

#include <signal.h>
#include <string.h>

#define MAX_GROUPS 16

/* Signal state is the one global the handler needs; nothing else is global. */
static volatile sig_atomic_t first_sig;
static volatile sig_atomic_t sig_count;
static volatile pid_t groups[MAX_GROUPS];

static void handler(int sig)
{
	if (!first_sig)
		first_sig = sig;
	sig_count++;
	if (sig_count >= 2)
		pg_sig_kill_tracked();
}

void pg_sig_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int pg_sig_received(void)
{
	return first_sig;
}

int pg_sig_exit_code(void)
{
	switch (first_sig) {
	case 0:
		return 0;
	case SIGTERM:
		return 143;
	default:
		return 130;
	}
}

void pg_sig_track(pid_t pgid)
{
	int i;

	for (i = 0; i < MAX_GROUPS; i++)
		if (groups[i] == 0) {
			groups[i] = pgid;
			return;
		}
}

void pg_sig_untrack(pid_t pgid)
{
	int i;

	for (i = 0; i < MAX_GROUPS; i++)
		if (groups[i] == pgid)
			groups[i] = 0;
}

void pg_sig_kill_tracked(void)
{
	int i;

	for (i = 0; i < MAX_GROUPS; i++)
		if (groups[i] > 0)
			kill(-groups[i], SIGKILL);
}

void pg_sig_reset(void)
{
	first_sig = 0;
	sig_count = 0;
}
