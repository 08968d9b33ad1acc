// SPDX-License-Identifier: GPL-2.0
/*
 * pwchurn [-v] [-n] [-e] SEED ROUNDS: a randomized differential test of incremental
 * commits. Loads a random valid compiled set (REPLACE), then ROUNDS times
 * mutates it into another valid set, sends the difference as one
 * incremental transaction (pw_nl_apply_delta onto the generation it was
 * computed against) and checks the kernel against the expected model:
 * a dump equal object by object, the GET_INFO totals, and random tuples
 * whose EVAL verdict must equal pw_match over pw_model_table(expected).
 * Every 4th round first sends the delta plus a rule naming a missing set,
 * or minus a set a rule uses: the commit must be refused naming the set,
 * and the live set stay as it was. Every 10th
 * round also REPLACE-loads the model and checks again.
 *
 * -v prints each round's delta; -n skips the GET_INFO totals (to isolate a totals defect from the rest);
 * -e also lets sets, port lists and endpoint address lists be empty and
 * removes the node set (libpodwall sends each as an empty nest without
 * NLA_F_NESTED, which the kernel refuses today).
 *
 * Prints "ok N rounds, M tuples, K objects changed" and exits 0, or the
 * first difference with its seed and round and exits 1 (2: could not run).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/nl.h"

#define TUPLES		200	/* per check */
#define MAX_POLICY_ID	1600
#define MAX_SET_ID	5000
#define MAX_RULE_ID	3000
#define MAX_EP_ID	600

static int allow_empty;
static uint64_t rng_state;
static unsigned long long seed;
static int round_no;

static uint32_t rnd(uint32_t n)	/* uniform in [0, n) */
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return n ? (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32) % n : 0;
}

static int chance(uint32_t percent)
{
	return rnd(100) < percent;
}

static __attribute__((format(printf, 1, 2), noreturn)) void die(const char *fmt, ...)
{
	va_list ap;

	printf("pwchurn: seed %llu round %d: ", seed, round_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "pwchurn: out of memory\n");
		exit(2);
	}
	return p;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p) {
		fprintf(stderr, "pwchurn: out of memory\n");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		fprintf(stderr, "pwchurn: out of memory\n");
		exit(2);
	}
	return p;
}

static char *fmt_name(const char *fmt, uint32_t a, uint32_t b)
{
	char buf[64];

	snprintf(buf, sizeof(buf), fmt, a, b);
	return xstrdup(buf);
}

static const char *addr_str(const struct pw_addr *a)
{
	static char bufs[4][64];
	static int k;

	k = (k + 1) % 4;
	return pw_addr_format(a, bufs[k], sizeof(bufs[k]));
}

/* ---- addresses -------------------------------------------------------- */

static struct pw_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t plen)
{
	struct pw_addr x = { .family = PW_FAMILY_INET, .plen = plen,
			     .a = { a, b, c, d } };

	pw_addr_mask(&x);
	return x;
}

static struct pw_addr v6(uint16_t g0, uint16_t g1, uint16_t g2, uint16_t g6,
			 uint16_t g7, uint8_t plen)
{
	struct pw_addr x = { .family = PW_FAMILY_INET6, .plen = plen };
	uint16_t g[8] = { g0, g1, g2, 0, 0, 0, g6, g7 };
	int i;

	for (i = 0; i < 8; i++) {
		x.a[2 * i] = g[i] >> 8;
		x.a[2 * i + 1] = g[i] & 0xff;
	}
	pw_addr_mask(&x);
	return x;
}

/* A pod address: the small pool endpoints, sets and tuples share. */
static struct pw_addr pod_addr(int six)
{
	uint32_t s = rnd(4), h = 1 + rnd(120);

	return six ? v6(0xfd00, 0x10, 0x244, s, h, 128) :
		     v4(10, 244, (uint8_t)s, (uint8_t)h, 32);
}

static struct pw_addr node_addr(int six)
{
	return six ? v6(0xfd00, 0x100, 0, 0, 0x10 + rnd(2), 128) :
		     v4(192, 168, 100, (uint8_t)(10 + rnd(2)), 32);
}

/* A set element: pod addresses, CIDRs around the pods, far addresses. */
static struct pw_addr set_elem(int big)
{
	int six = chance(35);
	uint32_t k = rnd(100);

	if (big) {	/* mostly far from the pods: bulk */
		if (k < 90)
			return six ? v6(0xfd00, 1, rnd(65536), rnd(65536),
					rnd(65536), 128) :
				     v4(10, (uint8_t)(100 + rnd(100)),
					(uint8_t)rnd(256), (uint8_t)rnd(256), 32);
	}
	if (k < 55)
		return pod_addr(six);
	if (six)
		return v6(0xfd00, k < 80 ? 0x10 : rnd(65536), 0x244,
			  rnd(4), rnd(65536), (uint8_t)(48 + rnd(80)));
	return v4(10, k < 80 ? 244 : (uint8_t)rnd(256), (uint8_t)rnd(8),
		  (uint8_t)rnd(256), (uint8_t)(8 + rnd(24)));
}

static int cmp_addr(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct pw_addr));
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* Sorted, masked, no duplicates: the form a dump returns. */
static void canon_set(struct pw_model_set *s)
{
	uint32_t i, n = 0;

	for (i = 0; i < s->nr_prefixes; i++)
		pw_addr_mask(&s->prefixes[i]);
	qsort(s->prefixes, s->nr_prefixes, sizeof(*s->prefixes), cmp_addr);
	for (i = 0; i < s->nr_prefixes; i++)
		if (!n || memcmp(&s->prefixes[n - 1], &s->prefixes[i],
				 sizeof(*s->prefixes)))
			s->prefixes[n++] = s->prefixes[i];
	s->nr_prefixes = n;
}

/* ---- model helpers ------------------------------------------------------ */

static void set_add(struct pw_model_set *s, struct pw_addr a)
{
	s->prefixes = xrealloc(s->prefixes, (s->nr_prefixes + 1) * sizeof(a));
	s->prefixes[s->nr_prefixes++] = a;
}

