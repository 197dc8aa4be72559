/* Embedding libdualsite: one agent's engine driven by this program's own clock
 * and its own (here simulated) network, printing the engine's events.
 *
 * The engine never reads a clock or a socket: the program hands it inputs
 * stamped with its time (probe results as DS_IN_SERVERS, REGISTER answers as
 * DS_IN_REG_OK, timers as DS_IN_TIMER) and carries out its actions. Here the
 * "network" answers every REGISTER at once, and site SiteX goes dark at
 * LOSS seconds: the engine declares the connection lost and switches the agent
 * over to SiteY after disaster-recovery.timeout (TIMEOUT seconds).
 *
 *   cc embed.c $(pkg-config --cflags --libs dualsite) -o embed
 *   ./embed [TIMEOUT [LOSS [END]]]      (seconds; default 30 10 60) */
#include <stdio.h>
#include <stdlib.h>
#include <dualsite/dualsite.h>

#define MAX_PENDING 16

/* What the simulated network owes the engine: REGISTER answers. */
static struct ds_input pending[MAX_PENDING];
static size_t n_pending;

static const struct ds_engine_conf *conf_of_sink;

static void sink(const struct ds_action *act, const struct ds_event *ev, void *arg)
{
	char line[256];
	(void)arg;

	if (ev) {
		ds_event_text(ev, conf_of_sink, line, sizeof(line));
		printf("%8.3f  %s\n", (double)ev->t / 1000, line);
		return;
	}
	/* The "network": every REGISTER is answered 200 OK with the Expires asked. */
	if (act->type == DS_ACT_REGISTER && n_pending < MAX_PENDING)
		pending[n_pending++] = (struct ds_input){
			.type = DS_IN_REG_OK, .proxy = act->proxy,
			.seq = act->seq, .expires = act->expires,
		};
}

/* Hands the engine the answers its last actions asked for, at time t. */
static void deliver(struct ds_engine *e, int64_t t)
{
	while (n_pending) {
		struct ds_input in = pending[0];

		for (size_t i = 1; i < n_pending; i++)
			pending[i - 1] = pending[i];
		n_pending--;
		in.t = t;
		ds_engine_input(e, &in);
	}
}

int main(int argc, char **argv)
{
	int64_t timeout = argc > 1 ? atoll(argv[1]) * 1000 : 30000;
	int64_t loss = argc > 2 ? atoll(argv[2]) * 1000 : 10000;
	int64_t end = argc > 3 ? atoll(argv[3]) * 1000 : 60000;
	struct ds_engine_conf conf = {
		.agent = "alice",
		.site_name = {"SiteX", "SiteY"},
		.bc_enabled = true, .auto_restore = true, .restore_when_idle = true,
		.timeout_ms = timeout, .sipphone_wait_ms = 20000, .hold_down_ms = 30000,
		.reregister_ms = {30000, 30000}, .reg_expires = {1800, 1800},
	};
	const char *names[] = {"SIP_X", "SIP_X_B", "SIP_Y", "SIP_Y_B"};
	struct ds_engine *e;
	int64_t t = 0, step = 1000;   /* probe results once a second */
	uint16_t site_x = 0, all = 0;

	/* The agent's SIP Servers: an HA pair at each site. */
	for (int s = 0; s < DS_SLOT_COUNT; s++)
		conf.server_id[s] = -1;
	for (int site = 0; site < 2; site++)
		for (int m = 0; m < 2; m++) {
			int slot = DS_SLOT(DS_KIND_SIP, site, m);

			conf.server_name[slot] = names[site * 2 + m];
			conf.server_id[slot] = site * 2 + m;
			all |= (uint16_t)(1u << slot);
			if (site == DS_SITE_PREFERRED)
				site_x |= (uint16_t)(1u << slot);
		}
	conf.kind_connected[DS_KIND_SIP] = true;
	conf_of_sink = &conf;

	if (ds_engine_alloc(&e, &conf, ds_engine_seed(1, conf.agent), 0, sink, NULL)) {
		fprintf(stderr, "embed: cannot start the engine\n");
		return 1;
	}
	/* The program's clock: the next probe round or the engine's wake-up,
	 * whichever comes first, until END. */
	while (t <= end) {
		int64_t probe = (t / step) * step;
		struct ds_input in = {.type = DS_IN_SERVERS, .t = t};

		deliver(e, t);
		if (t == probe) {
			in.up_mask = t >= loss ? (uint16_t)(all & ~site_x) : all;
			ds_engine_input(e, &in);
			deliver(e, t);
		}
		int64_t wake = ds_engine_next_wakeup(e);
		if (wake <= t) {
			struct ds_input tm = {.type = DS_IN_TIMER, .t = t};

			ds_engine_input(e, &tm);
			continue;
		}
		t = wake < probe + step ? wake : probe + step;
	}
	ds_engine_free(e);
	return 0;
}
