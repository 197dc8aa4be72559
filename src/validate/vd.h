/* Private to src/validate: one validation run and its findings, counted per agent. */
#ifndef DS_VALIDATE_VD_H
#define DS_VALIDATE_VD_H

#include <stdbool.h>
#include "dualsite/options.h"
#include "dualsite/validate.h"
#include "../agent/topo.h"

/* A problem keyed by where it comes from, so that every agent it touches
 * lands on the same finding: (rule, object, detail object, detail int). */
struct vd_key {
	int rule;
	const void *a;
	const void *b;
	int x;
};

struct vd_finding {
	struct vd_key key;
	enum ds_severity sev;
	struct ds_loc loc;
	char *path;
	char *msg;
	size_t count;        /* agents touched */
	bool selected;       /* touches one of ds_validate_agents()' agents */
	bool per_agent;      /* print the count (false: a finding about no agent in particular) */
	size_t order;        /* insertion order */
};

struct vd {
	struct ds_config *cfg;
	struct ds_diags *d;
	const bool *selected;         /* per person index; NULL: all */
	struct vd_finding **slots;    /* open addressing */
	size_t cap, n;
	const char **sites;           /* every server's disaster-recovery.site, once each */
	size_t n_sites;
	size_t bc_agents;             /* agents with BC on */
	unsigned *r4;                 /* per server index: rule-4 problems (bits) */
	struct vd_nosite { const struct ds_server *srv, *primary; } *r3;
	size_t n_r3;                  /* connected servers and backups without a site */
	bool nosite_kind[DS_KIND_COUNT]; /* a connected primary of the kind has no site */
	const struct ds_server **r6;
	size_t n_r6;                  /* connected SIP pairs without a name, when more than two */
	bool conn_missing;            /* application.connections names an undefined server */
	bool oom;
};

/* The finding for `key`, or NULL when it has no message yet and `fmt` is
 * NULL. On first sight it is created with sev/loc/path/message. When
 * `p` is not NULL, the person is counted as touched. */
struct vd_finding *vd_note(struct vd *v, const struct ds_person *p, const struct vd_key *key,
			   enum ds_severity sev, const struct ds_loc *loc, const char *path,
			   const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Appends every finding to the diagnostics; returns the errors that touch a selected agent. */
size_t vd_emit(struct vd *v);
void vd_free(struct vd *v);

enum { R4_KIND = 1, R4_SITE = 2, R4_CHAINED = 4, R4_CONNECTED = 8, R4_CYCLE = 16,
       R4_SHARED = 32 };

/* Rules on servers alone, precomputed: rule 4's findings (r4 bits) and the
 * servers that rules 3 and 6 blame when an agent with BC on uses them. */
void vd_servers(struct vd *v);
/* Persons sharing one SIP user: an error touching both (validate/users.c). */
void vd_users(struct vd *v);
/* A person `run` could not start (docs/behaviour.md §2.3 rule 13): no SIP
 * user, no password source, a user that is not an RFC 3261 user part. */
void vd_person_sip(struct vd *v, const struct ds_person *p);
/* The rules of one agent (1, 2, 5, 6, 7, 8's transport, 9, and touching 3/4/6). */
void vd_agent(struct vd *v, const struct ds_person *p);

/* The TLS options (docs/behaviour.md §7): files readable, a certificate
 * with its key, a warning when verification is off (validate/tls.c).
 * Returns the errors it reported. */
size_t vd_tls(struct vd *v);

/* "SIP Server", "Stat Server", "Configuration Server". */
const char *vd_kind_title(enum ds_kind k);

#endif