static void fill_set(struct pw_model_set *s)
{
	uint32_t k = rnd(100), n, i, big = 0;

	if (k < 12)
		n = 0;
	else if (k < 70)
		n = 1 + rnd(20);
	else if (k < 93)
		n = 20 + rnd(300);
	else
		n = 1000 + rnd(2001), big = 1;
	free(s->prefixes);
	s->prefixes = NULL;
	s->nr_prefixes = 0;
	for (i = 0; i < n; i++)
		set_add(s, set_elem(big));
	canon_set(s);
}

static uint8_t random_proto(void)
{
	static const uint8_t p[] = { PW_PROTO_TCP, PW_PROTO_TCP, PW_PROTO_UDP,
				     PW_PROTO_SCTP };

	return p[rnd(4)];
}

static uint16_t random_port(void)
{
	static const uint16_t common[] = { 53, 80, 443, 8080, 9000 };

	return chance(70) ? common[rnd(5)] : (uint16_t)(1 + rnd(10000));
}

static int cmp_port(const void *x, const void *y)
{
	const struct pw_port_range *a = x, *b = y;

	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

/* Sorted, overlapping and adjacent ranges merged: as the kernel keeps them. */
static void canon_ports(struct pw_model_rule *r)
{
	uint32_t i, n = 0;

	qsort(r->ports, r->nr_ports, sizeof(*r->ports), cmp_port);
	for (i = 0; i < r->nr_ports; i++) {
		struct pw_port_range *last = n ? &r->ports[n - 1] : NULL;

		if (last && last->proto == r->ports[i].proto &&
		    (uint32_t)r->ports[i].first <= (uint32_t)last->last + 1) {
			if (r->ports[i].last > last->last)
				last->last = r->ports[i].last;
		} else {
			r->ports[n++] = r->ports[i];
		}
	}
	r->nr_ports = n;
}

static void fill_ports(struct pw_model_rule *r)
{
	uint32_t i, n;

	free(r->ports);
	r->ports = NULL;
	r->nr_ports = 0;
	r->flags &= ~PW_RULE_F_ANY_PORT;
	if (chance(20)) {
		r->flags |= PW_RULE_F_ANY_PORT;
		return;
	}
	n = chance(5) ? 0 : 1 + rnd(4);	/* 0: present but empty, admits nothing */
	r->ports = xcalloc(n, sizeof(*r->ports));
	for (i = 0; i < n; i++) {
		struct pw_port_range *p = &r->ports[i];

		p->proto = random_proto();
		p->first = random_port();
		p->last = chance(70) ? p->first :
			  (uint16_t)(p->first + rnd(65536 - p->first < 2000 ?
						    65536 - p->first : 2000));
	}
	r->nr_ports = n;
	canon_ports(r);
}

/* An id of @kind not in use, in [1, max]. */
static uint32_t free_id(const struct pw_model *m, int kind, uint32_t max)
{
	uint32_t id, tries;

	for (tries = 0; tries < 1000; tries++) {
		id = 1 + rnd(max);
		if ((kind == PW_MODEL_POLICY && !pw_model_policy(m, id)) ||
		    (kind == PW_MODEL_SET && !pw_model_set(m, id)) ||
		    (kind == PW_MODEL_RULE && !pw_model_rule(m, id)) ||
		    (kind == PW_MODEL_EP && !pw_model_ep(m, id)))
			return id;
	}
	return 0;
}

static int cmp_id(const void *x, const void *y)
{
	return cmp_u32(x, y);	/* every model object starts with its id */
}

static void sort_model(struct pw_model *m)
{
	qsort(m->policies, m->nr_policies, sizeof(*m->policies), cmp_id);
	qsort(m->sets, m->nr_sets, sizeof(*m->sets), cmp_id);
	qsort(m->rules, m->nr_rules, sizeof(*m->rules), cmp_id);
	qsort(m->eps, m->nr_eps, sizeof(*m->eps), cmp_id);
}

static void new_policy(struct pw_model *m)
{
	uint32_t id = free_id(m, PW_MODEL_POLICY, MAX_POLICY_ID);
	struct pw_model_policy *p;

	if (!id)
		return;
	m->policies = xrealloc(m->policies, (m->nr_policies + 1) * sizeof(*p));
	p = &m->policies[m->nr_policies++];
	p->id = id;
	p->ns = fmt_name("ns%u", rnd(5), 0);
	p->name = fmt_name("pol%u-%u", id, rnd(1000));
	sort_model(m);
}

static void new_set(struct pw_model *m)
{
	uint32_t id = free_id(m, PW_MODEL_SET, MAX_SET_ID);
	struct pw_model_set *s;

	if (!id)
		return;
	m->sets = xrealloc(m->sets, (m->nr_sets + 1) * sizeof(*s));
	s = &m->sets[m->nr_sets++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	fill_set(s);
	sort_model(m);
}

static uint32_t any_policy(const struct pw_model *m)
{
	return m->nr_policies ? m->policies[rnd(m->nr_policies)].id : 0;
}

static void point_rule(const struct pw_model *m, struct pw_model_rule *r)
{
	r->flags &= ~PW_RULE_F_ANY_PEER;
	r->set = 0;
	if (!m->nr_sets || chance(10))
		r->flags |= PW_RULE_F_ANY_PEER;
	else
		r->set = m->sets[rnd(m->nr_sets)].id;
}

static void new_rule(struct pw_model *m)
{
	uint32_t id = free_id(m, PW_MODEL_RULE, MAX_RULE_ID);
	struct pw_model_rule *r;

	if (!id)
		return;
	m->rules = xrealloc(m->rules, (m->nr_rules + 1) * sizeof(*r));
	r = &m->rules[m->nr_rules++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->policy = any_policy(m);
	r->index = rnd(6);
	r->dir = (uint8_t)rnd(2);
	point_rule(m, r);
	fill_ports(r);
	sort_model(m);
}

/* Rule ids of direction @d, a few, for an endpoint. */
static void pick_rules(const struct pw_model *m, struct pw_model_ep *e,
		       unsigned int d)
{
	uint32_t n = rnd(6), i;

	free(e->rules[d]);
	e->rules[d] = xcalloc(n, sizeof(uint32_t));
	e->nr_rules[d] = 0;
	for (i = 0; i < n && m->nr_rules; i++) {
		const struct pw_model_rule *r = &m->rules[rnd(m->nr_rules)];

		if (r->dir == d)
			e->rules[d][e->nr_rules[d]++] = r->id;
	}
}

static void pick_policies(const struct pw_model *m, struct pw_model_ep *e,
			  unsigned int d)
{
	uint32_t n = rnd(4), i;

	free(e->policies[d]);
	e->policies[d] = xcalloc(n, sizeof(uint32_t));
	for (i = 0; i < n; i++)
		e->policies[d][i] = any_policy(m);
	e->nr_policies[d] = m->nr_policies ? n : 0;
}

static void ep_addrs(struct pw_model_ep *e)
{
	uint32_t n = 1 + rnd(3), i;

	free(e->addrs);
	e->addrs = xcalloc(n, sizeof(*e->addrs));
	for (i = 0; i < n; i++)
		e->addrs[i] = pod_addr(i == 1 ? 1 : i == 2 ? chance(50) : chance(20));
	e->nr_addrs = n;
}

static void new_ep(struct pw_model *m)
{
	uint32_t id = free_id(m, PW_MODEL_EP, MAX_EP_ID);
	struct pw_model_ep *e;
	unsigned int d;

	if (!id)
		return;
	m->eps = xrealloc(m->eps, (m->nr_eps + 1) * sizeof(*e));
	e = &m->eps[m->nr_eps++];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->ns = fmt_name("ns%u", rnd(5), 0);
	e->name = fmt_name("pod%u-%u", id, rnd(1000));
	e->flags = rnd(4);
	ep_addrs(e);
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		pick_rules(m, e, d);
		pick_policies(m, e, d);
	}
	sort_model(m);
}

/* Removes element @i of @field (freed through a one-object model). */
#define DEL_AT(m, field, nr, i) do {					\
	struct pw_model t_;						\
									\
	pw_model_init(&t_);						\
	t_.field = xcalloc(1, sizeof(*(m)->field));			\
	t_.field[0] = (m)->field[i];					\
	t_.nr = 1;							\
	pw_model_free(&t_);						\
	memmove(&(m)->field[i], &(m)->field[(i) + 1],			\
		((m)->nr - (i) - 1) * sizeof(*(m)->field));		\
	(m)->nr--;							\
} while (0)

static void *dup_mem(const void *p, size_t n)
{
	void *q = xcalloc(1, n);

	if (n)
		memcpy(q, p, n);
	return q;
}

static void model_copy(struct pw_model *dst, const struct pw_model *src)
{
	uint32_t i;
	unsigned int d;

	pw_model_init(dst);
	dst->node_set = src->node_set;
	dst->nr_policies = src->nr_policies;
	dst->policies = xcalloc(src->nr_policies, sizeof(*dst->policies));
	for (i = 0; i < src->nr_policies; i++) {
		dst->policies[i].id = src->policies[i].id;
		dst->policies[i].ns = xstrdup(src->policies[i].ns);
		dst->policies[i].name = xstrdup(src->policies[i].name);
	}
	dst->nr_sets = src->nr_sets;
	dst->sets = xcalloc(src->nr_sets, sizeof(*dst->sets));
	for (i = 0; i < src->nr_sets; i++) {
		dst->sets[i] = src->sets[i];
		dst->sets[i].prefixes = dup_mem(src->sets[i].prefixes,
						src->sets[i].nr_prefixes *
						sizeof(struct pw_addr));
	}
	dst->nr_rules = src->nr_rules;
	dst->rules = xcalloc(src->nr_rules, sizeof(*dst->rules));
	for (i = 0; i < src->nr_rules; i++) {
		dst->rules[i] = src->rules[i];
		dst->rules[i].ports = dup_mem(src->rules[i].ports,
					      src->rules[i].nr_ports *
					      sizeof(struct pw_port_range));
	}
	dst->nr_eps = src->nr_eps;
	dst->eps = xcalloc(src->nr_eps, sizeof(*dst->eps));
	for (i = 0; i < src->nr_eps; i++) {
		const struct pw_model_ep *s = &src->eps[i];
		struct pw_model_ep *e = &dst->eps[i];

		*e = *s;
		e->ns = xstrdup(s->ns);
		e->name = xstrdup(s->name);
		e->addrs = dup_mem(s->addrs, s->nr_addrs * sizeof(*s->addrs));
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			e->rules[d] = dup_mem(s->rules[d],
					      s->nr_rules[d] * sizeof(uint32_t));
			e->policies[d] = dup_mem(s->policies[d],
						 s->nr_policies[d] * sizeof(uint32_t));
		}
	}
}

