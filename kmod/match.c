// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Verdicts for new connections over an immutable pw_table. Shared by the
 * module and userspace; see match.h. Cost per connection: one hash probe
 * per address to find the endpoints, then per rule of the endpoint one
 * binary search over its port ranges and, if the port fits, one probe per
 * distinct prefix length of its peer set.
 */
#include "match.h"
#include "hash.h"

int pw_addr_valid(const struct pw_addr *addr)
{
	if (addr->family == PW_FAMILY_INET)
		return addr->plen <= 32;
	if (addr->family == PW_FAMILY_INET6)
		return addr->plen <= 128;
	return 0;
}

/* Clears the host bits of a prefix (and the unused bytes of IPv4). */
void pw_addr_mask(struct pw_addr *addr)
{
	unsigned int len = addr->family == PW_FAMILY_INET ? 4 : 16;
	unsigned int i;

	for (i = 0; i < 16; i++) {
		unsigned int bit = i * 8;

		if (i >= len || bit >= addr->plen)
			addr->a[i] = 0;
		else if (addr->plen - bit < 8)
			addr->a[i] &= (__u8)(0xff << (8 - (addr->plen - bit)));
	}
}

static int addr_eq(const struct pw_addr *x, const struct pw_addr *y)
{
	unsigned int i;

	if (x->family != y->family || x->plen != y->plen)
		return 0;
	for (i = 0; i < 16; i++)
		if (x->a[i] != y->a[i])
			return 0;
	return 1;
}

/* Slot of @key in open-addressed @slots, or of the empty slot ending its run. */
__u32 pw_slot_find(const struct pw_addr *slots, size_t stride, __u32 cap,
		   __u32 start, const struct pw_addr *key)
{
	__u32 i = start;

	for (;;) {
		const struct pw_addr *s = (const void *)((const char *)slots + i * stride);

		if (!s->family || addr_eq(s, key))
			return i;
		i = i + 1 == cap ? 0 : i + 1;
	}
}

static int set_has(const struct pw_set *set, const struct pw_addr *key)
{
	__u32 h = pw_hash_addr(key, set->seed);
	const struct pw_shard *shard = set->shards[pw_shard_of(h, set->shift)];
	__u32 i;

	if (!shard)
		return 0;
	i = pw_slot_find(shard->slots, sizeof(shard->slots[0]), shard->cap,
			 pw_slot_start(h << set->shift, shard->cap), key);
	return shard->slots[i].family != 0;
}

/*
 * Shortens @key, masked to a longer length before, to @plen: only the
 * bytes from @plen on need clearing.
 */
static void mask_down(struct pw_addr *key, unsigned int plen)
{
	unsigned int i = plen / 8, len = key->family == PW_FAMILY_INET ? 4 : 16;

	key->plen = (__u8)plen;
	if (plen % 8)
		key->a[i++] &= (__u8)(0xff << (8 - plen % 8));
	for (; i < len; i++)
		key->a[i] = 0;
}

int pw_set_contains(const struct pw_set *set, const struct pw_addr *addr)
{
	struct pw_addr key = *addr;
	unsigned int word, bits = addr->family == PW_FAMILY_INET ? 1 : 3;

	if (!set->nr_prefixes)
		return 0;
	key.plen = addr->family == PW_FAMILY_INET ? 32 : 128;
	pw_addr_mask(&key);
	/* Longest lengths first: pod IPs (full length) are the common case. */
	for (word = bits; word-- > 0;) {
		__u64 present = addr->family == PW_FAMILY_INET ?
				set->plens4 : set->plens6[word];

		while (present) {
			unsigned int top = 63;

			while (!(present & (1ULL << top)))
				top--;
			present &= ~(1ULL << top);
			mask_down(&key, word * 64 + top);
			if (set_has(set, &key))
				return 1;
		}
	}
	return 0;
}

/* @key: a full-length, masked address. */
static const struct pw_ep *table_ep(const struct pw_table *table,
				    const struct pw_addr *key)
{
	const struct pw_ep_index *index = table->index;
	__u32 i;

	if (!index)
		return NULL;
	i = pw_slot_find(&index->slots[0].addr, sizeof(*index->slots),
			 index->cap,
			 pw_slot_start(pw_hash_addr(key, index->seed), index->cap),
			 key);
	if (!index->slots[i].addr.family)
		return NULL;
	return pw_table_ep_id(table, index->slots[i].ep);
}

