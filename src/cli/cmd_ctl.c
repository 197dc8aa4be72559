/* `dualsite ctl`: the client of a running `run`'s control endpoint
 * (docs/ctl.md): one request per command, an operator's table or the JSON.
 *
 * Exit status: 0 the daemon did it; 1 it refused (its message on stderr);
 * 2 a usage error, or no daemon to talk to. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "dualsite/control.h"
#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dualsite ctl --control ADDR [--token-file FILE] [--json] COMMAND\n\n"
		"Talks to a running `dualsite run --control ADDR` (docs/ctl.md).\n\n"
		"commands:\n"
		"  status             servers, agents per site and state, then the agents\n"
		"                     that are not at home (their preferred site)\n"
		"  agent NAME         one agent: connections, registrations, call\n"
		"  switchover NAME    manual switchover to the agent's peer site\n"
		"                     (auto-restore suspended until a manual restore)\n"
		"  restore NAME       manual restore to the agent's preferred site\n"
		"  drain SITE         move every agent off SITE as its calls end; none\n"
		"                     comes to SITE until undrain\n"
		"  undrain SITE       SITE may be used again\n"
		"  reload             read and validate the configuration file again and\n"
		"                     apply it (as SIGHUP): prints what changed, or the\n"
		"                     errors (exit 1; then nothing changed)\n"
		"  events             follow the events, one JSON line each, until the\n"
		"                     daemon stops\n\n"
		"options:\n"
		"  --control ADDR     the Unix socket path or HOST:PORT given to run\n"
		"  --token-file FILE  the bearer token (the first line of FILE), as given\n"
		"                     to run's --control-token-file\n"
		"  --json             print the daemon's JSON answer as it is\n"
		"  -h, --help         this text\n\n"
		"exit status: 0 done, 1 the daemon refused (its message on stderr),\n"
		"2 usage error or cannot connect.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "dualsite ctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	return DS_EXIT_USAGE;
}

struct ctl_args {
	const char *control;
	const char *token_file;
	bool json;
	const char *cmd;
	const char *name;
	char token[512];
};

static const struct ctl_cmd {
	const char *name;
	const char *arg;     /* NULL: takes none */
	const char *method;
	const char *fmt;     /* the path, %s the escaped argument */
} cmds[] = {
	{"status",     NULL,   "GET",  "/v1/status"},
	{"agent",      "NAME", "GET",  "/v1/agents/%s"},
	{"switchover", "NAME", "POST", "/v1/agents/%s/switchover"},
	{"restore",    "NAME", "POST", "/v1/agents/%s/restore"},
	{"drain",      "SITE", "POST", "/v1/sites/%s/drain"},
	{"undrain",    "SITE", "POST", "/v1/sites/%s/undrain"},
	{"reload",     NULL,   "POST", "/v1/reload"},
	{"events",     NULL,   "GET",  "/v1/events"},
};

static int read_token(const char *file, char *tok, size_t sz)
{
	FILE *f = fopen(file, "r");

	if (!f) {
		fprintf(stderr, "dualsite ctl: cannot read the token file %s: %s\n", file,
			strerror(errno));
		return DS_EXIT_USAGE;
	}
	if (!fgets(tok, (int)sz, f))
		tok[0] = '\0';
	fclose(f);
	tok[strcspn(tok, "\r\n")] = '\0';
	return DS_EXIT_OK;
}

