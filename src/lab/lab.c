/* `dualsite lab`: sets up two sites on loopback, runs the agents, follows
 * their events, and tears everything down again.
 *
 * Set-up: a private temp dir; four Kamailio registrars with digest auth
 * (SiteX and SiteY, primary and backup each); eight stand-in TCP listeners
 * for the Stat and Configuration Servers; a generated configuration; and
 * `dualsite run --all --events -` of this same binary, whose events the lab
 * reads from a pipe. Tear-down ends every child by its PID (stopped ones get
 * SIGCONT first) and removes every file, on success, failure or Ctrl-C. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lab.h"

extern char **environ;

static void on_signal(int sig)
{
	(void)sig;
	lab_interrupted = 1;
}

double lab_probe_budget(const struct lab *lab)
{
	return lab->probe_failures * lab->probe_interval + lab->probe_timeout;
}

double lab_run_now(const struct lab *lab)
{
	return (double)(lab_now_ms() - lab->t0) / 1000.0 - lab->offset;
}

void lab_note(struct lab *lab, bool up, const char *target, const char *text)
{
	if (lab->n_notes == sizeof(lab->notes) / sizeof(lab->notes[0]))
		return;
	struct lab_note *n = &lab->notes[lab->n_notes++];
	n->t = lab_run_now(lab);
	n->up = up;
	n->call = 0;
	snprintf(n->target, sizeof(n->target), "%s", target);
	snprintf(n->text, sizeof(n->text), "%s", text);
}

void lab_note_call(struct lab *lab, bool start, const char *agent, double t, const char *text)
{
	size_t n = lab->n_notes;

	lab_note(lab, false, agent, text);
	if (lab->n_notes > n) {
		lab->notes[lab->n_notes - 1].t = t;
		lab->notes[lab->n_notes - 1].call = start ? 1 : -1;
	}
}

struct lab_agent *lab_agent_find(struct lab *lab, const char *name)
{
	for (unsigned i = 0; i < lab->n_agents; i++)
		if (!strcmp(lab->agents[i].name, name))
			return &lab->agents[i];
	return NULL;
}

struct lab_kam *lab_kam_find(struct lab *lab, const char *name)
{
	for (int i = 0; i < LAB_N_KAM; i++)
		if (!strcmp(lab->kam[i].name, name))
			return &lab->kam[i];
	return NULL;
}

struct lab_standin *lab_standin_find(struct lab *lab, const char *name)
{
	for (int i = 0; i < LAB_N_STANDIN; i++)
		if (!strcmp(lab->standin[i].name, name))
			return &lab->standin[i];
	return NULL;
}

static void set(char *dst, size_t sz, const char *v)
{
	snprintf(dst, sz, "%s", v);
}

/* Folds one event into what the lab knows of its agent. */
static void apply(struct lab *lab, const struct lab_event *ev)
{
	struct lab_agent *a = lab_agent_find(lab, ev->agent);
	int k = lab_kind_index(ev->kind);

	if (!a)
		return;
	const char *e = ev->event;
	if (k >= 0) {
		if (!strcmp(e, "connected")) {
			set(a->conn[k].site, sizeof(a->conn[k].site), ev->site);
			set(a->conn[k].server, sizeof(a->conn[k].server), ev->server);
			a->conn[k].connected = true;
		} else if (!strcmp(e, "ha-switch")) {
			set(a->conn[k].server, sizeof(a->conn[k].server), ev->to);
			a->conn[k].connected = true;
			a->conn[k].ha_t = ev->t;
			a->conn[k].ha_switches++;
		} else if (!strcmp(e, "connection-lost")) {
			a->conn[k].connected = false;
			a->conn[k].lost_t = ev->t;
		} else if (!strcmp(e, "switchover")) {
			set(a->conn[k].site, sizeof(a->conn[k].site), ev->to);
			a->conn[k].server[0] = 0;
			a->conn[k].connected = true;
			a->conn[k].switch_t = ev->t;
			a->conn[k].switchovers++;
		} else if (!strcmp(e, "restore")) {
			if (k == LAB_SIP && a->in_call)
				a->restore_in_call = true;
			set(a->conn[k].site, sizeof(a->conn[k].site), ev->to);
			a->conn[k].server[0] = 0;
			a->conn[k].connected = true;
			a->conn[k].restore_t = ev->t;
			a->conn[k].restores++;
		} else if (!strcmp(e, "restore-deferred")) {
			a->conn[k].deferred_t = ev->t;
			a->conn[k].deferrals++;
		} else if (!strcmp(e, "out-of-service")) {
			a->conn[k].connected = false;
			a->conn[k].site[0] = 0;
		}
	}
	if (!strcmp(e, "registered") && ev->proxy >= 0 && ev->proxy < 2) {
		a->reg[ev->proxy] = true;
		set(a->reg_server[ev->proxy], sizeof(a->reg_server[0]), ev->server);
	} else if (!strcmp(e, "registration-lost") && ev->proxy >= 0 && ev->proxy < 2) {
		a->reg[ev->proxy] = false;
	} else if (!strcmp(e, "call-start")) {
		a->in_call = true;
		a->calls++;
		a->call_start_t = ev->t;
		set(a->call_site, sizeof(a->call_site), ev->site);
	} else if (!strcmp(e, "call-end")) {
		a->in_call = false;
		a->call_end_t = ev->t;
		set(a->call_end_reason, sizeof(a->call_end_reason), ev->reason);
	}
}

