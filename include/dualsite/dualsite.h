/* libdualsite: the Business Continuity engine as a library (docs/library.md).
 *
 * One include for the whole public API: the configuration model and its
 * loader (config.h, diag.h), the option table and effective values
 * (options.h), the validator (validate.h), building an engine from a
 * configuration (agent.h), the engine itself (engine.h) and the simulated
 * driver (sim.h). Every call is documented where it is declared. The library
 * reads no clock, opens no socket and exposes no libfyaml or libre type: an
 * embedding program brings its own time and network (examples/embed/).
 *
 * Link: pkg-config --cflags --libs dualsite (a static library: see
 * docs/library.md for why). */
#ifndef DUALSITE_DUALSITE_H
#define DUALSITE_DUALSITE_H

#include "dualsite/diag.h"
#include "dualsite/config.h"
#include "dualsite/options.h"
#include "dualsite/validate.h"
#include "dualsite/agent.h"
#include "dualsite/engine.h"
#include "dualsite/sim.h"

#endif
