/* Unit tests of the simulator: its queue, its scripted servers and
 * registrars, and the inputs it hands the engine (probe timing and
 * batching, REGISTER answers, same-instant order). The engine's own
 * decisions are tested by the scenario files; the scenario parser by
 * test_sim_scenario.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <errno.h>
#include "dualsite/sim.h"
#include "sim/simint.h"

/* ---- helpers ---------------------------------------------------------- */

#define SX 0   /* DS_SLOT(sip, preferred, primary) */
#define SXB 1
#define SY 2
#define SYB 3

static void make_conf(struct ds_engine_conf *c)
{
	static const char *const names[4] = {"SIP_X", "SIP_X_B", "SIP_Y", "SIP_Y_B"};

	memset(c, 0, sizeof(*c));
	c->agent = "alice";
	c->site_name[0] = "SiteX";
	c->site_name[1] = "SiteY";
	for (int s = 0; s < DS_SLOT_COUNT; s++)
		c->server_id[s] = -1;
	for (int s = 0; s < 4; s++) {
		c->server_id[DS_SLOT(DS_KIND_SIP, s / 2, s % 2)] = s;
		c->server_name[DS_SLOT(DS_KIND_SIP, s / 2, s % 2)] = names[s];
	}
	c->kind_connected[DS_KIND_SIP] = true;
	c->bc_enabled = true;
	c->auto_restore = true;
	c->restore_when_idle = true;
	c->timeout_ms = 30000;
	c->sipphone_wait_ms = 20000;
	c->hold_down_ms = 10000;
	c->random_range_ms = 0;
	c->reregister_ms[0] = c->reregister_ms[1] = 30000;
	c->reg_expires[0] = c->reg_expires[1] = 1800;
}

static const struct ds_probe_conf probe_conf = {
	.interval_ms = 1000, .timeout_ms = 500, .failures = 2, .register_timeout_ms = 8000,
};

/* Everything the simulator said, in order. */
struct rec {
	enum { R_INPUT, R_ACTION, R_EVENT, R_NOTE } what;
	int64_t t;
	struct ds_input in;
	struct ds_action act;
	struct ds_event ev;
	enum ds_note_type note;
};

struct log {
	struct rec v[4096];
	size_t n;
	size_t steps;
	int64_t last_step_t;
	bool step_t_decreased;
};

static struct rec *add(struct log *l)
{
	assert_true(l->n < sizeof(l->v) / sizeof(l->v[0]));
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

static void on_input(const struct ds_input *in, void *arg)
{
	struct rec *r = add(arg);

	r->what = R_INPUT;
	r->t = in->t;
	r->in = *in;
}

static void on_action(const struct ds_action *act, int64_t t, void *arg)
{
	struct rec *r = add(arg);

	r->what = R_ACTION;
	r->t = t;
	r->act = *act;
}

static void on_event(const struct ds_event *ev, void *arg)
{
	struct rec *r = add(arg);

	r->what = R_EVENT;
	r->t = ev->t;
	r->ev = *ev;
}

static void on_note(const struct ds_sim_note *n, void *arg)
{
	struct rec *r = add(arg);

	r->what = R_NOTE;
	r->t = n->t;
	r->note = n->type;
}

static void on_step(const struct ds_sim *sim, int64_t t, void *arg)
{
	struct log *l = arg;

	assert_int_equal(ds_sim_now(sim), t);
	if (t < l->last_step_t)
		l->step_t_decreased = true;
	l->last_step_t = t;
	l->steps++;
}

static struct ds_sim *new_sim(struct ds_engine_conf *conf, struct log *l)
{
	struct ds_sim_hooks h = {.input_h = on_input, .action_h = on_action, .event_h = on_event,
				 .note_h = on_note, .step_h = on_step, .arg = l};
	struct ds_sim *sim = NULL;

