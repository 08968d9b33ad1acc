/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy objects and generations.
 *
 * An object (policy, set, rule, endpoint) is refcounted and immutable once
 * published; generations and candidates share objects and the id leaves
 * that hold them (ids.h), so a commit builds only what changed. A set
 * object made by a candidate may be edited by that candidate (@owner)
 * until it commits.
 *
 * A generation is immutable once published. Ownership: the netns owns the
 * live generation (struct podwall_net.live, RCU; written under its lock);
 * a generation holds its root of leaves, its node set and its address
 * index. Readers use a generation under rcu_read_lock(); it is freed after
 * a grace period, which puts only what no other version shares.
 */
#ifndef _PODWALL_GEN_H
#define _PODWALL_GEN_H

#include <linux/kref.h>
#include <linux/workqueue.h>
#include <net/netlink.h>
#include "match.h"
#include "ids.h"
#include "stats.h"

enum podwall_kind {
	PODWALL_POLICY,
	PODWALL_SET,
	PODWALL_RULE,
	PODWALL_EP,
	__PODWALL_KIND_MAX
};

struct podwall_obj {
	struct kref ref;
	u8 kind;
	u32 id;
	const void *owner;		/* the candidate that may edit it, or NULL */
	bool fresh;			/* a set made by NEW_SET in @owner */
	char *ns;			/* policies, endpoints */
	char *name;			/* policies, endpoints */
	union {
		struct pw_set *set;	/* shards shared between versions (set.h) */
		struct pw_rule *rule;
		struct pw_ep *ep;
	};
	union {
		struct {			/* rules and endpoints */
			union {
				struct podwall_hits __percpu *hits;
				struct podwall_stats __percpu *stats;
			};
			u32 ctr_slot;		/* pool slot of either */
		};
		struct {			/* sets made by NEW_SET */
			struct pw_addr *pending;	/* added, not built yet */
			u32 nr_pending;
			u32 max_pending;
		};
	};
};

/* An endpoint address index, shared while endpoint addresses stay put. */
struct podwall_index {
	refcount_t ref;
	struct pw_ep_index *index;
};

/* What a generation or a candidate holds. */
struct podwall_view {
	struct podwall_ids ids[__PODWALL_KIND_MAX];
	struct podwall_obj *node;	/* the node set (a set, id 0), or NULL */
	struct podwall_index *index;	/* NULL in a candidate until commit */
	u32 count[__PODWALL_KIND_MAX];
	u64 nr_prefixes;		/* over all sets and the node set */
	u64 obj_memory;			/* bytes of the objects */
};

struct podwall_gen {
	u64 number;
	struct pw_table table;		/* the matcher's view of @view */
	struct podwall_view view;
	u64 memory;
	struct rcu_work free_work;
};

#define PODWALL_MSG_MAX	160

extern const struct pw_alloc podwall_pw_alloc;
extern struct workqueue_struct *podwall_wq;

struct podwall_obj *podwall_obj_new(enum podwall_kind kind, u32 id);
void podwall_obj_put(struct podwall_obj *obj);

static inline struct podwall_obj *podwall_obj_get(struct podwall_obj *obj)
{
	kref_get(&obj->ref);
	return obj;
}

/* Bytes an object holds (for PODWALL_A_MEMORY). */
u64 podwall_obj_memory(const struct podwall_obj *obj);

static inline struct podwall_obj *podwall_gen_obj(const struct podwall_gen *gen,
						  enum podwall_kind kind, u32 id)
{
	return podwall_ids_get(&gen->view.ids[kind], id);
}

struct podwall_index *podwall_index_get(struct podwall_index *index);
void podwall_index_put(struct podwall_index *index);

/* Copies @src's roots, taking references; or releases a view. */
int podwall_view_copy(struct podwall_view *dst, const struct podwall_view *src);
void podwall_view_release(struct podwall_view *view);

/* Points gen->table at gen->view. */
void podwall_gen_table(struct podwall_gen *gen);
/* Frees the generation and drops its references now. */
void podwall_gen_free(struct podwall_gen *gen);
/* Same, after an RCU grace period, from the podwall workqueue. */
void podwall_gen_free_rcu(struct podwall_gen *gen);

#endif /* _PODWALL_GEN_H */
