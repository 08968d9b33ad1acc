/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The agent's use of the policy compiler: staged changes go into one
 * pw_compiler context, and a model comes out on demand. Owned and used by
 * one sink, on the sync thread only.
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
int agent_compile_model(struct agent_compile *ac, struct pw_model *out);

#endif /* AGENT_COMPILE_H */
