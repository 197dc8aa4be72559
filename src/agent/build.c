/* From a configuration to an engine: one agent's servers per kind and site, and its options in ms. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include "dualsite/agent.h"
#include "topo.h"

static int64_t ms(const struct ds_value *v)
{
	return v->set ? (int64_t)llround(v->v.d * 1000.0) : 0;
}

static bool flag(const struct ds_value *v)
{
	return v->set && v->v.b;
}

static void put(struct ds_engine_conf *c, int kind, int site, const struct ds_server *primary)
{
	const struct ds_server *m[2] = {primary, primary ? primary->backup_srv : NULL};

	for (int i = 0; i < 2; i++) {
		int slot = DS_SLOT(kind, site, i);

		c->server_name[slot] = m[i] ? m[i]->name : NULL;
		c->server_id[slot] = m[i] ? m[i]->index : -1;
	}
}

int ds_agent_build(const struct ds_config *cfg, const struct ds_person *p,
		   const struct ds_effective *eff, struct ds_engine_conf *conf)
{
	struct ds_topo t;
	const struct ds_value *v = eff->v;
	int sites;

	memset(conf, 0, sizeof(*conf));
	for (int i = 0; i < DS_SLOT_COUNT; i++)
		conf->server_id[i] = -1;
	conf->agent = p->name;
	ds_topo_pick(cfg, p, eff, &t);
	conf->bc_enabled = t.bc;
	sites = t.bc ? 2 : 1;
	/* BC on needs both sites named and distinct (rule 1). */
	if (t.bc && (!t.site[0] || !t.site[1] || !strcmp(t.site[0], t.site[1])))
		return EINVAL;
	conf->site_name[0] = t.site[0];
	conf->site_name[1] = t.bc ? t.site[1] : NULL;
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		conf->kind_connected[k] = t.connected[k];
		if (!t.connected[k])
			continue;
		/* each kind names the site of its own pairs (BC off without a
		 * preferred site: its own first server's) */
		conf->kind_site[k][0] = t.k[k].site[0];
		conf->kind_site[k][1] = t.bc ? t.k[k].site[1] : NULL;
		for (int s = 0; s < sites; s++) {
			/* A missing Stat Server pair is a warning (rule 5): run without it. */
			if (t.k[k].err[s] != DS_TOPO_OK && k != DS_KIND_STAT)
				return EINVAL;
			put(conf, k, s, t.k[k].err[s] == DS_TOPO_OK ? t.k[k].pair[s] : NULL);
		}
	}
	/* Without a SIP Server there is nothing to register with. */
	if (!t.connected[DS_KIND_SIP])
		return EINVAL;
	conf->auto_restore = flag(&v[DS_OPT_DR_AUTO_RESTORE]);
	conf->restore_when_idle = flag(&v[DS_OPT_RESTORE_WHEN_IDLE]);
	conf->single_mode = v[DS_OPT_REGISTRATION_MODE].set &&
		!strcmp(ds_option_defs[DS_OPT_REGISTRATION_MODE].enums[v[DS_OPT_REGISTRATION_MODE].v.e],
			"single");
	conf->timeout_ms = ms(&v[DS_OPT_DR_TIMEOUT]);
	conf->sipphone_wait_ms = ms(&v[DS_OPT_DR_WAIT_SIPPHONE]);
	conf->hold_down_ms = ms(&v[DS_OPT_RESTORE_HOLD_DOWN]);
	conf->binding_check_ms = ms(&v[DS_OPT_BINDING_CHECK_INTERVAL]);
	conf->random_range_ms = ms(&v[DS_OPT_RANDOM_DELAY_RANGE]);
	conf->reregister_ms[0] = ms(&v[DS_OPT_P0_REREGISTER]);
	conf->reregister_ms[1] = ms(&v[DS_OPT_P1_REREGISTER]);
	conf->reg_expires[0] = (uint32_t)(ms(&v[DS_OPT_P0_REG_TIMEOUT]) / 1000);
	/* BC off registers at proxy0 only (docs/behaviour.md §3.2 "BC off"). */
	conf->reg_expires[1] = t.bc ? (uint32_t)(ms(&v[DS_OPT_P1_REG_TIMEOUT]) / 1000) : 0;
	return 0;
}

void ds_probe_conf_get(const struct ds_config *cfg, struct ds_probe_conf *pc)
{
	struct ds_effective eff;

	/* No person: only the Application and the defaults take part, which
	 * is what probe options are read from (docs/behaviour.md §2.1). */
	ds_options_resolve(cfg, NULL, &eff);
	pc->interval_ms = ms(&eff.v[DS_OPT_PROBE_INTERVAL]);
	pc->timeout_ms = ms(&eff.v[DS_OPT_PROBE_TIMEOUT]);
	pc->failures = eff.v[DS_OPT_PROBE_FAILURES].set ?
		(unsigned)eff.v[DS_OPT_PROBE_FAILURES].v.d : 1;
	pc->register_timeout_ms = ms(&eff.v[DS_OPT_REGISTER_TIMEOUT]);
}
