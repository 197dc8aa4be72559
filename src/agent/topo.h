/* Private to src/agent and src/validate: which HA pairs serve one agent.
 *
 * ds_agent_build() fills an engine from this, and validation (rules 5, 6
 * and 7) explains from the same result why an agent cannot be built, so the
 * two can never disagree about which servers an agent uses. */
#ifndef DS_AGENT_TOPO_H
#define DS_AGENT_TOPO_H

#include "dualsite/agent.h"

enum ds_topo_err {
	DS_TOPO_OK,
	DS_TOPO_NO_SITE,    /* the site is not set (BC off: the peer site; rule 1 otherwise) */
	DS_TOPO_NO_PAIR,    /* rule 5: no connected pair of that kind at the site */
	DS_TOPO_NO_DN,      /* rule 7: several SIP pairs at the preferred site, none on a switch with the agent's DN */
	DS_TOPO_NAME_COUNT, /* rule 6: the chosen disaster-recovery.name has not exactly one pair at this site */
};

struct ds_topo_kind {
	struct ds_server *pair[2];   /* primaries: [0] preferred site, [1] peer site */
	const char *site[2];         /* the site of each pair (BC off: of the fallback) */
	enum ds_topo_err err[2];
	const char *name;            /* sip: the disaster-recovery.name of pair[0] */
	unsigned name_count[2];      /* sip: connected pairs with that name at each site */
	unsigned n_at[2];            /* connected pairs of this kind at each site */
};

struct ds_topo {
	bool bc;
	const char *site[2];               /* [1] NULL with BC off */
	bool connected[DS_KIND_COUNT];     /* some server of the kind is connected */
	unsigned n_pairs[DS_KIND_COUNT];   /* connected primaries of the kind */
	struct ds_topo_kind k[DS_KIND_COUNT];
};

/* Picks the agent's pairs from its effective options (docs/behaviour.md §2.3 rules 5-7,
 * agent.h). Never fails: t->k[kind].err says what is missing. */
void ds_topo_pick(const struct ds_config *cfg, const struct ds_person *p,
		  const struct ds_effective *eff, struct ds_topo *t);

/* The person's DN on the switch of `srv`, or NULL. */
const struct ds_dn *ds_topo_dn(const struct ds_person *p, const struct ds_server *srv);

#endif
