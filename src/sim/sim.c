/* The simulated driver (docs/behaviour.md §3.1): a virtual clock in milliseconds, probes
 * at a fixed rate from t = 0, and servers that answer at once or never.
 *
 * Everything that happens is an item of one queue, ordered by time, then by
 * class (scenario events, then answers, then timers), then by the order it
 * was queued. Probe results of one instant are applied together and reach
 * the engine as one DS_IN_SERVERS input, and only when some server's
 * up/down state changed: the engine assumes every server up at start, as a
 * server counts as up before its first result. After every input the engine
 * is asked when it next wants a timer, and that one wake-up replaces the
 * previous one. Nothing here reads a clock or a random source.
 *
 * A fleet is many agents in one simulator. The servers and their probes are
 * shared (one probe per server per tick, one health per server); each agent
 * keeps its own engine, its registrars' bindings and its timers. No agent's
 * decision changes what another sees, so each agent's inputs are exactly
 * those it would get alone; its events are handed over by t, then agent. */
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
/* Likewise any input, per agent of the simulation: an engine that retries
 * at once a REGISTER that is refused at once would keep one instant busy for
 * ever. */
#define DS_SIM_MAX_SAME_INSTANT_INPUTS 1000000

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

static int srv_index(struct ds_sim *sim, int id)
{
	for (size_t i = 0; i < sim->n_srv; i++)
		if (sim->srv[i].id == id)
			return (int)i;
	if (sim->n_srv == sim->cap_srv) {
		size_t cap = sim->cap_srv ? sim->cap_srv * 2 : 16;
		struct ds_sim_shared_srv *v = realloc(sim->srv, cap * sizeof(*v));

		if (!v)
			return -1;
		sim->srv = v;
		sim->cap_srv = cap;
	}
	struct ds_sim_shared_srv *n = &sim->srv[sim->n_srv];
	n->id = id;
	n->up = true;
	ds_health_init(&n->health);
	return (int)sim->n_srv++;
}

int ds_sim_reserve(struct ds_sim *sim, size_t n)
{
	if (!sim || sim->started)
		return EINVAL;
	if (n <= sim->cap_agents)
		return 0;
	struct ds_sim_agent *v = realloc(sim->agents, n * sizeof(*v));
	if (!v)
		return ENOMEM;
	sim->agents = v;
	sim->cap_agents = n;
	return 0;
}

int ds_sim_add_agent(struct ds_sim *sim, const struct ds_engine_conf *conf)
{
	if (!sim || !conf || sim->started)
		return EINVAL;
	if (sim->n_agents == sim->cap_agents) {
		size_t cap = sim->cap_agents ? sim->cap_agents * 2 : 4;
		struct ds_sim_agent *v = realloc(sim->agents, cap * sizeof(*v));

		if (!v)
			return ENOMEM;
		sim->agents = v;
		sim->cap_agents = cap;
	}
	struct ds_sim_agent *a = &sim->agents[sim->n_agents];
	memset(a, 0, sizeof(*a));
	a->conf = *conf;
	a->index = (uint32_t)sim->n_agents;
	a->wake_at = DS_NEVER;
	a->last_timer_t = -1;
	a->up_mask = (uint16_t)((1u << DS_SLOT_COUNT) - 1);
	ds_sim_world_init(&a->world, conf);
	for (int s = 0; s < DS_SLOT_COUNT; s++) {
		a->srv[s] = -1;
		if (conf->server_id[s] >= 0 && (a->srv[s] = srv_index(sim, conf->server_id[s])) < 0)
			return ENOMEM;
	}
	sim->n_agents++;
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
	sim->pc = *pc;
	sim->run_seed = run_seed;
	if (hooks)
		sim->hooks = *hooks;
	sim->done_through = -1;
	sim->last_feed_t = -1;
	int err = ds_sim_add_agent(sim, conf);
	if (err) {
		ds_sim_free(sim);
		return err;
	}
	*simp = sim;
	return 0;
}

void ds_sim_free(struct ds_sim *sim)
{
	if (!sim)
		return;
	for (size_t i = 0; i < sim->n_agents; i++)
		if (sim->agents[i].engine)
			ds_engine_free(sim->agents[i].engine);
	for (size_t i = 0; i < sim->n_faults; i++)
		free((char *)sim->faults[i].name);
	free(sim->agents);
	free(sim->srv);
	free(sim->faults);
	free(sim->due);
	free(sim->due_bits);
	free(sim->bits_ok);
	free(sim->bits_silent);
	free(sim->pend);
	free(sim->notes);
	ds_sim_queue_reset(&sim->q);
	free(sim);
}

