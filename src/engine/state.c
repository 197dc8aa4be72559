/* Read-only accessors of an engine's registrations for the control view. */
#include "engine_priv.h"

void ds_engine_reg(const struct ds_engine *e, int proxy, struct ds_reg_view *v)
{
	const struct reg *r;

	v->state = DS_REG_UNREGISTERED;
	v->slot = -1;
	v->expires_at = DS_NEVER;
	if (proxy != 0 && proxy != 1)
		return;
	r = &e->reg[proxy];
	if (r->bound) {
		v->state = DS_REG_REGISTERED;
		v->slot = DS_SLOT(DS_KIND_SIP, proxy, r->bound_member);
		v->expires_at = r->expires_at;
	} else if (r->op == REG_OP_REGISTER) {
		v->state = DS_REG_REGISTERING;
		v->slot = DS_SLOT(DS_KIND_SIP, proxy, r->op_member);
	}
}

bool ds_engine_restore_suspended(const struct ds_engine *e)
{
	for (int k = 0; k < DS_KIND_COUNT; k++)
		if (e->conf->kind_connected[k] && e->conn[k].suspended)
			return true;
	return false;
}

const char *ds_reg_state_name(enum ds_reg_state s)
{
	switch (s) {
	case DS_REG_UNREGISTERED: return "unregistered";
	case DS_REG_REGISTERING:  return "registering";
	case DS_REG_REGISTERED:   return "registered";
	}
	return "?";
}
