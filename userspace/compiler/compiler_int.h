/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Inside the compiler: the object store and the world kept from it
 * (compiler.c), counted id maps (idmap.c), peer sets kept up to date
 * (peerset.c), computing one policy's output (compile.c) and the model
 * kept from those outputs (model_state.c). Single-threaded; the context
 * owns everything.
 */
#ifndef PODWALL_COMPILER_INT_H
#define PODWALL_COMPILER_INT_H

#include <json-c/linkhash.h>
#include "compiler.h"

struct pw_vec {
	uint32_t n, cap;
	uint32_t *v;
};

/* Room for one more element in *@arr (@n used of @cap), doubling. */
int pw_array_room(void *arr, uint32_t n, uint32_t *cap, size_t size);
int pw_vec_push(struct pw_vec *v, uint32_t x);
/* Removes one @x (order not kept); false if absent. */
bool pw_vec_del(struct pw_vec *v, uint32_t x);
void pw_vec_release(struct pw_vec *v);
/* Into / out of a sorted array of unique ids, growing it by one. */
int pw_ids_insert(uint32_t **a, uint32_t *n, uint32_t x);
void pw_ids_remove(uint32_t *a, uint32_t *n, uint32_t x);

/* Dense ids 1..: freed ids are reused. */
struct pw_idpool {
	uint32_t next;
	struct pw_vec free;
};

uint32_t pw_id_get(struct pw_idpool *p);
void pw_id_put(struct pw_idpool *p, uint32_t id);

/*
 * A map from a key (string, or prefix list for sets) to a stable id that
 * lives while it is referenced: whoever got an id from a ref function
 * owes one pw_idmap_unref().
 */
struct pw_idmap {
	struct lh_table *t;		/* key -> id */
	struct pw_idpool ids;
	const void **keys;		/* by id: the map's key, NULL if free */
	uint32_t *refs;			/* by id */
	uint32_t nr_by_id;
};

struct pw_prefixes {
	uint32_t n;
	struct pw_addr *a;	/* sorted, unique, canonical */
};

int pw_idmap_init(struct pw_idmap *m, bool by_prefixes);
void pw_idmap_release(struct pw_idmap *m);
/* The id of @key, allocated on first use, plus one reference; 0: no memory. */
uint32_t pw_idmap_ref_str(struct pw_idmap *m, const char *key);
/* Same for a prefix list (consumed); *stored is the map's copy. */
uint32_t pw_idmap_ref_prefixes(struct pw_idmap *m, struct pw_prefixes *p,
			       const struct pw_prefixes **stored);
void pw_idmap_ref(struct pw_idmap *m, uint32_t id);
/* Drops a reference; the id is freed with the last. 0 is ignored. */
void pw_idmap_unref(struct pw_idmap *m, uint32_t id);
/* The key of @id; NULL if @id is not allocated. */
const void *pw_idmap_key(const struct pw_idmap *m, uint32_t id);

/* A stored pod and what the compiler derives from it. */
struct pw_slot {
	struct pw_k8s_pod *pod;
	struct pw_cns *ns;
	uint32_t idx;			/* index in c->slots, for its lifetime */
	uint32_t ep;			/* endpoint id (one reference), 0 if none */
	uint32_t stamp;			/* last egress resolution that took it */
	bool active;			/* an IP, not hostNetwork, not finished */
};

/* A namespace as selectors see it: labels and active pods. */
struct pw_cns {
	char *name;
	json_object *labels;		/* one reference */
	struct pw_vec pods;		/* slot indexes of active pods */
};

/* An address as many endpoints' pods hold it: the lowest id keeps it. */
struct pw_owners {
	struct pw_addr a;		/* the table's key */
	struct pw_vec eps;
};

/* What a model endpoint was built from, by endpoint id. */
struct pw_ep_state {
	struct pw_model_ep *m;		/* NULL until built */
	uint32_t slot;			/* slot index + 1 while live, else 0 */
	uint32_t nr_ips;		/* the addresses registered in owners */
	struct pw_addr ips[PW_K8S_MAX_IPS];
	bool queued;			/* on c->ep_dirty */
};

/*
 * The prefixes of one rule's peers (by peers text), kept up to date as
 * pods and namespaces change, with a count per prefix (how many peers or
 * pods give it) so a pod can leave without a recount.
 */
