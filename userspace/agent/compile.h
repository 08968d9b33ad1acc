/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The agent's use of the policy compiler: staged changes go into one
 * pw_compiler context, and the sink's model is brought up to date on
 * demand, costing in proportion to the change. Owned and used by one sink,
 * on the sync thread only.
 */
#ifndef AGENT_COMPILE_H
#define AGENT_COMPILE_H

#include "model.h"
#include "sink.h"
#include "store.h"

struct pw_compiler;

struct agent_compile {
	struct pw_compiler *c;
	unsigned int invalid;	/* objects left out as invalid so far */
};

int agent_compile_init(struct agent_compile *ac, const struct agent_node *node);
void agent_compile_free(struct agent_compile *ac);
/*
 * Puts or deletes one object. An invalid object is logged with the reason
 * and left out (its previous version too): the API server would have
 * refused it, so this never happens with a real cluster.
 */
int agent_compile_stage(struct agent_compile *ac, const struct agent_change *ch);
/*
 * Brings @m up to date in place (pw_compiler_compile_into_was()): @m is
 * what the previous call left there, or empty the first time. @delta and
 * @was may be NULL: a sink that sends a delta asks for both, one that
 * sends the whole model for neither.
 */
int agent_compile_model(struct agent_compile *ac, struct pw_model *m,
			struct pw_model_delta *delta, struct pw_model *was);

#endif /* AGENT_COMPILE_H */