	make_conf(conf);
	memset(l, 0, sizeof(*l));
	assert_int_equal(ds_sim_alloc(&sim, conf, &probe_conf, 7, &h), 0);
	return sim;
}

static void fault(struct ds_sim *sim, enum ds_fault_type type, int64_t at, const char *name)
{
	struct ds_fault f = {.type = type, .at = at, .name = name};

	if (name)
		assert_int_equal(ds_sim_target(sim, name, &f.slots), 0);
	assert_int_equal(ds_sim_add_fault(sim, &f), 0);
}

/* ---- the queue -------------------------------------------------------- */

static void test_queue_order(void **state)
{
	struct ds_sim_queue q = {0};
	struct ds_sim_item it, prev;
	/* scrambled (t, class) pairs; equal pairs must come out in push order */
	static const int64_t ts[] = {5, 1, 5, 3, 1, 5, 0, 3, 5, 1};
	static const int cls[] = {2, 0, 0, 5, 0, 2, 1, 1, 0, 4};
	(void)state;

	for (int round = 0; round < 30; round++) {
		for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
			memset(&it, 0, sizeof(it));
			it.t = ts[i] + round % 3;
			it.cls = (enum ds_sim_class)cls[i];
			it.u.index = round * 100 + i;
			assert_int_equal(ds_sim_queue_push(&q, &it), 0);
		}
	}
	assert_non_null(ds_sim_queue_peek(&q));
	assert_true(ds_sim_queue_pop(&q, &prev));
	size_t n = 1;
	while (ds_sim_queue_pop(&q, &it)) {
		n++;
		assert_true(it.t >= prev.t);
		if (it.t == prev.t) {
			assert_true(it.cls >= prev.cls);
			if (it.cls == prev.cls)
				assert_true(it.seq > prev.seq && it.u.index > prev.u.index);
		}
		prev = it;
	}
	assert_int_equal(n, 30 * sizeof(ts) / sizeof(ts[0]));
	assert_null(ds_sim_queue_peek(&q));
	ds_sim_queue_reset(&q);
}

/* ---- the scripted servers and registrars ------------------------------ */

static void test_world_registrar(void **state)
{
	struct ds_engine_conf conf;
	struct ds_sim_world w;
	struct ds_sim_answer a;
	(void)state;

	make_conf(&conf);
	ds_sim_world_init(&w, &conf);
	assert_true(w.srv[SX].present && w.srv[SX].up);
	assert_false(w.srv[DS_SLOT(DS_KIND_STAT, 0, 0)].present);

	ds_sim_world_register(&w, SX, 0, 60, 1000, &a);
	assert_true(a.answered);
	assert_int_equal(a.code, 200);
	assert_int_equal(a.expires, 60);
	assert_true(ds_sim_world_bound(&w, SX, 0, 60999));
	assert_false(ds_sim_world_bound(&w, SX, 0, 61000));   /* expired */
	assert_false(ds_sim_world_bound(&w, SX, 1, 2000));    /* other proxy */
	assert_false(ds_sim_world_bound(&w, SXB, 0, 2000));   /* other server */

	ds_sim_world_check(&w, SX, 0, 2000, &a);
	assert_true(a.answered && a.present);
	ds_sim_world_check(&w, SX, 0, 61000, &a);
	assert_true(a.answered && !a.present);

	/* silent: no answer, and the binding survives the silence */
	assert_int_equal(ds_sim_world_set(&w, 1u << SX, false, 3000), 1u << SX);
	assert_int_equal(ds_sim_world_set(&w, 1u << SX, false, 3500), 0);
	assert_int_equal(w.srv[SX].since, 3000);
	ds_sim_world_register(&w, SX, 0, 60, 4000, &a);
	assert_false(a.answered);
	ds_sim_world_check(&w, SX, 0, 4000, &a);
	assert_false(a.answered);
	assert_true(ds_sim_world_bound(&w, SX, 0, 4000));
	/* back up: a restarted registrar has forgotten its bindings */
	assert_int_equal(ds_sim_world_set(&w, 1u << SX | 1u << SY, true, 5000), 1u << SX);
	assert_false(ds_sim_world_bound(&w, SX, 0, 5000));
	assert_int_equal(w.srv[SX].since, 5000);
}

