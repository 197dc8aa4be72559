/* The simulated driver (SPEC §3.1): a virtual clock in milliseconds, probes
 * at a fixed rate from t = 0, and servers that answer at once or never.
 *
 * Everything that happens is an item of one queue, ordered by time, then by
 * class (scenario events, then answers, then timers), then by the order it
 * was queued. Probe results of one instant are applied together and reach
 * the engine as one DS_IN_SERVERS input, and only when some server's
 * up/down state changed: the engine assumes every server up at start, as a
 * server counts as up before its first result. After every input the engine
 * is asked when it next wants a timer, and that one wake-up replaces the
 * previous one. Nothing here reads a clock or a random source. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/sim.h"
#include "simint.h"

/* A timer asked for at the instant it was just delivered, this many times in
 * a row, means the engine will never let time advance. */
#define DS_SIM_MAX_SAME_INSTANT 10000

struct probe_due {
	int64_t due;
	uint16_t slots;
};

struct ds_sim {
	struct ds_engine_conf conf;
	struct ds_probe_conf pc;
	uint64_t run_seed;
	struct ds_sim_hooks hooks;
	struct ds_engine *engine;
	bool started;
	int64_t now;
	int64_t done_through;          /* every item at or before this is handled */
	struct ds_sim_queue q;
	struct ds_sim_world world;
	struct ds_health health[DS_SLOT_COUNT];
	uint16_t up_mask;              /* as the engine was last told */
	struct probe_due *due;         /* probes in flight to silent servers, by due time */
	size_t due_head, due_n, due_cap;
	uint32_t gen[2];               /* per proxy, bumped by DS_ACT_CANCEL */
	uint32_t wake_gen;
	bool wake_queued;
	int64_t wake_at;
	int64_t last_timer_t;
	unsigned same_instant;
	bool in_call;
	struct ds_fault *faults;
	size_t n_faults, cap_faults;
	int err;
};

int ds_sim_setup(const struct ds_config *cfg, const char *agent,
		 struct ds_engine_conf *conf, struct ds_probe_conf *pc)
{
	struct ds_person *p = ds_config_person(cfg, agent);
	struct ds_effective eff;

	if (!p)
		return ENOENT;
	ds_options_resolve(cfg, p, &eff);
	int err = ds_agent_build(cfg, p, &eff, conf);
	if (err)
		return err;
	ds_probe_conf_get(cfg, pc);
	return 0;
}

int ds_sim_alloc(struct ds_sim **simp, const struct ds_engine_conf *conf,
		 const struct ds_probe_conf *pc, uint64_t run_seed,
		 const struct ds_sim_hooks *hooks)
{
	if (!simp || !conf || !pc || pc->interval_ms <= 0 || pc->timeout_ms <= 0 ||
	    pc->failures == 0 || pc->register_timeout_ms <= 0)
		return EINVAL;
	struct ds_sim *sim = calloc(1, sizeof(*sim));
	if (!sim)
		return ENOMEM;
	sim->conf = *conf;
	sim->pc = *pc;
	sim->run_seed = run_seed;
	if (hooks)
		sim->hooks = *hooks;
	sim->done_through = -1;
	sim->wake_at = DS_NEVER;
	sim->last_timer_t = -1;
	ds_sim_world_init(&sim->world, conf);
	for (int s = 0; s < DS_SLOT_COUNT; s++)
		ds_health_init(&sim->health[s]);
	sim->up_mask = (uint16_t)((1u << DS_SLOT_COUNT) - 1);
	*simp = sim;
	return 0;
}

void ds_sim_free(struct ds_sim *sim)
{
	if (!sim)
		return;
	if (sim->engine)
		ds_engine_free(sim->engine);
	for (size_t i = 0; i < sim->n_faults; i++)
		free((char *)sim->faults[i].name);
	free(sim->faults);
	free(sim->due);
	ds_sim_queue_reset(&sim->q);
	free(sim);
}

static void push(struct ds_sim *sim, int64_t t, enum ds_sim_class cls,
		 enum ds_sim_item_kind kind, const struct ds_sim_req *req)
{
	struct ds_sim_item it = {.t = t, .cls = cls, .kind = kind};

	if (req)
		it.u.req = *req;
	if (kind == DS_IT_WAKEUP)
		it.u.gen = sim->wake_gen;
	int err = ds_sim_queue_push(&sim->q, &it);
	if (err && !sim->err)
		sim->err = err;
}