/* Drops ids not in @keep (or, with @dir >= 0, of another direction). */
static void filter_ids(const struct pw_model *m, uint32_t *ids, uint32_t *n,
		       int rules, int dir)
{
	uint32_t i, j, k = 0;

	for (i = 0; i < *n; i++) {
		const struct pw_model_rule *r = rules ? pw_model_rule(m, ids[i]) : NULL;
		int ok = rules ? r && r->dir == dir :
				 pw_model_policy(m, ids[i]) != NULL;

		for (j = 0; ok && j < k; j++)
			if (ids[j] == ids[i])
				ok = 0;
		if (ok)
			ids[k++] = ids[i];
	}
	*n = k;
}

/* Makes a mutated model valid again: every reference resolves, no address twice. */
static void repair(struct pw_model *m)
{
	const struct pw_model_set *ns;
	struct pw_addr *seen = NULL;
	uint32_t nr_seen = 0, i, j, k, a;
	unsigned int d;

	sort_model(m);
	if (!m->nr_policies)
		new_policy(m);
	for (i = 0; !allow_empty && i < m->nr_sets; i++)
		if (!m->sets[i].nr_prefixes)
			set_add(&m->sets[i], pod_addr(chance(30)));
	for (i = 0; !allow_empty && i < m->nr_rules; i++) {
		struct pw_model_rule *r = &m->rules[i];

		if (!r->nr_ports && !(r->flags & PW_RULE_F_ANY_PORT)) {
			r->ports = xrealloc(r->ports, sizeof(*r->ports));
			r->ports[0] = (struct pw_port_range){ 80, 80, PW_PROTO_TCP };
			r->nr_ports = 1;
		}
	}
	/* The node set holds at most PODWALL_MAX_NODE_PREFIXES (pwtxn node-big). */
	ns = m->node_set ? pw_model_set(m, m->node_set) : NULL;
	if (m->node_set && (!ns || ns->nr_prefixes > PODWALL_MAX_NODE_PREFIXES)) {
		m->node_set = 0;
		for (j = 0, k = rnd(m->nr_sets + 1); !allow_empty && j < m->nr_sets; j++)
			if (m->sets[(j + k) % m->nr_sets].nr_prefixes <=
			    PODWALL_MAX_NODE_PREFIXES) {
				m->node_set = m->sets[(j + k) % m->nr_sets].id;
				break;
			}
	}
	for (i = 0; i < m->nr_rules; i++) {
		struct pw_model_rule *r = &m->rules[i];

		if (!pw_model_policy(m, r->policy))
			r->policy = any_policy(m);
		if (!(r->flags & PW_RULE_F_ANY_PEER) && !pw_model_set(m, r->set))
			point_rule(m, r);
	}
	for (i = 0; i < m->nr_eps; i++) {
		struct pw_model_ep *e = &m->eps[i];

		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			filter_ids(m, e->rules[d], &e->nr_rules[d], 1, (int)d);
			filter_ids(m, e->policies[d], &e->nr_policies[d], 0, -1);
		}
		for (a = 0, k = 0; a < e->nr_addrs; a++) {
			for (j = 0; j < nr_seen; j++)
				if (!memcmp(&seen[j], &e->addrs[a], sizeof(*seen)))
					break;
			if (j < nr_seen)
				continue;
			seen = xrealloc(seen, (nr_seen + 1) * sizeof(*seen));
			seen[nr_seen++] = e->addrs[a];
			e->addrs[k++] = e->addrs[a];
		}
		e->nr_addrs = k;
		/* libpodwall cannot send an empty address list (see -e). */
		while (!allow_empty && !e->nr_addrs) {
			struct pw_addr x = pod_addr(chance(30));

			for (j = 0; j < nr_seen; j++)
				if (!memcmp(&seen[j], &x, sizeof(x)))
					break;
			if (j < nr_seen)
				continue;
			seen = xrealloc(seen, (nr_seen + 1) * sizeof(*seen));
			seen[nr_seen++] = x;
			e->addrs = xrealloc(e->addrs, sizeof(x));
			e->addrs[e->nr_addrs++] = x;
		}
	}
	free(seen);
}

