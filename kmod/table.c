// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Building the matcher's immutable objects from specifications: sets into
 * open-addressed prefix tables, rules with sorted disjoint port ranges,
 * endpoints, and a table's address index. Shared by the module and
 * userspace; see match.h.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif
#include "match.h"
#include "hash.h"

static void copy_bytes(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
}

/* Load factor below 1/2 keeps probe runs short, misses included. */
__u32 pw_shard_cap(__u32 n)
{
	return 2 * n + 4;
}

/* About 64 prefixes per shard: an edit copies ~64, a lookup pays nothing. */
__u32 pw_set_shift_for(__u32 n)
{
	__u32 shift = 0;

	while ((n >> shift) > 64 && shift < 16)
		shift++;
	return shift;
}

__u32 pw_set_shard(const struct pw_set *set, const struct pw_addr *key)
{
	return pw_shard_of(pw_hash_addr(key, set->seed), set->shift);
}

void pw_set_note_plen(struct pw_set *set, const struct pw_addr *key)
{
	if (key->family == PW_FAMILY_INET)
		set->plens4 |= 1ULL << key->plen;
	else
		set->plens6[key->plen / 64] |= 1ULL << (key->plen % 64);
}

static __u32 shard_find(const struct pw_shard *shard, __u32 seed,
			__u32 shift, const struct pw_addr *key)
{
	__u32 h = pw_hash_addr(key, seed);

	return pw_slot_find(shard->slots, sizeof(shard->slots[0]), shard->cap,
			    pw_slot_start(h << shift, shard->cap), key);
}

int pw_shard_insert(struct pw_shard *shard, __u32 seed, __u32 shift,
		    const struct pw_addr *key)
{
	__u32 i;

	if (2 * (shard->nr + 1) > shard->cap)
		return -ENOSPC;
	i = shard_find(shard, seed, shift, key);
	if (shard->slots[i].family)
		return 1;
	shard->slots[i] = *key;
	shard->nr++;
	return 0;
}

/* Is slot @i's probe start @home cyclically outside (@hole, @i]? */
static int may_fill(__u32 hole, __u32 i, __u32 home)
{
	if (hole <= i)
		return home <= hole || home > i;
	return home <= hole && home > i;
}

/* Backward-shift deletion: no tombstones, runs stay as short as built. */
int pw_shard_remove(struct pw_shard *shard, __u32 seed, __u32 shift,
		    const struct pw_addr *key)
{
	__u32 hole, i;

	hole = shard_find(shard, seed, shift, key);
	if (!shard->slots[hole].family)
		return -ENOENT;
	for (i = hole;;) {
		struct pw_addr *s;
		__u32 home;

		i = i + 1 == shard->cap ? 0 : i + 1;
		s = &shard->slots[i];
		if (!s->family)
			break;
		home = pw_slot_start(pw_hash_addr(s, seed) << shift, shard->cap);
		if (may_fill(hole, i, home)) {
			shard->slots[hole] = *s;
			hole = i;
		}
	}
	shard->slots[hole].family = 0;
	shard->nr--;
	return 0;
}

int pw_shard_copy(const struct pw_alloc *al, const struct pw_shard *src,
		  __u32 cap, __u32 seed, __u32 shift, struct pw_shard **out)
{
	struct pw_shard *shard;
	__u32 i;

	if (src && 2 * src->nr > cap)
		return -EINVAL;
	shard = al->zalloc(sizeof(*shard) + (size_t)cap * sizeof(shard->slots[0]),
			   al->ctx);
	if (!shard)
		return -ENOMEM;
	shard->cap = cap;
	for (i = 0; src && i < src->cap; i++)
		if (src->slots[i].family)
			pw_shard_insert(shard, seed, shift, &src->slots[i]);
	*out = shard;
	return 0;
}

