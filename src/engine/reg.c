/* The SIP endpoint's registrations (docs/behaviour.md §3.2 "Registrations"): proxy N
 * registers at the member in use of site N's SIP Server pair.
 *
 * Dual mode keeps both proxies registered; single mode only the current
 * site's (plus the target of a pending move; out of service, whichever site
 * can be tried). A binding is refreshed at half the granted expiry. It is lost
 * on a failed attempt (no answer in register-timeout, or a rejection), on
 * expiry, when a binding check misses it, or when its pair is declared down.
 * After a loss the next attempt waits reregister_in_seconds (or a 503's longer
 * Retry-After); a pair coming back is registered at again at once, since a
 * restarted registrar forgot us. First attempts, retries and re-registrations
 * after a return get the random delay; refreshes and HA moves do not. */
#include "engine_priv.h"

static bool reg_used(const struct ds_engine *e, int p)
{
	return e->conf->reg_expires[p] > 0 && ds_site_exists(e, DS_KIND_SIP, p) &&
	       (e->conf->bc_enabled || p == 0);
}

bool ds_reg_wanted(const struct ds_engine *e, int p)
{
	const struct conn *c = &e->conn[DS_KIND_SIP];

	if (!reg_used(e, p))
		return false;
	if (!e->conf->bc_enabled || !e->conf->single_mode)
		return true;
	if (c->pending == p)
		return true;
	if (c->state != DS_CONN_OUT_OF_SERVICE)
		return c->site == p;
	/* out of service: the preferred site, and the peer once the preferred
	 * one has failed us */
	if (p == DS_SITE_PREFERRED)
		return true;
	return !ds_pair_up(e, DS_KIND_SIP, 0) ||
	       (e->reg[0].report == REP_LOST && !e->reg[0].bound);
}

/* Has this failure's reason been reported since the last success? */
static bool said(const struct reg *r, enum ds_reason why, int code)
{
	if (why == DS_R_REJECTED)
		return r->said_code[0] == code || r->said_code[1] == code;
	return r->said_mask & (1u << why);
}

static void say(struct reg *r, enum ds_reason why, int code)
{
	if (why == DS_R_REJECTED) {
		r->said_code[1] = r->said_code[0];
		r->said_code[0] = (uint16_t)code;
	} else {
		r->said_mask |= (uint16_t)(1u << why);
	}
}

/* A registration held is lost (registration-lost, once: a change of
 * state); an attempt made while none was held failed (registration-failed,
 * once per reason until a success, so that a wrong password retried every
 * reregister_in_seconds is said once, not at every retry). */
static void lost(struct ds_engine *e, int p, enum ds_reason why, int code)
{
	struct reg *r = &e->reg[p];
	bool held = r->bound;
	struct ds_event ev = {.type = DS_EV_REGISTRATION_LOST, .kind = DS_KIND_SIP,
			      .proxy = p, .site = p, .reason = why, .code = code};

	r->bound = false;
	r->expires_at = DS_NEVER;
	r->check_at = DS_NEVER;
	if (held && r->report != REP_LOST) {
		r->report = REP_LOST;
		say(r, why, code);
		ds_emit(e, &ev);
		return;
	}
	r->report = REP_LOST;
	if (held || said(r, why, code))
		return;
	say(r, why, code);
	ev.type = DS_EV_REGISTRATION_FAILED;
	ds_emit(e, &ev);
}

static void cancel_op(struct ds_engine *e, int p)
{
	struct reg *r = &e->reg[p];
	struct ds_action a = {.type = DS_ACT_CANCEL, .proxy = p,
			      .slot = DS_SLOT(DS_KIND_SIP, p, r->op_member)};

	if (r->op == REG_OP_NONE)
		return;
	r->op = REG_OP_NONE;
	ds_act(e, &a);
}

static void retry_later(struct ds_engine *e, int p, uint32_t retry_after_s)
{
	int64_t wait = e->conf->reregister_ms[p];

	if ((int64_t)retry_after_s * 1000 > wait)
		wait = (int64_t)retry_after_s * 1000;
	e->reg[p].next_at = e->now + wait + ds_delay(e);
}

static void send_op(struct ds_engine *e, int p, enum reg_op op, int member)
{
	struct reg *r = &e->reg[p];
	struct ds_action a = {.proxy = p, .slot = DS_SLOT(DS_KIND_SIP, p, member)};

	cancel_op(e, p);
	r->op = (uint8_t)op;
	r->op_member = (uint8_t)member;
	r->seq++;
	a.seq = r->seq;
	if (op == REG_OP_REGISTER) {
		a.type = DS_ACT_REGISTER;
		a.expires = e->conf->reg_expires[p];
	} else {
		a.type = DS_ACT_CHECK_BINDING;
	}
	ds_act(e, &a);
}

void ds_reg_observe(struct ds_engine *e)
{
	for (int p = 0; p < 2; p++) {
		struct reg *r = &e->reg[p];

		if (!reg_used(e, p))
			continue;
		if (!ds_pair_up(e, DS_KIND_SIP, p)) {
			bool had = r->bound || r->op != REG_OP_NONE;

			cancel_op(e, p);
			r->next_at = DS_NEVER; /* register again once the pair is back */
			if (had)
				lost(e, p, DS_R_TIMEOUT, 0);
			continue;
		}
		if (r->bound && e->now >= r->expires_at) {
			cancel_op(e, p);
			lost(e, p, DS_R_EXPIRED, 0);
			retry_later(e, p, 0);
		}
	}
}