static void random_model(struct pw_model *m)
{
	uint32_t i, n;

	pw_model_init(m);
	for (n = 20 + rnd(41), i = 0; i < n; i++)
		new_policy(m);
	for (n = 30 + rnd(51), i = 0; i < n; i++)
		new_set(m);
	for (n = 100 + rnd(301), i = 0; i < n; i++)
		new_rule(m);
	for (n = 10 + rnd(31), i = 0; i < n; i++)
		new_ep(m);
	/* A node set: the node's own addresses and sometimes a pod's. */
	if (m->nr_sets) {
		struct pw_model_set *s = &m->sets[rnd(m->nr_sets)];

		set_add(s, node_addr(0));
		set_add(s, node_addr(1));
		canon_set(s);
		m->node_set = s->id;
	}
	repair(m);
}

/* ---- mutations ------------------------------------------------------------ */

static struct pw_model_set *any_set(struct pw_model *m)
{
	return m->nr_sets ? &m->sets[rnd(m->nr_sets)] : NULL;
}

/* A few prefixes in, a few out: sent as SET_ADD_ELEMS / SET_DEL_ELEMS. */
static void small_set_edit(struct pw_model_set *s)
{
	uint32_t add = rnd(6), del = rnd(6), i;

	for (i = 0; i < del && s->nr_prefixes; i++) {
		uint32_t k = rnd(s->nr_prefixes);

		s->prefixes[k] = s->prefixes[--s->nr_prefixes];
	}
	for (i = 0; i < add; i++)
		set_add(s, set_elem(s->nr_prefixes > 500));
	canon_set(s);
}

/* Flips a rule's direction and moves it in every endpoint that lists it. */
static void flip_rule(struct pw_model *m, struct pw_model_rule *r, int move)
{
	unsigned int from = r->dir, to = !r->dir;
	uint32_t i, j;

	r->dir = (uint8_t)to;
	for (i = 0; move && i < m->nr_eps; i++) {
		struct pw_model_ep *e = &m->eps[i];

		for (j = 0; j < e->nr_rules[from]; j++)
			if (e->rules[from][j] == r->id)
				break;
		if (j == e->nr_rules[from])
			continue;
		e->rules[from][j] = e->rules[from][--e->nr_rules[from]];
		e->rules[to] = xrealloc(e->rules[to],
					(e->nr_rules[to] + 1) * sizeof(uint32_t));
		e->rules[to][e->nr_rules[to]++] = r->id;
	}
}

