/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A deliberately naive reference matcher and a random policy-set generator
 * for differential tests of pw_match(): the KUnit suite (match_test.c) and
 * the userspace unit test (tests/unit/test_match.c) both include this.
 * The reference shares nothing with match.c/table.c: it keeps the
 * specifications as plain arrays and decides by linear scans and
 * bit-by-bit prefix comparison. Plain C, no kernel or libc calls; memory
 * comes from the caller's struct pw_alloc. Not thread-safe.
 */
#ifndef _PODWALL_MATCH_REF_H
#define _PODWALL_MATCH_REF_H

#include "match.h"

#define PWREF_SETS		24
#define PWREF_PREFIXES		24
#define PWREF_RULES		48
#define PWREF_PORTS		6
#define PWREF_EPS		24
#define PWREF_ADDRS		3
#define PWREF_EP_RULES		6
#define PWREF_POOL		64

struct pwref_rng {
	__u64 s;
};

/* splitmix64: deterministic for a seed, good enough for test data. */
static inline __u64 pwref_next(struct pwref_rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline __u32 pwref_below(struct pwref_rng *r, __u32 n)
{
	return n ? (__u32)(pwref_next(r) >> 32) % n : 0;
}

struct pwref_prefixes {
	__u32 n;
	struct pw_addr p[PWREF_PREFIXES];
};

struct pwref_ep {
	__u32 flags;
	__u32 nr_addrs;
	struct pw_addr addrs[PWREF_ADDRS];
	__u32 nr_rules[__PODWALL_DIR_MAX];
	__u32 rules[__PODWALL_DIR_MAX][PWREF_EP_RULES];
};

/* Objects have ids 1..nr_*; index 0 is unused. */
struct pwref_model {
	__u32 nr_sets, nr_rules, nr_eps, nr_pool;
	int has_node;
	struct pwref_prefixes node;
	struct pwref_prefixes sets[PWREF_SETS + 1];
	struct pw_rule rules[PWREF_RULES + 1];		/* specifications */
	__u32 nr_ports[PWREF_RULES + 1];
	struct pw_port_range ports[PWREF_RULES + 1][PWREF_PORTS];
	struct pwref_ep eps[PWREF_EPS + 1];
	struct pw_addr pool[PWREF_POOL];		/* addresses to draw from */
};

struct pwref_verdict {
	__u8 allow, reason, egress, ingress;
	__u32 src_ep, dst_ep;			/* ids, 0 = none */
	__u32 egress_rule, ingress_rule;	/* ids, 0 = none */
};

/* ---- the reference -------------------------------------------------- */

static inline unsigned int pwref_bits(__u8 family)
{
	return family == PW_FAMILY_INET ? 32 : 128;
}

static inline int pwref_bit(const struct pw_addr *a, unsigned int i)
{
	return (a->a[i / 8] >> (7 - i % 8)) & 1;
}

/* Does prefix @p contain address @a? Bit by bit, family first. */
static inline int pwref_prefix_has(const struct pw_addr *p,
				   const struct pw_addr *a)
{
	unsigned int i;

	if (p->family != a->family)
		return 0;
	for (i = 0; i < p->plen; i++)
		if (pwref_bit(p, i) != pwref_bit(a, i))
			return 0;
	return 1;
}

static inline int pwref_addr_eq(const struct pw_addr *x,
				const struct pw_addr *y)
{
	unsigned int i;

	if (x->family != y->family)
		return 0;
	for (i = 0; i < pwref_bits(x->family); i++)
		if (pwref_bit(x, i) != pwref_bit(y, i))
			return 0;
	return 1;
}

static inline int pwref_in(const struct pwref_prefixes *s,
			   const struct pw_addr *a)
{
	__u32 i;

	for (i = 0; i < s->n; i++)
		if (pwref_prefix_has(&s->p[i], a))
			return 1;
	return 0;
}

static inline __u32 pwref_find_ep(const struct pwref_model *m,
				  const struct pw_addr *a)
{
	__u32 i, j;

	for (i = 1; i <= m->nr_eps; i++)
		for (j = 0; j < m->eps[i].nr_addrs; j++)
			if (pwref_addr_eq(&m->eps[i].addrs[j], a))
				return i;
	return 0;
}

static inline int pwref_port_ok(const struct pwref_model *m, __u32 rule,
				const struct pw_tuple *t)
{
	__u32 i;

	if (m->rules[rule].flags & PW_RULE_F_ANY_PORT)
		return 1;
	for (i = 0; i < m->nr_ports[rule]; i++) {
		const struct pw_port_range *p = &m->ports[rule][i];

		if (p->proto == t->proto && p->first <= t->dport &&
		    t->dport <= p->last)
			return 1;
	}
	return 0;
}

static inline __u8 pwref_judge(const struct pwref_model *m, __u32 ep,
			       unsigned int dir, const struct pw_addr *peer,
			       const struct pw_tuple *t, __u32 *rule)
{
	__u32 flag = dir == PODWALL_DIR_INGRESS ? PODWALL_EP_F_ISOLATED_INGRESS :
						  PODWALL_EP_F_ISOLATED_EGRESS;
	const struct pwref_ep *e = &m->eps[ep];
	__u32 i;

	*rule = 0;
	if (!ep)
		return PODWALL_STATUS_NONE;
	if (!(e->flags & flag))
		return PODWALL_STATUS_NOT_ISOLATED;
	for (i = 0; i < e->nr_rules[dir]; i++) {
		__u32 r = e->rules[dir][i];

		if (!pwref_port_ok(m, r, t))
			continue;
		if (!(m->rules[r].flags & PW_RULE_F_ANY_PEER) &&
		    !pwref_in(&m->sets[m->rules[r].set], peer))
			continue;
		*rule = r;
		return PODWALL_STATUS_ALLOWED;
	}
	return PODWALL_STATUS_DENIED;
}

static inline void pwref_match(const struct pwref_model *m,
			       const struct pw_tuple *t,
			       struct pwref_verdict *v)
{
	v->allow = 1;
	v->egress = PODWALL_STATUS_NONE;
	v->ingress = PODWALL_STATUS_NONE;
	v->src_ep = 0;
	v->dst_ep = 0;
	v->egress_rule = 0;
	v->ingress_rule = 0;
	if (m->has_node && pwref_in(&m->node, &t->src)) {
		v->reason = PODWALL_REASON_NODE;
		return;
	}
	if (pwref_addr_eq(&t->src, &t->dst)) {
		v->reason = PODWALL_REASON_SELF;
		return;
	}
	v->src_ep = pwref_find_ep(m, &t->src);
	v->dst_ep = pwref_find_ep(m, &t->dst);
	if (!v->src_ep && !v->dst_ep) {
		v->reason = PODWALL_REASON_NOT_ENDPOINT;
		return;
	}
	v->egress = pwref_judge(m, v->src_ep, PODWALL_DIR_EGRESS, &t->dst, t,
				&v->egress_rule);
	v->ingress = pwref_judge(m, v->dst_ep, PODWALL_DIR_INGRESS, &t->src, t,
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

/* 1 if pw_match()'s verdict @v says the same as the reference @ref. */
static inline int pwref_same(const struct pw_verdict *v,
			     const struct pwref_verdict *ref)
{
	return v->allow == ref->allow && v->reason == ref->reason &&
	       v->egress == ref->egress && v->ingress == ref->ingress &&
	       (v->src_ep ? v->src_ep->id : 0) == ref->src_ep &&
	       (v->dst_ep ? v->dst_ep->id : 0) == ref->dst_ep &&
	       (v->egress_rule ? v->egress_rule->id : 0) == ref->egress_rule &&
	       (v->ingress_rule ? v->ingress_rule->id : 0) == ref->ingress_rule;
}

/* ---- random policy sets and tuples ----------------------------------- */

static inline void pwref_zero(void *p, unsigned long n)
{
	unsigned char *c = p;

	while (n--)
		*c++ = 0;
}

/* Addresses close together, so prefixes of every length overlap them. */
static inline void pwref_random_addr(struct pwref_rng *r, struct pw_addr *a)
{
	pwref_zero(a, sizeof(*a));
	if (pwref_below(r, 2)) {
		a->family = PW_FAMILY_INET;
		a->plen = 32;
		a->a[0] = 10;
		a->a[1] = (__u8)pwref_below(r, 2);
		a->a[2] = (__u8)pwref_below(r, 4);
		a->a[3] = (__u8)pwref_below(r, 16);
	} else {
		a->family = PW_FAMILY_INET6;
		a->plen = 128;
		a->a[0] = 0xfd;
		a->a[7] = (__u8)pwref_below(r, 2);
		a->a[13] = (__u8)pwref_below(r, 4);
		a->a[15] = (__u8)pwref_below(r, 16);
	}
}

/* A prefix of random length over a pool address, with host bits set. */
static inline void pwref_random_prefix(struct pwref_rng *r,
				       const struct pwref_model *m,
				       struct pw_addr *p)
{
	static const __u8 lens4[] = { 32, 32, 32, 31, 30, 28, 24, 20, 16, 8, 1, 0 };
	static const __u8 lens6[] = { 128, 128, 128, 127, 126, 124, 120, 112, 64, 57, 1, 0 };
	unsigned int bits, i;

	*p = m->pool[pwref_below(r, m->nr_pool)];
	if (pwref_below(r, 4) == 0)
		p->plen = (__u8)pwref_below(r, pwref_bits(p->family) + 1);
	else if (p->family == PW_FAMILY_INET)
		p->plen = lens4[pwref_below(r, sizeof(lens4))];
	else
		p->plen = lens6[pwref_below(r, sizeof(lens6))];
	bits = pwref_bits(p->family);
	for (i = p->plen; i < bits; i++)
		if (pwref_below(r, 3) == 0)
			p->a[i / 8] ^= (__u8)(1 << (7 - i % 8));
}

static inline void pwref_random_ports(struct pwref_rng *r,
				      struct pwref_model *m, __u32 rule)
{
	static const __u8 protos[] = { PW_PROTO_TCP, PW_PROTO_UDP, PW_PROTO_SCTP };
	__u32 i, n = 1 + pwref_below(r, PWREF_PORTS);

	for (i = 0; i < n; i++) {
		struct pw_port_range *p = &m->ports[rule][i];
		__u32 first, last;

		p->proto = protos[pwref_below(r, 3)];
		switch (pwref_below(r, 6)) {
		case 0:
			first = 0;
			break;
		case 1:
			first = 65535 - pwref_below(r, 4);
			break;
		default:
			first = pwref_below(r, 100);
		}
		last = first + (pwref_below(r, 2) ? 0 : pwref_below(r, 12));
		if (pwref_below(r, 10) == 0)
			last = 65535;
		p->first = (__u16)first;
		p->last = (__u16)(last > 65535 ? 65535 : last);
	}
	m->nr_ports[rule] = n;
}

static inline void pwref_random_model(struct pwref_rng *r,
				      struct pwref_model *m)
{
	__u32 i, j, d;

	pwref_zero(m, sizeof(*m));
	m->nr_pool = PWREF_POOL;
	for (i = 0; i < m->nr_pool; i++)
		pwref_random_addr(r, &m->pool[i]);

	m->nr_sets = 1 + pwref_below(r, PWREF_SETS);
	for (i = 1; i <= m->nr_sets; i++) {
		m->sets[i].n = pwref_below(r, PWREF_PREFIXES + 1);
		for (j = 0; j < m->sets[i].n; j++)
			pwref_random_prefix(r, m, &m->sets[i].p[j]);
	}
	m->has_node = pwref_below(r, 2);
	m->node.n = pwref_below(r, 3);
	for (j = 0; j < m->node.n; j++)
		pwref_random_prefix(r, m, &m->node.p[j]);

	m->nr_rules = 1 + pwref_below(r, PWREF_RULES);
	for (i = 1; i <= m->nr_rules; i++) {
		struct pw_rule *s = &m->rules[i];

		s->id = i;
		s->policy = 1;
		s->index = i;
		s->dir = (__u8)pwref_below(r, __PODWALL_DIR_MAX);
		if (pwref_below(r, 5) == 0)
			s->flags |= PW_RULE_F_ANY_PEER;
		else
			s->set = 1 + pwref_below(r, m->nr_sets);
		if (pwref_below(r, 5) == 0)
			s->flags |= PW_RULE_F_ANY_PORT;
		else
			pwref_random_ports(r, m, i);
	}

	m->nr_eps = 1 + pwref_below(r, PWREF_EPS);
	for (i = 1; i <= m->nr_eps; i++) {
		struct pwref_ep *e = &m->eps[i];
		__u32 n = 1 + pwref_below(r, PWREF_ADDRS);

		e->flags = pwref_below(r, 4);
		for (j = 0; j < n; j++) {
			const struct pw_addr *a = &m->pool[pwref_below(r, m->nr_pool)];

			/* An address belongs to at most one endpoint. */
			if (!pwref_find_ep(m, a))
				e->addrs[e->nr_addrs++] = *a;
		}
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			n = pwref_below(r, PWREF_EP_RULES + 1);
			for (j = 0; j < n; j++) {
				__u32 rule = 1 + pwref_below(r, m->nr_rules);

				if (m->rules[rule].dir == d)
					e->rules[d][e->nr_rules[d]++] = rule;
			}
		}
	}
}

static inline void pwref_random_tuple(struct pwref_rng *r,
				      const struct pwref_model *m,
				      struct pw_tuple *t)
{
	__u32 tries = 0;

	pwref_zero(t, sizeof(*t));
	t->src = m->pool[pwref_below(r, m->nr_pool)];
	do {
		t->dst = m->pool[pwref_below(r, m->nr_pool)];
	} while (t->dst.family != t->src.family && ++tries < 64);
	if (t->dst.family != t->src.family || pwref_below(r, 20) == 0)
		t->dst = t->src;
	switch (pwref_below(r, 8)) {
	case 0:
		t->proto = t->src.family == PW_FAMILY_INET ? PW_PROTO_ICMP :
							      PW_PROTO_ICMPV6;
		return;
	case 1:
		t->proto = PW_PROTO_SCTP;
		break;
	case 2:
	case 3:
		t->proto = PW_PROTO_UDP;
		break;
	default:
		t->proto = PW_PROTO_TCP;
	}
	t->sport = (__u16)(1024 + pwref_below(r, 60000));
	if (pwref_below(r, 2)) {
		/* A boundary of some rule's range: first, last, or one off. */
		__u32 rule = 1 + pwref_below(r, m->nr_rules);
		const struct pw_port_range *p;

		if (!m->nr_ports[rule]) {
			t->dport = (__u16)pwref_below(r, 100);
			return;
		}
		p = &m->ports[rule][pwref_below(r, m->nr_ports[rule])];
		switch (pwref_below(r, 4)) {
		case 0:
			t->dport = (__u16)(p->first - 1);
			break;
		case 1:
			t->dport = p->first;
			break;
		case 2:
			t->dport = p->last;
			break;
		default:
			t->dport = (__u16)(p->last + 1);
		}
	} else {
		t->dport = (__u16)pwref_below(r, 120);
	}
}

/* ---- building the real table from a model ---------------------------- */

static inline void pwref_table_free(const struct pw_alloc *al,
				    struct pw_table *t)
{
	__u32 i;

	pw_table_free_index(al, t);
	for (i = 0; i < pw_ids_limit(&t->sets); i++)
		pw_set_free(al, (struct pw_set *)pw_table_set(t, i));
	for (i = 0; i < pw_ids_limit(&t->rules); i++)
		pw_rule_free(al, (struct pw_rule *)pw_table_rule(t, i));
	for (i = 0; i < pw_ids_limit(&t->eps); i++)
		pw_ep_free(al, (struct pw_ep *)pw_table_ep_id(t, i));
	pw_set_free(al, (struct pw_set *)t->node);
	pw_ids_free(al, &t->sets);
	pw_ids_free(al, &t->rules);
	pw_ids_free(al, &t->eps);
	pwref_zero(t, sizeof(*t));
}

/* Returns 0 or a negative errno (then @t is freed). */
static inline int pwref_table_build(const struct pw_alloc *al,
				    const struct pwref_model *m, __u32 seed,
				    struct pw_table *t)
{
	__u32 i, d, bad = 0, ref = 0;
	int err;

	pwref_zero(t, sizeof(*t));
	for (i = 1; i <= m->nr_sets; i++) {
		struct pw_set *s;

		err = pw_set_build(al, i, seed + i, m->sets[i].p, m->sets[i].n, &s);
		if (err)
			goto err;
		err = pw_ids_store(al, &t->sets, i, s);
		if (err) {
			pw_set_free(al, s);
			goto err;
		}
	}
	if (m->has_node) {
		struct pw_set *s;

		err = pw_set_build(al, 0, seed, m->node.p, m->node.n, &s);
		if (err)
			goto err;
		t->node = s;
	}
	for (i = 1; i <= m->nr_rules; i++) {
		struct pw_rule *rule;

		err = pw_rule_build(al, &m->rules[i], m->ports[i],
				    m->nr_ports[i], &rule);
		if (err)
			goto err;
		err = pw_ids_store(al, &t->rules, i, rule);
		if (err) {
			pw_rule_free(al, rule);
			goto err;
		}
	}
	for (i = 1; i <= m->nr_eps; i++) {
		const struct pwref_ep *e = &m->eps[i];
		struct pw_ep spec, *ep;

		pwref_zero(&spec, sizeof(spec));
		spec.id = i;
		spec.flags = e->flags;
		spec.nr_addrs = e->nr_addrs;
		spec.addrs = (struct pw_addr *)e->addrs;
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			spec.nr_rules[d] = e->nr_rules[d];
			spec.rules[d] = (__u32 *)e->rules[d];
		}
		err = pw_ep_build(al, &spec, &ep);
		if (err)
			goto err;
		err = pw_ids_store(al, &t->eps, i, ep);
		if (err) {
			pw_ep_free(al, ep);
			goto err;
		}
	}
	err = -22;	/* EINVAL */
	if (pw_table_validate(t, &bad, &ref) != PW_CHECK_OK)
		goto err;
	err = pw_table_build_index(al, t, seed, &bad);
	if (err)
		goto err;
	return 0;
err:
	pwref_table_free(al, t);
	return err;
}

#endif /* _PODWALL_MATCH_REF_H */
