/* Memory per simulated agent beyond the loaded configuration: the heap in
 * use (mallinfo2) after loading and validating CONFIG, then after building a
 * fleet of every agent and simulating SECONDS with SITE lost for 10 minutes
 * from t = 60 s; the difference over the number of agents. Built and run by
 * bench/fleet/run.sh. usage: mem CONFIG SITE SECONDS */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/sim.h"
#include "dualsite/validate.h"

static size_t in_use(void)
{
	return mallinfo2().uordblks;
}

int main(int argc, char **argv)
{
	struct ds_config *cfg = NULL;
	struct ds_diags d = {0};
	struct ds_sim *sim = NULL;
	struct ds_probe_conf pc;

	if (argc != 4 || ds_config_load(&cfg, argv[1], &d) || d.errors ||
	    ds_validate_agents(cfg, NULL, 0, &d)) {
		fprintf(stderr, "usage: mem CONFIG SITE SECONDS (a configuration without errors)\n");
		return 2;
	}
	ds_diags_reset(&d);
	size_t before = in_use(), peak = before;
	for (size_t i = 0; i < cfg->n_persons; i++) {
		struct ds_engine_conf conf;

		memset(&conf, 0, sizeof(conf));
		if (ds_sim_setup(cfg, cfg->persons[i].name, &conf, &pc) ||
		    (i ? ds_sim_add_agent(sim, &conf) : ds_sim_alloc(&sim, &conf, &pc, 1, NULL)) ||
		    (!i && ds_sim_reserve(sim, cfg->n_persons)))
			return 1;
	}
	struct ds_fault down = {.type = DS_FAULT_DOWN, .at = 60000, .name = argv[2]};
	struct ds_fault up = {.type = DS_FAULT_UP, .at = 660000, .name = argv[2]};
	ds_sim_target(sim, argv[2], &down.slots);
	up.slots = down.slots;
	ds_sim_add_fault(sim, &down);
	ds_sim_add_fault(sim, &up);
	int64_t end = atoll(argv[3]) * 1000;
	for (int64_t t = 0; t <= end; t += 10000) {   /* sample the heap as it runs */
		if (ds_sim_run_until(sim, t))
			return 1;
		peak = in_use() > peak ? in_use() : peak;
	}
	printf("%zu agents: heap %zu bytes after loading, %zu at the simulation's peak: "
	       "%.0f bytes per agent\n", cfg->n_persons, before, peak,
	       (double)(peak - before) / (double)cfg->n_persons);
	ds_sim_free(sim);
	ds_config_free(cfg);
	return 0;
}
