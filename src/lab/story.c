/* The lab's story: six steps that walk through docs/behaviour.md §3 with real servers.
 *
 * 1 every agent registers at both sites and connects to SiteX;
 * 2 the SiteX primary dies (SIGKILL): HA switch to the SiteX backup;
 * 3 all of SiteX goes silent (backup SIGSTOPped, its Stat/Config stand-ins
 *   closed; the primary stays dead): switchover to SiteY after the timeout;
 * 4 sipp calls the first agent through SiteY;
 * 5 SiteX comes back: the first agent's restore is deferred (it is on the
 *   call), the others restore after the hold-down;
 * 6 the caller hangs up: the first agent restores at once.
 * Each step acts, then waits on events with a deadline; a step that does not
 * complete says which agent is missing what, and the story fails. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "lab.h"

enum { N_STEPS = 6 };

struct story {
	int step;                 /* 1..6 */
	int64_t call_end_ms;      /* lab clock: when sipp will hang up */
	char fail[512];
};

static const char *const step_title[N_STEPS + 1] = {
	"",
	"all agents register at both sites and connect to SiteX",
	"the SiteX primary SIP Server dies",
	"all of SiteX goes silent",
	"a call to one agent through SiteY",
	"SiteX comes back",
	"the call ends",
};

static bool is_site(const char *s, const char *site)
{
	return !strcmp(s, site);
}

/* Whether agent `a` has done what step `step` expects; if not, why. */
static bool agent_ok(struct lab *lab, const struct story *st, unsigned idx, char *why,
		     size_t sz)
{
	struct lab_agent *a = &lab->agents[idx];
	static const char *const kn[LAB_KINDS] = {"sip", "stat", "config"};
	bool caller = idx == 0;

	switch (st->step) {
	case 1:
		for (int p = 0; p < 2; p++)
			if (!a->reg[p]) {
				snprintf(why, sz, "not registered at proxy%d (%s)", p,
					 p ? LAB_SITE_Y : LAB_SITE_X);
				return false;
			}
		for (int k = 0; k < LAB_KINDS; k++)
			if (!a->conn[k].connected || !is_site(a->conn[k].site, LAB_SITE_X)) {
				snprintf(why, sz, "%s connection not on %s (%s)", kn[k], LAB_SITE_X,
					 a->conn[k].site[0] ? a->conn[k].site : "none yet");
				return false;
			}
		return true;
	case 2:
		if (a->conn[LAB_SIP].switchovers) {
			snprintf(why, sz, "switched over to %s instead of an HA switch inside %s",
				 a->conn[LAB_SIP].site, LAB_SITE_X);
			return false;
		}
		if (!a->conn[LAB_SIP].ha_switches ||
		    strcmp(a->conn[LAB_SIP].server, lab->kam[LAB_SIP_X_B].name)) {
			snprintf(why, sz, "no ha-switch to %s (sip server: %s)",
				 lab->kam[LAB_SIP_X_B].name, a->conn[LAB_SIP].server);
			return false;
		}
		return true;
	case 3:
		for (int k = 0; k < LAB_KINDS; k++)
			if (!a->conn[k].switchovers || !is_site(a->conn[k].site, LAB_SITE_Y)) {
				snprintf(why, sz, "%s connection not switched over to %s (on %s, %s)",
					 kn[k], LAB_SITE_Y,
					 a->conn[k].site[0] ? a->conn[k].site : "no site",
					 a->conn[k].connected ? "connected" : "lost");
				return false;
			}
		return true;
	case 4:
		if (!caller)
			return true;
		if (!a->calls || !a->in_call) {
			snprintf(why, sz, "no call-start event");
			return false;
		}
		if (!is_site(a->call_site, LAB_SITE_Y)) {
			snprintf(why, sz, "the call came through %s, expected %s", a->call_site,
				 LAB_SITE_Y);
			return false;
		}
		return true;
	case 5:
		if (caller) {
			if (a->restore_in_call) {
				snprintf(why, sz, "sip restored during the call (restore-when-idle "
					 "is on)");
				return false;
			}
			if (!a->conn[LAB_SIP].deferrals) {
				snprintf(why, sz, "no restore-deferred while on the call");
				return false;
			}
		} else if (!a->conn[LAB_SIP].restores || !is_site(a->conn[LAB_SIP].site, LAB_SITE_X)) {
			snprintf(why, sz, "sip not restored to %s (on %s)", LAB_SITE_X,
				 a->conn[LAB_SIP].site);
			return false;
		}
		for (int k = LAB_STAT; k < LAB_KINDS; k++)
			if (!a->conn[k].restores || !is_site(a->conn[k].site, LAB_SITE_X)) {
				snprintf(why, sz, "%s not restored to %s (on %s)", kn[k], LAB_SITE_X,
					 a->conn[k].site);
				return false;
			}
		return true;
	case 6:
		if (!caller)
			return true;
		if (a->in_call) {
			snprintf(why, sz, "the call has not ended");
			return false;
		}
		if (!a->conn[LAB_SIP].restores || !is_site(a->conn[LAB_SIP].site, LAB_SITE_X)) {
			snprintf(why, sz, "sip not restored to %s after the call (on %s)",
				 LAB_SITE_X, a->conn[LAB_SIP].site);
			return false;
		}
		return true;
	}
	return false;
}

