/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Inside the compiler: the object store (compiler.c), id maps, and the
 * compile pass (compile.c). Single-threaded; the context owns everything.
 */
#ifndef PODWALL_COMPILER_INT_H
#define PODWALL_COMPILER_INT_H

#include <json-c/linkhash.h>
#include "compiler.h"

struct pw_vec {
	uint32_t n, cap;
	uint32_t *v;
};

int pw_vec_push(struct pw_vec *v, uint32_t x);
void pw_vec_release(struct pw_vec *v);

/* Dense ids 1..: freed ids are reused. */
struct pw_idpool {
	uint32_t next;
	struct pw_vec free;
};

uint32_t pw_id_get(struct pw_idpool *p);
void pw_id_put(struct pw_idpool *p, uint32_t id);

/* A map from a key (string, or prefix list for sets) to a stable id. */
struct pw_idmap {
	struct lh_table *t;
	struct pw_idpool ids;
	uint32_t gen;
};

struct pw_prefixes {
	uint32_t n;
	struct pw_addr *a;	/* sorted, unique, canonical */
};

struct pw_compiler {
	struct lh_table *pods;		/* "ns/name" -> struct pw_k8s_pod */
	struct lh_table *nss;		/* name -> struct pw_k8s_ns */
	struct lh_table *pols;		/* "ns/name" -> struct pw_k8s_policy */
	char *node;
	struct pw_prefixes node_addrs;
	unsigned int nr_invalid;
	struct pw_idmap policy_ids;	/* "ns/name" */
	struct pw_idmap ep_ids;		/* "ns/name" */
	struct pw_idmap rule_ids;	/* "policy/dir/index/variant" */
	struct pw_idmap set_ids;	/* prefix list */
};

int pw_idmap_init(struct pw_idmap *m, bool by_prefixes);
void pw_idmap_release(struct pw_idmap *m);
/* The id of @key, allocated on first use; marks it used in this pass. */
uint32_t pw_idmap_str(struct pw_idmap *m, const char *key);
/*
 * Same for a prefix list; takes ownership of p->a. *stored is the map's
 * copy, valid until the next sweep.
 */
uint32_t pw_idmap_prefixes(struct pw_idmap *m, struct pw_prefixes *p,
			   const struct pw_prefixes **stored);
/* Starts a pass / frees the ids not used since the pass started. */
void pw_idmap_begin(struct pw_idmap *m);
void pw_idmap_sweep(struct pw_idmap *m);

/* Sorts and deduplicates (after masking). */
void pw_prefixes_normalise(struct pw_prefixes *p);
int pw_prefixes_add(struct pw_prefixes *p, uint32_t *cap, const struct pw_addr *a);
/* @cidr minus @except into disjoint prefixes, appended to @p. */
int pw_block_expand(const struct pw_addr *cidr, const struct pw_addr *except,
		    uint32_t nr_except, struct pw_prefixes *p, uint32_t *cap);
bool pw_prefix_contains(const struct pw_addr *prefix, const struct pw_addr *a);

#endif /* PODWALL_COMPILER_INT_H */