static void take_line(struct lab *lab, const char *line)
{
	struct lab_event ev;

	if (lab->events_copy) {
		fprintf(lab->events_copy, "%s\n", line);
		fflush(lab->events_copy);
	}
	if (lab->echo_events) {
		printf("%s\n", line);
		fflush(stdout);
	}
	if (lab_event_parse(line, &ev))
		return;
	ev.arrival = lab_now_ms() - lab->t0;
	/* The run's clock started a little after we spawned it; the smallest
	 * (arrival - t) seen is the best estimate of where its zero lies. */
	double off = (double)ev.arrival / 1000.0 - ev.t;
	if (!lab->offset_set || off < lab->offset) {
		lab->offset = off;
		lab->offset_set = true;
	}
	apply(lab, &ev);
	if (lab->n_log == lab->cap_log) {
		size_t cap = lab->cap_log ? lab->cap_log * 2 : 256;
		struct lab_event *v = realloc(lab->log, cap * sizeof(*v));
		if (!v)
			return;
		lab->log = v;
		lab->cap_log = cap;
	}
	lab->log[lab->n_log++] = ev;
	if (lab->narrate_events)
		lab_event_narrate(lab, &ev, stdout);
}

int lab_wait(struct lab *lab, int64_t until_ms, bool (*done)(struct lab *lab, void *arg),
	     void *arg)
{
	for (;;) {
		if (done && done(lab, arg))
			return 0;
		if (lab_interrupted)
			return EINTR;
		if (lab->run_eof)
			return EPIPE;
		int64_t now = lab_now_ms();
		if (now >= until_ms)
			return ETIMEDOUT;
		int64_t left = until_ms - now;
		struct pollfd pfd = {.fd = lab->ev_fd, .events = POLLIN};
		int r = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (r < 0 && errno != EINTR)
			return errno;
		if (r <= 0)
			continue;
		char buf[4096];
		ssize_t n = read(lab->ev_fd, buf, sizeof(buf));
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			lab->run_eof = true;
			continue;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (lab->line_len + 1 < sizeof(lab->line))
					lab->line[lab->line_len++] = buf[i];
				continue;
			}
			lab->line[lab->line_len] = 0;
			if (lab->line_len)
				take_line(lab, lab->line);
			lab->line_len = 0;
		}
	}
}