static int parse_args(int argc, char **argv, struct ctl_args *a, const struct ctl_cmd **cp)
{
	enum { O_CONTROL = 256, O_TOKEN, O_JSON };
	static const struct option lopts[] = {
		{"control", required_argument, NULL, O_CONTROL},
		{"token-file", required_argument, NULL, O_TOKEN},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool loopback;
	int c;
	uint64_t seen = 0;

	optind = 1;
	opterr = 0;
	while ((c = ds_cli_getopt(argc, argv, ":h", lopts, NULL, &seen)) != -1) {
		switch (c) {
		case O_CONTROL: a->control = optarg; break;
		case O_TOKEN: a->token_file = optarg; break;
		case O_JSON: a->json = true; break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return ds_cli_bad_option("ctl", c, argc, argv, usage);
		}
	}
	if (!a->control)
		return usage_error("%s", "no daemon named: use --control ADDR (run's --control)");
	if (ds_control_addr_check(a->control, &loopback))
		return usage_error("--control '%s': expected a Unix socket path (with a '/') "
				   "or HOST:PORT with a numeric address", a->control);
	if (optind >= argc)
		return usage_error("%s", "no command given");
	a->cmd = argv[optind++];
	*cp = NULL;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, a->cmd))
			*cp = &cmds[i];
	if (!*cp)
		return usage_error("unknown command '%s'", a->cmd);
	if ((*cp)->arg) {
		if (optind >= argc) {
			fprintf(stderr, "dualsite ctl: %s needs a %s\n", a->cmd, (*cp)->arg);
			usage(stderr);
			return DS_EXIT_USAGE;
		}
		a->name = argv[optind++];
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (a->token_file)
		return read_token(a->token_file, a->token, sizeof(a->token));
	return DS_EXIT_OK;
}

/* ---- reading the answers ---------------------------------------------------------- */

static const char *str_or(const struct odict *o, const char *key, const char *none)
{
	const struct odict_entry *e = o ? odict_lookup(o, key) : NULL;

	return e && e->type == ODICT_STRING ? e->u.str : none;
}

static const struct odict *obj(const struct odict *o, const char *key, enum odict_type t)
{
	const struct odict_entry *e = o ? odict_lookup(o, key) : NULL;

	return e && e->type == t ? e->u.odict : NULL;
}

static double num_or(const struct odict *o, const char *key, double none)
{
	const struct odict_entry *e = o ? odict_lookup(o, key) : NULL;

	if (e && e->type == ODICT_INT)
		return (double)e->u.integer;
	if (e && e->type == ODICT_DOUBLE)
		return e->u.dbl;
	return none;
}

static bool bool_of(const struct odict *o, const char *key)
{
	const struct odict_entry *e = o ? odict_lookup(o, key) : NULL;

	return e && e->type == ODICT_BOOL && e->u.boolean;
}

/* An agent is at home when every connection is connected to its preferred site. */
static bool at_home(const struct odict *ag)
{
	const struct odict *conns = obj(ag, "connections", ODICT_OBJECT);
	const char *pref = str_or(ag, "preferred_site", NULL);

	for (struct le *le = conns ? conns->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *c = e->type == ODICT_OBJECT ? e->u.odict : NULL;

		if (strcmp(str_or(c, "state", ""), "connected") || !pref ||
		    strcmp(str_or(c, "site", ""), pref))
			return false;
	}
	return true;
}

/* A connection still on a drained site (waiting for a call's end, or for
 * its other site): the operator waits for these before the maintenance. */
static bool on_drained(const struct odict *ag, const struct odict *drained)
{
	const struct odict *conns = obj(ag, "connections", ODICT_OBJECT);

	for (struct le *le = conns ? conns->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const char *site = str_or(e->type == ODICT_OBJECT ? e->u.odict : NULL,
					  "site", NULL);

		for (struct le *d = drained && site ? drained->lst.head : NULL; d; d = d->next) {
			const struct odict_entry *de = d->data;

			if (de->type == ODICT_STRING && !strcmp(de->u.str, site))
				return true;
		}
	}
	return false;
}

