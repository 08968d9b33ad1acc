/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy objects and generations.
 *
 * An object (policy, set, rule, endpoint) is refcounted and immutable once
 * built; generations and candidates share objects, so a commit builds only
 * what changed. A set under edit in a candidate is a "draft" (a plain prefix
 * list owned by that candidate alone) until the commit builds it.
 *
 * A generation is immutable once published. Ownership: the netns owns the
 * live generation (struct podwall_net.live, RCU; written under its lock);
 * a generation holds one reference on each of its objects. Readers use a
 * generation under rcu_read_lock(); it is freed after a grace period.
 */
#ifndef _PODWALL_GEN_H
#define _PODWALL_GEN_H

#include <linux/kref.h>
#include <linux/workqueue.h>
#include <net/netlink.h>
#include "match.h"
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
	char *ns;			/* policies, endpoints */
	char *name;			/* policies, endpoints */
	union {
		struct pw_set *set;	/* built set; NULL while a draft */
		struct pw_rule *rule;
		struct pw_ep *ep;
	};
	struct pw_addr *draft;		/* sets under edit: prefixes, masked */
	u32 nr_draft;
	u32 draft_cap;
	union {
		struct podwall_hits __percpu *hits;	/* rules */
		struct podwall_stats __percpu *stats;	/* endpoints */
	};
};

/* Objects of one kind, indexed by id (slot 0 unused). */
struct podwall_objs {
	u32 size;
	struct podwall_obj **v;
};

struct podwall_gen {
	u64 number;
	struct pw_table table;
	struct podwall_objs objs[__PODWALL_KIND_MAX];
	struct podwall_obj *node;	/* the node set (a set, id 0), or NULL */
	u32 count[__PODWALL_KIND_MAX];
	u32 nr_prefixes;
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

/* Sets: draft editing (the caller owns the draft alone) and building. */
int podwall_set_draft_add(struct podwall_obj *set, const struct pw_addr *p,
			  u32 n);
void podwall_set_draft_del(struct podwall_obj *set, const struct pw_addr *p,
			   u32 n);
struct podwall_obj *podwall_set_to_draft(const struct podwall_obj *set);
int podwall_set_build(struct podwall_obj *set);
u32 podwall_set_size(const struct podwall_obj *set);

static inline struct podwall_obj *podwall_objs_get(const struct podwall_objs *objs,
						   u32 id)
{
	return id < objs->size ? objs->v[id] : NULL;
}

int podwall_objs_store(struct podwall_objs *objs, u32 id,
		       struct podwall_obj *obj);
int podwall_objs_copy(struct podwall_objs *dst, const struct podwall_objs *src);
void podwall_objs_release(struct podwall_objs *objs);

/*
 * Builds gen->table from gen->objs and gen->node and checks it: references,
 * duplicate addresses, limits. On failure the extack message (formatted
 * into @msg, PODWALL_MSG_MAX bytes that outlive the request) names the
 * object and what it refers to.
 */
int podwall_gen_build(struct podwall_gen *gen, struct netlink_ext_ack *extack,
		      char *msg);
/* Frees the generation and drops its object references now. */
void podwall_gen_free(struct podwall_gen *gen);
/* Same, after an RCU grace period, from the podwall workqueue. */
void podwall_gen_free_rcu(struct podwall_gen *gen);

#endif /* _PODWALL_GEN_H */
