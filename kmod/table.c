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

static __u32 slots_for(__u32 n)
{
	__u32 size = 4;

	/* Load factor at most 1/2 keeps probe runs short. */
	while (size < 2 * n)
		size <<= 1;
	return size;
}

static void copy_bytes(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
}

int pw_set_build(const struct pw_alloc *al, __u32 id, __u32 seed,
		 const struct pw_addr *prefixes, __u32 n, struct pw_set **out)
{
	struct pw_set *set;
	__u32 i;

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
	set->mask = slots_for(n) - 1;
	set->slots = al->zalloc((size_t)(set->mask + 1) * sizeof(*set->slots),
				al->ctx);
	if (!set->slots) {
		al->free(set, al->ctx);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct pw_addr key = prefixes[i];
		__u32 slot;

		pw_addr_mask(&key);
		slot = pw_slot_find(set->slots, sizeof(*set->slots), set->mask,
				    seed, &key);
		if (set->slots[slot].family)
			continue;	/* duplicate */
		set->slots[slot] = key;
		set->nr_prefixes++;
		if (key.family == PW_FAMILY_INET)
			set->plens4 |= 1ULL << key.plen;
		else
			set->plens6[key.plen / 64] |= 1ULL << (key.plen % 64);
	}
	*out = set;
	return 0;
}

void pw_set_free(const struct pw_alloc *al, struct pw_set *set)
{
	if (!set)
		return;
	al->free(set->slots, al->ctx);
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
	rule = al->zalloc(sizeof(*rule), al->ctx);
	if (!rule)
		return -ENOMEM;
	rule->id = spec->id;
	rule->policy = spec->policy;
	rule->index = spec->index;
	rule->set = spec->flags & PW_RULE_F_ANY_PEER ? 0 : spec->set;
	rule->dir = spec->dir;
	rule->flags = spec->flags;
	if (nr_ports) {
		rule->ports = al->zalloc(nr_ports * sizeof(*rule->ports), al->ctx);
		if (!rule->ports) {
			al->free(rule, al->ctx);
			return -ENOMEM;
		}
	}
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
	if (!rule)
		return;
	al->free(rule->ports, al->ctx);
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

int pw_table_build_index(const struct pw_alloc *al, struct pw_table *table,
			 __u32 *bad_id)
{
	struct pw_ep_slot *slots;
	__u32 i, j, count = 0, mask;

	for (i = 0; i < table->nr_eps; i++)
		if (table->eps[i])
			count += table->eps[i]->nr_addrs;
	mask = slots_for(count) - 1;
	slots = al->zalloc((size_t)(mask + 1) * sizeof(*slots), al->ctx);
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < table->nr_eps; i++) {
		const struct pw_ep *ep = table->eps[i];

		for (j = 0; ep && j < ep->nr_addrs; j++) {
			__u32 s = pw_slot_find(&slots[0].addr, sizeof(*slots),
					       mask, table->seed, &ep->addrs[j]);

			if (slots[s].addr.family) {
				al->free(slots, al->ctx);
				*bad_id = ep->id;
				return -EEXIST;
			}
			slots[s].addr = ep->addrs[j];
			slots[s].ep = ep;
		}
	}
	table->ep_slots = slots;
	table->ep_mask = mask;
	return 0;
}

void pw_table_free_index(const struct pw_alloc *al, struct pw_table *table)
{
	al->free(table->ep_slots, al->ctx);
	table->ep_slots = NULL;
	table->ep_mask = 0;
}

enum pw_check pw_table_validate(const struct pw_table *table, __u32 *bad_id,
				__u32 *ref_id)
{
	unsigned int d;
	__u32 i, j;

	for (i = 0; i < table->nr_rules; i++) {
		const struct pw_rule *r = table->rules[i];

		if (!r || (r->flags & PW_RULE_F_ANY_PEER))
			continue;
		if (r->set >= table->nr_sets || !table->sets[r->set]) {
			*bad_id = r->id;
			*ref_id = r->set;
			return PW_CHECK_RULE_NO_SET;
		}
	}
	for (i = 0; i < table->nr_eps; i++) {
		const struct pw_ep *ep = table->eps[i];

		for (d = 0; ep && d < __PODWALL_DIR_MAX; d++) {
			for (j = 0; j < ep->nr_rules[d]; j++) {
				__u32 id = ep->rules[d][j];
				const struct pw_rule *r = id < table->nr_rules ?
							  table->rules[id] : NULL;

				*bad_id = ep->id;
				*ref_id = id;
				if (!r)
					return PW_CHECK_EP_NO_RULE;
				if (r->dir != d)
					return PW_CHECK_EP_RULE_DIR;
			}
		}
	}
	return PW_CHECK_OK;
}
