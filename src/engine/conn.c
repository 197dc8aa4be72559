/* The connection rules of docs/behaviour.md §3.2, per agent and per kind.
 *
 * A connection is connected to a site, lost from it, or out of service. It
 * moves only to an *available* site: one whose HA pair has a live member and,
 * for sip, where the agent holds a confirmed registration. Losing the pair
 * starts `disaster-recovery.timeout`; if the pair is back before it runs out
 * nothing else happens, otherwise the connection switches over (or goes out of
 * service when the other site cannot take it). Losing the phone's registration
 * while the pair is up starts `wait-for-sipphone-timeout`. On the peer site,
 * the preferred site available without a break for `restore-hold-down` brings
 * the agent home (also when the peer is lost meanwhile: no need to wait out
 * the timeout), unless a call holds it (`restore-when-idle`) or a manual
 * switchover suspended auto-restore. In single registration mode a move first
 * registers at the target (the *pending* move) and happens when that succeeds.
 * Every passed deadline whose move could not be made is retried at each later
 * change of state: nothing here depends on being woken exactly once. */
#include "engine_priv.h"

static bool is_single_sip(const struct ds_engine *e, int kind)
{
	return kind == DS_KIND_SIP && e->conf->single_mode;
}

bool ds_available(const struct ds_engine *e, int kind, int site)
{
	if (ds_drained(e, site) || !ds_pair_up(e, kind, site))
		return false;
	if (kind != DS_KIND_SIP || e->conf->reg_expires[site] == 0)
		return true;
	return e->reg[site].bound;
}

/* The site is known to be unable to take the connection now, as opposed
 * to a first registration still being tried. */
static bool known_unavailable(const struct ds_engine *e, int kind, int site)
{
	const struct reg *r = &e->reg[site];

	if (ds_drained(e, site))
		return true;
	if (!ds_pair_up(e, kind, site))
		return !ds_pair_unknown(e, kind, site); /* unknown: its first answer may come */
	if (ds_available(e, kind, site))
		return false;
	return r->report == REP_LOST && r->op == REG_OP_NONE;
}

/* What the restore hold-down watches: in single mode the endpoint is not
 * registered at the preferred site while on the peer, so its pair counts. */
static bool restore_ready(const struct ds_engine *e, int kind)
{
	if (is_single_sip(e, kind))
		return !ds_drained(e, DS_SITE_PREFERRED) &&
		       ds_pair_up(e, kind, DS_SITE_PREFERRED);
	return ds_available(e, kind, DS_SITE_PREFERRED);
}

static void clear_timers(struct conn *c)
{
	c->switch_at = DS_NEVER;
	c->phone_at = DS_NEVER;
	c->ready_since = DS_NEVER;
	c->restore_at = DS_NEVER;
	c->pending = -1;
}

static void set_state(struct ds_engine *e, struct conn *c, enum ds_conn_state st, int site)
{
	int64_t ready_since = c->ready_since, restore_at = c->restore_at;
	bool stays_on_peer = c->site == DS_SITE_PEER && site == DS_SITE_PEER;

	c->state = (uint8_t)st;
	c->site = (int8_t)site;
	c->since = e->now;
	clear_timers(c);
	if (stays_on_peer) { /* lost from the peer and back: the preferred
			      * site's hold-down goes on */
		c->ready_since = ready_since;
		c->restore_at = restore_at;
	}
}

static void connect_to(struct ds_engine *e, int kind, int site)
{
	struct ds_event ev = {.type = DS_EV_CONNECTED, .kind = kind, .site = site};

	set_state(e, &e->conn[kind], DS_CONN_CONNECTED, site);
	e->conn[kind].quiet = false;
	ev.slot = DS_SLOT(kind, site, e->member[kind][site]);
	ds_emit(e, &ev);
}

static void move_to(struct ds_engine *e, int kind, int to, enum ds_reason why)
{
	struct conn *c = &e->conn[kind];
	bool home = to == DS_SITE_PREFERRED &&
		    (why == DS_R_AUTO_RESTORE || why == DS_R_MANUAL);
	struct ds_event ev = {.type = home ? DS_EV_RESTORE : DS_EV_SWITCHOVER,
			      .kind = kind, .from = 1 - to, .to = to, .reason = why};

	set_state(e, c, DS_CONN_CONNECTED, to);
	ds_emit(e, &ev);
}

static void go_out_of_service(struct ds_engine *e, int kind)
{
	struct ds_event ev = {.type = DS_EV_OUT_OF_SERVICE, .kind = kind};

	set_state(e, &e->conn[kind], DS_CONN_OUT_OF_SERVICE, -1);
	e->conn[kind].quiet = false;
	ds_emit(e, &ev);
}