static void mutate_once(struct pw_model *m)
{
	struct pw_model_set *s;
	struct pw_model_ep *e, *b;
	uint32_t k = rnd(100), i;

	if (k < 4) {
		new_policy(m);
	} else if (k < 7) {
		if (m->nr_policies > 1) {
			i = rnd(m->nr_policies);
			DEL_AT(m, policies, nr_policies, i);
		}
	} else if (k < 9) {
		if (m->nr_policies) {
			i = rnd(m->nr_policies);
			free(m->policies[i].name);
			m->policies[i].name = fmt_name("renamed%u-%u",
						       m->policies[i].id, rnd(1000));
		}
	} else if (k < 13) {
		new_set(m);
	} else if (k < 17) {
		if (m->nr_sets) {	/* its users move elsewhere in repair() */
			i = rnd(m->nr_sets);
			DEL_AT(m, sets, nr_sets, i);
		}
	} else if (k < 37) {
		if ((s = any_set(m)))
			small_set_edit(s);
	} else if (k < 41) {
		if ((s = any_set(m)))
			fill_set(s);	/* a big edit: mostly a whole NEW_SET */
	} else if (k < 44) {
		/* A big set gets a large batch (a rebuild in the kernel). */
		if ((s = any_set(m))) {
			uint32_t n = s->nr_prefixes / 2 + 100;

			for (i = 0; i < n; i++)
				set_add(s, set_elem(1));
			canon_set(s);
		}
	} else if (k < 50) {
		new_rule(m);
	} else if (k < 55) {
		if (m->nr_rules) {
			i = rnd(m->nr_rules);
			DEL_AT(m, rules, nr_rules, i);
		}
	} else if (k < 60) {
		if (m->nr_rules)
			point_rule(m, &m->rules[rnd(m->nr_rules)]);
	} else if (k < 64) {
		if (m->nr_rules)
			fill_ports(&m->rules[rnd(m->nr_rules)]);
	} else if (k < 69) {
		if (m->nr_rules)
			flip_rule(m, &m->rules[rnd(m->nr_rules)], chance(80));
	} else if (k < 71) {
		if (m->nr_rules)
			m->rules[rnd(m->nr_rules)].policy = any_policy(m);
	} else if (k < 75) {
		new_ep(m);
	} else if (k < 78) {
		if (m->nr_eps) {
			i = rnd(m->nr_eps);
			DEL_AT(m, eps, nr_eps, i);
		}
	} else if (k < 83) {
		if (m->nr_eps)
			ep_addrs(&m->eps[rnd(m->nr_eps)]);	/* readdress */
	} else if (k < 88) {
		/* An address moves from endpoint A to endpoint B. */
		if (m->nr_eps > 1) {
			e = &m->eps[rnd(m->nr_eps)];
			b = &m->eps[rnd(m->nr_eps)];
			if (e != b && e->nr_addrs && b->nr_addrs < 16) {
				i = rnd(e->nr_addrs);
				b->addrs = xrealloc(b->addrs, (b->nr_addrs + 1) *
							      sizeof(*b->addrs));
				b->addrs[b->nr_addrs++] = e->addrs[i];
				e->addrs[i] = e->addrs[--e->nr_addrs];
			}
		}
	} else if (k < 94) {
		if (m->nr_eps) {
			unsigned int d = rnd(2);

			e = &m->eps[rnd(m->nr_eps)];
			if (chance(30))
				e->flags = rnd(4);
			else if (chance(50))
				pick_rules(m, e, d);
			else
				pick_policies(m, e, d);
		}
	} else {
		/* The node set: another one, none, or its contents. */
		s = (struct pw_model_set *)pw_model_set(m, m->node_set);
		if (s && chance(30)) {
			set_add(s, node_addr(chance(50)));
			canon_set(s);
		} else if (chance(20) && allow_empty) {
			m->node_set = 0;	/* libpodwall sends an empty nest */
		} else {
			/* A small one: the node's addresses are few. */
			for (i = 0; i < 8 && (s = any_set(m)); i++)
				if (s->nr_prefixes <= 16) {
					m->node_set = s->id;
					break;
				}
		}
	}
}

static void mutate(struct pw_model *m)
{
	uint32_t n = 1 + rnd(8), i;

	for (i = 0; i < n; i++)
		mutate_once(m);
	repair(m);
}

/* ---- comparing ------------------------------------------------------------ */

static const struct pw_model_set *node_of(const struct pw_model *m)
{
	const struct pw_model_set *s = m->node_set ? pw_model_set(m, m->node_set) : NULL;

	return s && s->nr_prefixes ? s : NULL;
}

static int same_ids(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
	return na == nb && (!na || !memcmp(a, b, na * sizeof(*a)));
}