int pw_set_build(const struct pw_alloc *al, __u32 id, __u32 seed,
		 const struct pw_addr *prefixes, __u32 n, struct pw_set **out)
{
	__u32 i, nr_shards, *count = NULL;
	struct pw_set *set;
	int err = -ENOMEM;

	if (n > PODWALL_MAX_PREFIXES)
		return -E2BIG;
	for (i = 0; i < n; i++)
		if (!pw_addr_valid(&prefixes[i]))
			return -EINVAL;
	set = al->zalloc(sizeof(*set), al->ctx);
	if (!set)
		return -ENOMEM;
	set->id = id;
	set->seed = seed;
	set->shift = pw_set_shift_for(n);
	nr_shards = 1U << set->shift;
	set->shards = al->zalloc(nr_shards * sizeof(*set->shards), al->ctx);
	count = al->zalloc(nr_shards * sizeof(*count), al->ctx);
	if (!set->shards || !count)
		goto fail;
	/* Size each shard for what it will hold (duplicates included). */
	for (i = 0; i < n; i++) {
		struct pw_addr key = prefixes[i];

		pw_addr_mask(&key);
		count[pw_set_shard(set, &key)]++;
	}
	for (i = 0; i < nr_shards; i++) {
		if (!count[i])
			continue;
		err = pw_shard_copy(al, NULL, pw_shard_cap(count[i]), seed,
				    set->shift, &set->shards[i]);
		if (err)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		struct pw_addr key = prefixes[i];

		pw_addr_mask(&key);
		if (pw_shard_insert(set->shards[pw_set_shard(set, &key)], seed,
				    set->shift, &key))
			continue;	/* duplicate */
		set->nr_prefixes++;
		pw_set_note_plen(set, &key);
	}
	al->free(count, al->ctx);
	*out = set;
	return 0;
fail:
	al->free(count, al->ctx);
	pw_set_free(al, set);
	return err;
}

void pw_set_free(const struct pw_alloc *al, struct pw_set *set)
{
	__u32 i;

	if (!set)
		return;
	for (i = 0; set->shards && i < 1U << set->shift; i++)
		al->free(set->shards[i], al->ctx);
	al->free(set->shards, al->ctx);
	al->free(set, al->ctx);
}

static int port_before(const struct pw_port_range *x,
		       const struct pw_port_range *y)
{
	return x->proto < y->proto ||
	       (x->proto == y->proto && x->first < y->first);
}

int pw_rule_build(const struct pw_alloc *al, const struct pw_rule *spec,
		  const struct pw_port_range *ports, __u32 nr_ports,
		  struct pw_rule **out)
{
	struct pw_rule *rule;
	__u32 i, n = 0;

	if (spec->dir >= __PODWALL_DIR_MAX ||
	    (spec->flags & ~(PW_RULE_F_ANY_PEER | PW_RULE_F_ANY_PORT)))
		return -EINVAL;
	if (nr_ports > PODWALL_MAX_PORTS_PER_RULE)
		return -E2BIG;
	if ((spec->flags & PW_RULE_F_ANY_PORT) && nr_ports)
		return -EINVAL;
	for (i = 0; i < nr_ports; i++) {
		const struct pw_port_range *p = &ports[i];

		if (p->proto != PW_PROTO_TCP && p->proto != PW_PROTO_UDP &&
		    p->proto != PW_PROTO_SCTP)
			return -EINVAL;
		if (p->first > p->last)
			return -ERANGE;
	}
	/* One allocation: the port ranges follow the rule. */
	rule = al->zalloc(sizeof(*rule) + nr_ports * sizeof(*rule->ports),
			  al->ctx);
	if (!rule)
		return -ENOMEM;
	rule->id = spec->id;
	rule->policy = spec->policy;
	rule->index = spec->index;
	rule->set = spec->flags & PW_RULE_F_ANY_PEER ? 0 : spec->set;
	rule->dir = spec->dir;
	rule->flags = spec->flags;
	if (nr_ports)
		rule->ports = (struct pw_port_range *)(rule + 1);
	/* Insertion sort, then merge overlapping and adjacent ranges. */
	for (i = 0; i < nr_ports; i++) {
		struct pw_port_range p = ports[i];
		__u32 j = n;

		while (j > 0 && port_before(&p, &rule->ports[j - 1])) {
			rule->ports[j] = rule->ports[j - 1];
			j--;
		}
		rule->ports[j] = p;
		n++;
	}
	for (i = 0, n = 0; i < nr_ports; i++) {
		struct pw_port_range *last = n ? &rule->ports[n - 1] : NULL;
		const struct pw_port_range *p = &rule->ports[i];

		if (last && last->proto == p->proto &&
		    (__u32)p->first <= (__u32)last->last + 1) {
			if (p->last > last->last)
				last->last = p->last;
			continue;
		}
		rule->ports[n++] = *p;
	}
	rule->nr_ports = (__u16)n;
	*out = rule;
	return 0;
}