int ds_sim_add_fault(struct ds_sim *sim, const struct ds_fault *f)
{
	if (f->at < 0 || f->at <= sim->done_through)
		return EINVAL;
	switch (f->type) {
	case DS_FAULT_UNREGISTER:
	case DS_FAULT_ACCEPT:
		if (f->proxy < 0 || f->proxy > 1)
			return EINVAL;
		break;
	case DS_FAULT_REJECT:
		if (f->proxy < 0 || f->proxy > 1 || f->code < 300 || f->code > 699)
			return EINVAL;
		break;
	case DS_FAULT_DOWN:
	case DS_FAULT_UP:
	case DS_FAULT_CALL_START:
	case DS_FAULT_CALL_END:
	case DS_FAULT_MANUAL_SWITCHOVER:
	case DS_FAULT_MANUAL_RESTORE:
		break;
	case DS_FAULT_DRAIN:
	case DS_FAULT_UNDRAIN:
		if (!f->name)
			return EINVAL;
		break;
	}
	if (sim->n_faults == sim->cap_faults) {
		size_t cap = sim->cap_faults ? sim->cap_faults * 2 : 16;
		struct ds_fault *v = realloc(sim->faults, cap * sizeof(*v));

		if (!v)
			return ENOMEM;
		sim->faults = v;
		sim->cap_faults = cap;
	}
	struct ds_fault copy = *f;
	if (f->name && !(copy.name = strdup(f->name)))
		return ENOMEM;
	struct ds_sim_item it = {.t = f->at, .cls = DS_CLS_SCENARIO, .kind = DS_IT_FAULT,
				 .u.index = sim->n_faults};
	int err = ds_sim_queue_push(&sim->q, &it);
	if (err) {
		free((char *)copy.name);
		return err;
	}
	sim->faults[sim->n_faults++] = copy;
	return 0;
}

/* After every input: the step hook, then the one wake-up the engine wants. */
static void after_input(struct ds_sim *sim)
{
	int64_t w = ds_engine_next_wakeup(sim->engine);

	if (w != DS_NEVER && w < sim->now)
		w = sim->now;
	if (w != sim->wake_at || !sim->wake_queued) {
		sim->wake_gen++;
		sim->wake_at = w;
		sim->wake_queued = w != DS_NEVER;
		if (sim->wake_queued)
			push(sim, w, DS_CLS_WAKEUP, DS_IT_WAKEUP, NULL);
	}
	if (sim->hooks.step_h)
		sim->hooks.step_h(sim, sim->now, sim->hooks.arg);
}

static void feed(struct ds_sim *sim, struct ds_input *in)
{
	in->t = sim->now;
	if (sim->hooks.input_h)
		sim->hooks.input_h(in, sim->hooks.arg);
	ds_engine_input(sim->engine, in);
	after_input(sim);
}

static void on_action(struct ds_sim *sim, const struct ds_action *act)
{
	struct ds_sim_req req = {.type = act->type, .proxy = act->proxy, .slot = act->slot,
				 .seq = act->seq, .expires = act->expires, .sent = sim->now};
	bool proxy_ok = act->proxy >= 0 && act->proxy < 2;

	switch (act->type) {
	case DS_ACT_REGISTER:
	case DS_ACT_CHECK_BINDING:
		if (!proxy_ok)
			return;
		req.gen = sim->gen[act->proxy];
		push(sim, sim->now, DS_CLS_REG_ANSWER, DS_IT_REG_ANSWER, &req);
		return;
	case DS_ACT_UNREGISTER:
		ds_sim_world_unregister(&sim->world, act->slot, act->proxy);
		return;
	case DS_ACT_CANCEL:
		if (proxy_ok)
			sim->gen[act->proxy]++;
		return;
	case DS_ACT_DROP_CALL:
		sim->in_call = false;
		return;
	}
}

static void sink(const struct ds_action *act, const struct ds_event *ev, void *arg)
{
	struct ds_sim *sim = arg;

	if (ev && sim->hooks.event_h)
		sim->hooks.event_h(ev, sim->hooks.arg);
	if (act) {
		if (sim->hooks.action_h)
			sim->hooks.action_h(act, sim->now, sim->hooks.arg);
		on_action(sim, act);
	}
}

/* Probes to silent servers whose time-out falls at or before t. */
static uint16_t take_due(struct ds_sim *sim, int64_t t)
{
	uint16_t slots = 0;

	while (sim->due_head < sim->due_n && sim->due[sim->due_head].due <= t)
		slots |= sim->due[sim->due_head++].slots;
	if (sim->due_head == sim->due_n)
		sim->due_head = sim->due_n = 0;
	return slots;
}