static void compare(const struct pw_model *want, const struct pw_model *got,
		    const char *when)
{
	const struct pw_model_set *wn = node_of(want), *gn = node_of(got);
	uint32_t i, j, extra = 0;
	unsigned int d;

	/* The dump names the node's addresses as a set, adding one if needed. */
	if (!wn != !gn)
		die("%s: node set: want %u prefixes, got %u", when,
		    wn ? wn->nr_prefixes : 0, gn ? gn->nr_prefixes : 0);
	if (wn && (wn->nr_prefixes != gn->nr_prefixes ||
		   memcmp(wn->prefixes, gn->prefixes,
			  wn->nr_prefixes * sizeof(*wn->prefixes))))
		die("%s: node set differs (want %u prefixes, got %u)", when,
		    wn->nr_prefixes, gn->nr_prefixes);
	if (gn && !pw_model_set(want, gn->id))
		extra = 1;
	for (i = 0; i < want->nr_policies || i < got->nr_policies; i++) {
		const struct pw_model_policy *w = i < want->nr_policies ? &want->policies[i] : NULL;
		const struct pw_model_policy *g = i < got->nr_policies ? &got->policies[i] : NULL;

		if (!w || !g || w->id != g->id)
			die("%s: policy %u: %s", when, w && (!g || w->id < g->id) ? w->id : g->id,
			    !g || (w && w->id < g->id) ? "missing from the dump" :
			    "in the dump, not expected");
		if (strcmp(w->ns, g->ns) || strcmp(w->name, g->name))
			die("%s: policy %u: name %s/%s, dump has %s/%s", when,
			    w->id, w->ns, w->name, g->ns, g->name);
	}
	for (i = 0, j = 0; i < want->nr_sets || j < got->nr_sets; i++, j++) {
		const struct pw_model_set *w = i < want->nr_sets ? &want->sets[i] : NULL;
		const struct pw_model_set *g = j < got->nr_sets ? &got->sets[j] : NULL;
		uint32_t k;

		if (g && extra && g->id == gn->id) {	/* the node's stand-in */
			i--;
			continue;
		}
		if (!w || !g || w->id != g->id)
			die("%s: set %u: %s", when, w && (!g || w->id < g->id) ? w->id : g->id,
			    !g || (w && w->id < g->id) ? "missing from the dump" :
			    "in the dump, not expected");
		for (k = 0; k < w->nr_prefixes && k < g->nr_prefixes; k++)
			if (memcmp(&w->prefixes[k], &g->prefixes[k], sizeof(*w->prefixes)))
				die("%s: set %u (%u prefixes, dump %u): prefix %u is %s, dump has %s",
				    when, w->id, w->nr_prefixes, g->nr_prefixes, k,
				    addr_str(&w->prefixes[k]), addr_str(&g->prefixes[k]));
		if (w->nr_prefixes != g->nr_prefixes)
			die("%s: set %u: %u prefixes, dump has %u (first extra %s)",
			    when, w->id, w->nr_prefixes, g->nr_prefixes,
			    addr_str(w->nr_prefixes > g->nr_prefixes ?
				     &w->prefixes[k] : &g->prefixes[k]));
	}
	for (i = 0; i < want->nr_rules || i < got->nr_rules; i++) {
		const struct pw_model_rule *w = i < want->nr_rules ? &want->rules[i] : NULL;
		const struct pw_model_rule *g = i < got->nr_rules ? &got->rules[i] : NULL;

		if (!w || !g || w->id != g->id)
			die("%s: rule %u: %s", when, w && (!g || w->id < g->id) ? w->id : g->id,
			    !g || (w && w->id < g->id) ? "missing from the dump" :
			    "in the dump, not expected");
		if (w->policy != g->policy || w->index != g->index ||
		    w->dir != g->dir || w->flags != g->flags || w->set != g->set)
			die("%s: rule %u: policy %u index %u dir %u flags %u set %u, dump has %u %u %u %u %u",
			    when, w->id, w->policy, w->index, w->dir, w->flags, w->set,
			    g->policy, g->index, g->dir, g->flags, g->set);
		if (w->nr_ports != g->nr_ports ||
		    (w->nr_ports && memcmp(w->ports, g->ports, w->nr_ports * sizeof(*w->ports))))
			die("%s: rule %u: %u port ranges, dump has %u (or they differ)",
			    when, w->id, w->nr_ports, g->nr_ports);
	}
	for (i = 0; i < want->nr_eps || i < got->nr_eps; i++) {
		const struct pw_model_ep *w = i < want->nr_eps ? &want->eps[i] : NULL;
		const struct pw_model_ep *g = i < got->nr_eps ? &got->eps[i] : NULL;

		if (!w || !g || w->id != g->id)
			die("%s: endpoint %u: %s", when, w && (!g || w->id < g->id) ? w->id : g->id,
			    !g || (w && w->id < g->id) ? "missing from the dump" :
			    "in the dump, not expected");
		if (strcmp(w->ns, g->ns) || strcmp(w->name, g->name) || w->flags != g->flags)
			die("%s: endpoint %u: %s/%s flags %u, dump has %s/%s flags %u",
			    when, w->id, w->ns, w->name, w->flags, g->ns, g->name, g->flags);
		if (w->nr_addrs != g->nr_addrs ||
		    (w->nr_addrs && memcmp(w->addrs, g->addrs, w->nr_addrs * sizeof(*w->addrs))))
			die("%s: endpoint %u: %u addresses (first %s), dump has %u (first %s)",
			    when, w->id, w->nr_addrs, w->nr_addrs ? addr_str(&w->addrs[0]) : "-",
			    g->nr_addrs, g->nr_addrs ? addr_str(&g->addrs[0]) : "-");
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			if (!same_ids(w->rules[d], w->nr_rules[d], g->rules[d], g->nr_rules[d]))
				die("%s: endpoint %u: %u %s rules, dump has %u (or they differ)",
				    when, w->id, w->nr_rules[d], d ? "egress" : "ingress",
				    g->nr_rules[d]);
			if (!same_ids(w->policies[d], w->nr_policies[d], g->policies[d],
				      g->nr_policies[d]))
				die("%s: endpoint %u: %u %s policies, dump has %u (or they differ)",
				    when, w->id, w->nr_policies[d], d ? "egress" : "ingress",
				    g->nr_policies[d]);
		}
	}
}

/* GET_INFO's totals against the model. */
static void compare_info(struct pw_nl *nl, const struct pw_model *want,
			 uint64_t gen, const char *when)
{
	const struct pw_model_set *node = node_of(want);
	struct pw_nl_info inf;
	uint64_t prefixes = node ? node->nr_prefixes : 0;
	uint32_t i;

	if (pw_nl_info(nl, &inf))
		die("%s: GET_INFO: %s", when, pw_nl_error(nl));
	for (i = 0; i < want->nr_sets; i++)
		prefixes += want->sets[i].nr_prefixes;
	if (inf.generation != gen)
		die("%s: live generation %llu, the commit returned %llu", when,
		    (unsigned long long)inf.generation, (unsigned long long)gen);
	if (inf.nr_policies != want->nr_policies || inf.nr_sets != want->nr_sets ||
	    inf.nr_rules != want->nr_rules || inf.nr_eps != want->nr_eps ||
	    inf.nr_prefixes != prefixes)
		die("%s: GET_INFO counts policies %u sets %u rules %u endpoints %u prefixes %u, "
		    "want %u %u %u %u %llu", when, inf.nr_policies, inf.nr_sets,
		    inf.nr_rules, inf.nr_eps, inf.nr_prefixes, want->nr_policies,
		    want->nr_sets, want->nr_rules, want->nr_eps,
		    (unsigned long long)prefixes);
}

/* ---- tuples --------------------------------------------------------------- */

/* A random address inside @p (a prefix or an address). */
static struct pw_addr inside(const struct pw_addr *p)
{
	struct pw_addr a = *p;
	int bits = a.family == PW_FAMILY_INET ? 32 : 128, i;

	for (i = p->plen; i < bits; i++)
		if (chance(50))
			a.a[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	a.plen = (uint8_t)bits;
	return a;
}

static struct pw_addr tuple_addr(const struct pw_model *m, int six)
{
	uint32_t k = rnd(100), tries;

