/* A server's settings: kind, address, transports, HA backup, switch, and the
 * disaster-recovery site and name read from its options. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "config_int.h"

static const char *const server_keys[] = {
	"kind", "host", "port", "transport", "backup", "switch", "options",
};
static const char *const kind_names[DS_KIND_COUNT] = { "sip", "stat", "config" };
static const char *const tp_names[] = { "udp", "tcp", "tls" };
static const unsigned tp_bits[] = { DS_TP_UDP, DS_TP_TCP, DS_TP_TLS };

struct server_ctx {
	struct ds_server *s;
	bool has_kind, has_host, has_port, has_tp;
};

const char *ds_kind_name(enum ds_kind k)
{
	switch (k) {
	case DS_KIND_SIP:
	case DS_KIND_STAT:
	case DS_KIND_CONFIG:
		return kind_names[k];
	case DS_KIND_COUNT:
		break;
	}
	return "unknown";
}

static void parse_kind(struct ds_loader *L, struct server_ctx *x, struct fy_node *v,
		       struct ds_loc vloc, const char *path)
{
	const char *s = ds_yaml_name(L, v, vloc, path, "a server kind (sip, stat or config)");
	const char *near;

	if (!s)
		return;
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		if (!strcasecmp(s, kind_names[k])) {
			x->s->kind = (enum ds_kind)k;
			x->has_kind = true;
			return;
		}
	}
	near = ds_closest(s, kind_names, DS_KIND_COUNT);
	/* Counted as given, so no second "missing kind" error follows. */
	x->has_kind = true;
	if (near)
		ds_ld_error(L, &vloc, path, "unknown server kind '%s'; did you mean '%s'? "
			    "(sip, stat or config)", s, near);
	else
		ds_ld_error(L, &vloc, path, "unknown server kind '%s'; expected sip, stat or config", s);
}

static void parse_port(struct ds_loader *L, struct server_ctx *x, struct fy_node *v,
		       struct ds_loc vloc, const char *path)
{
	const char *s = ds_yaml_name(L, v, vloc, path, "a port number (1..65535)");
	unsigned long n = 0;
	size_t i;

	x->has_port = true;
	if (!s)
		return;
	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 6; i++)
		n = n * 10 + (unsigned long)(s[i] - '0');
	/* Port 0 sends nowhere; a SIP server that is looked up by SRV
	 * (docs/behaviour.md §7) leaves `port` out instead. */
	if (i == 0 || s[i] || n < 1 || n > 65535) {
		ds_ld_error(L, &vloc, path,
			    "port must be a whole number in 1..65535, got '%s'", s);
		return;
	}
	/* docs/behaviour.md §2.3 rule 15: "5060" in quotes is a string. */
	if (fy_node_get_style(v) != FYNS_PLAIN) {
		ds_ld_error(L, &vloc, path,
			    "`port` is written in quotes (\"%s\"), which makes it a string, not "
			    "a number; drop the quotes: `port: %s`", s, s);
		return;
	}
	x->s->port = (uint16_t)n;
	x->s->port_given = true;
}

/* One transport name; returns its bit, or 0 after an error. */
static unsigned transport_bit(struct ds_loader *L, struct fy_node *v,
			      struct ds_loc vloc, const char *path)
{
	const char *s = ds_yaml_name(L, v, vloc, path, "a transport (udp, tcp or tls)");

	if (!s)
		return 0;
	for (size_t i = 0; i < 3; i++) {
		if (!strcasecmp(s, tp_names[i]))
			return tp_bits[i];
	}
	ds_ld_error(L, &vloc, path, "unknown transport '%s'; expected udp, tcp or tls", s);
	return 0;
}

/* A server accepts one transport or several: `transport: tcp` or
 * `transport: [udp, tcp]` (docs/behaviour.md §2). */
static void parse_transport(struct ds_loader *L, struct server_ctx *x,
			    struct fy_node *v, struct ds_loc vloc, const char *path)
{
	unsigned mask = 0;

