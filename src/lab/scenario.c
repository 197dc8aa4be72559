/* `dualsite lab --scenario S`: plays a docs/behaviour.md §6 scenario against the real lab.
 *
 * down/up of a site or server: a SIP Server is stopped (SIGSTOP: silent) and
 * continued (SIGCONT; a registrar that is not running is started again); a
 * Stat/Configuration stand-in closes and reopens its port (a stopped process's
 * port would still complete TCP handshakes). call start/end: sipp calls the
 * agent through the site its SIP connection uses and hangs up at the
 * scenario's `call: end`. unregister N: `kamcmd ul.rm` at both registrars of
 * the agent's proxy-N site. reject/accept (a registrar's answers) and manual
 * (a control command `run` does not have yet) cannot be played: exit 2. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "dualsite/config.h"
#include "dualsite/sim.h"
#include "dualsite/validate.h"
#include "lab.h"

int lab_scenario_precheck(struct lab *lab, const char *file)
{
	struct ds_scenario *sc = NULL;
	struct ds_diags d = {0};
	int rc = 0;
	int err = ds_scenario_load(&sc, file, &d);

	ds_diags_sort(&d);
	ds_diags_print(stderr, &d);
	if (err || d.errors) {
		if (err && err != EINVAL)
			fprintf(stderr, "dualsite lab: cannot read scenario %s: %s\n", file,
				strerror(err));
		rc = err && err != EINVAL ? 2 : 1;
		goto out;
	}
	if (sc->all_agents || sc->n_agents > 1) {
		fprintf(stderr, "dualsite lab: %s:%d:%d: the lab plays a scenario for one agent; "
			"write 'agent: NAME' (lists and 'all' are for dualsite simulate)\n", file,
			sc->agent_loc.line, sc->agent_loc.col);
		rc = 1;
		goto out;
	}
	if (!sc->agent || !lab_agent_find(lab, sc->agent)) {
		fprintf(stderr, "dualsite lab: %s:%d:%d: the scenario's agent '%s' is not in the "
			"lab; the lab's agents are:", file, sc->agent_loc.line, sc->agent_loc.col,
			sc->agent ? sc->agent : "(none)");
		for (unsigned i = 0; i < lab->n_agents; i++)
			fprintf(stderr, " %s", lab->agents[i].name);
		fprintf(stderr, " (--agents N gives more)\n");
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < sc->n_events; i++) {
		const struct ds_scenario_event *e = &sc->events[i];
		const char *why = NULL;
		switch (e->fault.type) {
		case DS_FAULT_REJECT:
		case DS_FAULT_ACCEPT:
			why = "reject/accept script a registrar's answers; the lab's registrars are "
			      "real Kamailio instances, which cannot be told to reject (use "
			      "`dualsite simulate`)";
			break;
		case DS_FAULT_MANUAL_SWITCHOVER:
		case DS_FAULT_MANUAL_RESTORE:
			why = "manual switchover/restore are not played by the lab's scenarios "
			      "(use `dualsite simulate`, or `dualsite ctl switchover` against "
			      "a `dualsite lab --keep-running`)";
			break;
		case DS_FAULT_DRAIN:
		case DS_FAULT_UNDRAIN:
			why = "drain/undrain are not played by the lab's scenarios (use `dualsite "
			      "simulate`, or `dualsite ctl drain` against a `dualsite lab "
			      "--keep-running`)";
			break;
		case DS_FAULT_DOWN:
		case DS_FAULT_UP:
		case DS_FAULT_CALL_START:
		case DS_FAULT_CALL_END:
		case DS_FAULT_UNREGISTER:
			break;
		}
		if (why) {
			fprintf(stderr, "dualsite lab: %s:%d:%d: %s: not supported against the real "
				"lab: %s\n", file, e->loc.line, e->loc.col, e->path, why);
			rc = 2;
		}
	}
	if (!rc && sc->has_seed && !lab->o->seed_set)
		lab->seed = sc->seed;
out:
	ds_diags_reset(&d);
	ds_scenario_free(sc);
	return rc;
}

/* Stops or continues one server of the lab; returns 0 or an errno. */
static int server_set(struct lab *lab, const char *name, bool up, char *said, size_t sz)
{
	struct lab_kam *k = lab_kam_find(lab, name);
	struct lab_standin *s = lab_standin_find(lab, name);
	size_t n = strlen(said);
	int err = 0;

	if (k && !up) {
		lab_proc_reap(&k->proc);
		if (k->proc.pid && !k->proc.stopped)
			err = lab_proc_signal(&k->proc, SIGSTOP);
		snprintf(said + n, sz - n, " %s SIGSTOP;", name);
	} else if (k) {
		lab_proc_reap(&k->proc);
		if (k->proc.pid && k->proc.stopped) {
			err = lab_proc_signal(&k->proc, SIGCONT);
			snprintf(said + n, sz - n, " %s SIGCONT;", name);
		} else if (!k->proc.pid) {
			err = lab_kam_start(k, lab->kamcfg, lab->password, false);
			snprintf(said + n, sz - n, " %s restarted;", name);
		}
	} else if (s && !up) {
		lab_standin_stop(s);
		snprintf(said + n, sz - n, " %s port closed;", name);
	} else if (s) {
		lab_proc_reap(&s->proc);
		if (!s->proc.pid)
			err = lab_standin_start(s);
		snprintf(said + n, sz - n, " %s port open;", name);
	} else {
		err = ENOENT;
	}
	return err;
}

