/* Configuration benchmark: load, validate, then resolve and build every agent; prints time and peak RSS.
 *
 * One size per process, so that the peak RSS (getrusage ru_maxrss) is that
 * size's alone. Output, one line: persons=N load_ms=.. validate_ms=..
 * resolve_ms=.. total_ms=.. cpu_ms=.. peak_rss_kb=.. (wall-clock phases, then
 * the process's CPU time, which other load on a shared machine disturbs less;
 * bench/config/run.sh compares sizes). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include "dualsite/agent.h"
#include "dualsite/config.h"
#include "dualsite/validate.h"

static double clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct ds_config *cfg = NULL;
	struct ds_diags d = {0};
	struct rusage ru;
	double t0, t1, t2, t3;
	size_t built = 0;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CONFIG.yaml\n", argv[0]);
		return 2;
	}
	t0 = clock_ms(CLOCK_MONOTONIC);
	err = ds_config_load(&cfg, argv[1], &d);
	if (err) {
		ds_diags_print(stderr, &d);
		return 1;
	}
	t1 = clock_ms(CLOCK_MONOTONIC);
	ds_validate(cfg, &d);
	t2 = clock_ms(CLOCK_MONOTONIC);
	if (d.errors) {
		ds_diags_print(stderr, &d);
		return 1;
	}
	for (size_t i = 0; i < cfg->n_persons; i++) {
		struct ds_effective eff;
		struct ds_engine_conf conf;

		ds_options_resolve(cfg, &cfg->persons[i], &eff);
		built += ds_agent_build(cfg, &cfg->persons[i], &eff, &conf) == 0;
	}
	t3 = clock_ms(CLOCK_MONOTONIC);
	if (built != cfg->n_persons) {
		fprintf(stderr, "bench: only %zu of %zu agents built\n", built, cfg->n_persons);
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("persons=%zu load_ms=%.1f validate_ms=%.1f resolve_ms=%.1f total_ms=%.1f "
	       "cpu_ms=%.1f peak_rss_kb=%ld\n", cfg->n_persons, t1 - t0, t2 - t1, t3 - t2, t3 - t0,
	       clock_ms(CLOCK_PROCESS_CPUTIME_ID), ru.ru_maxrss);
	ds_config_free(cfg);
	ds_diags_reset(&d);
	return 0;
}