	x->has_tp = true;
	if (!ds_yaml_is_seq(v)) {
		mask = transport_bit(L, v, vloc, path);
	} else {
		struct fy_node *item;
		void *it = NULL;
		size_t i = 0;

		while ((item = fy_node_sequence_iterate(v, &it)) && !L->nomem) {
			struct ds_loc iloc = ds_yaml_loc(L, item, &vloc);
			const char *ipath = ds_ld_printf(L, "%s/%zu", path, i++);

			item = ds_yaml_deref(L, item, &iloc, ipath);
			if (item)
				mask |= transport_bit(L, item, iloc, ipath);
		}
		if (i == 0)
			ds_ld_error(L, &vloc, path,
				    "the transport list is empty; name at least one of udp, tcp, tls");
	}
	if (mask)
		x->s->transports = mask;
}

static void server_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		     struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	struct server_ctx *x = arg;
	struct ds_server *s = x->s;
	const char *sub = ds_ld_printf(L, "%s/%s", path, key);

	if (!strcmp(key, "kind")) {
		parse_kind(L, x, v, vloc, sub);
	} else if (!strcmp(key, "host")) {
		x->has_host = true;
		s->host = ds_yaml_name(L, v, vloc, sub, "a host name or address");
		s->host_loc = vloc;
		/* rule 13: `run` could neither resolve nor send to it */
		if (s->host && !ds_host_ok(s->host)) {
			char q[256];   /* escaped: a CR or LF would break the line */

			ds_json_str(q, sizeof(q), s->host);
			ds_ld_error(L, &vloc, sub,
				    "host %s is neither an IP address nor a DNS name; expected "
				    "e.g. 192.0.2.10, 2001:db8::10 (no brackets) or sip1.example.com",
				    q);
		}
	} else if (!strcmp(key, "port")) {
		parse_port(L, x, v, vloc, sub);
	} else if (!strcmp(key, "transport")) {
		parse_transport(L, x, v, vloc, sub);
	} else if (!strcmp(key, "backup")) {
		ds_cfg_ref(L, v, vloc, sub, "the name of the backup server", &s->backup);
	} else if (!strcmp(key, "switch")) {
		ds_cfg_ref(L, v, vloc, sub, "a switch name", &s->sw);
	} else if (!strcmp(key, "options")) {
		/* A server carries other sections in the seed's model (its
		 * own TServer settings): they are ignored without a word. */
		ds_cfg_options(L, &s->opts, v, vloc, path, false);
	} else {
		ds_ld_unknown_key(L, key, kloc, path, server_keys,
				  sizeof(server_keys) / sizeof(server_keys[0]));
	}
}

enum { SIP_DEFAULT_PORT = 5060, SIP_TLS_PORT = 5061 };

void ds_cfg_server_body(struct ds_loader *L, struct ds_server *s,
			struct fy_node *body, const char *path)
{
	struct server_ctx x = { .s = s };

	s->transports = DS_TP_UDP;
	s->dr_name = "default";
	if (body)
		ds_yaml_each(L, body, path, server_h, &x);
	if (!x.has_kind)
		ds_ld_error(L, &s->loc, path, "missing 'kind': sip, stat or config");
	if (!x.has_host)
		ds_ld_error(L, &s->loc, path, "missing 'host': the server's host name or address");
	if (!x.has_port) {
		/* SIP over TLS listens on 5061 (RFC 3261 §19.1.2) */
		if (s->kind == DS_KIND_SIP)
			s->port = s->transports == DS_TP_TLS ? SIP_TLS_PORT : SIP_DEFAULT_PORT;
		else
			ds_ld_error(L, &s->loc, path,
				    "missing 'port': a %s server needs the port it listens on",
				    ds_kind_name(s->kind));
	}
	for (size_t i = 0; i < s->opts.n; i++) {
		const struct ds_opt *o = &s->opts.v[i];

		if (!strcmp(o->name, "disaster-recovery.site")) {
			s->site_opt = o;
			s->site = o->text && *o->text ? o->text : NULL;
		} else if (!strcmp(o->name, "disaster-recovery.name")) {
			if (o->text && *o->text)
				s->dr_name = o->text;
		}
	}
}
