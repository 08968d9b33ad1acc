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
	const void **keys;		/* by id: the map's key, NULL if free */
	uint32_t **gens;		/* by id: where its pass stamp lives */
	uint32_t nr_by_id;
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
	struct lh_table *pcache;	/* "ns/name" -> struct pw_pol_log */
};

/*
 * What compiling one policy added to the model, in stable ids, so a pass
 * can replay it instead of recomputing it while nothing it depends on
 * changed (see pw_policy_depends_on_*()).
 */
struct pw_pol_rule {
	char *key;			/* rule id key */
	struct pw_model_rule r;		/* owns r.ports */
};

struct pw_pol_att {
	uint32_t ep, rule;
	uint8_t dir;
};

struct pw_pol_log {
	uint32_t pid;			/* 0: selected no endpoint */
	struct pw_vec eps;		/* ids of the selected endpoints */
	uint32_t nr_rules, cap_rules;
	struct pw_pol_rule *rules;
	uint32_t nr_att, cap_att;
	struct pw_pol_att *att;
};

void pw_pol_log_free(struct pw_pol_log *log);
/* Drops every cached policy output. */
void pw_compiler_forget(struct pw_compiler *c);
/* Could a change of @pod (in a namespace labelled @ns_labels) change @pol's output? */
bool pw_policy_depends_on_pod(const struct pw_k8s_policy *pol,
			      const struct pw_k8s_pod *pod, json_object *ns_labels);
/* Could a namespace with these labels change @pol's output? */
bool pw_policy_depends_on_ns(const struct pw_k8s_policy *pol, json_object *labels);

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
/* The key of @id, marked used in this pass; NULL if @id is not allocated. */
const void *pw_idmap_touch(struct pw_idmap *m, uint32_t id);
/* The id of @key without allocating one; 0 if it has none. */
uint32_t pw_idmap_peek_str(struct pw_idmap *m, const char *key);
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
