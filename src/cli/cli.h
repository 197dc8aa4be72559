/* The commands of `dualsite`; main.c only dispatches. Each returns the exit
 * status of docs/behaviour.md §4: 0 success, 1 configuration errors or a failed run,
 * 2 usage error or unreadable input. */
#ifndef DUALSITE_CLI_H
#define DUALSITE_CLI_H

#include <stdint.h>
#include <stdio.h>

enum { DS_EXIT_OK = 0, DS_EXIT_CONFIG = 1, DS_EXIT_USAGE = 2 };

struct option;
/* What ds_cli_getopt() returns for an option given twice that takes one value. */
enum { DS_CLI_REPEATED = -2 };

/* The exit status for the result of ds_config_load() or ds_scenario_load():
 * 0 loaded; DS_EXIT_CONFIG for EINVAL (a syntax error) and ENOMEM;
 * DS_EXIT_USAGE for any other error (the file cannot be read). */
int ds_cli_load_status(int err);

/* getopt_long, and DS_CLI_REPEATED when an option that takes a value (and
 * is not named in `repeatable`, a NULL-terminated list of long names, or
 * NULL) comes a second time: silently keeping the last value would hide a
 * mistake. `*seen` starts at 0; lopts has at most 64 entries. */
int ds_cli_getopt(int argc, char **argv, const char *shortopts,
		  const struct option *lopts, const char *const *repeatable,
		  uint64_t *seen);
/* After ds_cli_getopt returned DS_CLI_REPEATED, or getopt_long returned ':' (a value missing) or '?' (an unknown
 * option) as `c`: says which on stderr, with the usage, and returns
 * DS_EXIT_USAGE. Option strings start with ':' so the two differ. */
int ds_cli_bad_option(const char *cmd, int c, int argc, char **argv,
		      void (*usage)(FILE *));
/* DS_EXIT_OK when getopt_long left no operand, else the same report. */
int ds_cli_no_operands(const char *cmd, int argc, char **argv, void (*usage)(FILE *));
/* A --seed value, 0..2^64-1; a message and DS_EXIT_USAGE when it is not. */
int ds_cli_seed(const char *cmd, const char *arg, uint64_t *seed);

int ds_cmd_validate(int argc, char **argv);
int ds_cmd_explain(int argc, char **argv);
int ds_cmd_simulate(int argc, char **argv);
int ds_cmd_run(int argc, char **argv);
int ds_cmd_lab(int argc, char **argv);
int ds_cmd_render(int argc, char **argv);
int ds_cmd_report(int argc, char **argv);
int ds_cmd_ctl(int argc, char **argv);

#endif