static void add_due(struct ds_sim *sim, int64_t due, uint16_t slots)
{
	if (sim->due_n == sim->due_cap) {
		if (sim->due_head > 0) {
			memmove(sim->due, sim->due + sim->due_head,
				(sim->due_n - sim->due_head) * sizeof(*sim->due));
			sim->due_n -= sim->due_head;
			sim->due_head = 0;
		} else {
			size_t cap = sim->due_cap ? sim->due_cap * 2 : 16;
			struct probe_due *v = realloc(sim->due, cap * sizeof(*v));

			if (!v) {
				sim->err = ENOMEM;
				return;
			}
			sim->due = v;
			sim->due_cap = cap;
		}
	}
	sim->due[sim->due_n++] = (struct probe_due){due, slots};
	push(sim, due, DS_CLS_PROBE_TIMEOUT, DS_IT_PROBE_DUE, NULL);
}

/* One instant's probe results, failures before answers: a server that
 * answers now is up, whatever an older probe's time-out says. */
static void apply_probes(struct ds_sim *sim, uint16_t ok, uint16_t failed)
{
	uint16_t mask = sim->up_mask;

	for (int s = 0; s < DS_SLOT_COUNT; s++) {
		uint16_t bit = (uint16_t)(1u << s);

		if (failed & bit)
			ds_health_result(&sim->health[s], false, sim->pc.failures);
		if (ok & bit)
			ds_health_result(&sim->health[s], true, sim->pc.failures);
		if ((ok | failed) & bit)
			mask = sim->health[s].up ? (uint16_t)(mask | bit)
						 : (uint16_t)(mask & ~bit);
	}
	if (mask == sim->up_mask)
		return;
	sim->up_mask = mask;
	struct ds_input in = {.type = DS_IN_SERVERS, .up_mask = mask};
	feed(sim, &in);
}

static void probe_tick(struct ds_sim *sim)
{
	uint16_t ok = 0, silent = 0;

	for (int s = 0; s < DS_SLOT_COUNT; s++) {
		const struct ds_sim_srv *srv = &sim->world.srv[s];

		if (!srv->present)
			continue;
		if (srv->up)
			ok |= (uint16_t)(1u << s);
		else
			silent |= (uint16_t)(1u << s);
	}
	if (silent)
		add_due(sim, sim->now + sim->pc.timeout_ms, silent);
	push(sim, sim->now + sim->pc.interval_ms, DS_CLS_PROBE_ANSWER, DS_IT_PROBE_TICK, NULL);
	apply_probes(sim, ok, take_due(sim, sim->now));
}

static void site_label(const struct ds_sim *sim, int site, char *buf, size_t sz)
{
	const char *name = site >= 0 && site < 2 ? sim->conf.site_name[site] : NULL;

	if (name)
		snprintf(buf, sz, "%s", name);
	else
		snprintf(buf, sz, "site %d", site);
}