static void test_world_reject_and_drop(void **state)
{
	struct ds_engine_conf conf;
	struct ds_sim_world w;
	struct ds_sim_answer a;
	(void)state;

	make_conf(&conf);
	ds_sim_world_init(&w, &conf);
	ds_sim_world_register(&w, SY, 1, 100, 0, &a);
	assert_int_equal(a.code, 200);
	/* reject: 1 applies to every SIP server of site 1, not to site 0 */
	w.reject_code[1] = 503;
	w.retry_after[1] = 30;
	ds_sim_world_register(&w, SYB, 1, 100, 10, &a);
	assert_true(a.answered);
	assert_int_equal(a.code, 503);
	assert_int_equal(a.retry_after, 30);
	assert_false(ds_sim_world_bound(&w, SYB, 1, 10));
	assert_true(ds_sim_world_bound(&w, SY, 1, 10));      /* a rejection removes nothing */
	ds_sim_world_register(&w, SX, 0, 100, 10, &a);
	assert_int_equal(a.code, 200);

	/* the registrar drops proxy 1's binding wherever it is */
	ds_sim_world_drop(&w, 1);
	assert_false(ds_sim_world_bound(&w, SY, 1, 20));
	assert_true(ds_sim_world_bound(&w, SX, 0, 20));
	/* Expires: 0 from the agent removes; to a silent server it is lost */
	ds_sim_world_unregister(&w, SX, 0);
	assert_false(ds_sim_world_bound(&w, SX, 0, 20));
	w.reject_code[1] = 0;
	ds_sim_world_register(&w, SY, 1, 100, 30, &a);
	ds_sim_world_set(&w, 1u << SY, false, 40);
	ds_sim_world_unregister(&w, SY, 1);
	assert_true(ds_sim_world_bound(&w, SY, 1, 40));
}

/* ---- the driver: what the engine is told, and when --------------------- */

static size_t count_inputs(const struct log *l, enum ds_input_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].what == R_INPUT && l->v[i].in.type == type;
	return n;
}

static const struct rec *find_input(const struct log *l, enum ds_input_type type, size_t nth)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].what == R_INPUT && l->v[i].in.type == type && nth-- == 0)
			return &l->v[i];
	return NULL;
}

/* docs/behaviour.md §3.1: a site silent from t=10 s with probes every 1 s, a 0.5 s
 * time-out and 2 failures is declared down at 11.5 s, in ONE input. */
static void test_sim_probe_budget_and_batch(void **state)
{
	struct ds_engine_conf conf;
	static struct log l;
	struct ds_sim *sim = new_sim(&conf, &l);
	struct ds_sim_server_view v;
	(void)state;

	fault(sim, DS_FAULT_DOWN, 10000, "SiteX");
	fault(sim, DS_FAULT_UP, 20000, "SiteX");
	assert_int_equal(ds_sim_run_until(sim, 11499), 0);
	assert_int_equal(count_inputs(&l, DS_IN_SERVERS), 0);
	ds_sim_server(sim, SX, &v);
	assert_true(v.present && !v.up && v.probed_up);
	assert_int_equal(v.since, 10000);
	assert_int_equal(ds_sim_run_until(sim, 11500), 0);
	assert_int_equal(count_inputs(&l, DS_IN_SERVERS), 1);
	const struct rec *r = find_input(&l, DS_IN_SERVERS, 0);
	assert_int_equal(r->t, 11500);
	assert_int_equal(r->in.up_mask & 0xf, 1u << SY | 1u << SYB);
	ds_sim_server(sim, SXB, &v);
	assert_true(!v.up && !v.probed_up);
	ds_sim_server(sim, DS_SLOT(DS_KIND_STAT, 0, 0), &v);
	assert_false(v.present);

	/* back at once: the probe of t=20 s is answered at 20 s */
	assert_int_equal(ds_sim_run_until(sim, 30000), 0);
	assert_int_equal(count_inputs(&l, DS_IN_SERVERS), 2);
	r = find_input(&l, DS_IN_SERVERS, 1);
	assert_int_equal(r->t, 20000);
	assert_int_equal(r->in.up_mask & 0xf, 0xf);
	assert_true(l.steps > 0);
	assert_false(l.step_t_decreased);
	ds_sim_free(sim);
}

/* A server silent for less than the probe budget is never declared down. */
static void test_sim_short_silence(void **state)
{
	struct ds_engine_conf conf;
	static struct log l;
	struct ds_sim *sim = new_sim(&conf, &l);
	(void)state;

	fault(sim, DS_FAULT_DOWN, 5200, "SIP_X");
	fault(sim, DS_FAULT_UP, 6900, "SIP_X");    /* probes at 6 s failed, 7 s answered */
	assert_int_equal(ds_sim_run_until(sim, 10000), 0);
	assert_int_equal(count_inputs(&l, DS_IN_SERVERS), 0);
	ds_sim_free(sim);
}

/* Each REGISTER or binding check the engine sends is answered: at once by
 * a live registrar, REG_FAIL code 0 register-timeout later by a silent one,
 * unless the engine cancelled it in between. */