	for (tries = 0; tries < 8; tries++) {
		if (k < 45 && m->nr_eps) {
			const struct pw_model_ep *e = &m->eps[rnd(m->nr_eps)];
			uint32_t i;

			for (i = 0; i < e->nr_addrs; i++)
				if ((e->addrs[i].family == PW_FAMILY_INET6) == six)
					return e->addrs[i];
		} else if (k < 75 && m->nr_sets) {
			const struct pw_model_set *s = &m->sets[rnd(m->nr_sets)];
			uint32_t i, start = s->nr_prefixes ? rnd(s->nr_prefixes) : 0;

			for (i = 0; i < s->nr_prefixes && i < 16; i++) {
				const struct pw_addr *p =
					&s->prefixes[(start + i) % s->nr_prefixes];

				if ((p->family == PW_FAMILY_INET6) == six)
					return inside(p);
			}
		} else if (k < 82) {
			return node_addr(six);
		} else if (k < 95) {
			return pod_addr(six);
		} else {
			struct pw_addr a = { .family = six ? PW_FAMILY_INET6 : PW_FAMILY_INET,
					     .plen = six ? 128 : 32 };
			int i;

			for (i = 0; i < (six ? 16 : 4); i++)
				a.a[i] = (uint8_t)rnd(256);
			return a;
		}
		k = rnd(100);
	}
	return pod_addr(six);
}

/* An address of an endpoint isolated by @flag, if there is one. */
static int isolated_addr(const struct pw_model *m, uint32_t flag, int six,
			 struct pw_addr *out)
{
	uint32_t i, j, start = rnd(m->nr_eps + 1);