const struct pw_ep *pw_table_ep(const struct pw_table *table,
				const struct pw_addr *addr)
{
	struct pw_addr key = *addr;

	key.plen = addr->family == PW_FAMILY_INET ? 32 : 128;
	pw_addr_mask(&key);
	return table_ep(table, &key);
}

int pw_rule_admits_port(const struct pw_rule *rule, __u8 proto, __u16 port)
{
	__u32 lo = 0, hi = rule->nr_ports;

	if (rule->flags & PW_RULE_F_ANY_PORT)
		return 1;
	/* Ranges are sorted by (proto, first) and disjoint. */
	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;
		const struct pw_port_range *r = &rule->ports[mid];

		if (r->proto < proto || (r->proto == proto && r->last < port))
			lo = mid + 1;
		else if (r->proto > proto || r->first > port)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

/* One direction of @ep: returns the status and the admitting rule. */
static __u8 judge(const struct pw_table *table, const struct pw_ep *ep,
		  unsigned int dir, const struct pw_addr *peer,
		  const struct pw_tuple *t, const struct pw_rule **admitted)
{
	__u32 flag = dir == PODWALL_DIR_INGRESS ? PODWALL_EP_F_ISOLATED_INGRESS :
						  PODWALL_EP_F_ISOLATED_EGRESS;
	__u32 i;

	*admitted = NULL;
	if (!ep)
		return PODWALL_STATUS_NONE;
	if (!(ep->flags & flag))
		return PODWALL_STATUS_NOT_ISOLATED;
	for (i = 0; i < ep->nr_rules[dir]; i++) {
		const struct pw_rule *r = pw_table_rule(table, ep->rules[dir][i]);

		if (!r || !pw_rule_admits_port(r, t->proto, t->dport))
			continue;
		if (!(r->flags & PW_RULE_F_ANY_PEER)) {
			const struct pw_set *s = pw_table_set(table, r->set);

			if (!s || !pw_set_contains(s, peer))
				continue;
		}
		*admitted = r;
		return PODWALL_STATUS_ALLOWED;
	}
	return PODWALL_STATUS_DENIED;
}

void pw_match(const struct pw_table *table, const struct pw_tuple *t,
	      struct pw_verdict *v)
{
	struct pw_addr src = t->src, dst = t->dst;

	v->allow = 1;
	v->egress = PODWALL_STATUS_NONE;
	v->ingress = PODWALL_STATUS_NONE;
	v->src_ep = NULL;
	v->dst_ep = NULL;
	v->egress_rule = NULL;
	v->ingress_rule = NULL;
	if (!table) {
		v->reason = PODWALL_REASON_NO_POLICY;
		return;
	}
	src.plen = src.family == PW_FAMILY_INET ? 32 : 128;
	dst.plen = dst.family == PW_FAMILY_INET ? 32 : 128;
	pw_addr_mask(&src);
	pw_addr_mask(&dst);
	if (table->node && pw_set_contains(table->node, &src)) {
		v->reason = PODWALL_REASON_NODE;
		return;
	}
	if (addr_eq(&src, &dst)) {
		v->reason = PODWALL_REASON_SELF;
		return;
	}
	v->src_ep = table_ep(table, &src);
	v->dst_ep = table_ep(table, &dst);
	if (!v->src_ep && !v->dst_ep) {
		v->reason = PODWALL_REASON_NOT_ENDPOINT;
		return;
	}
	v->egress = judge(table, v->src_ep, PODWALL_DIR_EGRESS, &dst, t,
			  &v->egress_rule);
	v->ingress = judge(table, v->dst_ep, PODWALL_DIR_INGRESS, &src, t,
			   &v->ingress_rule);
	if (v->egress == PODWALL_STATUS_DENIED &&
	    v->ingress == PODWALL_STATUS_DENIED)
		v->reason = PODWALL_REASON_DENIED_BOTH;
	else if (v->egress == PODWALL_STATUS_DENIED)
		v->reason = PODWALL_REASON_DENIED_EGRESS;
	else if (v->ingress == PODWALL_STATUS_DENIED)
		v->reason = PODWALL_REASON_DENIED_INGRESS;
	else
		v->reason = PODWALL_REASON_ALLOWED;
	v->allow = v->reason == PODWALL_REASON_ALLOWED;
}
