/* Event names and their two renderings: JSON lines (docs/behaviour.md §5) and text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/engine.h"
#include "../util/util.h"

const char *ds_event_name(enum ds_event_type t)
{
	switch (t) {
	case DS_EV_CONNECTED:         return "connected";
	case DS_EV_HA_SWITCH:         return "ha-switch";
	case DS_EV_CONNECTION_LOST:   return "connection-lost";
	case DS_EV_SWITCHOVER:        return "switchover";
	case DS_EV_RESTORE:           return "restore";
	case DS_EV_RESTORE_DEFERRED:  return "restore-deferred";
	case DS_EV_OUT_OF_SERVICE:    return "out-of-service";
	case DS_EV_REGISTERED:        return "registered";
	case DS_EV_REGISTRATION_LOST: return "registration-lost";
	case DS_EV_REGISTRATION_FAILED: return "registration-failed";
	case DS_EV_CALL_START:        return "call-start";
	case DS_EV_CALL_END:          return "call-end";
	}
	return "?";
}

const char *ds_conn_state_name(enum ds_conn_state s)
{
	switch (s) {
	case DS_CONN_CONNECTED:      return "connected";
	case DS_CONN_LOST:           return "lost";
	case DS_CONN_OUT_OF_SERVICE: return "out-of-service";
	}
	return "?";
}

static const char *reason_name(enum ds_reason r)
{
	switch (r) {
	case DS_R_NONE:         return "";
	case DS_R_SERVER_LOSS:  return "server-loss";
	case DS_R_PHONE_LOSS:   return "phone-loss";
	case DS_R_MANUAL:       return "manual";
	case DS_R_AUTO_RESTORE: return "auto-restore";
	case DS_R_CALL_ACTIVE:  return "call-active";
	case DS_R_TIMEOUT:      return "timeout";
	case DS_R_REJECTED:     return "rejected";
	case DS_R_EXPIRED:      return "expired";
	case DS_R_REMOVED:      return "removed";
	case DS_R_BYE:          return "bye";
	case DS_R_SITE_LOST:    return "site-lost";
	case DS_R_DRAIN:        return "drain";
	case DS_R_TLS:          return "tls";
	case DS_R_DNS:          return "dns";
	}
	return "?";
}

const char *ds_site_name(const struct ds_engine_conf *c, enum ds_kind k, int site)
{
	if (site != 0 && site != 1)
		return NULL;
	if ((int)k >= 0 && k < DS_KIND_COUNT && c->kind_site[k][site])
		return c->kind_site[k][site];
	return c->site_name[site];
}

static const char *site_of(const struct ds_engine_conf *c, enum ds_kind k, int site)
{
	const char *name = ds_site_name(c, k, site);

	return name ? name : "?";
}

static const char *server_of(const struct ds_engine_conf *c, int slot)
{
	return slot >= 0 && slot < DS_SLOT_COUNT && c->server_name[slot] ?
		       c->server_name[slot] : "?";
}

/* A bounded writer: keeps the length it would have had, like snprintf. */
struct out {
	char *buf;
	size_t sz, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->len < o->sz ? o->sz - o->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_json_str(struct out *o, const char *key, const char *s)
{
	size_t room;

	put(o, ", \"%s\": ", key);
	room = o->len < o->sz ? o->sz - o->len : 0;
	o->len += ds_json_str(room ? o->buf + o->len : NULL, room, s);
}

static void put_reason(struct out *o, const struct ds_event *ev)
{
	char r[32];

	if (ev->reason == DS_R_REJECTED)
		snprintf(r, sizeof(r), "rejected:%d", ev->code);
	else
		snprintf(r, sizeof(r), "%s", reason_name(ev->reason));
	put_json_str(o, "reason", r);
}

int ds_event_json(const struct ds_event *ev, const struct ds_engine_conf *c,
		  char *buf, size_t sz)
{
	struct out o = {buf, sz, 0};
	const char *kind = ds_kind_name(ev->kind);

	if (sz)
		buf[0] = '\0';
	put(&o, "{\"t\": %lld.%03lld", (long long)(ev->t / 1000), (long long)(ev->t % 1000));
	put_json_str(&o, "agent", c->agent ? c->agent : "?");
	put_json_str(&o, "event", ds_event_name(ev->type));
	switch (ev->type) {
	case DS_EV_CONNECTED:
		put_json_str(&o, "kind", kind);
		put_json_str(&o, "site", site_of(c, ev->kind, ev->site));
		put_json_str(&o, "server", server_of(c, ev->slot));
		break;
	case DS_EV_HA_SWITCH:
		put_json_str(&o, "kind", kind);
		put_json_str(&o, "site", site_of(c, ev->kind, ev->site));
		put_json_str(&o, "from", server_of(c, ev->from));
		put_json_str(&o, "to", server_of(c, ev->to));
		break;
	case DS_EV_CONNECTION_LOST:
		put_json_str(&o, "kind", kind);
		put_json_str(&o, "site", site_of(c, ev->kind, ev->site));
		break;
	case DS_EV_SWITCHOVER:
	case DS_EV_RESTORE:
		put_json_str(&o, "kind", kind);
		put_json_str(&o, "from", site_of(c, ev->kind, ev->from));
		put_json_str(&o, "to", site_of(c, ev->kind, ev->to));
		put_reason(&o, ev);
		break;
	case DS_EV_RESTORE_DEFERRED:
		put_json_str(&o, "kind", kind);
		put_reason(&o, ev);
		break;
	case DS_EV_OUT_OF_SERVICE:
		put_json_str(&o, "kind", kind);
		break;
	case DS_EV_REGISTERED:
		put(&o, ", \"proxy\": %d", ev->proxy);
		put_json_str(&o, "site", site_of(c, ev->kind, ev->site));
		put_json_str(&o, "server", server_of(c, ev->slot));
		break;
	case DS_EV_REGISTRATION_LOST:
	case DS_EV_REGISTRATION_FAILED:
		put(&o, ", \"proxy\": %d", ev->proxy);
		put_json_str(&o, "site", site_of(c, ev->kind, ev->site));
		put_reason(&o, ev);
		break;
	case DS_EV_CALL_START:
		put_json_str(&o, "site", site_of(c, ev->kind, ev->site));
		break;
	case DS_EV_CALL_END:
		put_json_str(&o, "site", site_of(c, ev->kind, ev->site));
		put_reason(&o, ev);
		break;
	}
	put(&o, "}");
	return (int)o.len;
}

int ds_event_text(const struct ds_event *ev, const struct ds_engine_conf *c,
		  char *buf, size_t sz)
{
	struct out o = {buf, sz, 0};
	const char *kind = ds_kind_name(ev->kind);
	char why[32];

	if (sz)
		buf[0] = '\0';
	if (ev->reason == DS_R_REJECTED)
		snprintf(why, sizeof(why), "rejected:%d", ev->code);
	else
		snprintf(why, sizeof(why), "%s", reason_name(ev->reason));

	switch (ev->type) {
	case DS_EV_CONNECTED:
		put(&o, "%-6s connected to %s (%s)", kind, site_of(c, ev->kind, ev->site),
		    server_of(c, ev->slot));
		break;
	case DS_EV_HA_SWITCH:
		put(&o, "%-6s ha-switch at %s: %s -> %s", kind, site_of(c, ev->kind, ev->site),
		    server_of(c, ev->from), server_of(c, ev->to));
		break;
	case DS_EV_CONNECTION_LOST:
		put(&o, "%-6s connection lost to %s", kind, site_of(c, ev->kind, ev->site));
		break;
	case DS_EV_SWITCHOVER:
	case DS_EV_RESTORE:
		put(&o, "%-6s %s %s -> %s (%s)", kind, ds_event_name(ev->type),
		    site_of(c, ev->kind, ev->from), site_of(c, ev->kind, ev->to), why);
		break;
	case DS_EV_RESTORE_DEFERRED:
		put(&o, "%-6s restore deferred (%s)", kind, why);
		break;
	case DS_EV_OUT_OF_SERVICE:
		put(&o, "%-6s out of service", kind);
		break;
	case DS_EV_REGISTERED:
		put(&o, "proxy%d registered at %s (%s)", ev->proxy, site_of(c, ev->kind, ev->site),
		    server_of(c, ev->slot));
		break;
	case DS_EV_REGISTRATION_LOST:
	case DS_EV_REGISTRATION_FAILED:
		put(&o, "proxy%d registration %s at %s (%s)", ev->proxy,
		    ev->type == DS_EV_REGISTRATION_LOST ? "lost" : "failed",
		    site_of(c, ev->kind, ev->site), why);
		break;
	case DS_EV_CALL_START:
		put(&o, "call   started at %s", site_of(c, ev->kind, ev->site));
		break;
	case DS_EV_CALL_END:
		put(&o, "call   ended at %s (%s)", site_of(c, ev->kind, ev->site), why);
		break;
	}
	return (int)o.len;
}

int ds_event_line(const struct ds_event *ev, const struct ds_engine_conf *conf, bool json,
		  char **buf, size_t *cap)
{
	int (*fmt)(const struct ds_event *, const struct ds_engine_conf *, char *, size_t) =
		json ? ds_event_json : ds_event_text;
	int n = fmt(ev, conf, *buf, *cap);

	if (n < 0)
		return -1;
	if ((size_t)n >= *cap) {
		char *p = realloc(*buf, (size_t)n + 1);

		if (!p)
			return -1;
		*buf = p;
		*cap = (size_t)n + 1;
		fmt(ev, conf, *buf, *cap);
	}
	return n;
}