static void push(struct ds_sim *sim, int64_t t, enum ds_sim_class cls,
		 enum ds_sim_item_kind kind, const struct ds_sim_agent *a, const struct ds_sim_req *req)
{
	struct ds_sim_item it = {.t = t, .cls = cls, .kind = kind};

	if (a)
		it.agent = a->index;
	if (req)
		it.u.req = *req;
	if (kind == DS_IT_WAKEUP)
		it.u.gen = a->wake_gen;
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

struct ds_sim_pending *ds_sim_pend_add(struct ds_sim *sim)
{
	if (sim->n_pend == sim->cap_pend) {
		size_t cap = sim->cap_pend ? sim->cap_pend * 2 : 64;
		struct ds_sim_pending *v = realloc(sim->pend, cap * sizeof(*v));

		if (!v) {
			sim->err = ENOMEM;
			return NULL;
		}
		sim->pend = v;
		sim->cap_pend = cap;
	}
	struct ds_sim_pending *p = &sim->pend[sim->n_pend++];
	p->note = -1;
	return p;
}

void ds_sim_pend_note(struct ds_sim *sim, const struct ds_sim_note *n)
{
	if (sim->n_notes == sim->cap_notes) {
		size_t cap = sim->cap_notes ? sim->cap_notes * 2 : 16;
		struct ds_sim_note *v = realloc(sim->notes, cap * sizeof(*v));

		if (!v) {
			sim->err = ENOMEM;
			return;
		}
		sim->notes = v;
		sim->cap_notes = cap;
	}
	struct ds_sim_pending *p = ds_sim_pend_add(sim);
	if (!p)
		return;
	p->key = n->agent;
	p->agent = n->agent < 0 ? 0 : (uint32_t)n->agent;
	p->note = (int32_t)sim->n_notes;
	sim->notes[sim->n_notes++] = *n;
}

static int pend_cmp(const void *x, const void *y)
{
	const struct ds_sim_pending *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a < b ? -1 : a > b;   /* stable: the order they happened in */
}

/* A fleet's events and notes of the instant just over, by agent. qsort is
 * not stable, hence the address tie-break above (the array is in order). */
static void flush(struct ds_sim *sim)
{
	if (!sim->n_pend)
		return;
	qsort(sim->pend, sim->n_pend, sizeof(*sim->pend), pend_cmp);
	for (size_t i = 0; i < sim->n_pend; i++) {
		const struct ds_sim_pending *p = &sim->pend[i];

		if (p->note >= 0) {
			if (sim->hooks.note_h)
				sim->hooks.note_h(&sim->notes[p->note], sim->hooks.arg);
		} else if (sim->hooks.agent_event_h) {
			sim->hooks.agent_event_h(&p->ev, p->agent, sim->hooks.arg);
		} else if (sim->hooks.event_h) {
			sim->hooks.event_h(&p->ev, sim->hooks.arg);
		}
	}
	sim->n_pend = 0;
	sim->n_notes = 0;
}

/* After every input: the step hook, then the one wake-up the engine wants. */
static void after_input(struct ds_sim *sim, struct ds_sim_agent *a)
{
	int64_t w = ds_engine_next_wakeup(a->engine);

	if (w != DS_NEVER && w < sim->now)
		w = sim->now;
	if (w != a->wake_at || !a->wake_queued) {
		a->wake_gen++;
		a->wake_at = w;
		a->wake_queued = w != DS_NEVER;
		if (a->wake_queued)
			push(sim, w, DS_CLS_WAKEUP, DS_IT_WAKEUP, a, NULL);
	}
	if (sim->hooks.step_h)
		sim->hooks.step_h(sim, sim->now, sim->hooks.arg);
}

void ds_sim_feed(struct ds_sim_agent *a, struct ds_input *in)
{
	struct ds_sim *sim = a->sim;

	if (sim->now != sim->last_feed_t) {
		sim->last_feed_t = sim->now;
		sim->same_feed = 0;
	} else if (++sim->same_feed > DS_SIM_MAX_SAME_INSTANT_INPUTS * sim->n_agents) {
		sim->err = ELOOP;
		return;
	}
	in->t = sim->now;
	if (sim->hooks.input_h)
		sim->hooks.input_h(in, sim->hooks.arg);
	ds_engine_input(a->engine, in);
	after_input(sim, a);
}

static void on_action(struct ds_sim_agent *a, const struct ds_action *act)
{
	struct ds_sim *sim = a->sim;
	struct ds_sim_req req = {.type = act->type, .proxy = act->proxy, .slot = act->slot,
				 .seq = act->seq, .expires = act->expires, .sent = sim->now};
	bool proxy_ok = act->proxy >= 0 && act->proxy < 2;

	switch (act->type) {
	case DS_ACT_REGISTER:
	case DS_ACT_CHECK_BINDING:
		if (!proxy_ok)
			return;
		req.gen = a->gen[act->proxy];
		push(sim, sim->now, DS_CLS_REG_ANSWER, DS_IT_REG_ANSWER, a, &req);
		return;
	case DS_ACT_UNREGISTER:
		ds_sim_world_unregister(&a->world, act->slot, act->proxy);
		return;
	case DS_ACT_CANCEL:
		if (proxy_ok)
			a->gen[act->proxy]++;
		return;
	case DS_ACT_DROP_CALL:
		a->in_call = false;
		return;
	}
}

static void sink(const struct ds_action *act, const struct ds_event *ev, void *arg)
{
	struct ds_sim_agent *a = arg;
	struct ds_sim *sim = a->sim;

	if (ev && sim->n_agents > 1) {
		struct ds_sim_pending *p = ds_sim_pend_add(sim);

		if (p) {
			p->key = (int32_t)a->index;
			p->agent = a->index;
			p->ev = *ev;
		}
	} else if (ev && sim->hooks.agent_event_h) {
		sim->hooks.agent_event_h(ev, a->index, sim->hooks.arg);
	} else if (ev && sim->hooks.event_h) {
		sim->hooks.event_h(ev, sim->hooks.arg);
	}
	if (act) {
		if (sim->hooks.action_h)
			sim->hooks.action_h(act, sim->now, sim->hooks.arg);
		on_action(a, act);
	}
}

static bool bit_get(const uint64_t *b, size_t i)
{
	return (b[i / 64] >> (i % 64)) & 1u;
}

static void bit_set(uint64_t *b, size_t i)
{
	b[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Probes to silent servers whose time-out falls at or before t, into `out`. */
static bool take_due(struct ds_sim *sim, int64_t t, uint64_t *out)
{
	bool any = false;

	memset(out, 0, sim->words * sizeof(*out));
	while (sim->due_head < sim->due_n && sim->due[sim->due_head].due <= t) {
		const uint64_t *b = sim->due_bits + sim->due[sim->due_head++].bits;

		for (size_t w = 0; w < sim->words; w++) {
			out[w] |= b[w];
			any |= b[w] != 0;
		}
	}
	if (sim->due_head == sim->due_n)
		sim->due_head = sim->due_n = 0;
	return any;
}

static void add_due(struct ds_sim *sim, int64_t due, const uint64_t *silent)
{
	if (sim->due_n == sim->due_cap) {
		if (sim->due_head > 0) {
			memmove(sim->due, sim->due + sim->due_head,
				(sim->due_n - sim->due_head) * sizeof(*sim->due));
			memmove(sim->due_bits, sim->due_bits + sim->due_head * sim->words,
				(sim->due_n - sim->due_head) * sim->words * sizeof(*sim->due_bits));
			sim->due_n -= sim->due_head;
			sim->due_head = 0;
		} else {
			size_t cap = sim->due_cap ? sim->due_cap * 2 : 16;
			struct ds_sim_probe_due *v = realloc(sim->due, cap * sizeof(*v));
			uint64_t *b = v ? realloc(sim->due_bits, cap * sim->words * sizeof(*b)) : NULL;

			if (v)
				sim->due = v;
			if (!v || !b) {
				sim->err = ENOMEM;
				return;
			}
			sim->due_bits = b;
			sim->due_cap = cap;
		}
	}
	size_t off = sim->due_n * sim->words;
	memcpy(sim->due_bits + off, silent, sim->words * sizeof(*silent));
	for (size_t i = sim->due_head; i <= sim->due_n; i++)
		sim->due[i].bits = i * sim->words;
	sim->due[sim->due_n++].due = due;
	push(sim, due, DS_CLS_PROBE_TIMEOUT, DS_IT_PROBE_DUE, NULL, NULL);
}

/* One instant's probe results, failures before answers: a server that
 * answers now is up, whatever an older probe's time-out says. Agents are
 * told only when a server's health changed, and only those whose view
 * changed. */
static void apply_probes(struct ds_sim *sim, const uint64_t *ok, const uint64_t *failed)
{
	bool changed = false;

	for (size_t i = 0; i < sim->n_srv; i++) {
		if (failed && bit_get(failed, i))
			changed |= ds_health_result(&sim->srv[i].health, false, sim->pc.failures);
		if (ok && bit_get(ok, i))
			changed |= ds_health_result(&sim->srv[i].health, true, sim->pc.failures);
	}
	if (!changed)
		return;
	for (size_t k = 0; k < sim->n_agents && !sim->err; k++) {
		struct ds_sim_agent *a = &sim->agents[k];
		uint16_t mask = a->up_mask;

		for (int s = 0; s < DS_SLOT_COUNT; s++) {
			uint16_t bit = (uint16_t)(1u << s);

			if (a->srv[s] >= 0)
				mask = sim->srv[a->srv[s]].health.up ? (uint16_t)(mask | bit)
								      : (uint16_t)(mask & ~bit);
		}
		if (mask == a->up_mask)
			continue;
		a->up_mask = mask;
		struct ds_input in = {.type = DS_IN_SERVERS, .up_mask = mask};
		ds_sim_feed(a, &in);
	}
}

static void probe_tick(struct ds_sim *sim)
{
	bool any_silent = false;

	memset(sim->bits_ok, 0, sim->words * sizeof(uint64_t));
	memset(sim->bits_silent, 0, sim->words * sizeof(uint64_t));
	for (size_t i = 0; i < sim->n_srv; i++) {
		bit_set(sim->srv[i].up ? sim->bits_ok : sim->bits_silent, i);
		any_silent |= !sim->srv[i].up;
	}
	sim->probes += sim->n_srv;
	if (any_silent)
		add_due(sim, sim->now + sim->pc.timeout_ms, sim->bits_silent);
	push(sim, sim->now + sim->pc.interval_ms, DS_CLS_PROBE_ANSWER, DS_IT_PROBE_TICK, NULL, NULL);
	bool failed = take_due(sim, sim->now, sim->bits_silent);
	apply_probes(sim, sim->bits_ok, failed ? sim->bits_silent : NULL);
}

static void reg_answer(struct ds_sim_agent *a, const struct ds_sim_req *r)
{
	struct ds_sim *sim = a->sim;
	struct ds_sim_answer ans;
	struct ds_input in = {.proxy = r->proxy, .seq = r->seq};

	if (r->type == DS_ACT_CHECK_BINDING)
		ds_sim_world_check(&a->world, r->slot, r->proxy, sim->now, &ans);
	else
		ds_sim_world_register(&a->world, r->slot, r->proxy, r->expires, sim->now, &ans);
	if (!ans.answered) {
		/* Sent into silence: it fails when its time-out runs out. */
		push(sim, r->sent + sim->pc.register_timeout_ms, DS_CLS_REG_TIMEOUT,
		     DS_IT_REG_TIMEOUT, a, r);
		return;
	}
	if (r->type == DS_ACT_CHECK_BINDING) {
		in.type = DS_IN_BINDING;
		in.present = ans.present;
	} else if (ans.code == 200) {
		in.type = DS_IN_REG_OK;
		in.expires = ans.expires;
	} else {
		in.type = DS_IN_REG_FAIL;
		in.code = ans.code;
		in.retry_after = ans.retry_after;
	}
	ds_sim_feed(a, &in);
}

static void wakeup(struct ds_sim_agent *a, uint32_t gen)
{
	struct ds_sim *sim = a->sim;
	struct ds_input in = {.type = DS_IN_TIMER};

	if (gen != a->wake_gen)
		return;
	a->wake_queued = false;
	a->wake_at = DS_NEVER;
	if (sim->now == a->last_timer_t) {
		if (++a->same_instant > DS_SIM_MAX_SAME_INSTANT) {
			sim->err = ELOOP;
			return;
		}
	} else {
		a->last_timer_t = sim->now;
		a->same_instant = 0;
	}
	ds_sim_feed(a, &in);
}

static void dispatch(struct ds_sim *sim, const struct ds_sim_item *it)
{
	struct ds_sim_agent *a = it->agent < sim->n_agents ? &sim->agents[it->agent] : NULL;
	struct ds_input in = {0};

	switch (it->kind) {
	case DS_IT_FAULT:
		ds_sim_on_fault(sim, &sim->faults[it->u.index]);
		return;
	case DS_IT_PROBE_TICK:
		probe_tick(sim);
		return;
	case DS_IT_PROBE_DUE:
		if (take_due(sim, sim->now, sim->bits_silent))
			apply_probes(sim, NULL, sim->bits_silent);
		return;
	case DS_IT_REG_ANSWER:
		if (a && it->u.req.gen == a->gen[it->u.req.proxy])
			reg_answer(a, &it->u.req);
		return;
	case DS_IT_REG_TIMEOUT:
		if (!a || it->u.req.gen != a->gen[it->u.req.proxy])
			return;
		in.type = DS_IN_REG_FAIL;
		in.proxy = it->u.req.proxy;
		in.seq = it->u.req.seq;
		ds_sim_feed(a, &in);
		return;
	case DS_IT_WAKEUP:
		if (a)
			wakeup(a, it->u.gen);
		return;
	}
}

static int start(struct ds_sim *sim)
{
	sim->words = sim->n_srv / 64 + 1;
	sim->bits_ok = calloc(sim->words, sizeof(uint64_t));
	sim->bits_silent = calloc(sim->words, sizeof(uint64_t));
	if (!sim->bits_ok || !sim->bits_silent)
		return ENOMEM;
	for (size_t k = 0; k < sim->n_agents; k++) {
		struct ds_sim_agent *a = &sim->agents[k];
		uint64_t seed = ds_engine_seed(sim->run_seed, a->conf.agent);

		a->sim = sim;
		int err = ds_engine_alloc(&a->engine, &a->conf, seed, 0, sink, a);
		if (err)
			return err;
	}
	sim->started = true;
	sim->now = 0;
	push(sim, 0, DS_CLS_PROBE_ANSWER, DS_IT_PROBE_TICK, NULL, NULL);
	for (size_t k = 0; k < sim->n_agents; k++)
		after_input(sim, &sim->agents[k]);
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
		if (top->t != sim->now)
			flush(sim);
		ds_sim_queue_pop(&sim->q, &it);
		sim->now = it.t;
		dispatch(sim, &it);
	}
	flush(sim);
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
		const char *site = ds_site_name(conf, (enum ds_kind)(s / 4), DS_SLOT_SITE(s));
		const char *srv = conf->server_name[s];

		if ((site && !strcmp(site, name)) || (srv && !strcmp(srv, name)))
			m |= (uint16_t)(1u << s);
	}
	return m;
}

int ds_sim_target(const struct ds_sim *sim, const char *name, uint16_t *slots)
{
	*slots = ds_sim_slots_of(&sim->agents[0].conf, name);
	return *slots ? 0 : ENOENT;
}

void ds_sim_server(const struct ds_sim *sim, int slot, struct ds_sim_server_view *v)
{
	const struct ds_sim_agent *a = &sim->agents[0];

	memset(v, 0, sizeof(*v));
	if (slot < 0 || slot >= DS_SLOT_COUNT || !a->world.srv[slot].present)
		return;
	v->present = true;
	v->up = a->world.srv[slot].up;
	v->since = a->world.srv[slot].since;
	v->probed_up = (a->up_mask >> slot) & 1u;
}

bool ds_sim_binding(const struct ds_sim *sim, int slot, int proxy)
{
	return ds_sim_world_bound(&sim->agents[0].world, slot, proxy, sim->now);
}

int64_t ds_sim_now(const struct ds_sim *sim)
{
	return sim->now;
}

bool ds_sim_in_call(const struct ds_sim *sim)
{
	return sim->agents[0].in_call;
}

const struct ds_engine *ds_sim_engine(const struct ds_sim *sim)
{
	return sim->agents[0].engine;
}

const struct ds_engine_conf *ds_sim_conf(const struct ds_sim *sim)
{
	return &sim->agents[0].conf;
}

size_t ds_sim_agent_count(const struct ds_sim *sim)
{
	return sim->n_agents;
}

const struct ds_engine_conf *ds_sim_agent_conf(const struct ds_sim *sim, size_t i)
{
	return i < sim->n_agents ? &sim->agents[i].conf : NULL;
}

const struct ds_engine *ds_sim_agent_engine(const struct ds_sim *sim, size_t i)
{
	return i < sim->n_agents ? sim->agents[i].engine : NULL;
}

uint64_t ds_sim_probes_sent(const struct ds_sim *sim)
{
	return sim->probes;
}