struct pw_cnt_addr {
	struct pw_addr a;
	uint32_t n;
};

struct pw_peerset {
	char *key;
	uint32_t nr_users, cap_users;
	struct pw_pol_log **users;	/* the logs holding it, once per use */
	char *ns;			/* the policy's namespace */
	uint32_t nr_peers;
	struct pw_k8s_peer *peers;	/* copies of the rule's peers */
	uint32_t nr, cap;
	struct pw_cnt_addr *addrs;	/* sorted by address */
	uint32_t set;			/* its interned set (one ref), 0 if empty */
	bool stale;			/* @set predates a change of @addrs */
};

struct pw_compiler {
	struct lh_table *pods;		/* "ns/name" -> struct pw_slot */
	struct lh_table *nss;		/* name -> struct pw_k8s_ns */
	struct lh_table *pols;		/* "ns/name" -> struct pw_k8s_policy */
	struct lh_table *cnss;		/* name -> struct pw_cns */
	struct pw_slot **slots;		/* by slot index */
	struct pw_idpool slot_ids;	/* slot index + 1 */
	uint32_t nr_slots;
	char *node;
	unsigned int nr_invalid;
	struct pw_idmap policy_ids;	/* "ns/name" */
	struct pw_idmap ep_ids;		/* "ns/name" */
	struct pw_idmap rule_ids;	/* "policy/dir/index/variant" */
	struct pw_idmap set_ids;	/* prefix list */
	struct lh_table *pcache;	/* "ns/name" -> applied struct pw_pol_log */
	struct lh_table *dirty;		/* "ns/name" of policies to recompute */
	struct lh_table *peersets;	/* peers text -> struct pw_peerset */
	struct lh_table *owners;	/* address -> struct pw_owners */
	/* The current model, by id: what the applied outputs make. */
	struct pw_ep_state *eps;
	uint32_t nr_eps_by_id;
	struct pw_vec ep_dirty;		/* endpoints to (re)build or drop */
	struct pw_vec ep_unref;		/* endpoint ids owed an unref */
	const struct pw_model_policy **m_pols;
	const struct pw_model_rule **m_rules;
	uint32_t *set_uses;		/* rules of applied outputs, by set id */
	uint32_t nr_m_pols, nr_m_rules, nr_set_uses;
	uint32_t node_set;		/* one ref, 0 if no node addresses */
	uint32_t stamp;
	bool broken;			/* rebuild the model at the next update */
	bool built;			/* an update has succeeded: outputs exist */
	/* Ids changed since the last pw_compiler_compile_into(), by kind. */
	struct pw_vec changed[4];	/* indexed by enum pw_model_kind */
	uint8_t *chflag[4];		/* by id: on changed[] */
	uint32_t nr_chflag[4];
	bool all_changed;		/* too much to list: compare everything */
};

/*
 * Why a policy is recompiled: its selection (or the policy) may have
 * changed, or only what its egress named ports resolve on, or an empty
 * peer set of its own; then the endpoints it selected still stand.
 */
enum {
	PW_DIRTY_PEERS = 1,
	PW_DIRTY_ALL = 3,
};

/* Marks the policy "ns/name" for recompiling at the next update. */
int pw_compiler_mark(struct pw_compiler *c, const char *key, unsigned int why);
/*
 * Rebuilds the model from scratch at the next compile, as a new context
 * would, but keeping every id still in use.
 */
void pw_compiler_forget(struct pw_compiler *c);

/*
 * What compiling one policy gives, in stable ids. The log holds one
 * reference on each id it names (policy, rules, their sets) and one use
 * of each peer set it took, so ids outlive a recompute that keeps them.
 */
struct pw_pol_rule {
	char *key;			/* rule id key */
	struct pw_model_rule r;		/* owns r.ports */
	struct pw_peerset *ps;		/* where r.set came from, or NULL */
};

struct pw_pol_att {
	uint32_t ep, rule;
	uint8_t dir;
};