static int target_set(struct lab *lab, const char *target, bool up, char *said, size_t sz)
{
	int err = 0;
	bool site = !strcmp(target, LAB_SITE_X) || !strcmp(target, LAB_SITE_Y);

	if (!site)
		return server_set(lab, target, up, said, sz);
	for (int i = 0; i < LAB_N_KAM && !err; i++)
		if (!strcmp(lab->kam[i].site, target))
			err = server_set(lab, lab->kam[i].name, up, said, sz);
	for (int i = 0; i < LAB_N_STANDIN && !err; i++)
		if (!strcmp(lab->standin[i].site, target))
			err = server_set(lab, lab->standin[i].name, up, said, sz);
	return err;
}

/* The registrar a call comes through: the member of the agent's SIP site in use. */
static struct lab_kam *call_via(struct lab *lab, const struct lab_agent *a)
{
	const char *site = a->conn[LAB_SIP].site[0] ? a->conn[LAB_SIP].site : LAB_SITE_X;
	struct lab_kam *k = a->conn[LAB_SIP].server[0] ?
			    lab_kam_find(lab, a->conn[LAB_SIP].server) : NULL;

	if (k && !strcmp(k->site, site) && k->proc.pid && !k->proc.stopped)
		return k;
	for (int i = 0; i < LAB_N_KAM; i++) {
		k = &lab->kam[i];
		if (!strcmp(k->site, site) && k->proc.pid && !k->proc.stopped)
			return k;
	}
	return NULL;
}

static int play(struct lab *lab, const struct ds_scenario *sc, const struct ds_scenario_event *e,
		const struct ds_engine_conf *conf)
{
	const struct ds_fault *f = &e->fault;
	struct lab_agent *a = lab_agent_find(lab, sc->agent);
	char said[512] = "";
	int err = 0;

	switch (f->type) {
	case DS_FAULT_DOWN:
	case DS_FAULT_UP:
		err = target_set(lab, f->name, f->type == DS_FAULT_UP, said, sizeof(said));
		/* the picture's label says what happened, as simulate's does; the
		 * details (which process, which signal) are on the '#' line */
		char what[64];
		snprintf(what, sizeof(what), "%.40s %s", f->name,
			 f->type == DS_FAULT_UP ? "up" : "down");
		lab_note(lab, f->type == DS_FAULT_UP, f->name, what);
		printf("# t=%.3f %s %s:%s\n", lab_run_now(lab),
		       f->type == DS_FAULT_UP ? "up" : "down", f->name, said);
		break;
	case DS_FAULT_CALL_START: {
		struct lab_kam *via = call_via(lab, a);
		int64_t end = sc->duration + 60000;
		for (const struct ds_scenario_event *n = e + 1; n < sc->events + sc->n_events; n++)
			if (n->fault.type == DS_FAULT_CALL_END) {
				end = n->fault.at;
				break;
			}
		lab_proc_reap(&lab->sipp);
		if (lab->sipp.pid) {
			printf("# t=%.3f call start: a call is still up; ignored\n", lab_run_now(lab));
			break;
		}
		if (!via) {
			printf("# t=%.3f call start: no registrar of %s's site answers; no call\n",
			       lab_run_now(lab), a->name);
			break;
		}
		int hold = (int)(end - (int64_t)(lab_run_now(lab) * 1000) - (int64_t)(lab->answer_delay * 1000));
		if (hold < 0)
			hold = 0;
		err = lab_sipp_call(lab, a, via, hold);
		if (!err) {
			char came[64];
			snprintf(came, sizeof(came), "call comes in through %.24s", via->site);
			lab_note_call(lab, true, a->name, lab_run_now(lab), came);
		}
		printf("# t=%.3f call start: sipp calls %s (%s) through %s; it hangs up at "
		       "t=%.3f\n", lab_run_now(lab), a->name, a->user, via->name, end / 1000.0);
		break;
	}
	case DS_FAULT_CALL_END:
		lab_note_call(lab, false, a->name, lab_run_now(lab), "the far end hangs up");
		printf("# t=%.3f call end: sipp hangs up now (BYE)\n", lab_run_now(lab));
		break;
	case DS_FAULT_UNREGISTER: {
		const char *site = conf->site_name[f->proxy];
		for (int i = 0; i < LAB_N_KAM; i++) {
			struct lab_kam *k = &lab->kam[i];
			if (!site || strcmp(k->site, site) || !k->proc.pid || k->proc.stopped)
				continue;
			char out[1024], aor[24];
			/* "s:" keeps kamcmd from sending a number-like AOR as an int */
			snprintf(aor, sizeof(aor), "s:%s", a->user);
			lab_kamcmd(k, out, sizeof(out), "ul.lookup", "location", aor);
			bool had = strstr(out, "AoR") != NULL;
			int st = had ? lab_kamcmd(k, NULL, 0, "ul.rm", "location", aor) : 0;
			size_t n = strlen(said);
			snprintf(said + n, sizeof(said) - n, " %s %s;", k->name,
				 !had ? "had none" : st == 0 ? "removed" : "ul.rm failed");
		}
		printf("# t=%.3f unregister %d: kamcmd ul.rm location %s at %s:%s\n",
		       lab_run_now(lab), f->proxy, a->user, site ? site : "?", said);
		break;
	}
	case DS_FAULT_REJECT:
	case DS_FAULT_ACCEPT:
	case DS_FAULT_MANUAL_SWITCHOVER:
	case DS_FAULT_MANUAL_RESTORE:
	case DS_FAULT_DRAIN:
	case DS_FAULT_UNDRAIN:
		/* refused by lab_scenario_precheck() before the lab started */
		err = ENOTSUP;
		break;
	}
	fflush(stdout);
	return err;
}

