/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Synthetic policy sets for the data-plane benchmarks: one server endpoint
 * isolated for ingress whose last rule admits a peer set holding the client
 * (among --peers addresses), plus many other endpoints, sets and rules.
 *
 * Ownership: benchgen_model() fills a pw_model the caller frees with
 * pw_model_free(). Single-threaded.
 */
#ifndef PODWALL_BENCHGEN_H
#define PODWALL_BENCHGEN_H

#include <stdint.h>
#include "model.h"

struct benchgen {
	uint32_t eps;		/* endpoints on the node, the server is id 1 */
	uint32_t peers;		/* size of set 1, the client's set (client last) */
	uint32_t sets;		/* other sets (ids 2..sets+1), used by other rules */
	uint32_t set_size;	/* prefixes in each other set */
	uint32_t rules;		/* rules in total */
	uint32_t server_rules;	/* rules on the server endpoint; the last admits */
	struct pw_addr server, client;
};

void benchgen_defaults(struct benchgen *g);
/* Parses "--name value" pairs from argv[*i]; 1 if consumed, 0 if not ours, -1 bad. */
int benchgen_arg(struct benchgen *g, int argc, char **argv, int *i);
/* 0, or -EINVAL/-ENOMEM with a message on stderr. */
int benchgen_model(const struct benchgen *g, struct pw_model *m);
/* The i-th address of the synthetic pod pool (10.64.0.0/10), i < 2^22. */
void benchgen_pool_addr(uint32_t i, struct pw_addr *a);

#endif /* PODWALL_BENCHGEN_H */
