/* Engine benchmark (not a test): N agents, each its own engine driven by the
 * simulator, through 24 simulated hours of one shared random fault schedule
 * (site and server outages, registrar drops, calls). Prints engine inputs
 * per second, simulated seconds per wall second and engine bytes per agent.
 *
 * usage: bench_engine CONFIG [AGENTS] [HOURS] [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dualsite/sim.h"
#include "dualsite/validate.h"

static uint64_t inputs;

static void on_step(const struct ds_sim *sim, int64_t t, void *arg)
{
	(void)sim;
	(void)t;
	(void)arg;
	inputs++;
}

static uint64_t next(uint64_t *s)
{
	uint64_t x = (*s += 0x9e3779b97f4a7c15ull);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static const char *const targets[] = {"SiteX", "SiteY", "SIP_X", "SIP_Y", "STAT_X", "CONF_Y"};

/* One schedule for the whole fleet: every agent sees the same outages. */
static size_t make_faults(struct ds_fault *f, size_t max, int64_t end, uint64_t seed)
{
	size_t n = 0;
	int64_t t = 0;

	while (n + 2 <= max) {
		uint64_t r = next(&seed);
		int64_t len = (int64_t)(next(&seed) % 600000) + 1000;

		t += (int64_t)(next(&seed) % 1800000) + 1000;
		if (t + len >= end)
			break;
		switch (r % 4) {
		case 0:
		case 1:
			f[n++] = (struct ds_fault){.type = DS_FAULT_DOWN, .at = t,
						   .name = targets[(r >> 8) % 6]};
			f[n] = f[n - 1];
			f[n].type = DS_FAULT_UP;
			f[n++].at = t + len;
			break;
		case 2:
			f[n++] = (struct ds_fault){.type = DS_FAULT_CALL_START, .at = t};
			f[n++] = (struct ds_fault){.type = DS_FAULT_CALL_END, .at = t + len / 4};
			break;
		case 3:
			f[n++] = (struct ds_fault){.type = DS_FAULT_UNREGISTER, .at = t,
						   .proxy = (int)((r >> 8) % 2)};
			break;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	struct ds_config *cfg = NULL;
	struct ds_diags diags = {0};
	struct ds_engine_conf conf;
	struct ds_probe_conf pc;
	struct ds_fault faults[512];
	struct ds_sim_hooks hooks = {.step_h = on_step};
	long agents = argc > 2 ? atol(argv[2]) : 10000;
	long hours = argc > 3 ? atol(argv[3]) : 24;
	uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
	int64_t end;
	size_t n_faults;
	struct timespec a, b;
	double wall;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CONFIG [AGENTS] [HOURS] [SEED]\n", argv[0]);
		return 2;
	}
	if (ds_config_load(&cfg, argv[1], &diags) != 0)
		goto fail;
	ds_validate(cfg, &diags);
	if (diags.errors || ds_sim_setup(cfg, cfg->persons[0].name, &conf, &pc) != 0)
		goto fail;
	end = (int64_t)hours * 3600 * 1000;
	n_faults = make_faults(faults, 512, end, seed);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < agents; i++) {
		struct ds_sim *sim;

		if (ds_sim_alloc(&sim, &conf, &pc, seed + (uint64_t)i, &hooks) != 0)
			goto fail;
		for (size_t j = 0; j < n_faults; j++) {
			struct ds_fault f = faults[j];

			if (f.name && ds_sim_target(sim, f.name, &f.slots) != 0)
				continue;
			ds_sim_add_fault(sim, &f);
		}
		ds_sim_run_until(sim, end);
		ds_sim_free(sim);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	wall = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("engine bench: %ld agents x %ld simulated hours, %zu faults, seed %llu\n",
	       agents, hours, n_faults, (unsigned long long)seed);
	printf("  wall time                    %.2f s\n", wall);
	printf("  engine inputs                %llu (%.0f per second)\n",
	       (unsigned long long)inputs, (double)inputs / wall);
	printf("  simulated seconds per wall s %.0f (agent-seconds)\n",
	       (double)agents * (double)hours * 3600.0 / wall);
	printf("  engine state per agent       %zu bytes (target <= 1024)\n", ds_engine_size());
	ds_config_free(cfg);
	ds_diags_reset(&diags);
	return 0;
fail:
	ds_diags_print(stderr, &diags);
	fprintf(stderr, "bench_engine: cannot set up from %s\n", argv[1]);
	ds_config_free(cfg);
	ds_diags_reset(&diags);
	return 1;
}