struct pw_pol_log {
	struct pw_model_policy pol;	/* id 0: selected no endpoint; owns strings */
	bool types[__PODWALL_DIR_MAX];
	struct pw_vec eps;		/* ids of the selected endpoints */
	uint32_t nr_rules, cap_rules;
	struct pw_pol_rule *rules;
	uint32_t nr_att, cap_att;
	struct pw_pol_att *att;
	uint32_t nr_ps, cap_ps;
	struct pw_peerset **ps;
};

/*
 * compile.c: the output of @pol in the current world. A pass holds what
 * policies compiled in one update share (selector results, egress named
 * port resolutions).
 */
struct pw_pass;
struct pw_pass *pw_pass_new(struct pw_compiler *c);
void pw_pass_free(struct pw_pass *p);
/* @eps: the endpoints it selects if known (the previous output's), else NULL. */
int pw_policy_compile(struct pw_pass *p, const struct pw_k8s_policy *pol,
		      const struct pw_vec *eps, struct pw_pol_log **out);
/* Drops the log's references too; @c NULL: frees memory only (teardown). */
void pw_pol_log_free(struct pw_compiler *c, struct pw_pol_log *log);
/*
 * Could @pod changing from @old to @new (either NULL, or inactive) change
 * @pol's output? 0, or a PW_DIRTY_* reason. @ns_labels: the labels of
 * their namespace.
 */
unsigned int pw_policy_depends_on_pod(const struct pw_k8s_policy *pol,
			      const struct pw_slot *old, const struct pw_slot *new,
			      json_object *ns_labels);
/* Could namespace labels going from @old to @new change @pol's output? */
bool pw_policy_depends_on_ns(const struct pw_k8s_policy *pol, json_object *old,
			     json_object *new);
/* Do two versions of a pod look the same to every policy (a resync)? */
bool pw_pod_same(const struct pw_slot *a, const struct pw_slot *b);
bool pw_peer_takes(const struct pw_k8s_peer *peer, const char *pol_ns,
		   const struct pw_slot *s, json_object *ns_labels);

/* peerset.c */
int pw_peerset_get(struct pw_compiler *c, const char *key,
		   const struct pw_k8s_policy *pol, const struct pw_k8s_rule *r,
		   struct pw_pol_log *user, struct pw_peerset **out);
void pw_peerset_put(struct pw_compiler *c, struct pw_peerset *ps,
		    struct pw_pol_log *user);
/* Its set id now (no reference added); 0 if empty. */
int pw_peerset_set(struct pw_compiler *c, struct pw_peerset *ps, uint32_t *set);
int pw_peersets_pod(struct pw_compiler *c, const struct pw_slot *old,
		    const struct pw_slot *new, json_object *ns_labels);
int pw_peersets_ns(struct pw_compiler *c, struct pw_cns *ns, json_object *old);
/* Counts its prefixes again from the world (after a failed update). */
int pw_peerset_refill(struct pw_compiler *c, struct pw_peerset *ps);
void pw_peerset_free(struct lh_entry *e);

/* model_state.c */
int pw_state_update(struct pw_compiler *c);
void pw_state_release(struct pw_compiler *c);
/* Notes that object @id of @kind may differ from what was handed out. */
void pw_state_changed(struct pw_compiler *c, enum pw_model_kind kind, uint32_t id);

/* model_out.c: the model handed out, whole or as an in-place update. */
int pw_state_copy(struct pw_compiler *c, struct pw_model *out);
int pw_state_copy_into(struct pw_compiler *c, struct pw_model *m,
		       struct pw_model_delta *delta, struct pw_model *was);
/* Queues endpoint @id for rebuilding at the next update. */
int pw_state_ep_touch(struct pw_compiler *c, uint32_t id);

/* Sorts and deduplicates (after masking). */
void pw_prefixes_normalise(struct pw_prefixes *p);
int pw_prefixes_add(struct pw_prefixes *p, uint32_t *cap, const struct pw_addr *a);
/* @cidr minus @except into disjoint prefixes, appended to @p. */
int pw_block_expand(const struct pw_addr *cidr, const struct pw_addr *except,
		    uint32_t nr_except, struct pw_prefixes *p, uint32_t *cap);
bool pw_prefix_contains(const struct pw_addr *prefix, const struct pw_addr *a);
int pw_addr_cmp(const void *x, const void *y);

#endif /* PODWALL_COMPILER_INT_H */