static int setup_servers(struct lab *lab)
{
	static const char *const kam_names[LAB_N_KAM] = {"SIP_X", "SIP_X_B", "SIP_Y", "SIP_Y_B"};
	static const char *const sin_names[LAB_N_STANDIN] = {
		"STAT_X", "STAT_X_B", "STAT_Y", "STAT_Y_B", "CONF_X", "CONF_X_B", "CONF_Y", "CONF_Y_B",
	};
	uint16_t used[LAB_N_KAM + LAB_N_STANDIN + 1];
	size_t n_used = 0;
	char dir[sizeof(lab->dir)];
	int err;

	/* A copy: GCC's restrict check dislikes source and target in one struct. */
	memcpy(dir, lab->dir, sizeof(dir));

	for (int i = 0; i < LAB_N_KAM; i++) {
		struct lab_kam *k = &lab->kam[i];
		set(k->name, sizeof(k->name), kam_names[i]);
		k->site = i < 2 ? LAB_SITE_X : LAB_SITE_Y;
		if ((err = lab_free_port(&k->port, used, n_used)))
			return err;
		used[n_used++] = k->port;
		snprintf(k->ctl, sizeof(k->ctl), "unix:%s/%s.ctl", dir, kam_names[i]);
		snprintf(k->pidfile, sizeof(k->pidfile), "%s/%s.pid", dir, kam_names[i]);
		snprintf(k->log, sizeof(k->log), "%s/%s.log", dir, kam_names[i]);
	}
	for (int i = 0; i < LAB_N_STANDIN; i++) {
		struct lab_standin *s = &lab->standin[i];
		set(s->name, sizeof(s->name), sin_names[i]);
		s->site = (i / 2) % 2 == 0 ? LAB_SITE_X : LAB_SITE_Y;
		s->kind = i < 4 ? "stat" : "config";
		if ((err = lab_free_port(&s->port, used, n_used)))
			return err;
		used[n_used++] = s->port;
	}
	/* run's control endpoint on loopback TCP, not a Unix socket, so that a
	 * browser can open its status page too */
	uint16_t ctl_port;
	if ((err = lab_free_port(&ctl_port, used, n_used)))
		return err;
	snprintf(lab->ctlsock, sizeof(lab->ctlsock), "127.0.0.1:%u", ctl_port);
	printf("dualsite lab: two sites on loopback, %u agent%s, seed %llu\n", lab->n_agents,
	       lab->n_agents == 1 ? "" : "s", (unsigned long long)lab->seed);
	for (int i = 0; i < LAB_N_STANDIN; i++) {
		struct lab_standin *s = &lab->standin[i];
		if ((err = lab_standin_start(s))) {
			fprintf(stderr, "dualsite lab: set-up: stand-in %s on 127.0.0.1:%u: %s\n",
				s->name, s->port, strerror(err));
			return err;
		}
	}
	for (int i = 0; i < LAB_N_KAM; i++) {
		struct lab_kam *k = &lab->kam[i];
		if ((err = lab_kam_start(k, lab->kamcfg, lab->password, false))) {
			fprintf(stderr, "dualsite lab: set-up: Kamailio %s on 127.0.0.1:%u did not "
				"answer OPTIONS within 10 s (%s); its log:\n",
				k->name, k->port, strerror(err));
			lab_tail(stderr, k->log, 15);
			return err;
		}
	}
	for (int site = 0; site < 2; site++) {
		const char *sn = site ? LAB_SITE_Y : LAB_SITE_X;
		printf("  %s  SIP Server  %-8s 127.0.0.1:%-5u primary  (Kamailio, pid %d)\n",
		       sn, lab->kam[2 * site].name, lab->kam[2 * site].port, (int)lab->kam[2 * site].proc.pid);
		printf("  %s  SIP Server  %-8s 127.0.0.1:%-5u backup   (Kamailio, pid %d)\n",
		       sn, lab->kam[2 * site + 1].name, lab->kam[2 * site + 1].port,
		       (int)lab->kam[2 * site + 1].proc.pid);
		for (int i = 0; i < LAB_N_STANDIN; i++) {
			struct lab_standin *s = &lab->standin[i];
			if (strcmp(s->site, sn))
				continue;
			printf("  %s  %-11s %-8s 127.0.0.1:%-5u %-8s (stand-in TCP listener, pid %d)\n",
			       sn, !strcmp(s->kind, "stat") ? "Stat Server" : "Conf Server",
			       s->name, s->port, i % 2 ? "backup" : "primary", (int)s->proc.pid);
		}
	}
	return 0;
}

