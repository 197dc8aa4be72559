/* libFuzzer harness for the configuration loader: any bytes, as a file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "dualsite/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The loader reads a path, so the input goes into a memory file and is
 * loaded through /proc/self/fd: no disk traffic, nothing left behind. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	struct ds_config *cfg = NULL;
	struct ds_diags diags = { 0 };

	if (fd < 0) {
		fd = memfd_create("fuzz-config", 0);
		if (fd < 0)
			return 0;
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (ds_config_load(&cfg, path, &diags) == 0) {
		/* Walk what was built so a dangling pointer shows up here. */
		for (size_t i = 0; i < cfg->n_persons; i++) {
			const struct ds_person *p = &cfg->persons[i];

			for (size_t g = 0; g < p->n_groups; g++)
				(void)p->groups[g]->name[0];
			if (p->place_obj)
				(void)p->place_obj->n_dns;
		}
		for (size_t i = 0; i < cfg->n_servers; i++) {
			const struct ds_server *s = &cfg->servers[i];

			if (s->backup_srv)
				(void)s->backup_srv->name[0];
			(void)ds_config_server(cfg, s->name);
		}
		ds_config_free(cfg);
	}
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
