/* What the commands share: the exit status of an input that did not load,
 * and the handling of bad arguments. Every command reads its arguments with
 * getopt_long (through ds_cli_getopt), so each takes `--opt VALUE`,
 * `--opt=VALUE` and `-c FILE` alike, and says the same thing about a
 * mistake, a repeated one-value option (`-c a -c b`) included. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int ds_cli_load_status(int err)
{
	switch (err) {
	case 0:
		return DS_EXIT_OK;
	case EINVAL:   /* read, but not valid (a YAML syntax error included) */
	case ENOMEM:   /* read, but could not be held: a failed run, not a bad input */
		return DS_EXIT_CONFIG;
	default:       /* ENOENT, EACCES, EIO, EISDIR...: the input cannot be read */
		return DS_EXIT_USAGE;
	}
}

/* The long name of the option ds_cli_getopt() last found repeated. */
static const char *repeated;

int ds_cli_getopt(int argc, char **argv, const char *shortopts,
		  const struct option *lopts, const char *const *repeatable,
		  uint64_t *seen)
{
	int li = -1;
	int c = getopt_long(argc, argv, shortopts, lopts, &li);

	if (c == -1 || c == '?' || c == ':')
		return c;
	/* a short option leaves li unset: find it by its value */
	for (int i = 0; li < 0 && lopts[i].name; i++)
		if (lopts[i].val == c && !lopts[i].flag)
			li = i;
	if (li < 0 || li >= 64 || lopts[li].has_arg != required_argument)
		return c;
	for (size_t i = 0; repeatable && repeatable[i]; i++)
		if (!strcmp(repeatable[i], lopts[li].name))
			return c;
	if (*seen & (UINT64_C(1) << li)) {
		repeated = lopts[li].name;
		return DS_CLI_REPEATED;
	}
	*seen |= UINT64_C(1) << li;
	return c;
}

int ds_cli_bad_option(const char *cmd, int c, int argc, char **argv,
		      void (*usage)(FILE *))
{
	/* getopt_long has moved past the culprit; a short one is in optopt.
	 * A missing value is always the last argument. */
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	bool is_long = !strncmp(arg, "--", 2);

	/* For a long option, optopt is 0 when the name is unknown and the
	 * option's value when it was given a value it does not take. */
	if (c == DS_CLI_REPEATED)
		fprintf(stderr, "dualsite %s: option '--%s' given twice; it takes one value\n",
			cmd, repeated);
	else if (c == ':')
		fprintf(stderr, "dualsite %s: option '%s' needs a value\n", cmd, arg);
	else if (is_long && optopt)
		fprintf(stderr, "dualsite %s: option '%.*s' takes no value\n", cmd,
			(int)strcspn(arg, "="), arg);
	else if (is_long)
		fprintf(stderr, "dualsite %s: unknown option '%.*s'\n", cmd,
			(int)strcspn(arg, "="), arg);
	else
		fprintf(stderr, "dualsite %s: unknown option '-%c'\n", cmd, optopt);
	usage(stderr);
	return DS_EXIT_USAGE;
}

int ds_cli_no_operands(const char *cmd, int argc, char **argv, void (*usage)(FILE *))
{
	if (optind >= argc)
		return DS_EXIT_OK;
	fprintf(stderr, "dualsite %s: unexpected argument '%s' (options take the form "
		"--name VALUE)\n", cmd, argv[optind]);
	usage(stderr);
	return DS_EXIT_USAGE;
}

int ds_cli_seed(const char *cmd, const char *arg, uint64_t *seed)
{
	char *end;

	errno = 0;
	if (*arg >= '0' && *arg <= '9') {
		*seed = strtoull(arg, &end, 10);
		if (!errno && !*end)
			return DS_EXIT_OK;
	}
	fprintf(stderr, "dualsite %s: --seed '%s': expected a whole number "
		"0..18446744073709551615\n", cmd, arg);
	return DS_EXIT_USAGE;
}