static void set_pending(struct ds_engine *e, struct conn *c, int site, enum ds_reason why)
{
	if (c->pending == site)
		return;
	c->pending = (int8_t)site;
	c->pending_reason = (uint8_t)why;
	c->pending_seq = e->reg[site].seq;
}

/* The registration made for the pending move was tried and failed. */
static bool pending_failed(const struct ds_engine *e, const struct conn *c)
{
	const struct reg *r = &e->reg[c->pending];

	return r->seq != c->pending_seq && r->op == REG_OP_NONE && !r->bound;
}

/* Move to `to` if it can take us; in single mode register there first. */
static bool try_move(struct ds_engine *e, int kind, int to, enum ds_reason why)
{
	if (ds_available(e, kind, to)) {
		move_to(e, kind, to, why);
		return true;
	}
	if (is_single_sip(e, kind) && !ds_drained(e, to) && ds_pair_up(e, kind, to))
		set_pending(e, &e->conn[kind], to, why);
	return false;
}

bool ds_conn_move(struct ds_engine *e, int kind, int to, enum ds_reason why)
{
	return try_move(e, kind, to, why);
}

void ds_conn_start(struct ds_engine *e)
{
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		struct conn *c = &e->conn[k];

		clear_timers(c);
		c->state = DS_CONN_OUT_OF_SERVICE;
		c->site = -1;
		c->quiet = true; /* the start waits for the first answers */
		c->since = e->now;
	}
}

static void lose(struct ds_engine *e, int kind)
{
	struct conn *c = &e->conn[kind];
	int site = c->site;
	struct ds_event ev = {.type = DS_EV_CONNECTION_LOST, .kind = kind, .site = site};

	set_state(e, c, DS_CONN_LOST, site);
	if (e->conf->bc_enabled)
		c->switch_at = e->now + e->conf->timeout_ms + ds_delay(e);
	ds_emit(e, &ev);
	if (kind == DS_KIND_SIP)
		ds_call_observe(e);
}

/* A call belongs to the site it came through, which in dual mode need not
 * be the site the sip connection uses: it ends when that site's pair is
 * down, whichever site the agent is connected to. */
void ds_call_observe(struct ds_engine *e)
{
	int site = e->call_site;
	struct ds_event end = {.type = DS_EV_CALL_END, .kind = DS_KIND_SIP,
			       .site = site, .reason = DS_R_SITE_LOST};
	struct ds_action drop = {.type = DS_ACT_DROP_CALL, .proxy = site};

	if (!e->in_call || ds_pair_up(e, DS_KIND_SIP, site))
		return;
	drop.slot = DS_SLOT(DS_KIND_SIP, site, e->member[DS_KIND_SIP][site]);
	e->in_call = false;
	e->call_site = -1;
	ds_emit(e, &end);
	ds_act(e, &drop);
}

/* sip, connected, pair up: is the phone still registered here? */
static void check_phone(struct ds_engine *e, struct conn *c)
{
	const struct ds_engine_conf *cf = e->conf;
	int s = c->site;
	const struct reg *r = &e->reg[s];

	if (cf->reg_expires[s] == 0 || r->bound || r->report != REP_LOST) {
		c->phone_at = DS_NEVER;
		if (c->pending >= 0 && c->pending_reason == DS_R_PHONE_LOSS)
			c->pending = -1;
		return;
	}
	if (c->phone_at == DS_NEVER)
		c->phone_at = e->now + cf->sipphone_wait_ms + ds_delay(e);
	if (cf->bc_enabled && e->now >= c->phone_at)
		try_move(e, DS_KIND_SIP, 1 - s, DS_R_PHONE_LOSS);
}

/* connected on the peer site: time to go home? */
static void check_restore(struct ds_engine *e, int kind, struct conn *c)
{
	const struct ds_engine_conf *cf = e->conf;

	if (!cf->bc_enabled || !cf->auto_restore || c->suspended || !restore_ready(e, kind)) {
		c->ready_since = DS_NEVER;
		c->restore_at = DS_NEVER;
		if (c->pending == DS_SITE_PREFERRED && c->pending_reason == DS_R_AUTO_RESTORE)
			c->pending = -1;
		return;
	}
	if (c->ready_since == DS_NEVER) {
		c->ready_since = e->now;
		c->restore_at = e->now + cf->hold_down_ms + ds_delay(e);
	}
	if (e->now < c->restore_at)
		return;
	if (kind == DS_KIND_SIP && cf->restore_when_idle && e->in_call) {
		if (!c->deferred_said) {
			struct ds_event ev = {.type = DS_EV_RESTORE_DEFERRED, .kind = kind,
					      .reason = DS_R_CALL_ACTIVE};
			c->deferred_said = true;
			ds_emit(e, &ev);
		}
		return;
	}
	try_move(e, kind, DS_SITE_PREFERRED, DS_R_AUTO_RESTORE);
}