void pw_rule_free(const struct pw_alloc *al, struct pw_rule *rule)
{
	if (rule)
		al->free(rule, al->ctx);
}

static void *dup_array(const struct pw_alloc *al, const void *src, size_t n,
		       size_t size, int *err)
{
	void *dst;

	if (!n)
		return NULL;
	dst = al->zalloc(n * size, al->ctx);
	if (!dst) {
		*err = -ENOMEM;
		return NULL;
	}
	copy_bytes(dst, src, n * size);
	return dst;
}

int pw_ep_build(const struct pw_alloc *al, const struct pw_ep *spec,
		struct pw_ep **out)
{
	struct pw_ep *ep;
	unsigned int d;
	__u32 i;
	int err = 0;

	if (spec->flags & ~PODWALL_EP_F_ALL)
		return -EINVAL;
	if (spec->nr_addrs > PODWALL_MAX_ADDRS_PER_EP)
		return -E2BIG;
	for (i = 0; i < spec->nr_addrs; i++) {
		const struct pw_addr *a = &spec->addrs[i];

		if (!pw_addr_valid(a) ||
		    a->plen != (a->family == PW_FAMILY_INET ? 32 : 128))
			return -EINVAL;
	}
	for (d = 0; d < __PODWALL_DIR_MAX; d++)
		if (spec->nr_rules[d] > PODWALL_MAX_RULES ||
		    spec->nr_policies[d] > PODWALL_MAX_POLICIES)
			return -E2BIG;
	ep = al->zalloc(sizeof(*ep), al->ctx);
	if (!ep)
		return -ENOMEM;
	ep->id = spec->id;
	ep->flags = spec->flags;
	ep->nr_addrs = spec->nr_addrs;
	ep->addrs = dup_array(al, spec->addrs, spec->nr_addrs,
			      sizeof(*spec->addrs), &err);
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		ep->nr_rules[d] = spec->nr_rules[d];
		ep->rules[d] = dup_array(al, spec->rules[d], spec->nr_rules[d],
					 sizeof(__u32), &err);
		ep->nr_policies[d] = spec->nr_policies[d];
		ep->policies[d] = dup_array(al, spec->policies[d],
					    spec->nr_policies[d], sizeof(__u32),
					    &err);
	}
	if (err) {
		pw_ep_free(al, ep);
		return err;
	}
	*out = ep;
	return 0;
}

void pw_ep_free(const struct pw_alloc *al, struct pw_ep *ep)
{
	unsigned int d;

	if (!ep)
		return;
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		al->free(ep->rules[d], al->ctx);
		al->free(ep->policies[d], al->ctx);
	}
	al->free(ep->addrs, al->ctx);
	al->free(ep, al->ctx);
}

int pw_ids_store(const struct pw_alloc *al, struct pw_ids *ids, __u32 id,
		 const void *obj)
{
	__u32 l = id / PW_IDS_LEAF;

	if (l >= ids->nr_leaves) {
		__u32 n = ids->nr_leaves ? ids->nr_leaves : 1;
		const void ***v;

		while (n <= l)
			n *= 2;
		v = al->zalloc(n * sizeof(*v), al->ctx);
		if (!v)
			return -ENOMEM;
		if (ids->nr_leaves)
			copy_bytes(v, ids->leaves, ids->nr_leaves * sizeof(*v));
		al->free(ids->leaves, al->ctx);
		ids->leaves = v;
		ids->nr_leaves = n;
	}
	if (!ids->leaves[l]) {
		ids->leaves[l] = al->zalloc(PW_IDS_LEAF * sizeof(void *), al->ctx);
		if (!ids->leaves[l])
			return -ENOMEM;
	}
	ids->leaves[l][id % PW_IDS_LEAF] = obj;
	return 0;
}

void pw_ids_free(const struct pw_alloc *al, struct pw_ids *ids)
{
	__u32 l;

	for (l = 0; l < ids->nr_leaves; l++)
		al->free(ids->leaves[l], al->ctx);
	al->free(ids->leaves, al->ctx);
	ids->leaves = (const void ***)0;
	ids->nr_leaves = 0;
}