static void check_answers(const struct log *l, const struct ds_sim *sim)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct rec *a = &l->v[i];

		if (a->what != R_ACTION || (a->act.type != DS_ACT_REGISTER &&
					    a->act.type != DS_ACT_CHECK_BINDING))
			continue;
		const struct rec *ans = NULL;
		bool cancelled = false;
		for (size_t j = i + 1; j < l->n && !ans; j++) {
			const struct rec *x = &l->v[j];

			if (x->what == R_ACTION && x->act.type == DS_ACT_CANCEL &&
			    x->act.proxy == a->act.proxy)
				cancelled = true;
			if (!cancelled && x->what == R_INPUT && x->in.seq == a->act.seq &&
			    x->in.proxy == a->act.proxy &&
			    (x->in.type == DS_IN_REG_OK || x->in.type == DS_IN_REG_FAIL ||
			     x->in.type == DS_IN_BINDING))
				ans = x;
		}
		if (cancelled)
			continue;
		if (!ans) {
			/* only a request still in flight at the end may lack an answer */
			assert_true(a->t + probe_conf.register_timeout_ms > ds_sim_now(sim));
			continue;
		}
		if (ans->in.type == DS_IN_REG_FAIL && ans->in.code == 0) {
			assert_int_equal(ans->t, a->t + probe_conf.register_timeout_ms);
		} else {
			assert_int_equal(ans->t, a->t);
			if (ans->in.type == DS_IN_REG_OK)
				assert_int_equal(ans->in.expires, a->act.expires);
		}
	}
}

static void test_sim_register_answers(void **state)
{
	struct ds_engine_conf conf;
	static struct log l;
	struct ds_sim *sim = new_sim(&conf, &l);
	size_t n_register = 0;
	(void)state;

	fault(sim, DS_FAULT_DOWN, 0, "SiteY");
	assert_int_equal(ds_sim_run_until(sim, 60000), 0);
	for (size_t i = 0; i < l.n; i++)
		n_register += l.v[i].what == R_ACTION && l.v[i].act.type == DS_ACT_REGISTER;
	assert_true(n_register >= 2);
	check_answers(&l, sim);
	/* the live registrar holds what it granted; the silent one nothing */
	bool any_ok = false;
	for (size_t i = 0; i < l.n; i++) {
		const struct rec *r = &l.v[i];
		if (r->what == R_ACTION && r->act.type == DS_ACT_REGISTER && r->act.proxy == 0 &&
		    r->act.expires > 60) {
			assert_true(ds_sim_binding(sim, r->act.slot, 0));
			any_ok = true;
		}
	}
	assert_true(any_ok);
	assert_false(ds_sim_binding(sim, SY, 1));
	assert_false(ds_sim_binding(sim, SYB, 1));
	ds_sim_free(sim);
}

static void test_sim_reject_and_unregister(void **state)
{
	struct ds_engine_conf conf;
	static struct log l;
	struct ds_sim *sim = new_sim(&conf, &l);
	struct ds_fault rej = {.type = DS_FAULT_REJECT, .at = 0, .proxy = 1, .code = 503,
			       .retry_after = 60};
	struct ds_fault unreg = {.type = DS_FAULT_UNREGISTER, .at = 30000, .proxy = 0};
	(void)state;

	assert_int_equal(ds_sim_add_fault(sim, &rej), 0);
	assert_int_equal(ds_sim_add_fault(sim, &unreg), 0);
	assert_int_equal(ds_sim_run_until(sim, 29999), 0);
	const struct rec *f = find_input(&l, DS_IN_REG_FAIL, 0);
	assert_non_null(f);
	assert_int_equal(f->in.proxy, 1);
	assert_int_equal(f->in.code, 503);
	assert_int_equal(f->in.retry_after, 60);
	check_answers(&l, sim);
	int slot0 = -1;
	for (int s = 0; s < 4; s++)
		if (ds_sim_binding(sim, s, 0))
			slot0 = s;
	assert_true(slot0 >= 0);
	assert_int_equal(ds_sim_run_until(sim, 30000), 0);
	assert_false(ds_sim_binding(sim, slot0, 0));
	ds_sim_free(sim);
}