static int start_run(struct lab *lab)
{
	char seed[32], pwenv[64];
	int fds[2], err;

	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)lab->seed);
	snprintf(pwenv, sizeof(pwenv), "DUALSITE_LAB_PASSWORD=%s", lab->password);
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof(*env));
	if (!env)
		return ENOMEM;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "DUALSITE_LAB_PASSWORD=", 22))
			env[m++] = environ[i];
	env[m++] = pwenv;
	env[m] = NULL;
	char *argv[] = {lab->exe, "run", "-c", lab->cfgpath, "--all", "--events", "-",
			"--seed", seed, "--listen", "127.0.0.1", "--control", lab->ctlsock, NULL};

	if (pipe2(fds, O_CLOEXEC) < 0) {
		free(env);
		return errno;
	}
	int log = open(lab->runlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (log < 0) {
		err = errno;
		goto out;
	}
	lab->offset = (double)(lab_now_ms() - lab->t0) / 1000.0;
	err = lab_proc_spawn(&lab->run, "dualsite run", argv, env, fds[1], log);
	close(log);
out:
	free(env);
	close(fds[1]);
	if (err) {
		close(fds[0]);
		return err;
	}
	lab->ev_fd = fds[0];
	printf("  agents: ");
	for (unsigned i = 0; i < lab->n_agents; i++)
		printf("%s%s (%s)", i ? ", " : "", lab->agents[i].name, lab->agents[i].user);
	printf("\n  dualsite run -c %s --all --events - --seed %s%s%s  (pid %d)\n", lab->cfgpath,
	       seed, lab->ctlsock[0] ? " --control " : "", lab->ctlsock, (int)lab->run.pid);
	printf("  timing: probe every %gs, answer within %gs, down after %u misses "
	       "(probe budget %gs); timeout %gs; hold-down %gs; random delay 0..%gs\n\n",
	       lab->probe_interval, lab->probe_timeout, lab->probe_failures,
	       lab_probe_budget(lab), lab->dr_timeout, lab->hold_down, lab->random_range);
	fflush(stdout);
	return 0;
}

static void print_details(struct lab *lab)
{
	printf("\nThe lab stays up until Ctrl-C.\n");
	printf("  configuration:  %s\n", lab->cfgpath);
	printf("  password:       %s for every user (digest auth; dualsite reads it from "
	       "$DUALSITE_LAB_PASSWORD)\n", lab->password);
	printf("  users:         ");
	for (unsigned i = 0; i < lab->n_agents; i++)
		printf(" %s=%s", lab->agents[i].name, lab->agents[i].user);
	printf("\n");
	for (int i = 0; i < LAB_N_KAM; i++)
		printf("  %-8s %s  udp/tcp 127.0.0.1:%u  kamcmd -s %s ul.dump  (pid %d)\n",
		       lab->kam[i].name, lab->kam[i].site, lab->kam[i].port, lab->kam[i].ctl,
		       (int)lab->kam[i].proc.pid);
	for (int i = 0; i < LAB_N_STANDIN; i++)
		printf("  %-8s %s  tcp 127.0.0.1:%u  stand-in %s server  (pid %d)\n",
		       lab->standin[i].name, lab->standin[i].site, lab->standin[i].port,
		       lab->standin[i].kind, (int)lab->standin[i].proc.pid);
	printf("  dualsite run:   pid %d, its log %s\n", (int)lab->run.pid, lab->runlog);
	if (lab->ctlsock[0]) {
		printf("  control:        %s (docs/ctl.md)\n", lab->ctlsock);
		printf("  status page:    http://%s/ (docs/status-page.md)\n", lab->ctlsock);
		printf("    %s ctl --control %s status\n", lab->exe, lab->ctlsock);
		printf("    %s ctl --control %s switchover %s   (then: restore %s)\n", lab->exe,
		       lab->ctlsock, lab->agents[0].name, lab->agents[0].name);
		printf("    %s ctl --control %s drain SiteX   (then: undrain SiteX)\n", lab->exe,
		       lab->ctlsock);
		printf("    %s ctl --control %s events\n", lab->exe, lab->ctlsock);
	}
	if (!lab_sipp_prepare(lab))
		printf("  call an agent:  sipp 127.0.0.1:%u -sf %s -s %s -d 10000 -m 1 "
		       "-i 127.0.0.1 -nostdin\n", lab->kam[LAB_SIP_Y].port, lab->sippxml,
		       lab->agents[0].user);
	printf("events follow:\n");
	fflush(stdout);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX + 260];

	if (!d)
		return;
	/* Everything in the private dir is the lab's: config, logs, pid files,
	 * Kamailio's control sockets. */
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void teardown(struct lab *lab)
{
	/* dualsite run first: a clean stop removes its bindings while the
	 * registrars still answer. */
	if (lab->run.pid) {
		lab_proc_end(&lab->run, SIGTERM, 5000);
		if (WIFEXITED(lab->run.status) && WEXITSTATUS(lab->run.status))
			fprintf(stderr, "dualsite lab: dualsite run exited with status %d at the "
				"end\n", WEXITSTATUS(lab->run.status));
	}
	lab_proc_end(&lab->sipp, SIGTERM, 1000);
	for (int i = 0; i < LAB_N_KAM; i++)
		lab_proc_end(&lab->kam[i].proc, SIGTERM, 3000);
	for (int i = 0; i < LAB_N_STANDIN; i++)
		lab_standin_stop(&lab->standin[i]);
	if (lab->ev_fd >= 0)
		close(lab->ev_fd);
	if (lab->events_copy)
		fclose(lab->events_copy);
	if (lab->dir[0])
		remove_dir(lab->dir);
	free(lab->log);
}

