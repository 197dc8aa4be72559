/* Validation of a loaded configuration: the rules of docs/behaviour.md §2.3. */
#ifndef DUALSITE_VALIDATE_H
#define DUALSITE_VALIDATE_H

#include <stddef.h>
#include "dualsite/config.h"

/* Checks every option (ds_options_check) and every rule of docs/behaviour.md §2.3,
 * appending diagnostics to `d`. A problem that comes from one object (an
 * Application value, a server, a place) is reported once, at that object,
 * ending "(touches N agents)", however many agents inherit it.
 * It parses the option values itself: do not also call ds_options_check(),
 * which would report each bad value twice. Until one of them has run, no
 * written value takes part in ds_options_resolve(). */
void ds_validate(struct ds_config *cfg, struct ds_diags *d);

/* What stops `run --agent A ...` (and `explain --agent A`): runs
 * ds_validate() over the whole configuration, so `d` receives every
 * diagnostic, and returns the number of errors that touch at least one of
 * the `n` named agents:
 * - a finding of a rule counts when one of the agents is among those it touches;
 * - a bad option value counts when it is written on one of the agents'
 *   Person, Agent Groups, Tenant or on the Application (the objects they
 *   inherit from), or on a server they use;
 * - a name in `agents` that is no Person is an error (naming the closest
 *   one) and counts.
 * Errors already in `d` before the call (the loader's: syntax, unknown
 * references, duplicate objects) are not counted: the caller treats them as
 * fatal, since it cannot know which agents a broken file touches.
 * With n == 0 every agent is chosen (`run --all`). */
size_t ds_validate_agents(struct ds_config *cfg, const char *const *agents, size_t n,
			  struct ds_diags *d);

#endif
