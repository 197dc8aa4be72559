/* `dualsite run`: the daemon. Loads and validates the configuration, builds
 * the chosen agents and runs the libre network driver until SIGTERM/SIGINT.
 *
 * Exit status (docs/behaviour.md §4): 0 after a clean stop; 1 configuration errors that
 * touch the chosen agents, or a failed start (a missing password, an unusable TLS file, a
 * port in use) or a forced stop (second signal); 2 a usage error or a file
 * that cannot be read (or an events file that cannot be written). */
#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#include "dualsite/config.h"
#include "dualsite/control.h"
#include "dualsite/net.h"
#include "dualsite/validate.h"
#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dualsite run -c FILE (--agent NAME ... | --all) [--events FILE|-]\n"
		"                    [--seed N] [--listen ADDR[:PORT]] [--advertise ADDR[:PORT]]\n"
		"                    [--control ADDR [--control-token-file FILE]]\n"
		"                    [--log-level error|warning|info|debug]\n"
		"                    [--log-format text|json]\n\n"
		"Runs SIP endpoints with Business Continuity for the chosen agents: probes\n"
		"their servers, registers at both sites, answers calls (echoing the\n"
		"caller's audio), moves agents between sites as the configuration says\n"
		"(docs/run.md).\n\n"
		"options:\n"
		"  -c, --config FILE     the configuration (YAML)\n"
		"  -a, --agent NAME      run this agent (a Person); repeat for more\n"
		"  --all                 run every Person of the configuration\n"
		"  --events FILE|-       write each event as a JSON line (docs/behaviour.md\n"
		"                        §5) to FILE, or to stdout with '-' (stdout then\n"
		"                        carries JSON only)\n"
		"  --seed N              seed of the random delays (default: a random one,\n"
		"                        printed at start as \"seed N\")\n"
		"  --listen ADDR[:PORT]  SIP address for UDP and TCP, any local address or the\n"
		"                        wildcards 0.0.0.0 and [::] (default: every interface,\n"
		"                        port 5060 or the next free one, printed at start;\n"
		"                        port 0: an ephemeral one)\n"
		"  --advertise ADDR[:PORT]  the address Via and Contact carry (NAT, an SBC in\n"
		"                        front; default: per server, the local address that\n"
		"                        reaches it; port: the listen port)\n"
		"  --control ADDR        serve the control endpoint (HTTP/1.1, JSON; used by\n"
		"                        `dualsite ctl`) on a Unix socket path (made 0600,\n"
		"                        removed at exit) or on HOST:PORT (docs/run.md); on\n"
		"                        HOST:PORT, http://HOST:PORT/ is a live status page\n"
		"                        for a browser (docs/status-page.md)\n"
		"  --control-token-file FILE\n"
		"                        every control request (but the status page's own\n"
		"                        files) must carry 'Authorization: Bearer TOKEN',\n"
		"                        TOKEN being this file's first line;\n"
		"                        required when --control is a TCP address other\n"
		"                        than loopback\n"
		"  --log-level LEVEL     error, warning, info (default) or debug\n"
		"  --log-format FORMAT   text (default) or json: one object a line with\n"
		"                        ts, level, msg and t (seconds since start)\n"
		"  -h, --help            this text\n\n"
		"Logs go to stderr, one time-stamped line each. SIGTERM or SIGINT stops\n"
		"cleanly: calls are ended and every binding removed (REGISTER Expires: 0)\n"
		"within register-timeout (at most 5 s); a second signal exits at once.\n"
		"SIGUSR1 logs a status summary (agents per site and state, servers, calls).\n"
		"SIGHUP (or `dualsite ctl reload`) reads and validates FILE again and applies\n"
		"it: agents added start, agents removed stop cleanly, changed agents take\n"
		"their new configuration, the others are untouched (no REGISTER); with\n"
		"errors nothing changes and they are logged (docs/run.md, \"Reload\").\n"
		"Under systemd (NOTIFY_SOCKET set) it reports READY=1, STATUS=, RELOADING=1,\n"
		"STOPPING=1 and watchdog pings (docs/run.md, \"systemd\").\n\n"
		"exit status: 0 clean stop, 1 configuration errors for these agents or a\n"
		"failed start, 2 usage error or unreadable file.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "dualsite run: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	return DS_EXIT_USAGE;
}

static uint64_t random_seed(void)
{
	uint64_t v = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
			v = 0;
		close(fd);
	}
	if (!v)
		v = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull ^ (uint64_t)time(NULL);
	/* keep it short enough to type back in */
	return v % 1000000000ull;
}