/* "sip connected SiteY (SIP_Y), stat lost SiteX" */
static void where(const struct odict *ag, char *out, size_t sz)
{
	const struct odict *conns = obj(ag, "connections", ODICT_OBJECT);
	size_t n = 0;

	out[0] = '\0';
	for (struct le *le = conns ? conns->lst.head : NULL; le && n < sz; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *c = e->type == ODICT_OBJECT ? e->u.odict : NULL;
		const char *server = str_or(c, "server", NULL);
		int k;

		k = snprintf(out + n, sz - n, "%s%s %s %s%s%s%s", n ? ", " : "", e->key,
			     str_or(c, "state", "?"), str_or(c, "site", "-"),
			     server ? " (" : "", server ? server : "", server ? ")" : "");
		if (k < 0)
			break;
		n += (size_t)k;
	}
}

static void print_agent(FILE *f, const struct odict *ag)
{
	const struct odict *conns = obj(ag, "connections", ODICT_OBJECT);
	const struct odict *regs = obj(ag, "registrations", ODICT_ARRAY);
	const struct odict *call = obj(ag, "call", ODICT_OBJECT);

	fprintf(f, "agent %s: preferred site %s, peer site %s%s\n", str_or(ag, "agent", "?"),
		str_or(ag, "preferred_site", "-"), str_or(ag, "peer_site", "-"),
		bool_of(ag, "auto_restore_suspended") ?
		"; auto-restore suspended (manual switchover)" : "");
	for (struct le *le = conns ? conns->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *c = e->type == ODICT_OBJECT ? e->u.odict : NULL;

		fprintf(f, "  %-8s %-15s %-8s %s\n", e->key, str_or(c, "state", "?"),
			str_or(c, "site", "-"), str_or(c, "server", "-"));
	}
	for (struct le *le = regs ? regs->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *r = e->type == ODICT_OBJECT ? e->u.odict : NULL;
		double exp = num_or(r, "expires_in", -1);

		fprintf(f, "  proxy%.0f   %-15s %-8s %s", num_or(r, "proxy", -1),
			str_or(r, "state", "?"), str_or(r, "site", "-"),
			str_or(r, "server", "-"));
		if (exp >= 0)
			fprintf(f, ", expires in %.0f s", exp);
		fprintf(f, "\n");
	}
	if (call)
		fprintf(f, "  call     on %s since t=%.3f\n", str_or(call, "site", "-"),
			num_or(call, "since", 0));
	else
		fprintf(f, "  call     none\n");
}

/* Counts of one kind at one site (or out of service: site NULL). */
struct count_row {
	const char *kind, *site;
	unsigned n[3];
};

static int state_index(const char *s)
{
	return !strcmp(s, "connected") ? 0 : !strcmp(s, "lost") ? 1 : 2;
}

static void count(struct count_row *rows, size_t *nrows, size_t max, const char *kind,
		  const char *site, const char *state)
{
	size_t i;

	for (i = 0; i < *nrows; i++)
		if (!strcmp(rows[i].kind, kind) &&
		    ((!site && !rows[i].site) || (site && rows[i].site &&
						  !strcmp(rows[i].site, site))))
			break;
	if (i == *nrows) {
		if (*nrows == max)
			return;
		memset(&rows[i], 0, sizeof(rows[i]));
		rows[i].kind = kind;
		rows[i].site = site;
		(*nrows)++;
	}
	rows[i].n[state_index(state)]++;
}