static void note(struct ds_sim *sim, enum ds_note_type type, const struct ds_fault *f,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void note(struct ds_sim *sim, enum ds_note_type type, const struct ds_fault *f,
		 const char *fmt, ...)
{
	struct ds_sim_note n = {.type = type, .t = sim->now, .fault = f};
	va_list ap;

	if (!sim->hooks.note_h)
		return;
	va_start(ap, fmt);
	vsnprintf(n.text, sizeof(n.text), fmt, ap);
	va_end(ap);
	sim->hooks.note_h(&n, sim->hooks.arg);
}

static void call_start(struct ds_sim *sim, const struct ds_fault *f)
{
	struct ds_conn_view v;

	if (sim->in_call) {
		note(sim, DS_NOTE_CALL_REFUSED, f, "call refused: a call is in progress");
		return;
	}
	if (!sim->conf.kind_connected[DS_KIND_SIP]) {
		note(sim, DS_NOTE_CALL_REFUSED, f, "call refused: no SIP Server connection");
		return;
	}
	ds_engine_conn(sim->engine, DS_KIND_SIP, &v);
	if (v.state != DS_CONN_CONNECTED || !ds_engine_registered(sim->engine, v.site)) {
		note(sim, DS_NOTE_CALL_REFUSED, f, "call refused: not registered");
		return;
	}
	char site[64];
	site_label(sim, v.site, site, sizeof(site));
	note(sim, DS_NOTE_FAULT, f, "call comes in through %s", site);
	sim->in_call = true;
	struct ds_input in = {.type = DS_IN_CALL_START, .site = v.site};
	feed(sim, &in);
}

static void on_fault(struct ds_sim *sim, const struct ds_fault *f)
{
	struct ds_input in = {0};
	char site[64];
	char retry[48] = "";

	switch (f->type) {
	case DS_FAULT_DOWN:
	case DS_FAULT_UP: {
		bool up = f->type == DS_FAULT_UP;
		uint16_t changed = ds_sim_world_set(&sim->world, f->slots, up, sim->now);

		note(sim, DS_NOTE_FAULT, f, "%s %s%s", f->name ? f->name : "servers",
		     up ? "up" : "down", changed || !f->slots ? "" : up ? " (already up)"
									 : " (already down)");
		return;
	}
	case DS_FAULT_CALL_START:
		call_start(sim, f);
		return;
	case DS_FAULT_CALL_END:
		if (!sim->in_call) {
			note(sim, DS_NOTE_CALL_IGNORED, f, "call end ignored: no call");
			return;
		}
		note(sim, DS_NOTE_FAULT, f, "the far end hangs up");
		sim->in_call = false;
		in.type = DS_IN_CALL_END;
		feed(sim, &in);
		return;
	case DS_FAULT_UNREGISTER:
		site_label(sim, f->proxy, site, sizeof(site));
		ds_sim_world_drop(&sim->world, f->proxy);
		note(sim, DS_NOTE_FAULT, f, "proxy%d registrar (%s) drops the binding",
		     f->proxy, site);
		return;
	case DS_FAULT_REJECT:
		site_label(sim, f->proxy, site, sizeof(site));
		sim->world.reject_code[f->proxy] = f->code;
		sim->world.retry_after[f->proxy] = f->retry_after;
		if (f->retry_after)
			snprintf(retry, sizeof(retry), " (Retry-After %u)", f->retry_after);
		note(sim, DS_NOTE_FAULT, f, "proxy%d registrars (%s) reject REGISTER with %d%s",
		     f->proxy, site, f->code, retry);
		return;
	case DS_FAULT_ACCEPT:
		site_label(sim, f->proxy, site, sizeof(site));
		sim->world.reject_code[f->proxy] = 0;
		sim->world.retry_after[f->proxy] = 0;
		note(sim, DS_NOTE_FAULT, f, "proxy%d registrars (%s) accept REGISTER", f->proxy, site);
		return;
	case DS_FAULT_MANUAL_SWITCHOVER:
		note(sim, DS_NOTE_FAULT, f, "operator: manual switchover");
		in.type = DS_IN_MANUAL_SWITCHOVER;
		feed(sim, &in);
		return;
	case DS_FAULT_MANUAL_RESTORE:
		note(sim, DS_NOTE_FAULT, f, "operator: manual restore");
		in.type = DS_IN_MANUAL_RESTORE;
		feed(sim, &in);
		return;
	case DS_FAULT_DRAIN:
	case DS_FAULT_UNDRAIN:
		/* the site as this agent knows it: preferred (0) or peer (1) */
		in.site = -1;
		for (int s = 0; s < 2; s++)
			if (sim->conf.site_name[s] && !strcmp(sim->conf.site_name[s], f->name))
				in.site = s;
		if (in.site < 0) {
			note(sim, DS_NOTE_FAULT, f, "operator: %s %s (not one of %s's sites: "
			     "nothing changes)", f->type == DS_FAULT_DRAIN ? "drain" : "undrain",
			     f->name, sim->conf.agent);
			return;
		}
		note(sim, DS_NOTE_FAULT, f, "operator: %s %s",
		     f->type == DS_FAULT_DRAIN ? "drain" : "undrain", f->name);
		in.type = f->type == DS_FAULT_DRAIN ? DS_IN_DRAIN : DS_IN_UNDRAIN;
		feed(sim, &in);
		return;
	}
}

static void reg_answer(struct ds_sim *sim, const struct ds_sim_req *r)
{
	struct ds_sim_answer a;
	struct ds_input in = {.proxy = r->proxy, .seq = r->seq};

	if (r->type == DS_ACT_CHECK_BINDING)
		ds_sim_world_check(&sim->world, r->slot, r->proxy, sim->now, &a);
	else
		ds_sim_world_register(&sim->world, r->slot, r->proxy, r->expires, sim->now, &a);
	if (!a.answered) {
		/* Sent into silence: it fails when its time-out runs out. */
		push(sim, r->sent + sim->pc.register_timeout_ms, DS_CLS_REG_TIMEOUT,
		     DS_IT_REG_TIMEOUT, r);
		return;
	}
	if (r->type == DS_ACT_CHECK_BINDING) {
		in.type = DS_IN_BINDING;
		in.present = a.present;
	} else if (a.code == 200) {
		in.type = DS_IN_REG_OK;
		in.expires = a.expires;
	} else {
		in.type = DS_IN_REG_FAIL;
		in.code = a.code;
		in.retry_after = a.retry_after;
	}
	feed(sim, &in);
}

static void dispatch(struct ds_sim *sim, const struct ds_sim_item *it)
{
	struct ds_input in = {0};

	switch (it->kind) {
	case DS_IT_FAULT:
		on_fault(sim, &sim->faults[it->u.index]);
		return;
	case DS_IT_PROBE_TICK:
		probe_tick(sim);
		return;
	case DS_IT_PROBE_DUE: {
		uint16_t failed = take_due(sim, sim->now);

		if (failed)
			apply_probes(sim, 0, failed);
		return;
	}
	case DS_IT_REG_ANSWER:
		if (it->u.req.gen == sim->gen[it->u.req.proxy])
			reg_answer(sim, &it->u.req);
		return;
	case DS_IT_REG_TIMEOUT:
		if (it->u.req.gen != sim->gen[it->u.req.proxy])
			return;
		in.type = DS_IN_REG_FAIL;
		in.proxy = it->u.req.proxy;
		in.seq = it->u.req.seq;
		feed(sim, &in);
		return;
	case DS_IT_WAKEUP:
		if (it->u.gen != sim->wake_gen)
			return;
		sim->wake_queued = false;
		sim->wake_at = DS_NEVER;
		if (sim->now == sim->last_timer_t) {
			if (++sim->same_instant > DS_SIM_MAX_SAME_INSTANT) {
				sim->err = ELOOP;
				return;
			}
		} else {
			sim->last_timer_t = sim->now;
			sim->same_instant = 0;
		}
		in.type = DS_IN_TIMER;
		feed(sim, &in);
		return;
	}
}

static int start(struct ds_sim *sim)
{
	uint64_t seed = ds_engine_seed(sim->run_seed, sim->conf.agent);
	int err = ds_engine_alloc(&sim->engine, &sim->conf, seed, 0, sink, sim);

	if (err)
		return err;
	sim->started = true;
	sim->now = 0;
	push(sim, 0, DS_CLS_PROBE_ANSWER, DS_IT_PROBE_TICK, NULL);
	after_input(sim);
	return sim->err;
}

int ds_sim_run_until(struct ds_sim *sim, int64_t t)
{
	struct ds_sim_item it;

	if (sim->err)
		return sim->err;
	if (!sim->started) {
		int err = start(sim);
		if (err)
			return err;
	}
	while (!sim->err) {
		const struct ds_sim_item *top = ds_sim_queue_peek(&sim->q);

		if (!top || top->t > t)
			break;
		ds_sim_queue_pop(&sim->q, &it);
		sim->now = it.t;
		dispatch(sim, &it);
	}
	if (sim->err)
		return sim->err;
	if (t > sim->done_through)
		sim->done_through = t;
	if (t > sim->now)
		sim->now = t;
	return 0;
}

uint16_t ds_sim_slots_of(const struct ds_engine_conf *conf, const char *name)
{
	uint16_t m = 0;

	for (int s = 0; s < DS_SLOT_COUNT; s++) {
		if (conf->server_id[s] < 0)
			continue;
		const char *site = conf->site_name[DS_SLOT_SITE(s)];
		const char *srv = conf->server_name[s];

		if ((site && !strcmp(site, name)) || (srv && !strcmp(srv, name)))
			m |= (uint16_t)(1u << s);
	}
	return m;
}

int ds_sim_target(const struct ds_sim *sim, const char *name, uint16_t *slots)
{
	*slots = ds_sim_slots_of(&sim->conf, name);
	return *slots ? 0 : ENOENT;
}

void ds_sim_server(const struct ds_sim *sim, int slot, struct ds_sim_server_view *v)
{
	memset(v, 0, sizeof(*v));
	if (slot < 0 || slot >= DS_SLOT_COUNT || !sim->world.srv[slot].present)
		return;
	v->present = true;
	v->up = sim->world.srv[slot].up;
	v->since = sim->world.srv[slot].since;
	v->probed_up = (sim->up_mask >> slot) & 1u;
}

bool ds_sim_binding(const struct ds_sim *sim, int slot, int proxy)
{
	return ds_sim_world_bound(&sim->world, slot, proxy, sim->now);
}

int64_t ds_sim_now(const struct ds_sim *sim)
{
	return sim->now;
}

bool ds_sim_in_call(const struct ds_sim *sim)
{
	return sim->in_call;
}

const struct ds_engine *ds_sim_engine(const struct ds_sim *sim)
{
	return sim->engine;
}

const struct ds_engine_conf *ds_sim_conf(const struct ds_sim *sim)
{
	return &sim->conf;
}