/* Scenario events of an instant come before that instant's answers. */
static void test_sim_same_instant_order(void **state)
{
	struct ds_engine_conf conf;
	static struct log l;
	struct ds_sim *sim = new_sim(&conf, &l);
	(void)state;

	fault(sim, DS_FAULT_DOWN, 10000, "SiteX");
	fault(sim, DS_FAULT_UP, 20000, "SiteX");
	fault(sim, DS_FAULT_MANUAL_SWITCHOVER, 20000, NULL);
	assert_int_equal(ds_sim_run_until(sim, 20000), 0);
	const struct rec *m = find_input(&l, DS_IN_MANUAL_SWITCHOVER, 0);
	const struct rec *up = find_input(&l, DS_IN_SERVERS, 1);
	assert_non_null(m);
	assert_non_null(up);
	assert_int_equal(m->t, 20000);
	assert_int_equal(up->t, 20000);
	assert_true(m < up);
	ds_sim_free(sim);
}

static void test_sim_calls_and_faults(void **state)
{
	struct ds_engine_conf conf;
	static struct log l;
	struct ds_sim *sim = new_sim(&conf, &l);
	(void)state;

	/* at t=0 nothing is registered yet: REGISTERs are answered after
	 * the instant's scenario events */
	fault(sim, DS_FAULT_CALL_START, 0, NULL);
	fault(sim, DS_FAULT_CALL_END, 1000, NULL);
	assert_int_equal(ds_sim_run_until(sim, 2000), 0);
	size_t refused = 0, ignored = 0;
	for (size_t i = 0; i < l.n; i++) {
		refused += l.v[i].what == R_NOTE && l.v[i].note == DS_NOTE_CALL_REFUSED;
		ignored += l.v[i].what == R_NOTE && l.v[i].note == DS_NOTE_CALL_IGNORED;
	}
	assert_int_equal(refused, 1);
	assert_int_equal(ignored, 1);
	assert_int_equal(count_inputs(&l, DS_IN_CALL_START), 0);
	assert_int_equal(count_inputs(&l, DS_IN_CALL_END), 0);
	assert_false(ds_sim_in_call(sim));
	assert_non_null(ds_sim_engine(sim));

	/* faults only in the future */
	struct ds_fault f = {.type = DS_FAULT_MANUAL_RESTORE, .at = 2000};
	assert_int_equal(ds_sim_add_fault(sim, &f), EINVAL);
	f.at = 2001;
	assert_int_equal(ds_sim_add_fault(sim, &f), 0);
	f.type = DS_FAULT_REJECT;
	f.at = 3000;
	f.proxy = 2;
	f.code = 403;
	assert_int_equal(ds_sim_add_fault(sim, &f), EINVAL);
	f.proxy = 1;
	f.code = 200;
	assert_int_equal(ds_sim_add_fault(sim, &f), EINVAL);
	uint16_t slots;
	assert_int_equal(ds_sim_target(sim, "SiteQ", &slots), ENOENT);
	assert_int_equal(ds_sim_target(sim, "SiteY", &slots), 0);
	assert_int_equal(slots, 1u << SY | 1u << SYB);
	ds_sim_free(sim);
}

/* The same faults and seed give the same inputs, actions and events. */
static void run_fixed(struct log *l)
{
	struct ds_engine_conf conf;
	struct ds_sim *sim = NULL;
	struct ds_fault rej = {.type = DS_FAULT_REJECT, .at = 40000, .proxy = 0, .code = 403};
	struct ds_sim_hooks h = {.input_h = on_input, .action_h = on_action, .event_h = on_event,
				 .note_h = on_note, .step_h = on_step, .arg = l};

	make_conf(&conf);
	conf.random_range_ms = 2000;   /* the seed matters */
	memset(l, 0, sizeof(*l));
	assert_int_equal(ds_sim_alloc(&sim, &conf, &probe_conf, 99, &h), 0);
	fault(sim, DS_FAULT_DOWN, 5000, "SIP_X");
	fault(sim, DS_FAULT_DOWN, 15000, "SiteX");
	fault(sim, DS_FAULT_UP, 30000, "SiteX");
	assert_int_equal(ds_sim_add_fault(sim, &rej), 0);
	fault(sim, DS_FAULT_CALL_START, 50000, NULL);
	fault(sim, DS_FAULT_CALL_END, 70000, NULL);
	assert_int_equal(ds_sim_run_until(sim, 60000), 0);
	assert_int_equal(ds_sim_run_until(sim, 200000), 0);
	ds_sim_free(sim);
}