static bool tools_present(void)
{
	static const char *const tools[] = {"kamailio", "kamcmd", "sipp"};
	bool ok = true;

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if (lab_have(tools[i]))
			continue;
		fprintf(stderr, "dualsite lab: '%s' is not in PATH; the lab needs Kamailio "
			"(kamailio, kamcmd) and sipp.\n", tools[i]);
		ok = false;
	}
	if (!ok)
		fprintf(stderr, "  install them with: sh scripts/deps.sh\n"
				"  or: apt-get install kamailio sip-tester\n");
	return ok;
}

static uint64_t random_seed(void)
{
	uint64_t s = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &s, sizeof(s)) != (ssize_t)sizeof(s))
			s = 0;
		close(fd);
	}
	if (!s)
		s = (uint64_t)lab_now_ms() ^ ((uint64_t)getpid() << 32);
	return s % 1000000000ull;
}

static int run_lab(struct lab *lab)
{
	const struct ds_lab_opts *o = lab->o;
	int err;

	if (o->events) {
		lab->events_copy = fopen(o->events, "w");
		if (!lab->events_copy) {
			fprintf(stderr, "dualsite lab: --events %s: %s\n", o->events, strerror(errno));
			return 2;
		}
	}
	if (o->scenario && (err = lab_scenario_precheck(lab, o->scenario)))
		return err;
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(lab->dir, sizeof(lab->dir), "%s/dualsite-lab.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(lab->dir)) {
		fprintf(stderr, "dualsite lab: TMPDIR is too long (%d bytes); the lab needs a "
			"shorter one\n", n);
		lab->dir[0] = 0;
		return 1;
	}
	if (!mkdtemp(lab->dir)) {
		fprintf(stderr, "dualsite lab: cannot make a temp dir %s: %s\n", lab->dir,
			strerror(errno));
		lab->dir[0] = 0;
		return 1;
	}
	char dir[sizeof(lab->dir)];
	memcpy(dir, lab->dir, sizeof(dir));
	snprintf(lab->cfgpath, sizeof(lab->cfgpath), "%s/lab.yaml", dir);
	snprintf(lab->runlog, sizeof(lab->runlog), "%s/run.log", dir);
	snprintf(lab->sipplog, sizeof(lab->sipplog), "%s/sipp.log", dir);
	snprintf(lab->sippxml, sizeof(lab->sippxml), "%s/call.xml", dir);
	if ((err = setup_servers(lab)))
		return 1;
	if ((err = lab_conf_write(lab))) {
		fprintf(stderr, "dualsite lab: cannot write %s: %s\n", lab->cfgpath, strerror(err));
		return 1;
	}
	if ((err = start_run(lab))) {
		fprintf(stderr, "dualsite lab: cannot start %s run: %s\n", lab->exe, strerror(err));
		return 1;
	}
	int rc = 0;
	if (o->scenario)
		rc = lab_scenario(lab, o->scenario);
	else if (!o->no_story)
		rc = lab_story(lab) ? 1 : 0;
	if (o->svg && lab->n_log) {
		if ((err = lab_svg_write(lab, o->svg))) {
			fprintf(stderr, "dualsite lab: --svg %s: %s\n", o->svg, strerror(err));
			if (!rc)
				rc = 1;
		} else {
			printf("timeline picture: %s\n", o->svg);
		}
	}
	if (o->keep_running && !lab_interrupted && !lab->run_eof) {
		print_details(lab);
		lab->narrate_events = true;
		err = lab_wait(lab, INT64_MAX, NULL, NULL);
		if (err == EPIPE) {
			fprintf(stderr, "dualsite lab: dualsite run ended; its log:\n");
			lab_tail(stderr, lab->runlog, 20);
			rc = 1;
		}
	}
	fflush(stdout);
	if (lab_interrupted) {
		fprintf(stderr, "dualsite lab: interrupted; removing the lab\n");
		if (!o->keep_running)
			rc = 1;
	}
	return rc;
}