struct run_args {
	const char *file;
	const char **agents;
	size_t n_agents;
	bool all;
	const char *events;
	const char *listen;
	const char *control;
	const char *token_file;
	enum ds_log_level log_level;
	bool log_json;
	const char *advertise;
	bool have_seed;
	uint64_t seed;
};

static int parse_args(int argc, char **argv, struct run_args *a)
{
	enum { O_ALL = 256, O_EVENTS, O_SEED, O_LISTEN, O_CONTROL, O_TOKEN, O_LOGLEVEL,
	       O_LOGFORMAT, O_ADVERTISE };
	static const struct option lopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"agent", required_argument, NULL, 'a'},
		{"all", no_argument, NULL, O_ALL},
		{"events", required_argument, NULL, O_EVENTS},
		{"seed", required_argument, NULL, O_SEED},
		{"listen", required_argument, NULL, O_LISTEN},
		{"control", required_argument, NULL, O_CONTROL},
		{"control-token-file", required_argument, NULL, O_TOKEN},
		{"log-level", required_argument, NULL, O_LOGLEVEL},
		{"log-format", required_argument, NULL, O_LOGFORMAT},
		{"advertise", required_argument, NULL, O_ADVERTISE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	size_t j;
	uint64_t seen = 0;
	static const char *const repeatable[] = {"agent", NULL};

	optind = 1;
	opterr = 0;
	while ((c = ds_cli_getopt(argc, argv, ":c:a:h", lopts, repeatable, &seen)) != -1) {
		switch (c) {
		case 'c': a->file = optarg; break;
		case 'a':
			/* a name given twice is one agent, not two sharing a SIP user */
			for (j = 0; j < a->n_agents && strcmp(a->agents[j], optarg); j++)
				;
			if (j == a->n_agents)
				a->agents[a->n_agents++] = optarg;
			break;
		case O_ALL: a->all = true; break;
		case O_EVENTS: a->events = optarg; break;
		case O_LISTEN: a->listen = optarg; break;
		case O_CONTROL: a->control = optarg; break;
		case O_TOKEN: a->token_file = optarg; break;
		case O_LOGLEVEL:
			if (ds_log_level_parse(optarg, &a->log_level))
				return usage_error("--log-level '%s': expected error, warning, "
						   "info or debug", optarg);
			break;
		case O_LOGFORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return usage_error("--log-format '%s': expected text or json",
						   optarg);
			a->log_json = !strcmp(optarg, "json");
			break;
		case O_ADVERTISE: a->advertise = optarg; break;
		case O_SEED:
			if (ds_cli_seed("run", optarg, &a->seed))
				return DS_EXIT_USAGE;
			a->have_seed = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return ds_cli_bad_option("run", c, argc, argv, usage);
		}
	}
	if (ds_cli_no_operands("run", argc, argv, usage))
		return DS_EXIT_USAGE;
	if (!a->file)
		return usage_error("%s", "no configuration given: use -c FILE");
	if (a->listen && ds_net_listen_check(a->listen))
		return usage_error("--listen '%s': expected ADDR[:PORT] with a numeric "
				   "address, e.g. 0.0.0.0:5070, 127.0.0.1:5070 or [::]:5070",
				   a->listen);
	if (a->control) {
		bool loopback;

		if (ds_control_addr_check(a->control, &loopback))
			return usage_error("--control '%s': expected a Unix socket path (with a "
					   "'/', e.g. ./ds.sock) or HOST:PORT with a numeric "
					   "address, e.g. 127.0.0.1:8080", a->control);
		if (!loopback && !a->token_file)
			return usage_error("--control '%s' is not a loopback address: give "
					   "--control-token-file FILE so that requests need "
					   "a token", a->control);
	} else if (a->token_file) {
		return usage_error("%s", "--control-token-file needs --control ADDR");
	}
	if (a->advertise && ds_net_advertise_check(a->advertise))
		return usage_error("--advertise '%s': expected ADDR[:PORT] with a numeric "
				   "address that is not a wildcard, e.g. 203.0.113.7 or "
				   "203.0.113.7:5060", a->advertise);
	if (a->all && a->n_agents)
		return usage_error("%s", "--all and --agent exclude each other");
	if (!a->all && !a->n_agents)
		return usage_error("%s", "no agent chosen: use --agent NAME (repeatable) or --all");
	return 0;
}

/* The first line of the token file, without its line end: one word of
 * printable ASCII, as an HTTP header can carry it. 0, or a message and
 * DS_EXIT_USAGE. */
