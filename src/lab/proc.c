/* Child processes of the lab: each in its own process group, ended by PID.
 *
 * Every child gets its own process group (pgid = its pid) for two reasons:
 * Kamailio forks workers, and SIGSTOP/SIGKILL must reach all of them to make
 * a registrar silent or dead; and Ctrl-C in the terminal then reaches only
 * the lab, which ends its children itself, in order (SIGCONT first). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lab.h"

extern char **environ;

int lab_proc_spawn(struct lab_proc *p, const char *name, char *const argv[],
		   char *const env[], int out_fd, int err_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int err;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (err_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* The lab blocks nothing, but reset what a child must not inherit. */
	sigset_t def;
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
	err = posix_spawnp(&p->pid, argv[0], &fa, &at, argv, env ? env : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (err) {
		p->pid = 0;
		return err;
	}
	return 0;
}

int lab_proc_fork(struct lab_proc *p, const char *name, int (*fn)(void *arg), void *arg)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		_exit(fn(arg));
	}
	/* Also from the parent, so the group exists before any signal to it. */
	setpgid(pid, pid);
	p->pid = pid;
	return 0;
}

int lab_proc_signal(struct lab_proc *p, int sig)
{
	if (!p->pid)
		return ESRCH;
	if (kill(-p->pid, sig) < 0 && kill(p->pid, sig) < 0)
		return errno;
	if (sig == SIGSTOP)
		p->stopped = true;
	else if (sig == SIGCONT)
		p->stopped = false;
	return 0;
}

bool lab_proc_reap(struct lab_proc *p)
{
	int st;

	if (!p->pid)
		return true;
	pid_t r = waitpid(p->pid, &st, WNOHANG);
	if (r == p->pid || (r < 0 && errno == ECHILD)) {
		p->status = r == p->pid ? st : 0;
		p->pid = 0;
		p->stopped = false;
		return true;
	}
	return false;
}

bool lab_proc_wait(struct lab_proc *p, int timeout_ms)
{
	int64_t until = lab_now_ms() + timeout_ms;

	while (!lab_proc_reap(p)) {
		if (lab_now_ms() >= until)
			return false;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return true;
}

void lab_proc_end(struct lab_proc *p, int sig, int grace_ms)
{
	if (lab_proc_reap(p))
		return;
	/* A stopped process cannot act on SIGTERM: wake it first. */
	pid_t pid = p->pid;
	if (p->stopped)
		lab_proc_signal(p, SIGCONT);
	lab_proc_signal(p, sig);
	if (!lab_proc_wait(p, grace_ms)) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		lab_proc_wait(p, 2000);
	}
	/* The leader is gone; a worker it left behind in its group (the
	 * group id stays reserved while a member lives) goes too. */
	kill(-pid, SIGKILL);
}
