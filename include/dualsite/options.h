/* The option table (docs/behaviour.md §2.2) and effective options per agent (docs/behaviour.md §2.1). */
#ifndef DUALSITE_OPTIONS_H
#define DUALSITE_OPTIONS_H

#include "dualsite/config.h"

enum ds_opt_id {
	DS_OPT_DR_ENABLED,
	DS_OPT_DR_SITE,
	DS_OPT_DR_NAME,
	DS_OPT_DR_PREFERRED_SITE,
	DS_OPT_DR_PEER_SITE,
	DS_OPT_DR_TIMEOUT,
	DS_OPT_DR_WAIT_SIPPHONE,
	DS_OPT_DR_AUTO_RESTORE,
	DS_OPT_P0_REREGISTER,
	DS_OPT_P1_REREGISTER,
	DS_OPT_P0_REG_TIMEOUT,
	DS_OPT_P1_REG_TIMEOUT,
	DS_OPT_SBC_ADDRESS,
	DS_OPT_SBC_ADDRESS_PEER,
	DS_OPT_SBC_PORT,
	DS_OPT_SBC_PORT_PEER,
	DS_OPT_TRANSPORT,
	DS_OPT_REGISTRATION_MODE,
	DS_OPT_PROBE_INTERVAL,
	DS_OPT_PROBE_TIMEOUT,
	DS_OPT_PROBE_FAILURES,
	DS_OPT_REGISTER_TIMEOUT,
	DS_OPT_RESTORE_HOLD_DOWN,
	DS_OPT_RESTORE_WHEN_IDLE,
	DS_OPT_BINDING_CHECK_INTERVAL,
	DS_OPT_ANSWER_DELAY,
	DS_OPT_RANDOM_DELAY_RANGE,
	DS_OPT_REGISTRAR_CAPACITY,
	DS_OPT_TLS_CA_FILE,
	DS_OPT_TLS_VERIFY,
	DS_OPT_TLS_CERT_FILE,
	DS_OPT_TLS_KEY_FILE,
	DS_OPT_COUNT
};

enum ds_opt_type {
	DS_OT_BOOL,
	DS_OT_INT,      /* whole number */
	DS_OT_DECIMAL,  /* number, decimals allowed */
	DS_OT_NAME,     /* a site or pair name */
	DS_OT_HOST,     /* host name or address */
	DS_OT_ENUM,     /* one of `enums`, case-insensitive */
	DS_OT_PATH,     /* a file name */
};

enum ds_opt_scope {
	DS_SCOPE_AGENT,    /* resolved through the hierarchy */
	DS_SCOPE_APP_ONLY, /* read from the Application alone (dualsite.probe-*) */
	DS_SCOPE_SERVER,   /* set on a server object */
};

struct ds_option_def {
	const char *name;
	enum ds_opt_type type;
	enum ds_opt_scope scope;
	const char *def;            /* default as text; NULL = none */
	double min, max;            /* numbers */
	const char *const *enums;   /* DS_OT_ENUM: NULL-terminated, canonical spelling */
	const char *help;           /* one line */
};

/* The one table every consumer reads. Indexed by enum ds_opt_id. */
extern const struct ds_option_def ds_option_defs[DS_OPT_COUNT];

/* -1 when unknown. */
int ds_option_find(const char *name);

/* Parses every written option of every object, filling ds_opt.id/valid/value,
 * and reports unknown names (with the closest known one), wrong types and
 * out-of-range values (rules 8 and 11), probe options below the Application,
 * and server-only options on agents' objects. Once per written value. */
void ds_options_check(struct ds_config *cfg, struct ds_diags *diags);

enum ds_src_kind {
	DS_SRC_DEFAULT,
	DS_SRC_APPLICATION,
	DS_SRC_TENANT,
	DS_SRC_GROUP,
	DS_SRC_PERSON,
};

struct ds_value {
	bool set;                  /* false: no value and no default */
	union {
		bool b;
		double d;
		int e;
		const char *s;
	} v;
	enum ds_src_kind src;
	const char *src_name;      /* object name; NULL for default */
	const struct ds_opt *opt;  /* where written; NULL for default */
};

struct ds_effective {
	struct ds_value v[DS_OPT_COUNT];
};

/* Resolves every agent-scope option of person `p` (docs/behaviour.md §2.1), each
 * independently, keeping its source. Server-scope ones are left unset.
 * Invalid written values are skipped (validation reports them). */
void ds_options_resolve(const struct ds_config *cfg, const struct ds_person *p,
			struct ds_effective *eff);

/* "default", "application:NAME", "tenant:NAME", "agent-group:NAME", "person:NAME" */
int ds_value_source(const struct ds_value *v, char *buf, size_t sz);
/* The value as text (numbers without trailing zeros), or as JSON. */
int ds_value_text(enum ds_opt_id id, const struct ds_value *v, char *buf, size_t sz);
/* The value as JSON: a quoted string, a bare number or boolean, null when unset. */
int ds_value_json(enum ds_opt_id id, const struct ds_value *v, char *buf, size_t sz);

#endif
