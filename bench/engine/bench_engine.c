/* Engine benchmark (not a test): N agents, each its own engine driven by the
 * simulator, through 24 simulated hours of one shared random fault schedule
 * (site and server outages, registrar drops, calls). Prints engine inputs
 * per CPU second (with the simulator, and the engine alone: the inputs of
 * the first agents replayed into fresh engines), simulated seconds per CPU
 * second and engine bytes per agent.
 *
 * usage: bench_engine CONFIG [AGENTS] [HOURS] [SEED]
 * CONFIG is bench/engine/agent.yaml (validated whole); its first person is
 * the agent every engine runs. */
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

/* The inputs the first agents' engines got, replayed into fresh engines
 * without the simulator: the engine's own cost. */
#define REC_AGENTS 32
struct stream {
	struct ds_input *v;
	size_t n, cap;
};
static struct stream rec[REC_AGENTS];

static void on_input(const struct ds_input *in, void *arg)
{
	struct stream *st = arg;

	if (!st)
		return;
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 1024;
		struct ds_input *v = realloc(st->v, cap * sizeof(*v));

		if (!v)
			abort();
		st->v = v;
		st->cap = cap;
	}
	st->v[st->n++] = *in;
}

static uint64_t sunk;

static void null_sink(const struct ds_action *act, const struct ds_event *ev, void *arg)
{
	(void)act;
	(void)ev;
	(void)arg;
	sunk++;
}

static double seconds(clockid_t clk, const struct timespec *a)
{
	struct timespec b;

	clock_gettime(clk, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* Every agent's engine fed the recorded inputs of agent i % REC_AGENTS,
 * with that agent's seed, so its decisions are the recorded ones. */
static int replay(const struct ds_engine_conf *conf, long agents, uint64_t seed,
		  uint64_t *n_inputs)
{
	long recorded = agents < REC_AGENTS ? agents : REC_AGENTS;

	*n_inputs = 0;
	for (long i = 0; i < agents; i++) {
		const struct stream *st = &rec[i % recorded];
		struct ds_engine *e;

		if (ds_engine_alloc(&e, conf, ds_engine_seed(seed + (uint64_t)(i % recorded), conf->agent),
				    0, null_sink, NULL) != 0)
			return 1;
		for (size_t j = 0; j < st->n; j++)
			ds_engine_input(e, &st->v[j]);
		*n_inputs += st->n;
		ds_engine_free(e);
	}
	return 0;
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
	struct timespec a, cpu_a;
	double wall, cpu, replay_cpu;
	uint64_t replayed;

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
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_a);
	for (long i = 0; i < agents; i++) {
		struct ds_sim *sim;

		hooks.input_h = i < REC_AGENTS ? on_input : NULL;
		hooks.arg = i < REC_AGENTS ? &rec[i] : NULL;
		if (ds_sim_alloc(&sim, &conf, &pc, seed + (uint64_t)i, &hooks) != 0)
			goto fail;
		for (size_t j = 0; j < n_faults; j++) {
			struct ds_fault f = faults[j];

			if (f.name && ds_sim_target(sim, f.name, &f.slots) != 0)
				continue;
			if (ds_sim_add_fault(sim, &f) != 0) {
				fprintf(stderr, "bench_engine: fault %zu refused\n", j);
				ds_sim_free(sim);
				goto fail;
			}
		}
		if (ds_sim_run_until(sim, end) != 0) {
			fprintf(stderr, "bench_engine: agent %ld: the simulation stopped\n", i);
			ds_sim_free(sim);
			goto fail;
		}
		ds_sim_free(sim);
	}
	wall = seconds(CLOCK_MONOTONIC, &a);
	cpu = seconds(CLOCK_PROCESS_CPUTIME_ID, &cpu_a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_a);
	if (replay(&conf, agents, seed, &replayed) != 0)
		goto fail;
	replay_cpu = seconds(CLOCK_PROCESS_CPUTIME_ID, &cpu_a);
	/* CPU time, not wall time, for rates: the machine may be shared */
	printf("engine bench: %ld agents x %ld simulated hours, %zu faults, seed %llu\n",
	       agents, hours, n_faults, (unsigned long long)seed);
	printf("  simulator and engine         %.2f s wall, %.2f s CPU\n", wall, cpu);
	printf("  engine inputs                %llu (%.0f per CPU second, simulator included)\n",
	       (unsigned long long)inputs, (double)inputs / cpu);
	printf("  simulated seconds per CPU s  %.0f (agent-seconds)\n",
	       (double)agents * (double)hours * 3600.0 / cpu);
	printf("  engine alone (replayed)      %llu inputs in %.2f s CPU: %.0f inputs per CPU second\n",
	       (unsigned long long)replayed, replay_cpu, (double)replayed / replay_cpu);
	printf("  engine state per agent       %zu bytes, and its configuration %zu bytes "
	       "(target <= 1024 together)\n", ds_engine_size(), sizeof(struct ds_engine_conf));
	if (agents <= 0 || hours <= 0 || inputs == 0 || n_faults == 0 || replayed == 0) {
		fprintf(stderr, "bench_engine: nothing was measured (%llu inputs, %zu faults)\n",
			(unsigned long long)inputs, n_faults);
		goto fail;
	}
	for (int i = 0; i < REC_AGENTS; i++)
		free(rec[i].v);
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