static void update_lost(struct ds_engine *e, int kind, struct conn *c)
{
	int other = 1 - c->site;

	if (ds_pair_up(e, kind, c->site)) { /* back within the timeout, or after it */
		connect_to(e, kind, c->site);
		return;
	}
	if (c->site == DS_SITE_PEER) { /* lost from the peer: home if it may */
		check_restore(e, kind, c);
		if (c->state != DS_CONN_LOST)
			return;
	}
	if (!e->conf->bc_enabled || e->now < c->switch_at)
		return;
	if (try_move(e, kind, other, DS_R_SERVER_LOSS))
		return;
	if (c->pending == other && !pending_failed(e, c))
		return; /* single mode: the registration at the target is under way */
	go_out_of_service(e, kind);
}

static void update_out_of_service(struct ds_engine *e, int kind, struct conn *c)
{
	bool bc = e->conf->bc_enabled;

	/* the preferred site first; the peer once the preferred one cannot serve */
	if (ds_available(e, kind, DS_SITE_PREFERRED)) {
		connect_to(e, kind, DS_SITE_PREFERRED);
	} else if (bc && ds_available(e, kind, DS_SITE_PEER) &&
		   known_unavailable(e, kind, DS_SITE_PREFERRED)) {
		connect_to(e, kind, DS_SITE_PEER);
	} else if (c->quiet && known_unavailable(e, kind, DS_SITE_PREFERRED) &&
		   (!bc || known_unavailable(e, kind, DS_SITE_PEER))) {
		struct ds_event ev = {.type = DS_EV_OUT_OF_SERVICE, .kind = kind};
		c->quiet = false;
		ds_emit(e, &ev);
	}
}

static void update_once(struct ds_engine *e, int kind)
{
	struct conn *c = &e->conn[kind];

	/* a manual switchover is lifted when the preferred site is lost and
	 * becomes available again */
	if (c->suspended) {
		if (!ds_pair_up(e, kind, DS_SITE_PREFERRED))
			c->pref_was_lost = true;
		else if (c->pref_was_lost)
			c->suspended = false;
	}
	if (c->pending >= 0 && (ds_drained(e, c->pending) || !ds_pair_up(e, kind, c->pending)))
		c->pending = -1;
	if (c->pending >= 0 && c->pending_reason == DS_R_MANUAL &&
	    ds_available(e, kind, c->pending)) {
		move_to(e, kind, c->pending, DS_R_MANUAL);
		return;
	}

	switch ((enum ds_conn_state)c->state) {
	case DS_CONN_CONNECTED:
		if (!ds_pair_up(e, kind, c->site)) {
			lose(e, kind);
			return;
		}
		if (ds_drain_update(e, kind))
			return;
		if (kind == DS_KIND_SIP)
			check_phone(e, c);
		if (c->state == DS_CONN_CONNECTED && c->site == DS_SITE_PEER)
			check_restore(e, kind, c);
		return;
	case DS_CONN_LOST:
		if (!ds_drain_update(e, kind))
			update_lost(e, kind, c);
		return;
	case DS_CONN_OUT_OF_SERVICE:
		update_out_of_service(e, kind, c);
		return;
	}
}

/* A change of state is itself a chance to move (a loss from the peer may
 * bring the agent home at once), so the rules run again until the state
 * holds; each pass changes state at most once, and four are plenty. */
void ds_conn_update(struct ds_engine *e, int kind)
{
	struct conn *c = &e->conn[kind];

	for (int pass = 0; pass < 4; pass++) {
		uint8_t state = c->state;
		int8_t site = c->site;

		update_once(e, kind);
		if (c->state == state && c->site == site)
			return;
	}
}

void ds_conn_manual(struct ds_engine *e, bool restore)
{
	int to = restore ? DS_SITE_PREFERRED : DS_SITE_PEER;

	if (!e->conf->bc_enabled || ds_drained(e, to))
		return;   /* a drained site takes no one, by hand either */
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		struct conn *c = &e->conn[k];

		if (!e->conf->kind_connected[k])
			continue;
		c->suspended = !restore;
		c->pref_was_lost = !ds_pair_up(e, k, DS_SITE_PREFERRED);
		if (c->state == DS_CONN_CONNECTED && c->site == to)
			continue;
		try_move(e, k, to, DS_R_MANUAL);
	}
}

int64_t ds_conn_wakeup(const struct ds_engine *e, int kind)
{
	const struct conn *c = &e->conn[kind];
	int64_t t = DS_NEVER;

	if (c->state == DS_CONN_LOST)
		t = ds_earliest_after(e->now, t, c->switch_at);
	t = ds_earliest_after(e->now, t, c->phone_at);
	return ds_earliest_after(e->now, t, c->restore_at);
}