static bool step_done(struct lab *lab, void *arg)
{
	struct story *st = arg;
	char why[160];

	for (unsigned i = 0; i < lab->n_agents; i++)
		if (!agent_ok(lab, st, i, why, sizeof(why)))
			return false;
	return true;
}

/* Waits for the step's events; on failure says which step, who and why. */
static int step_wait(struct lab *lab, struct story *st, int64_t until_ms)
{
	int err = lab_wait(lab, until_ms, step_done, st);
	char why[160];

	if (!err)
		return 0;
	printf("\nStep %d FAILED (%s): ", st->step, step_title[st->step]);
	switch (err) {
	case ETIMEDOUT:
		printf("by t=%.3f s (deadline) not every agent had done what docs/behaviour.md §3 says:\n",
		       lab_run_now(lab));
		break;
	case EINTR:
		printf("interrupted\n");
		return err;
	case EPIPE:
		printf("dualsite run ended unexpectedly; its log:\n");
		lab_tail(stdout, lab->runlog, 20);
		return err;
	default:
		printf("%s\n", strerror(err));
		return err;
	}
	for (unsigned i = 0; i < lab->n_agents; i++)
		if (!agent_ok(lab, st, i, why, sizeof(why)))
			printf("  %-8s %s\n", lab->agents[i].name, why);
	printf("  the last lines of dualsite run's log:\n");
	lab_tail(stdout, lab->runlog, 8);
	return err;
}

static void step_begin(struct lab *lab, struct story *st, int step, const char *action)
{
	st->step = step;
	lab->story_t[step] = lab_run_now(lab);
	printf("Step %d  t=%7.3f  %s\n", step, lab->story_t[step], step_title[step]);
	if (action)
		printf("        %s\n", action);
	fflush(stdout);
}

static void step_end(struct lab *lab, struct story *st)
{
	for (unsigned i = 0; i < lab->n_agents; i++) {
		struct lab_agent *a = &lab->agents[i];
		memcpy(a->site_at_step[st->step], a->conn[LAB_SIP].site, sizeof(a->site_at_step[0]));
	}
}

static int64_t deadline(double seconds)
{
	return lab_now_ms() + (int64_t)(seconds * 1000.0);
}

static int step1(struct lab *lab, struct story *st)
{
	step_begin(lab, st, 1, NULL);
	if (step_wait(lab, st, deadline(15)))
		return 1;
	for (unsigned i = 0; i < lab->n_agents; i++) {
		struct lab_agent *a = &lab->agents[i];
		printf("        %-8s registered at %s and %s; connected to %s (%s)\n", a->name,
		       a->reg_server[0], a->reg_server[1], a->conn[LAB_SIP].site,
		       a->conn[LAB_SIP].server);
	}
	printf("        done at t=%.3f\n\n", lab_run_now(lab));
	return 0;
}

