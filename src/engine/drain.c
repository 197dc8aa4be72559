/* Drain (docs/behaviour.md §8): an operator takes a site out of use before
 * maintenance, without cutting a call.
 *
 * Policy: a drained site is not *available* (conn.c asks ds_drained()): no
 * start, no restore, no switchover and no manual move goes there, and in
 * single mode no registration is made there to move. A connection on it
 * (connected, or lost from it) moves to the other site once that is
 * available, after the random delay drawn when the drain reached it, as
 * soon as no call holds the agent (`switchover`, reason `drain`); a call
 * defers the sip connection's move (`restore-deferred`, reason
 * `call-active`, once per call) until it ends; stat and config carry no
 * call and move at once. Registrations there are kept (dual mode): calls
 * may still arrive through the drained site. Undrain makes it available
 * again; an auto-restore then waits out the hold-down from that instant,
 * since the site was not available before it. */
#include "engine_priv.h"

void ds_drain_init(struct ds_engine *e)
{
	for (int k = 0; k < DS_KIND_COUNT; k++)
		e->drain.at[k] = DS_NEVER;
}

void ds_drain_input(struct ds_engine *e, const struct ds_input *in)
{
	if (in->site != 0 && in->site != 1)
		return;
	e->drain.site[in->site] = in->type == DS_IN_DRAIN;
}

bool ds_drain_update(struct ds_engine *e, int kind)
{
	const struct conn *c = &e->conn[kind];

	if (!e->in_call)
		e->drain.said[kind] = false;
	if (!ds_drained(e, c->site) || !e->conf->bc_enabled) {
		e->drain.at[kind] = DS_NEVER;
		return false;
	}
	if (e->drain.at[kind] == DS_NEVER)
		e->drain.at[kind] = e->now + ds_delay(e);
	if (e->now < e->drain.at[kind])
		return false;
	if (kind == DS_KIND_SIP && e->in_call) {
		if (!e->drain.said[kind]) {
			struct ds_event ev = {.type = DS_EV_RESTORE_DEFERRED, .kind = kind,
					      .reason = DS_R_CALL_ACTIVE};
			e->drain.said[kind] = true;
			ds_emit(e, &ev);
		}
		return false;
	}
	return ds_conn_move(e, kind, 1 - c->site, DS_R_DRAIN);
}

int64_t ds_drain_wakeup(const struct ds_engine *e)
{
	int64_t t = DS_NEVER;

	for (int k = 0; k < DS_KIND_COUNT; k++)
		t = ds_earliest_after(e->now, t, e->drain.at[k]);
	return t;
}

bool ds_engine_drained(const struct ds_engine *e, int site)
{
	return ds_drained(e, site);
}