static void print_status(const struct odict *st)
{
	const struct odict *servers = obj(st, "servers", ODICT_ARRAY);
	const struct odict *agents = obj(st, "agents", ODICT_ARRAY);
	const struct odict *drained = obj(st, "drained_sites", ODICT_ARRAY);
	struct count_row rows[64];
	size_t nrows = 0, away = 0, total = agents ? odict_count(agents, false) : 0;

	printf("t=%.3f s since start: %zu agent%s, %zu server%s\n\n", num_or(st, "t", 0),
	       total, total == 1 ? "" : "s",
	       servers ? odict_count(servers, false) : 0,
	       servers && odict_count(servers, false) == 1 ? "" : "s");
	if (drained && odict_count(drained, false)) {
		printf("drained:");
		for (struct le *le = drained->lst.head; le; le = le->next) {
			const struct odict_entry *e = le->data;

			printf(" %s", e->type == ODICT_STRING ? e->u.str : "?");
		}
		printf(" (no agent comes to a drained site until undrain)\n\n");
	}
	printf("%-16s %-7s %-10s %-8s %s\n", "SERVER", "KIND", "SITE", "STATE", "RTT");
	for (struct le *le = servers ? servers->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *s = e->type == ODICT_OBJECT ? e->u.odict : NULL;
		double rtt = num_or(s, "rtt_ms", -1);
		char rtts[32] = "-";

		if (rtt >= 0)
			snprintf(rtts, sizeof(rtts), "%.1f ms", rtt);
		printf("%-16s %-7s %-10s %-8s %s\n", str_or(s, "name", "?"),
		       str_or(s, "kind", "?"), str_or(s, "site", "-"),
		       str_or(s, "state", "?"), rtts);
	}

	for (struct le *le = agents ? agents->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *ag = e->type == ODICT_OBJECT ? e->u.odict : NULL;
		const struct odict *conns = obj(ag, "connections", ODICT_OBJECT);

		for (struct le *c = conns ? conns->lst.head : NULL; c; c = c->next) {
			const struct odict_entry *ce = c->data;
			const struct odict *co = ce->type == ODICT_OBJECT ? ce->u.odict : NULL;

			count(rows, &nrows, sizeof(rows) / sizeof(rows[0]), ce->key,
			      str_or(co, "site", NULL), str_or(co, "state", "?"));
		}
		if (!at_home(ag) || on_drained(ag, drained))
			away++;
	}
	printf("\n%-7s %-10s %10s %10s %15s\n", "KIND", "SITE", "connected", "lost",
	       "out-of-service");
	for (size_t i = 0; i < nrows; i++)
		printf("%-7s %-10s %10u %10u %15u\n", rows[i].kind,
		       rows[i].site ? rows[i].site : "-", rows[i].n[0], rows[i].n[1],
		       rows[i].n[2]);

	printf("\n%zu of %zu agent%s not at home (every connection connected to its "
	       "preferred site)%s%s\n", away, total, total == 1 ? "" : "s",
	       drained && odict_count(drained, false) ? " or still on a drained site" : "",
	       away ? ":" : "");
	if (!away)
		return;
	printf("%-16s %-10s %-10s %s\n", "AGENT", "PREFERRED", "CALL", "CONNECTIONS");
	for (struct le *le = agents->lst.head; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *ag = e->type == ODICT_OBJECT ? e->u.odict : NULL;
		const struct odict *call = obj(ag, "call", ODICT_OBJECT);
		char w[512], callsite[32] = "-";

		if (at_home(ag) && !on_drained(ag, drained))
			continue;
		where(ag, w, sizeof(w));
		if (call)
			snprintf(callsite, sizeof(callsite), "on %s", str_or(call, "site", "?"));
		printf("%-16s %-10s %-10s %s%s\n", str_or(ag, "agent", "?"),
		       str_or(ag, "preferred_site", "-"), callsite, w,
		       bool_of(ag, "auto_restore_suspended") ? " [auto-restore suspended]" : "");
	}
}

/* ---- the command ------------------------------------------------------------------ */