void ds_reg_act(struct ds_engine *e)
{
	for (int p = 0; p < 2; p++) {
		struct reg *r = &e->reg[p];
		int m = e->member[DS_KIND_SIP][p];

		if (!reg_used(e, p) || !ds_pair_up(e, DS_KIND_SIP, p))
			continue;
		if (!ds_reg_wanted(e, p)) {
			cancel_op(e, p);
			if (r->bound) {
				struct ds_action a = {.type = DS_ACT_UNREGISTER, .proxy = p,
						      .slot = DS_SLOT(DS_KIND_SIP, p, r->bound_member)};
				ds_act(e, &a);
				r->bound = false;
				r->report = REP_UNKNOWN;
			}
			r->next_at = DS_NEVER;
			r->expires_at = DS_NEVER;
			r->check_at = DS_NEVER;
			continue;
		}
		if (r->op == REG_OP_REGISTER && r->op_member != m) {
			send_op(e, p, REG_OP_REGISTER, m); /* HA: follow the member at once */
			continue;
		}
		if (r->op != REG_OP_NONE)
			continue;
		if (r->bound) {
			if (r->bound_member != m || e->now >= r->next_at)
				send_op(e, p, REG_OP_REGISTER, m);
			else if (e->conf->binding_check_ms > 0 && e->now >= r->check_at)
				send_op(e, p, REG_OP_CHECK, m);
			continue;
		}
		if (r->next_at == DS_NEVER)
			r->next_at = e->now + ds_delay(e);
		if (e->now >= r->next_at)
			send_op(e, p, REG_OP_REGISTER, m);
	}
}

void ds_reg_input(struct ds_engine *e, const struct ds_input *in)
{
	int p = in->proxy;
	struct reg *r = &e->reg[p];
	enum reg_op op = (enum reg_op)r->op;

	if (op == REG_OP_NONE || in->seq != r->seq)
		return; /* an answer to something we no longer wait for */
	r->op = REG_OP_NONE;

	switch (in->type) {
	case DS_IN_REG_OK: {
		uint32_t granted = in->expires ? in->expires : e->conf->reg_expires[p];
		bool news = r->report != REP_OK || !r->bound || r->bound_member != r->op_member;
		struct ds_event ev = {.type = DS_EV_REGISTERED, .kind = DS_KIND_SIP, .proxy = p,
				      .site = p, .slot = DS_SLOT(DS_KIND_SIP, p, r->op_member)};

		if (op != REG_OP_REGISTER)
			return;
		r->bound = true;
		r->bound_member = r->op_member;
		r->expires_at = e->now + (int64_t)granted * 1000;
		r->next_at = e->now + (int64_t)granted * 500;
		if (e->conf->binding_check_ms > 0)
			r->check_at = e->now + e->conf->binding_check_ms;
		r->report = REP_OK;
		r->said_mask = 0;
		r->said_code[0] = r->said_code[1] = 0;
		if (news)
			ds_emit(e, &ev);
		return;
	}
	case DS_IN_REG_FAIL:
		/* a 2xx that holds no binding of ours: as a binding check that
		 * misses it (removed); other codes are rejections; no answer is
		 * a timeout unless the driver knows better (tls, dns) */
		lost(e, p, in->code >= 200 && in->code < 300 ? DS_R_REMOVED :
			   in->code ? DS_R_REJECTED :
			   in->why != DS_R_NONE ? in->why : DS_R_TIMEOUT, in->code);
		retry_later(e, p, in->retry_after);
		return;
	case DS_IN_BINDING:
		if (op != REG_OP_CHECK)
			return;
		if (in->present) {
			r->check_at = e->now + e->conf->binding_check_ms;
			return;
		}
		lost(e, p, DS_R_REMOVED, 0);
		retry_later(e, p, 0);
		return;
	default:
		return;
	}
}

int64_t ds_reg_wakeup(const struct ds_engine *e, int p)
{
	const struct reg *r = &e->reg[p];
	int64_t t = DS_NEVER;

	if (!reg_used(e, p))
		return t;
	if (r->op == REG_OP_NONE)
		t = ds_earliest_after(e->now, t, r->next_at);
	if (r->bound)
		t = ds_earliest_after(e->now, t, r->expires_at);
	if (r->bound && r->op == REG_OP_NONE && e->conf->binding_check_ms > 0)
		t = ds_earliest_after(e->now, t, r->check_at);
	return t;
}

void ds_reg_reregister(struct ds_engine *e)
{
	for (int p = 0; p < 2; p++) {
		struct reg *r = &e->reg[p];

		if (!reg_used(e, p))
			continue;
		/* the driver dropped what was in flight with the old identity:
		 * no answer will come to it */
		if (r->op != REG_OP_NONE) {
			r->op = REG_OP_NONE;
			r->next_at = e->now;
		}
		if (r->bound)
			r->next_at = e->now;   /* ds_reg_act() refreshes at once */
	}
}