static int read_token(const char *file, char *tok, size_t sz)
{
	FILE *f = fopen(file, "r");
	size_t n;

	if (!f) {
		fprintf(stderr, "dualsite run: cannot read the control token file %s: %s\n",
			file, strerror(errno));
		return DS_EXIT_USAGE;
	}
	if (!fgets(tok, (int)sz, f))
		tok[0] = '\0';
	fclose(f);
	n = strcspn(tok, "\r\n");
	tok[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (tok[i] <= ' ' || tok[i] > '~') {
			fprintf(stderr, "dualsite run: %s:1:%zu: the control token holds a "
				"blank or a non-ASCII byte; write it as one word of printable "
				"ASCII on the first line\n", file, i + 1);
			return DS_EXIT_USAGE;
		}
	if (n < 16) {
		fprintf(stderr, "dualsite run: %s:1: the control token has %zu characters; "
			"use at least 16 (e.g. `head -c 24 /dev/urandom | base64 > %s`)\n",
			file, n, file);
		return DS_EXIT_USAGE;
	}
	return 0;
}

/* Events go on to the control endpoint's streams once it exists; a reload
 * reads the file of the start again (the driver keeps what it brings). */
struct run_ctx {
	struct ds_control *ctl;
	const struct run_args *a;
};

static void run_event_h(const struct ds_event *ev, const struct ds_engine_conf *conf,
			void *arg)
{
	struct run_ctx *ctx = arg;

	ds_control_event(ctx->ctl, ev, conf);
}

/* The agents run chooses in cfg: every Person, or those named by --agent
 * (validation made sure each exists). NULL when memory runs out. */
static const struct ds_person **chosen(const struct ds_config *cfg, const struct run_args *a,
				       size_t *n)
{
	const struct ds_person **persons;

	*n = a->all ? cfg->n_persons : a->n_agents;
	persons = calloc(*n ? *n : 1, sizeof(*persons));
	for (size_t i = 0; persons && i < *n; i++)
		persons[i] = a->all ? &cfg->persons[i] : ds_config_person(cfg, a->agents[i]);
	return persons;
}

/* SIGHUP and POST /v1/reload, in the driver's worker thread: the same load
 * and validation as at start; with errors nothing changes (docs/behaviour.md
 * §8). The driver applies what this returns, in its loop. */
static int run_reload_h(struct ds_diags *d, struct ds_config **cfgp,
			const struct ds_person ***personsp, size_t *np, void *arg)
{
	struct run_ctx *ctx = arg;
	const struct run_args *a = ctx->a;
	struct ds_config *cfg = NULL;
	int rc;

	rc = ds_config_load(&cfg, a->file, d);
	if (rc && !d->errors)
		ds_diag_add(d, DS_SEV_ERROR, NULL, "", "cannot read %s: %s", a->file,
			    strerror(rc));
	if (rc || d->errors) {
		ds_config_free(cfg);
		return EINVAL;
	}
	if (ds_validate_agents(cfg, a->all ? NULL : a->agents, a->all ? 0 : a->n_agents, d)) {
		ds_config_free(cfg);
		return EINVAL;
	}
	*personsp = chosen(cfg, a, np);
	if (!*personsp) {
		ds_config_free(cfg);
		return ENOMEM;
	}
	if (*np == 0) {
		ds_diag_add(d, DS_SEV_ERROR, NULL, "persons", "%s has no persons: nothing to "
			    "run (keep at least one, or stop `run`)", a->file);
		free(*personsp);
		*personsp = NULL;
		ds_config_free(cfg);
		return EINVAL;
	}
	*cfgp = cfg;
	return 0;
}

static int run(struct ds_config *cfg, struct run_args *a, FILE *events,
	       struct ds_diags *d)
{
	struct run_ctx ctx = {NULL, a};
	char token[512], why[256] = "";
	const struct ds_person **persons = NULL;
	struct ds_net_conf nc;
	struct ds_net *net = NULL;
	size_t n = a->all ? cfg->n_persons : a->n_agents;
	int err, status;

	if (n == 0) {
		fprintf(stderr, "dualsite run: %s has no persons: nothing to run\n", a->file);
		return DS_EXIT_CONFIG;
	}
	persons = chosen(cfg, a, &n);
	if (!persons)
		return DS_EXIT_CONFIG;

	memset(&nc, 0, sizeof(nc));
	nc.listen = a->listen;
	nc.advertise = a->advertise;
	nc.seed = a->seed;
	nc.events = events;
	nc.eventh = run_event_h;
	nc.reloadh = run_reload_h;
	nc.arg = &ctx;
	if (a->token_file && read_token(a->token_file, token, sizeof(token))) {
		free(persons);
		return DS_EXIT_USAGE;
	}

	err = libre_init();
	if (err) {
		fprintf(stderr, "dualsite run: cannot start libre: %s\n", strerror(err));
		free(persons);
		return DS_EXIT_CONFIG;
	}
	err = ds_net_alloc(&net, cfg, persons, n, &nc, d);
	ds_diags_sort(d);
	ds_diags_print(stderr, d);
	if (err) {
		if (!d->errors)
			fprintf(stderr, "dualsite run: cannot start: %s\n", strerror(err));
		status = DS_EXIT_CONFIG;
		goto out;
	}
	if (a->control) {
		err = ds_control_alloc(&ctx.ctl, net, a->control,
				       a->token_file ? token : NULL, why, sizeof(why));
		if (err) {
			fprintf(stderr, "dualsite run: control endpoint: %s; nothing started\n",
				why);
			status = DS_EXIT_CONFIG;
			goto out;
		}
	}
	err = ds_net_start(net);
	if (err) {
		fprintf(stderr, "dualsite run: cannot start: %s\n", strerror(err));
		status = DS_EXIT_CONFIG;
		goto out;
	}
	if (ctx.ctl)   /* listening since before the start; said once t is 0 */
		ds_net_log(net, DS_LOG_INFO, "control endpoint on %s%s",
			   ds_control_addr(ctx.ctl), a->token_file ? " (token required)" : "");
	status = ds_net_main(net) ? DS_EXIT_CONFIG : DS_EXIT_OK;
 out:
	ds_control_free(ctx.ctl);
	ds_net_free(net);
	libre_close();
	free(persons);
	return status;
}

int ds_cmd_run(int argc, char **argv)
{
	struct run_args a;
	struct ds_diags d;
	struct ds_config *cfg = NULL;
	FILE *events = NULL;
	int rc, status;

	memset(&a, 0, sizeof(a));
	a.log_level = DS_LOG_INFO;
	a.agents = calloc((size_t)argc, sizeof(*a.agents));
	if (!a.agents)
		return DS_EXIT_CONFIG;
	rc = parse_args(argc, argv, &a);
	if (rc) {
		free(a.agents);
		return rc < 0 ? DS_EXIT_OK : rc;
	}
	if (!a.have_seed)
		a.seed = random_seed();
	ds_log_setup(a.log_level, a.log_json);

	memset(&d, 0, sizeof(d));
	rc = ds_config_load(&cfg, a.file, &d);
	if (ds_cli_load_status(rc) == DS_EXIT_USAGE) {
		ds_diags_sort(&d);
		ds_diags_print(stderr, &d);
		if (!d.n)
			fprintf(stderr, "dualsite run: cannot read %s: %s\n", a.file, strerror(rc));
		status = DS_EXIT_USAGE;
		goto out;
	}
	if (rc || d.errors) {
		/* the loader's errors: which agents a broken file touches is unknown */
		ds_diags_sort(&d);
		ds_diags_print(stderr, &d);
		status = DS_EXIT_CONFIG;
		goto out;
	}
	if (ds_validate_agents(cfg, a.all ? NULL : a.agents, a.all ? 0 : a.n_agents, &d)) {
		ds_diags_sort(&d);
		ds_diags_print(stderr, &d);
		fprintf(stderr, "dualsite run: the configuration has errors for the chosen "
			"agents; nothing started\n");
		status = DS_EXIT_CONFIG;
		goto out;
	}
	/* warnings, and errors about agents not chosen: said, not fatal */
	ds_diags_sort(&d);
	ds_diags_print(stderr, &d);
	ds_diags_reset(&d);
	memset(&d, 0, sizeof(d));

	if (a.events) {
		if (!strcmp(a.events, "-")) {
			events = stdout;
		}
		else {
			events = fopen(a.events, "w");
			if (!events) {
				fprintf(stderr, "dualsite run: cannot write events to %s: %s\n",
					a.events, strerror(errno));
				status = DS_EXIT_USAGE;
				goto out;
			}
		}
	}
	/* a reader of --events that goes away must not kill the daemon */
	signal(SIGPIPE, SIG_IGN);
	status = run(cfg, &a, events, &d);
 out:
	if (events && events != stdout)
		fclose(events);
	ds_diags_reset(&d);
	ds_config_free(cfg);
	free(a.agents);
	return status;
}
