/* The configuration object model of docs/behaviour.md §2, loaded from YAML (libfyaml). */
#ifndef DUALSITE_CONFIG_H
#define DUALSITE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dualsite/diag.h"

enum ds_kind { DS_KIND_SIP, DS_KIND_STAT, DS_KIND_CONFIG, DS_KIND_COUNT };

enum ds_transport {
	DS_TP_UDP = 1u << 0,
	DS_TP_TCP = 1u << 1,
	DS_TP_TLS = 1u << 2,
};

/* One option as written in an `interaction-workspace` section. The loader
 * fills name/text/loc/path; ds_options_check() fills id/valid/value. */
struct ds_opt {
	const char *name;
	const char *text;      /* the scalar as written; NULL if not a scalar */
	bool is_bool_literal;  /* plain scalar true/false (YAML 1.2) */
	bool quoted;           /* written as a quoted string */
	struct ds_loc loc;     /* of the value */
	const char *path;      /* e.g. persons/alice/options/interaction-workspace/NAME */
	int id;                /* enum ds_opt_id, or -1 when unknown */
	bool valid;            /* parsed and in range */
	union {
		bool b;
		double d;      /* numbers (whole or decimal) */
		int e;         /* enum index */
		const char *s; /* names and hosts */
	} value;
};

struct ds_optset {
	struct ds_opt *v;
	size_t n;
};

struct ds_ref {               /* a reference to another object by name */
	const char *name;
	struct ds_loc loc;
};

struct ds_server {
	const char *name;
	struct ds_loc loc;
	enum ds_kind kind;
	const char *host;
	struct ds_loc host_loc;      /* where `host` is written */
	uint16_t port;
	bool port_given;             /* false: the default (SIP: RFC 3263 SRV for a name) */
	unsigned transports;         /* DS_TP_* mask; default DS_TP_UDP */
	struct ds_ref backup;        /* name NULL when none */
	struct ds_server *backup_srv;/* resolved; NULL when none or missing */
	struct ds_server *primary;   /* set on a backup: the server naming it */
	struct ds_ref sw;
	struct ds_switch *switch_obj;
	struct ds_optset opts;
	const char *site;            /* disaster-recovery.site, NULL when unset */
	const struct ds_opt *site_opt;
	const char *dr_name;         /* disaster-recovery.name, "default" when unset */
	bool connected;              /* listed in application.connections */
	int index;                   /* position in ds_config.servers */
};

struct ds_switch {
	const char *name;
	struct ds_loc loc;
};

struct ds_tenant {
	const char *name;
	struct ds_loc loc;
	struct ds_optset opts;
};

struct ds_group {
	const char *name;
	struct ds_loc loc;
	struct ds_ref tenant;
	struct ds_tenant *tenant_obj;
	struct ds_ref *members;
	size_t n_members;
	struct ds_optset opts;
};

struct ds_dn {
	struct ds_ref sw;
	struct ds_switch *switch_obj;
	const char *number;
	struct ds_loc loc;
};

struct ds_place {
	const char *name;
	struct ds_loc loc;
	struct ds_dn *dns;
	size_t n_dns;
};

enum ds_pw_source { DS_PW_NONE, DS_PW_ENV, DS_PW_FILE, DS_PW_INLINE };

struct ds_person {
	const char *name;
	struct ds_loc loc;
	struct ds_ref tenant;
	struct ds_tenant *tenant_obj;
	struct ds_ref place;
	struct ds_place *place_obj;
	const char *sip_user;
	struct ds_loc sip_user_loc;   /* where sip/user is written */
	enum ds_pw_source pw_source;
	const char *pw_ref;          /* env var name, file path, or the inline password */
	struct ds_loc pw_loc;
	struct ds_optset opts;
	struct ds_group **groups;    /* groups listing this person, by name descending */
	size_t n_groups;
	int index;
};

struct ds_application {
	const char *name;
	struct ds_loc loc;
	struct ds_ref *connections;
	size_t n_connections;
	struct ds_optset opts;
};

struct ds_config {
	const char *file;            /* the top-level file as given */
	struct ds_application app;
	struct ds_server *servers;   size_t n_servers;
	struct ds_switch *switches;  size_t n_switches;
	struct ds_tenant *tenants;   size_t n_tenants;
	struct ds_group *groups;     size_t n_groups;
	struct ds_place *places;     size_t n_places;
	struct ds_person *persons;   size_t n_persons;
	void *priv;                  /* arena and name indexes */
};

/* Loads FILE and its includes. Returns 0 with *cfgp set (diagnostics, errors
 * included, appended to `diags`); ENOENT/EACCES/EIO when FILE or a file it
 * includes cannot be read (exit 2; for an include, a diagnostic at its
 * `include:` line); EINVAL on a YAML syntax error (exit 1), with a diagnostic. */
int ds_config_load(struct ds_config **cfgp, const char *file, struct ds_diags *diags);
/* Frees everything the loader made (NULL is fine). */
void ds_config_free(struct ds_config *cfg);

/* The Person named `name`, or NULL. */
struct ds_person *ds_config_person(const struct ds_config *cfg, const char *name);
/* The server named `name`, or NULL. */
struct ds_server *ds_config_server(const struct ds_config *cfg, const char *name);

/* Reads the person's SIP password from its source into buf. Returns 0, or an
 * errno with a diagnostic. The password never appears in any diagnostic. */
int ds_person_password(const struct ds_person *p, char *buf, size_t sz,
		       struct ds_diags *diags);

/* "sip", "stat" or "config", as written in the YAML. */
const char *ds_kind_name(enum ds_kind k);

/* True when `s` is a SIP user part as RFC 3261 defines `user`: no space,
 * CR, LF, '@', '<', '>' or other character that a URI must escape. */
bool ds_sip_user_ok(const char *s);
/* True when `s` is an IP address (IPv4, or IPv6 without brackets) or a
 * syntactically valid DNS host name; it is not looked up. */
bool ds_host_ok(const char *s);
/* True when `s` is an IP address, which needs no look-up. */
bool ds_host_is_ip(const char *s);

#endif