static int step2(struct lab *lab, struct story *st)
{
	struct lab_kam *x = &lab->kam[LAB_SIP_X];
	char act[160];

	snprintf(act, sizeof(act), "%.15s (pid %d) killed with SIGKILL; %.15s stays up", x->name,
		 (int)x->proc.pid, lab->kam[LAB_SIP_X_B].name);
	step_begin(lab, st, 2, act);
	lab_note(lab, false, x->name, "SIP_X killed");
	lab_proc_signal(&x->proc, SIGKILL);
	lab_proc_wait(&x->proc, 2000);
	if (step_wait(lab, st, deadline(lab_probe_budget(lab) + lab->reg_timeout + 5)))
		return 1;
	for (unsigned i = 0; i < lab->n_agents; i++) {
		struct lab_agent *a = &lab->agents[i];
		printf("        %-8s HA switch %s -> %s at t=%.3f: %.3f s after the kill "
		       "(probe budget %.3g s); no switchover\n", a->name, x->name,
		       a->conn[LAB_SIP].server, a->conn[LAB_SIP].ha_t,
		       a->conn[LAB_SIP].ha_t - lab->story_t[2], lab_probe_budget(lab));
	}
	printf("\n");
	return 0;
}

static int step3(struct lab *lab, struct story *st)
{
	struct lab_kam *xb = &lab->kam[LAB_SIP_X_B];
	char act[200];

	snprintf(act, sizeof(act), "%.15s stopped (SIGSTOP: silent); SiteX Stat/Config stand-ins "
		 "closed; %.15s stays dead", xb->name, lab->kam[LAB_SIP_X].name);
	step_begin(lab, st, 3, act);
	lab_note(lab, false, LAB_SITE_X, "SiteX silent");
	lab_proc_signal(&xb->proc, SIGSTOP);
	for (int i = 0; i < LAB_N_STANDIN; i++)
		if (is_site(lab->standin[i].site, LAB_SITE_X))
			lab_standin_stop(&lab->standin[i]);
	double limit = lab_probe_budget(lab) + lab->dr_timeout + lab->random_range +
		       lab->reg_timeout + 5;
	if (step_wait(lab, st, deadline(limit)))
		return 1;
	for (unsigned i = 0; i < lab->n_agents; i++) {
		struct lab_agent *a = &lab->agents[i];
		double lost = a->conn[LAB_SIP].lost_t, sw = a->conn[LAB_SIP].switch_t;
		printf("        %-8s lost SiteX at t=%.3f (detected in %.3f s); switched over "
		       "to SiteY at t=%.3f: %.3f s after the outage = detection + %g s timeout "
		       "+ %.3f s\n", a->name, lost, lost - lab->story_t[3], sw, sw - lab->story_t[3],
		       lab->dr_timeout, sw - lost - lab->dr_timeout);
	}
	printf("\n");
	return 0;
}

static int step4(struct lab *lab, struct story *st)
{
	struct lab_agent *a = &lab->agents[0];
	struct lab_kam *y = &lab->kam[LAB_SIP_Y];
	char act[200];
	/* The call must outlast step 5: SiteX's restart, detection, the
	 * hold-down, a registration and the random delay, with a margin. */
	int hold_ms = (int)((1 + lab->hold_down + lab_probe_budget(lab) + lab->random_range +
			     lab->reg_timeout + 3) * 1000);

	snprintf(act, sizeof(act), "sipp calls %.31s (%.15s) through %.15s at 127.0.0.1:%u; it hangs "
		 "up after %.1f s", a->name, a->user, y->name, y->port, hold_ms / 1000.0);
	step_begin(lab, st, 4, act);
	int err = lab_sipp_call(lab, a, y, hold_ms);
	if (err) {
		printf("\nStep 4 FAILED: cannot start sipp: %s\n", strerror(err));
		return 1;
	}
	lab_note_call(lab, true, a->name, lab_run_now(lab), "call comes in through " LAB_SITE_Y);
	if (step_wait(lab, st, deadline(lab->answer_delay + 8))) {
		printf("  sipp's output:\n");
		lab_tail(stdout, lab->sipplog, 10);
		return 1;
	}
	/* dualsite rings for answer-delay, then answers; sipp's hold starts then. */
	st->call_end_ms = lab_now_ms() + (int64_t)(lab->answer_delay * 1000) + hold_ms;
	printf("        %-8s call-start through %s at t=%.3f, %.3f s after sipp's INVITE; "
	       "answered after answer-delay %g s\n\n", a->name, a->call_site, a->call_start_t,
	       a->call_start_t - lab->story_t[4], lab->answer_delay);
	return 0;
}

