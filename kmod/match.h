/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The matcher: policy objects in their lookup form, how to build them, and
 * the verdict for one new connection. This code is compiled unchanged into
 * podwall.ko and into userspace (podwallctl simulate, the compiler's tests),
 * so both give the same answer by construction. It uses no kernel and no
 * libc function: memory comes from a caller-supplied allocator, and types
 * from <linux/types.h>.
 *
 * Ownership: every built object (set, rule, endpoint) is immutable once
 * built and owned by whoever built it; a table only borrows pointers. The
 * caller keeps objects alive for as long as any reader may use a table that
 * points at them (the module does this with RCU and reference counts).
 * Nothing here locks: readers may run concurrently on an immutable table.
 */
#ifndef _PODWALL_MATCH_H
#define _PODWALL_MATCH_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <linux/types.h>
#endif
#include "../include/uapi/linux/podwall.h"

#define PW_FAMILY_INET	4
#define PW_FAMILY_INET6	6

#define PW_PROTO_ICMP	1
#define PW_PROTO_TCP	6
#define PW_PROTO_UDP	17
#define PW_PROTO_ICMPV6	58
#define PW_PROTO_SCTP	132

/* An address or prefix. IPv4 lives in a[0..3], the rest is zero. */
struct pw_addr {
	__u8 family;		/* PW_FAMILY_INET or PW_FAMILY_INET6; 0 = empty slot */
	__u8 plen;		/* prefix length; full length for an address */
	__u8 a[16];		/* network byte order */
};

/* An inclusive port range of one protocol. */
struct pw_port_range {
	__u16 first;
	__u16 last;
	__u8 proto;
};

struct pw_alloc {
	/* Returns zeroed memory or NULL. */
	void *(*zalloc)(size_t size, void *ctx);
	void (*free)(void *ptr, void *ctx);
	void *ctx;
};

/*
 * One shard of a set: open addressing with linear probing over @cap slots
 * (any size; the start slot is a multiply-shift of the hash). Shards are
 * immutable once published and may be shared by several versions of a set,
 * so an edit copies only the shards it touches.
 */
struct pw_shard {
	__u32 cap;		/* slots */
	__u32 nr;		/* prefixes held */
	struct pw_addr slots[];
};

/*
 * A set of prefixes, split by the top @shift bits of each prefix's hash
 * into 1 << @shift shards, with a bitmap of the prefix lengths present per
 * family, so a membership test costs one probe per distinct prefix length
 * (one for pod IPs). The bitmap may keep the bit of a length whose last
 * prefix was removed (an extra probe, never a wrong answer).
 */
struct pw_set {
	__u32 id;
	__u32 nr_prefixes;
	__u32 seed;
	__u32 shift;		/* log2 of the number of shards */
	__u64 plens4;		/* bit n: an IPv4 prefix of length n exists */
	__u64 plens6[3];	/* bit n: an IPv6 prefix of length n exists */
	struct pw_shard **shards;	/* NULL entries are empty shards */
};

#define PW_RULE_F_ANY_PEER	(1U << 0)	/* no peer set: every source/destination */
#define PW_RULE_F_ANY_PORT	(1U << 1)	/* no ports: every protocol and port */

struct pw_rule {
	__u32 id;
	__u32 policy;		/* policy id, for explanations */
	__u32 index;		/* rule index in its policy */
	__u32 set;		/* peer set id unless PW_RULE_F_ANY_PEER */
	__u8 dir;		/* PODWALL_DIR_* */
	__u8 flags;		/* PW_RULE_F_* */
	__u16 nr_ports;
	struct pw_port_range *ports;	/* sorted by (proto, first), disjoint */
};

struct pw_ep {
	__u32 id;
	__u32 flags;		/* PODWALL_EP_F_* */
	__u32 nr_addrs;
	__u32 nr_rules[__PODWALL_DIR_MAX];
	__u32 nr_policies[__PODWALL_DIR_MAX];
	struct pw_addr *addrs;
	__u32 *rules[__PODWALL_DIR_MAX];	/* rule ids, by direction */
	__u32 *policies[__PODWALL_DIR_MAX];	/* isolating policy ids */
};

/*
 * Objects by id: a two-level radix. Id i lives in leaves[i / PW_IDS_LEAF]
 * at i % PW_IDS_LEAF; a NULL leaf holds no objects. Leaves can be shared
 * between tables, so a new table copies only the root and the leaves that
 * changed. 255 ids per leaf let the module keep a leaf, its header and its
 * object pointers in one page.
 */
#define PW_IDS_LEAF	255U

struct pw_ids {
	__u32 nr_leaves;
	const void ***leaves;
};

static inline const void *pw_ids_get(const struct pw_ids *ids, __u32 id)
{
	__u32 l = id / PW_IDS_LEAF;

	if (l >= ids->nr_leaves || !ids->leaves[l])
		return (const void *)0;
	return ids->leaves[l][id % PW_IDS_LEAF];
}

/* One past the largest id @ids can hold. */
static inline __u32 pw_ids_limit(const struct pw_ids *ids)
{
	return ids->nr_leaves * PW_IDS_LEAF;
}

/* Endpoint addresses -> endpoint ids, open addressing over @cap slots. */
struct pw_ep_slot {
	struct pw_addr addr;
	__u32 ep;
};

struct pw_ep_index {
	__u32 seed;
	__u32 cap;
	struct pw_ep_slot *slots;
};

/* One generation of the policy set as the matcher sees it. */
struct pw_table {
	const struct pw_ep_index *index;	/* NULL: no endpoints */
	const struct pw_set *node;	/* the node's addresses, or NULL */
	struct pw_ids sets;
	struct pw_ids rules;
	struct pw_ids eps;
};

static inline const struct pw_set *pw_table_set(const struct pw_table *t,
						__u32 id)
{
	return (const struct pw_set *)pw_ids_get(&t->sets, id);
}

static inline const struct pw_rule *pw_table_rule(const struct pw_table *t,
						  __u32 id)
{
	return (const struct pw_rule *)pw_ids_get(&t->rules, id);
}

static inline const struct pw_ep *pw_table_ep_id(const struct pw_table *t,
						 __u32 id)
{
	return (const struct pw_ep *)pw_ids_get(&t->eps, id);
}

/* A new connection. Ports in host order; 0 for protocols without ports. */
struct pw_tuple {
	struct pw_addr src;
	struct pw_addr dst;
	__u8 proto;
	__u16 sport;
	__u16 dport;
};

struct pw_verdict {
	__u8 allow;		/* 1 allowed, 0 denied */
	__u8 reason;		/* PODWALL_REASON_* */
	__u8 egress;		/* PODWALL_STATUS_* of the source endpoint */
	__u8 ingress;		/* PODWALL_STATUS_* of the destination endpoint */
	const struct pw_ep *src_ep;	/* NULL if the source is no endpoint */
	const struct pw_ep *dst_ep;
	const struct pw_rule *egress_rule;	/* the rule that admitted, or NULL */
	const struct pw_rule *ingress_rule;
};

/* Builders. All return 0 or a negative errno; *out is set on success. */
int pw_set_build(const struct pw_alloc *al, __u32 id, __u32 seed,
		 const struct pw_addr *prefixes, __u32 n, struct pw_set **out);
/* Frees the set and all its shards (for sets that share none). */
void pw_set_free(const struct pw_alloc *al, struct pw_set *set);

/*
 * Shards, for owners that edit sets by copying shards (the module).
 * pw_set_shard() is the shard a (masked) prefix belongs in. A new shard
 * from pw_shard_copy() has room for @cap slots and holds @src's prefixes
 * (@src may be NULL); pw_shard_insert() and pw_shard_remove() change a
 * shard in place, so only on one nobody else can see yet. Insert returns
 * 1 if the prefix was there, -ENOSPC if the shard would be over half full.
 * pw_shard_cap() is a good capacity for @n prefixes.
 */
__u32 pw_set_shard(const struct pw_set *set, const struct pw_addr *key);
__u32 pw_shard_cap(__u32 n);
int pw_shard_copy(const struct pw_alloc *al, const struct pw_shard *src,
		  __u32 cap, __u32 seed, __u32 shift, struct pw_shard **out);
int pw_shard_insert(struct pw_shard *shard, __u32 seed, __u32 shift,
		    const struct pw_addr *key);
int pw_shard_remove(struct pw_shard *shard, __u32 seed, __u32 shift,
		    const struct pw_addr *key);
/* The shift pw_set_build() picks for @n prefixes. */
__u32 pw_set_shift_for(__u32 n);
/* Sets the prefix-length bit of @key in @set. */
void pw_set_note_plen(struct pw_set *set, const struct pw_addr *key);

int pw_rule_build(const struct pw_alloc *al, const struct pw_rule *spec,
		  const struct pw_port_range *ports, __u32 nr_ports,
		  struct pw_rule **out);
void pw_rule_free(const struct pw_alloc *al, struct pw_rule *rule);

/* spec->addrs, ->rules and ->policies are copied. */
int pw_ep_build(const struct pw_alloc *al, const struct pw_ep *spec,
		struct pw_ep **out);
void pw_ep_free(const struct pw_alloc *al, struct pw_ep *ep);

/*
 * Id radix for owners that do not share leaves (userspace, tests): store
 * @obj at @id, growing the root and allocating leaves as needed; free the
 * leaves and root (not the objects).
 */
int pw_ids_store(const struct pw_alloc *al, struct pw_ids *ids, __u32 id,
		 const void *obj);
void pw_ids_free(const struct pw_alloc *al, struct pw_ids *ids);

/*
 * The address index over the endpoints of @eps. Fails with -EEXIST if two
 * endpoints share an address; *bad_id then names the second endpoint.
 */
int pw_ep_index_build(const struct pw_alloc *al, const struct pw_ids *eps,
		      __u32 seed, struct pw_ep_index **out, __u32 *bad_id);
void pw_ep_index_free(const struct pw_alloc *al, struct pw_ep_index *index);

/* pw_ep_index_build() into table->index; pw_table_free_index() frees it. */
int pw_table_build_index(const struct pw_alloc *al, struct pw_table *table,
			 __u32 seed, __u32 *bad_id);
void pw_table_free_index(const struct pw_alloc *al, struct pw_table *table);

/* What the checks below found wrong. */
enum pw_check {
	PW_CHECK_OK,
	PW_CHECK_RULE_NO_SET,		/* rule refers to a missing set */
	PW_CHECK_EP_NO_RULE,		/* endpoint refers to a missing rule */
	PW_CHECK_EP_RULE_DIR,		/* endpoint lists a rule of the other direction */
};

/* The references of one rule or endpoint; *ref_id is the bad one. */
enum pw_check pw_rule_check(const struct pw_table *table,
			    const struct pw_rule *rule, __u32 *ref_id);
enum pw_check pw_ep_check(const struct pw_table *table, const struct pw_ep *ep,
			  __u32 *ref_id);

/*
 * Checks references between all objects. Returns PW_CHECK_OK or the
 * problem, with *bad_id the object that has it and *ref_id what it refers
 * to.
 */
enum pw_check pw_table_validate(const struct pw_table *table, __u32 *bad_id,
				__u32 *ref_id);

/* Lookups (no allocation, no locking; the table must not change). */
int pw_addr_valid(const struct pw_addr *addr);
void pw_addr_mask(struct pw_addr *addr);
int pw_set_contains(const struct pw_set *set, const struct pw_addr *addr);
const struct pw_ep *pw_table_ep(const struct pw_table *table,
				const struct pw_addr *addr);
int pw_rule_admits_port(const struct pw_rule *rule, __u8 proto, __u16 port);

/*
 * The verdict for a new connection. A NULL table means nothing is
 * committed: everything is allowed.
 */
void pw_match(const struct pw_table *table, const struct pw_tuple *tuple,
	      struct pw_verdict *verdict);

#endif /* _PODWALL_MATCH_H */