int pw_ep_index_build(const struct pw_alloc *al, const struct pw_ids *eps,
		      __u32 seed, struct pw_ep_index **out, __u32 *bad_id)
{
	struct pw_ep_index *index;
	__u32 id, j, count = 0;

	for (id = 0; id < pw_ids_limit(eps); id++) {
		const struct pw_ep *ep = pw_ids_get(eps, id);

		if (ep)
			count += ep->nr_addrs;
	}
	index = al->zalloc(sizeof(*index), al->ctx);
	if (!index)
		return -ENOMEM;
	index->seed = seed;
	index->cap = pw_shard_cap(count);
	index->slots = al->zalloc((size_t)index->cap * sizeof(*index->slots),
				  al->ctx);
	if (!index->slots) {
		al->free(index, al->ctx);
		return -ENOMEM;
	}
	for (id = 0; id < pw_ids_limit(eps); id++) {
		const struct pw_ep *ep = pw_ids_get(eps, id);

		for (j = 0; ep && j < ep->nr_addrs; j++) {
			const struct pw_addr *a = &ep->addrs[j];
			__u32 s = pw_slot_find(&index->slots[0].addr,
					       sizeof(*index->slots), index->cap,
					       pw_slot_start(pw_hash_addr(a, seed),
							     index->cap), a);

			if (index->slots[s].addr.family) {
				pw_ep_index_free(al, index);
				*bad_id = ep->id;
				return -EEXIST;
			}
			index->slots[s].addr = *a;
			index->slots[s].ep = ep->id;
		}
	}
	*out = index;
	return 0;
}

void pw_ep_index_free(const struct pw_alloc *al, struct pw_ep_index *index)
{
	if (!index)
		return;
	al->free(index->slots, al->ctx);
	al->free(index, al->ctx);
}

int pw_table_build_index(const struct pw_alloc *al, struct pw_table *table,
			 __u32 seed, __u32 *bad_id)
{
	struct pw_ep_index *index;
	int err;

	err = pw_ep_index_build(al, &table->eps, seed, &index, bad_id);
	if (!err)
		table->index = index;
	return err;
}

void pw_table_free_index(const struct pw_alloc *al, struct pw_table *table)
{
	pw_ep_index_free(al, (struct pw_ep_index *)table->index);
	table->index = (const struct pw_ep_index *)0;
}

enum pw_check pw_rule_check(const struct pw_table *table,
			    const struct pw_rule *rule, __u32 *ref_id)
{
	if (rule->flags & PW_RULE_F_ANY_PEER)
		return PW_CHECK_OK;
	*ref_id = rule->set;
	return pw_table_set(table, rule->set) ? PW_CHECK_OK : PW_CHECK_RULE_NO_SET;
}

enum pw_check pw_ep_check(const struct pw_table *table, const struct pw_ep *ep,
			  __u32 *ref_id)
{
	unsigned int d;
	__u32 j;

	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		for (j = 0; j < ep->nr_rules[d]; j++) {
			const struct pw_rule *r = pw_table_rule(table, ep->rules[d][j]);

			*ref_id = ep->rules[d][j];
			if (!r)
				return PW_CHECK_EP_NO_RULE;
			if (r->dir != d)
				return PW_CHECK_EP_RULE_DIR;
		}
	}
	return PW_CHECK_OK;
}

enum pw_check pw_table_validate(const struct pw_table *table, __u32 *bad_id,
				__u32 *ref_id)
{
	enum pw_check c;
	__u32 i;

	for (i = 0; i < pw_ids_limit(&table->rules); i++) {
		const struct pw_rule *r = pw_table_rule(table, i);

		if (!r)
			continue;
		c = pw_rule_check(table, r, ref_id);
		if (c != PW_CHECK_OK) {
			*bad_id = r->id;
			return c;
		}
	}
	for (i = 0; i < pw_ids_limit(&table->eps); i++) {
		const struct pw_ep *ep = pw_table_ep_id(table, i);

		if (!ep)
			continue;
		c = pw_ep_check(table, ep, ref_id);
		if (c != PW_CHECK_OK) {
			*bad_id = ep->id;
			return c;
		}
	}
	return PW_CHECK_OK;
}