	for (i = 0; i < m->nr_eps; i++) {
		const struct pw_model_ep *e = &m->eps[(start + i) % m->nr_eps];

		for (j = 0; (e->flags & flag) && j < e->nr_addrs; j++)
			if ((e->addrs[j].family == PW_FAMILY_INET6) == six) {
				*out = e->addrs[j];
				return 1;
			}
	}
	return 0;
}

static void random_tuple(const struct pw_model *m, struct pw_tuple *t)
{
	static const uint8_t protos[] = { PW_PROTO_TCP, PW_PROTO_TCP, PW_PROTO_UDP,
					  PW_PROTO_SCTP, PW_PROTO_ICMP };
	int six = chance(30);

	memset(t, 0, sizeof(*t));
	t->src = tuple_addr(m, six);
	t->dst = chance(5) ? t->src : tuple_addr(m, six);
	/* Isolated endpoints on one side often: denials stay frequent. */
	if (chance(40))
		isolated_addr(m, PODWALL_EP_F_ISOLATED_INGRESS, six, &t->dst);
	else if (chance(20))
		isolated_addr(m, PODWALL_EP_F_ISOLATED_EGRESS, six, &t->src);
	t->proto = protos[rnd(5)];
	if (six && t->proto == PW_PROTO_ICMP)
		t->proto = PW_PROTO_ICMPV6;
	if (t->proto != PW_PROTO_ICMP && t->proto != PW_PROTO_ICMPV6) {
		t->sport = (uint16_t)(1024 + rnd(60000));
		t->dport = random_port();
	}
}

static unsigned long nr_tuples, nr_allowed, nr_denied, nr_reasons[__PODWALL_REASON_MAX];

static uint32_t ep_id(const struct pw_ep *e)
{
	return e ? e->id : 0;
}

static uint32_t rule_id(const struct pw_rule *r)
{
	return r ? r->id : 0;
}

static void check_tuples(struct pw_nl *nl, const struct pw_model *m,
			 const char *when)
{
	struct pw_table *t;
	int i, ret;

	ret = pw_model_table(m, &t);
	if (ret)
		die("%s: pw_model_table: %s", when, strerror(-ret));
	for (i = 0; i < TUPLES; i++) {
		struct pw_nl_verdict kv;
		struct pw_verdict uv;
		struct pw_tuple tu;

		random_tuple(m, &tu);
		pw_match(t, &tu, &uv);
		ret = pw_nl_eval(nl, &tu, &kv);
		if (ret)
			die("%s: EVAL %s -> %s: %s", when, addr_str(&tu.src),
			    addr_str(&tu.dst), pw_nl_error(nl));
		if (kv.allow != uv.allow || kv.reason != uv.reason ||
		    kv.egress != uv.egress || kv.ingress != uv.ingress ||
		    kv.src_ep.id != ep_id(uv.src_ep) || kv.dst_ep.id != ep_id(uv.dst_ep) ||
		    kv.egress_rule.id != rule_id(uv.egress_rule) ||
		    kv.ingress_rule.id != rule_id(uv.ingress_rule))
			die("%s: tuple %s -> %s proto %u port %u: kernel allow %u reason %u "
			    "(egress %u ingress %u, endpoints %u -> %u, rules %u/%u), "
			    "pw_match allow %u reason %u (egress %u ingress %u, endpoints %u -> %u, rules %u/%u)",
			    when, addr_str(&tu.src), addr_str(&tu.dst), tu.proto, tu.dport,
			    kv.allow, kv.reason, kv.egress, kv.ingress, kv.src_ep.id,
			    kv.dst_ep.id, kv.egress_rule.id, kv.ingress_rule.id,
			    uv.allow, uv.reason, uv.egress, uv.ingress, ep_id(uv.src_ep),
			    ep_id(uv.dst_ep), rule_id(uv.egress_rule),
			    rule_id(uv.ingress_rule));
		nr_tuples++;
		if (uv.allow)
			nr_allowed++;
		else
			nr_denied++;
		if (uv.reason < __PODWALL_REASON_MAX)
			nr_reasons[uv.reason]++;
		pw_nl_verdict_free(&kv);
	}
	pw_model_table_free(t);
}

static int check_counts = 1, verbose;

static void check_all(struct pw_nl *nl, const struct pw_model *want,
		      uint64_t gen, const char *when)
{
	struct pw_model got;

	if (pw_nl_dump(nl, &got))
		die("%s: dump: %s", when, pw_nl_error(nl));
	compare(want, &got, when);
	pw_model_free(&got);
	if (check_counts)
		compare_info(nl, want, gen, when);
	check_tuples(nl, want, when);
}

/*
 * Sends @next's delta plus a rule naming a set that does not exist: the
 * commit must be refused naming it, and the live set stay @cur (edits of
 * shared leaves and shards must not leak into it).
 */
static void refused_round(struct pw_nl *nl, const struct pw_model *cur,
			  const struct pw_model *next, uint64_t gen, int used)
{
	struct pw_model_delta d;
	struct pw_model bad;
	struct pw_model_rule *r;
	uint32_t id = 0, set = 60000, i;
	char name[32];
	int ret;

	model_copy(&bad, next);
	if (used) {
		/* Or: delete a set a rule still uses (and cur has it). */
		for (i = 0; i < bad.nr_rules && !id; i++) {
			r = &bad.rules[i];
			if (!(r->flags & PW_RULE_F_ANY_PEER) && pw_model_set(cur, r->set) &&
			    r->set != bad.node_set)
				id = r->id, set = r->set;
		}
		for (i = 0; id && i < bad.nr_sets; i++)
			if (bad.sets[i].id == set)
				DEL_AT(&bad, sets, nr_sets, i);
	} else if ((id = free_id(&bad, PW_MODEL_RULE, MAX_RULE_ID))) {
		bad.rules = xrealloc(bad.rules, (bad.nr_rules + 1) * sizeof(*r));
		r = &bad.rules[bad.nr_rules++];
		memset(r, 0, sizeof(*r));
		r->id = id;
		r->policy = any_policy(&bad);
		r->set = set;
		r->flags = PW_RULE_F_ANY_PORT;
		sort_model(&bad);
	}
	if (!id) {
		pw_model_free(&bad);
		return;
	}
	if (pw_model_diff(cur, &bad, &d))
		die("pw_model_diff failed");
	ret = pw_nl_apply_delta(nl, cur, &bad, &d, gen, NULL);
	if (!ret)
		die("a commit with rule %u naming %s set %u was accepted", id,
		    used ? "deleted" : "missing", set);
	snprintf(name, sizeof(name), "set %u ", set);
	if (!strstr(pw_nl_error(nl), name))
		die("refused commit: message does not name set %u: %s", set,
		    pw_nl_error(nl));
	pw_nl_txn_abort(nl);
	pw_model_delta_free(&d);
	pw_model_free(&bad);
	check_all(nl, cur, gen, "after a refused commit of the round's delta");
}

int main(int argc, char **argv)
{
	struct pw_model cur, next;
	unsigned long changed = 0;
	struct pw_nl *nl;
	uint64_t gen = 0;
	char err[256];
	int rounds, ret, k;

	for (; argc > 1 && argv[1][0] == '-'; argc--, argv++) {
		if (!strcmp(argv[1], "-n"))
			check_counts = 0;
		else if (!strcmp(argv[1], "-e"))
			allow_empty = 1;
		else if (!strcmp(argv[1], "-v"))
			verbose = 1;
		else
			argc = 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: pwchurn [-v] [-n] [-e] SEED ROUNDS\n");
		return 2;
	}
	seed = strtoull(argv[1], NULL, 10);
	rounds = atoi(argv[2]);
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
	if (pw_nl_open(&nl, err, sizeof(err))) {
		fprintf(stderr, "pwchurn: %s\n", err);
		return 2;
	}
	random_model(&cur);
	ret = pw_nl_load(nl, &cur, 1, &gen);
	if (ret)
		die("first REPLACE load: %s", pw_nl_error(nl));
	check_all(nl, &cur, gen, "after the first load");
	for (round_no = 1; round_no <= rounds; round_no++) {
		struct pw_model_delta d;
		uint64_t base = gen;

		model_copy(&next, &cur);
		mutate(&next);
		if (pw_model_diff(&cur, &next, &d))
			die("pw_model_diff failed");
		for (k = 0; k < 4; k++)
			changed += d.nr_put[k] + d.nr_del[k];
		if (verbose) {
			const struct pw_model_set *o = node_of(&cur), *n = node_of(&next);

			printf("round %d: node set %u (%u) -> %u (%u), delta node %d, puts %u/%u/%u/%u, deletes %u/%u/%u/%u\n",
			       round_no, cur.node_set, o ? o->nr_prefixes : 0,
			       next.node_set, n ? n->nr_prefixes : 0, (int)d.node_set,
			       d.nr_put[0], d.nr_put[1], d.nr_put[2], d.nr_put[3],
			       d.nr_del[0], d.nr_del[1], d.nr_del[2], d.nr_del[3]);
		}
		if (round_no % 4 == 0)
			refused_round(nl, &cur, &next, gen, round_no % 8 == 0);
		ret = pw_nl_apply_delta(nl, &cur, &next, &d, base, &gen);
		if (ret)
			die("incremental commit (%u/%u/%u/%u puts, %u/%u/%u/%u deletes) refused: %s",
			    d.nr_put[0], d.nr_put[1], d.nr_put[2], d.nr_put[3],
			    d.nr_del[0], d.nr_del[1], d.nr_del[2], d.nr_del[3],
			    pw_nl_error(nl));
		pw_model_delta_free(&d);
		if (gen != base + 1)
			die("commit made generation %llu after %llu",
			    (unsigned long long)gen, (unsigned long long)base);
		pw_model_free(&cur);
		cur = next;
		check_all(nl, &cur, gen, "after the incremental commit");
		if (round_no % 10 == 0) {
			if (pw_nl_load(nl, &cur, 1, &gen))
				die("REPLACE load: %s", pw_nl_error(nl));
			check_all(nl, &cur, gen, "after a REPLACE load");
		}
	}
	/* The generator must reach both outcomes and the interesting reasons. */
	if (nr_allowed < nr_tuples / 30 || nr_denied < nr_tuples / 30)
		die("generator: %lu allowed, %lu denied of %lu tuples: too one-sided",
		    nr_allowed, nr_denied, nr_tuples);
	if (rounds >= 50 && (!nr_reasons[PODWALL_REASON_NODE] ||
			     !nr_reasons[PODWALL_REASON_SELF] ||
			     !nr_reasons[PODWALL_REASON_NOT_ENDPOINT] ||
			     !nr_reasons[PODWALL_REASON_DENIED_BOTH]))
		die("generator: reasons node %lu self %lu not-endpoint %lu denied-both %lu: one never seen",
		    nr_reasons[PODWALL_REASON_NODE], nr_reasons[PODWALL_REASON_SELF],
		    nr_reasons[PODWALL_REASON_NOT_ENDPOINT],
		    nr_reasons[PODWALL_REASON_DENIED_BOTH]);
	printf("ok %d rounds, %lu tuples (%lu allowed, %lu denied), %lu objects changed\n",
	       rounds, nr_tuples, nr_allowed, nr_denied, changed);
	pw_model_free(&cur);
	pw_nl_close(nl);
	return 0;
}