static int step5(struct lab *lab, struct story *st)
{
	struct lab_kam *x = &lab->kam[LAB_SIP_X], *xb = &lab->kam[LAB_SIP_X_B];
	int err;

	/* SiteX is back for the agents from the moment its backup answers:
	 * that instant starts every restore latency (and the hold-down). */
	step_begin(lab, st, 5, NULL);
	lab_proc_signal(&xb->proc, SIGCONT);
	lab_note(lab, true, LAB_SITE_X, "SiteX back");
	for (int i = 0; i < LAB_N_STANDIN; i++) {
		struct lab_standin *s = &lab->standin[i];
		if (is_site(s->site, LAB_SITE_X) && (err = lab_standin_start(s))) {
			printf("\nStep 5 FAILED: stand-in %s: %s\n", s->name, strerror(err));
			return 1;
		}
	}
	printf("        %s continued (SIGCONT) and SiteX's Stat/Config stand-ins reopened at "
	       "t=%.3f\n", xb->name, lab->story_t[5]);
	err = lab_kam_start(x, lab->kamcfg, lab->password, false);
	if (err) {
		printf("\nStep 5 FAILED: %s did not come back: %s; its log:\n", x->name,
		       strerror(err));
		lab_tail(stdout, x->log, 10);
		return 1;
	}
	printf("        %s restarted (pid %d, no bindings) and answers at t=%.3f\n", x->name,
	       (int)x->proc.pid, lab_run_now(lab));
	fflush(stdout);
	/* Everything must happen while the call lasts. */
	if (step_wait(lab, st, st->call_end_ms - 500))
		return 1;
	for (unsigned i = 0; i < lab->n_agents; i++) {
		struct lab_agent *a = &lab->agents[i];
		if (i == 0)
			printf("        %-8s restore deferred at t=%.3f: on a call\n", a->name,
			       a->conn[LAB_SIP].deferred_t);
		else
			printf("        %-8s restored to SiteX at t=%.3f: %.3f s after SiteX came "
			       "back (hold-down %g s)\n", a->name, a->conn[LAB_SIP].restore_t,
			       a->conn[LAB_SIP].restore_t - lab->story_t[5], lab->hold_down);
	}
	printf("        Stat and Configuration Server connections restored on their own "
	       "schedule, the call notwithstanding\n\n");
	return 0;
}

static int step6(struct lab *lab, struct story *st)
{
	struct lab_agent *a = &lab->agents[0];

	printf("Step 6  the call ends\n        the caller hangs up (BYE) at about t=%.3f\n",
	       lab_run_now(lab) + (double)(st->call_end_ms - lab_now_ms()) / 1000.0);
	fflush(stdout);
	st->step = 6;
	if (step_wait(lab, st, st->call_end_ms + (int64_t)((lab->reg_timeout +
				lab->random_range + 8) * 1000)))
		return 1;
	lab->story_t[6] = a->call_end_t;
	lab_note_call(lab, false, a->name, a->call_end_t, "the far end hangs up");
	printf("        %-8s call ended (%s) at t=%.3f; restored to SiteX at t=%.3f, %.3f s "
	       "later\n", a->name, a->call_end_reason, a->call_end_t, a->conn[LAB_SIP].restore_t,
	       a->conn[LAB_SIP].restore_t - a->call_end_t);
	if (!lab_proc_wait(&lab->sipp, 5000) || !WIFEXITED(lab->sipp.status) ||
	    WEXITSTATUS(lab->sipp.status)) {
		printf("\nStep 6 FAILED: sipp did not complete the call cleanly (a call must "
		       "never be torn down by a switchover or a restore); its output:\n");
		lab_tail(stdout, lab->sipplog, 12);
		return 1;
	}
	printf("        sipp: the call completed (200 to INVITE and to BYE)\n\n");
	return 0;
}

int lab_story(struct lab *lab)
{
	struct story st = {0};
	int (*const steps[N_STEPS])(struct lab *, struct story *) = {
		step1, step2, step3, step4, step5, step6,
	};

	for (int i = 0; i < N_STEPS; i++) {
		if (steps[i](lab, &st))
			return 1;
		step_end(lab, &st);
	}
	lab->story_done = true;
	lab_summary(lab, stdout);
	if (lab_verdict(lab, stdout)) {
		printf("The story did not go as docs/behaviour.md §3 says.\n");
		return 1;
	}
	printf("The story went as docs/behaviour.md §3 says.\n");
	return 0;
}