static void test_sim_deterministic(void **state)
{
	static struct log a, b;
	(void)state;

	run_fixed(&a);
	run_fixed(&b);
	assert_true(a.n > 10);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		const struct rec *x = &a.v[i], *y = &b.v[i];

		assert_int_equal(x->what, y->what);
		assert_int_equal(x->t, y->t);
		assert_int_equal(x->in.type, y->in.type);
		assert_int_equal(x->in.up_mask, y->in.up_mask);
		assert_int_equal(x->in.seq, y->in.seq);
		assert_int_equal(x->in.code, y->in.code);
		assert_int_equal(x->act.type, y->act.type);
		assert_int_equal(x->act.slot, y->act.slot);
		assert_int_equal(x->act.seq, y->act.seq);
		assert_int_equal(x->ev.type, y->ev.type);
		assert_int_equal(x->ev.kind, y->ev.kind);
		assert_int_equal(x->ev.site, y->ev.site);
		assert_int_equal(x->note, y->note);
	}
}

/* ---- a fleet: many agents, one set of servers ------------------------- */

struct fleet_log {
	size_t n;
	struct { size_t agent; struct ds_event ev; } v[256];
	size_t inputs;
};

static void fleet_event(const struct ds_event *ev, size_t agent, void *arg)
{
	struct fleet_log *l = arg;

	assert_true(l->n < sizeof(l->v) / sizeof(l->v[0]));
	l->v[l->n].agent = agent;
	l->v[l->n++].ev = *ev;
}

static void fleet_input(const struct ds_input *in, void *arg)
{
	(void)in;
	((struct fleet_log *)arg)->inputs++;
}

/* Three agents on the same four registrars: each server is probed once per
 * tick (not once per agent), a fault reaches every agent, each agent's
 * engine sees its HA switch at the same instant, and events of one instant
 * come in agent order. */
static void test_fleet_shares_servers(void **state)
{
	static const char *const names[3] = {"ann", "bob", "cid"};
	struct ds_engine_conf conf[3];
	struct fleet_log log = {0};
	struct ds_sim_hooks hooks = {.agent_event_h = fleet_event, .input_h = fleet_input,
				     .arg = &log};
	struct ds_sim *sim = NULL;
	struct ds_fault down = {.type = DS_FAULT_DOWN, .at = 5000, .name = "SIP_X",
				.slots = 1u << SX};
	(void)state;

	for (int i = 0; i < 3; i++) {
		make_conf(&conf[i]);
		conf[i].agent = names[i];
	}
	assert_int_equal(ds_sim_alloc(&sim, &conf[0], &probe_conf, 1, &hooks), 0);
	assert_int_equal(ds_sim_add_agent(sim, &conf[1]), 0);
	assert_int_equal(ds_sim_add_agent(sim, &conf[2]), 0);
	assert_int_equal(ds_sim_agent_count(sim), 3);
	assert_int_equal(ds_sim_add_fault(sim, &down), 0);
	assert_int_equal(ds_sim_run_until(sim, 20000), 0);
	/* 4 servers, ticks at 0, 1, ..., 20 s */
	assert_int_equal(ds_sim_probes_sent(sim), 4 * 21);
	assert_int_equal(ds_sim_add_agent(sim, &conf[0]), EINVAL);   /* started */

	int64_t ha_t[3] = {-1, -1, -1};
	for (size_t i = 0; i < log.n; i++) {
		if (i > 0) {
			assert_true(log.v[i].ev.t >= log.v[i - 1].ev.t);
			if (log.v[i].ev.t == log.v[i - 1].ev.t)
				assert_true(log.v[i].agent >= log.v[i - 1].agent);
		}
		if (log.v[i].ev.type == DS_EV_HA_SWITCH) {
			assert_int_equal(ha_t[log.v[i].agent], -1);
			ha_t[log.v[i].agent] = log.v[i].ev.t;
		}
	}
	/* silent at 5 s; failures at 5.5 and 6.5 s (probe budget) */
	for (int i = 0; i < 3; i++)
		assert_int_equal(ha_t[i], 6500);
	ds_sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_order),
		cmocka_unit_test(test_world_registrar),
		cmocka_unit_test(test_world_reject_and_drop),
		cmocka_unit_test(test_sim_probe_budget_and_batch),
		cmocka_unit_test(test_sim_short_silence),
		cmocka_unit_test(test_sim_register_answers),
		cmocka_unit_test(test_sim_reject_and_unregister),
		cmocka_unit_test(test_sim_same_instant_order),
		cmocka_unit_test(test_sim_calls_and_faults),
		cmocka_unit_test(test_sim_deterministic),
		cmocka_unit_test(test_fleet_shares_servers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
