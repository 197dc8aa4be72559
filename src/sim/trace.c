/* A record of one simulated run (events and scenario notes, in order), kept
 * for drawing it afterwards. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/sim.h"

static struct ds_sim_rec *grow(struct ds_sim_trace *tr)
{
	if (tr->n == tr->cap) {
		size_t cap = tr->cap ? tr->cap * 2 : 64;
		struct ds_sim_rec *v = realloc(tr->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		tr->v = v;
		tr->cap = cap;
	}
	struct ds_sim_rec *r = &tr->v[tr->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

int ds_sim_trace_agent_event(struct ds_sim_trace *tr, const struct ds_event *ev, int agent)
{
	struct ds_sim_rec *r = grow(tr);

	if (!r)
		return ENOMEM;
	r->ev = *ev;
	r->agent = agent;
	return 0;
}

int ds_sim_trace_event(struct ds_sim_trace *tr, const struct ds_event *ev)
{
	return ds_sim_trace_agent_event(tr, ev, 0);
}

int ds_sim_trace_register(struct ds_sim_trace *tr, int64_t t, int server_id)
{
	if (tr->n_regs == tr->cap_regs) {
		size_t cap = tr->cap_regs ? tr->cap_regs * 2 : 256;
		struct ds_sim_reg *v = realloc(tr->regs, cap * sizeof(*v));

		if (!v)
			return ENOMEM;
		tr->regs = v;
		tr->cap_regs = cap;
	}
	tr->regs[tr->n_regs++] = (struct ds_sim_reg){t, server_id};
	return 0;
}

/* The note's fault is copied into the record (its name stays borrowed from
 * the simulator); note.fault is cleared since the array may move. */
int ds_sim_trace_note(struct ds_sim_trace *tr, const struct ds_sim_note *note)
{
	struct ds_sim_rec *r = grow(tr);

	if (!r)
		return ENOMEM;
	r->is_note = true;
	r->agent = note->agent;
	r->note = *note;
	r->note.fault = NULL;
	if (note->fault)
		r->fault = *note->fault;
	return 0;
}

void ds_sim_trace_reset(struct ds_sim_trace *tr)
{
	free(tr->v);
	free(tr->regs);
	tr->v = NULL;
	tr->regs = NULL;
	tr->n = tr->cap = 0;
	tr->n_regs = tr->cap_regs = 0;
}
