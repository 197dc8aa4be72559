/* libFuzzer harness for the scenario parser: any bytes, as a scenario file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dualsite/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_scenario *sc = NULL;
	struct ds_diags diags = { 0 };

	/* The text is passed as is, not NUL-terminated: the parser takes a
	 * length, so reading past it is a bug ASan reports. */
	if (ds_scenario_parse(&sc, "fuzz.yaml", (const char *)data, size, &diags) == 0 && sc) {
		/* Walk what was built so a dangling pointer shows up here. */
		if (sc->agent)
			(void)sc->agent[0];
		for (size_t i = 0; i < sc->n_events; i++) {
			const struct ds_scenario_event *ev = &sc->events[i];

			(void)ev->path[0];
			if (ev->fault.name)
				(void)ev->fault.name[0];
			/* "sorted stably by time": a violation is a parser bug. */
			if (i > 0 && sc->events[i - 1].fault.at > ev->fault.at)
				__builtin_trap();
		}
	}
	ds_scenario_free(sc);
	/* Printing exercises the escaping of whatever the input held. */
	{
		FILE *null = fopen("/dev/null", "w");

		if (null) {
			ds_diags_print(null, &diags);
			ds_diags_print_json(null, &diags);
			fclose(null);
		}
	}
	ds_diags_reset(&diags);
	return 0;
}
