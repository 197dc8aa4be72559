/* From a configuration to an engine: the agent's servers per kind and site
 * (its HA pairs and their peers) and its effective options in milliseconds. */
#ifndef DUALSITE_AGENT_H
#define DUALSITE_AGENT_H

#include "dualsite/engine.h"
#include "dualsite/options.h"

/* Application-wide probe settings (Application only, docs/behaviour.md §2.1). */
struct ds_probe_conf {
	int64_t interval_ms;
	int64_t timeout_ms;
	unsigned failures;
	int64_t register_timeout_ms;
};

/* Fills `conf` for person `p` from its effective options. Picks, for each
 * connected kind, the HA pair at the preferred and at the peer site (for sip
 * with several pairs: the pair whose switch holds the agent's DN, and its peer
 * of the same disaster-recovery.name). With BC off only site 0 is filled: the
 * preferred site, or the site of the first connected server of that kind.
 * Returns 0, or EINVAL when the agent cannot run (validation explains why). */
int ds_agent_build(const struct ds_config *cfg, const struct ds_person *p,
		   const struct ds_effective *eff, struct ds_engine_conf *conf);

/* The Application's probe settings (or their defaults), in milliseconds. */
void ds_probe_conf_get(const struct ds_config *cfg, struct ds_probe_conf *pc);

#endif