static void event_h(const char *data, size_t len, void *arg)
{
	(void)arg;
	fwrite(data, 1, len, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

/* A reload's diagnostics, as `dualsite validate` prints them. */
static void print_diags(FILE *f, const struct odict *o)
{
	const struct odict *dg = obj(o, "diagnostics", ODICT_ARRAY);

	for (struct le *le = dg ? dg->lst.head : NULL; le; le = le->next) {
		const struct odict_entry *e = le->data;
		const struct odict *x = e->type == ODICT_OBJECT ? e->u.odict : NULL;
		const char *path = str_or(x, "path", "");

		fprintf(f, "%s:%.0f:%.0f: %s: %s: %s\n", str_or(x, "file", "-"),
			num_or(x, "line", 0), num_or(x, "column", 0), str_or(x, "severity", "?"),
			*path ? path : "-", str_or(x, "message", ""));
	}
}

/* The daemon's {"error": MESSAGE} on stderr (or its whole body), and a
 * refused reload's diagnostics. */
static void say_refusal(const struct ds_ctl_answer *an)
{
	struct odict *o = NULL;

	if (an->body && !json_decode_odict(&o, 8, an->body, an->len, 8) &&
	    str_or(o, "error", NULL)) {
		print_diags(stderr, o);
		fprintf(stderr, "dualsite ctl: %s\n", str_or(o, "error", NULL));
	}
	else
		fprintf(stderr, "dualsite ctl: the daemon answered %u: %s\n", an->status,
			an->body ? an->body : "");
	mem_deref(o);
}

static int show(const struct ctl_args *a, const struct ds_ctl_answer *an)
{
	struct odict *o = NULL;
	int err;

	if (a->json) {
		fwrite(an->body, 1, an->len, stdout);
		return DS_EXIT_OK;
	}
	err = json_decode_odict(&o, 16, an->body, an->len, 16);
	if (err) {
		fprintf(stderr, "dualsite ctl: the daemon's answer is not JSON (%s)\n",
			strerror(err));
		return DS_EXIT_CONFIG;
	}
	if (!strcmp(a->cmd, "status")) {
		print_status(o);
	} else if (!strcmp(a->cmd, "reload")) {
		print_diags(stdout, o);
		printf("reloaded: %.0f agent(s) added, %.0f removed, %.0f changed; the others "
		       "untouched\n", num_or(o, "added", 0), num_or(o, "removed", 0),
		       num_or(o, "changed", 0));
	} else if (!strcmp(a->cmd, "drain") || !strcmp(a->cmd, "undrain")) {
		double n = num_or(o, "agents", -1);

		if (!strcmp(a->cmd, "drain"))
			printf("%s drained: %.0f agent%s on it move off as their calls end\n",
			       str_or(o, "site", a->name), n, n == 1 ? "" : "s");
		else
			printf("%s undrained: it may be used again\n", str_or(o, "site", a->name));
	} else {
		if (strcmp(a->cmd, "agent"))
			printf("manual %s of %s accepted\n", a->cmd, a->name);
		print_agent(stdout, o);
	}
	mem_deref(o);
	return DS_EXIT_OK;
}

int ds_cmd_ctl(int argc, char **argv)
{
	struct ctl_args a;
	const struct ctl_cmd *c = NULL;
	struct ds_ctl_answer an;
	char path[1024], name[700], err[512] = "";
	const char *token;
	int rc, e;

	memset(&a, 0, sizeof(a));
	rc = parse_args(argc, argv, &a, &c);
	if (rc)
		return rc < 0 ? DS_EXIT_OK : rc;
	token = a.token_file ? a.token : NULL;
	if (c->arg && !ds_ctl_path_escape(a.name, name, sizeof(name)))
		return usage_error("the name '%.40s...' is too long", a.name);
	snprintf(path, sizeof(path), c->fmt, c->arg ? name : "");
	if (!strcmp(c->name, "events"))
		e = ds_ctl_stream(a.control, token, path, &an, event_h, NULL, err, sizeof(err));
	else
		e = ds_ctl_request(a.control, token, c->method, path, &an, err, sizeof(err));
	if (e) {
		fprintf(stderr, "dualsite ctl: %s\n", err[0] ? err : strerror(e));
		free(an.body);
		return DS_EXIT_USAGE;
	}
	if (an.status < 200 || an.status > 299) {
		say_refusal(&an);
		rc = DS_EXIT_CONFIG;
	} else if (!strcmp(c->name, "events")) {
		rc = DS_EXIT_OK;
	} else {
		rc = show(&a, &an);
	}
	free(an.body);
	return rc;
}