int ds_lab_main(const struct ds_lab_opts *o)
{
	struct lab *lab;
	struct sigaction sa = {.sa_handler = on_signal};
	struct sigaction old_int, old_term;
	int rc;

	if (!tools_present())
		return 1;
	lab = calloc(1, sizeof(*lab));
	if (!lab)
		return 1;
	lab->o = o;
	lab->ev_fd = -1;
	lab->t0 = lab_now_ms();
	lab->n_agents = o->agents;
	lab->seed = o->seed_set ? o->seed : random_seed();
	lab->probe_interval = 0.5;
	lab->probe_timeout = 0.5;
	lab->probe_failures = 2;
	lab->reg_timeout = 2;
	lab->dr_timeout = 5;
	lab->hold_down = 5;
	lab->random_range = 0.5;
	lab->answer_delay = 1;
	/* A scenario's `unregister` drops a binding behind the agent's back:
	 * binding checks let the agent notice within seconds. */
	lab->binding_check = o->scenario ? 2 : 0;
	for (unsigned i = 0; i < lab->n_agents; i++) {
		lab_agent_name(i, lab->agents[i].name, sizeof(lab->agents[i].name));
		snprintf(lab->agents[i].user, sizeof(lab->agents[i].user), "%u", 7001 + i);
	}
	ssize_t n = readlink("/proc/self/exe", lab->exe, sizeof(lab->exe) - 1);
	if (n <= 0) {
		fprintf(stderr, "dualsite lab: cannot read /proc/self/exe: %s\n", strerror(errno));
		free(lab);
		return 1;
	}
	lab->exe[n] = 0;
	int err = lab_kam_find_cfg(lab->kamcfg, sizeof(lab->kamcfg), lab->exe);
	const char *env = getenv("DUALSITE_KAMAILIO_CFG");
	if (err && env && *env) {
		fprintf(stderr, "dualsite lab: DUALSITE_KAMAILIO_CFG=%s: %s; it must name "
			"Kamailio's registrar.cfg of this project (scripts/kamailio/)\n", env,
			strerror(err));
		free(lab);
		return 1;
	}
	if (err) {
		fprintf(stderr, "dualsite lab: cannot find the registrar configuration "
			"registrar.cfg: looked at $DUALSITE_KAMAILIO_CFG, "
			"<dir of %s>/../scripts/kamailio/, <dir>/../share/dualsite/, "
			"./scripts/kamailio/ and " DS_DATADIR "/; set DUALSITE_KAMAILIO_CFG to "
			"its path\n", lab->exe);
		free(lab);
		return 1;
	}
	/* A random password per lab: the registrars and the agents share it. */
	uint64_t pw = random_seed() * 2654435761u ^ (uint64_t)lab_now_ms();
	snprintf(lab->password, sizeof(lab->password), "lab%010llx",
		 (unsigned long long)(pw & 0xffffffffffull));

	/* No SA_RESTART: a signal must wake poll() so the lab can clean up. */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	signal(SIGPIPE, SIG_IGN);
	rc = run_lab(lab);
	teardown(lab);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	free(lab);
	return rc;
}