int lab_scenario(struct lab *lab, const char *file)
{
	struct ds_config *cfg = NULL;
	struct ds_scenario *sc = NULL;
	struct ds_diags d = {0};
	struct ds_engine_conf conf;
	struct ds_probe_conf pc;
	int rc = 1, err;

	memset(&conf, 0, sizeof(conf));
	if ((err = ds_config_load(&cfg, lab->cfgpath, &d)) ||
	    (err = ds_scenario_load(&sc, file, &d)) || d.errors)
		goto out;
	const char *agent = sc->agent;
	if (ds_validate_agents(cfg, &agent, 1, &d) || ds_sim_setup(cfg, agent, &conf, &pc) ||
	    ds_scenario_resolve(sc, cfg, &conf, &d))
		goto out;
	lab->echo_events = true;
	printf("# scenario %s: agent %s, %" PRId64 ".%03" PRId64 " s of real time; events "
	       "follow as JSON lines, the lab's actions as '#' lines\n", file, sc->agent,
	       sc->duration / 1000, sc->duration % 1000);
	fflush(stdout);
	for (size_t i = 0; i <= sc->n_events; i++) {
		int64_t at = i < sc->n_events ? sc->events[i].fault.at : sc->duration;
		/* The estimate of the run's zero improves as events arrive:
		 * recompute the instant while waiting for it. */
		do {
			int64_t until = lab->t0 + (int64_t)(lab->offset * 1000.0) + at;
			int64_t soon = lab_now_ms() + 200;
			err = lab_wait(lab, until < soon ? until : soon, NULL, NULL);
		} while (err == ETIMEDOUT && lab_run_now(lab) * 1000.0 < (double)at);
		if (err == EINTR)
			goto out;
		if (err == EPIPE) {
			fprintf(stderr, "dualsite lab: dualsite run ended during the scenario; its "
				"log:\n");
			lab_tail(stderr, lab->runlog, 20);
			goto out;
		}
		if (i == sc->n_events)
			break;
		if ((err = play(lab, sc, &sc->events[i], &conf))) {
			fprintf(stderr, "dualsite lab: %s: %s: %s\n", file, sc->events[i].path,
				strerror(err));
			goto out;
		}
	}
	printf("# t=%.3f end of scenario\n", lab_run_now(lab));
	lab_proc_reap(&lab->sipp);
	if (lab->sipp.pid || (lab->sipp.name[0] && WIFEXITED(lab->sipp.status) &&
			      WEXITSTATUS(lab->sipp.status)))
		printf("# the call did not complete cleanly in sipp (it may have ended with "
		       "its site)\n");
	rc = 0;
out:
	if (d.n) {
		ds_diags_sort(&d);
		ds_diags_print(stderr, &d);
	}
	ds_diags_reset(&d);
	ds_scenario_free(sc);
	ds_config_free(cfg);
	return rc;
}
