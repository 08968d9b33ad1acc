// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for the shared matcher (match.c, table.c), linked into
 * podwall.ko when the kernel has CONFIG_KUNIT (see Kbuild); they run when
 * the module loads. The last suite is a randomized differential test
 * against the naive reference in match_ref.h; its seed is printed, and the
 * module parameter podwall.test_seed replays it.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include "match.h"
#include "match_ref.h"

static ulong test_seed;
module_param(test_seed, ulong, 0444);
MODULE_PARM_DESC(test_seed, "seed of the KUnit differential test (0: random)");

#define DIFF_MODELS	100
#define DIFF_TUPLES	1200	/* per model: 120k tuples */

static void *t_zalloc(size_t size, void *ctx)
{
	return kvzalloc(size ?: 1, GFP_KERNEL);
}

static void t_free(void *ptr, void *ctx)
{
	kvfree(ptr);
}

static const struct pw_alloc al = { .zalloc = t_zalloc, .free = t_free };

static struct pw_addr v4(u8 a, u8 b, u8 c, u8 d, u8 plen)
{
	struct pw_addr x = { .family = PW_FAMILY_INET, .plen = plen,
			     .a = { a, b, c, d } };

	return x;
}

/* fd00::<hi>:<lo> */
static struct pw_addr v6(u16 hi, u16 lo, u8 plen)
{
	struct pw_addr x = { .family = PW_FAMILY_INET6, .plen = plen,
			     .a = { 0xfd, 0x00 } };

	x.a[12] = hi >> 8;
	x.a[13] = hi & 0xff;
	x.a[14] = lo >> 8;
	x.a[15] = lo & 0xff;
	return x;
}

static struct pw_set *build_set(struct kunit *test, const struct pw_addr *p,
				u32 n)
{
	struct pw_set *s = NULL;

	KUNIT_ASSERT_EQ(test, pw_set_build(&al, 1, get_random_u32(), p, n, &s), 0);
	return s;
}

/* ---- sets ------------------------------------------------------------ */

static void set_many_prefixes(struct kunit *test)
{
	const u32 n = 20000;
	struct pw_addr *p, a;
	struct pw_set *s;
	u32 i;

	p = kvcalloc(n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n; i++)
		p[i] = v4(10, (u8)(i >> 15), (u8)(i >> 7), (u8)((i & 0x7f) << 1), 32);
	s = build_set(test, p, n);
	/* Split into shards, each at most half full. */
	KUNIT_EXPECT_EQ(test, s->nr_prefixes, n);
	KUNIT_EXPECT_GT(test, s->shift, 0U);
	for (i = 0; i < 1U << s->shift; i++)
		if (s->shards[i])
			KUNIT_EXPECT_LE(test, 2 * s->shards[i]->nr,
					s->shards[i]->cap);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE(test, pw_set_contains(s, &p[i]));
		a = p[i];
		a.a[3] |= 1;	/* odd neighbour: absent */
		KUNIT_EXPECT_FALSE(test, pw_set_contains(s, &a));
	}
	pw_set_free(&al, s);
	/* Duplicates collapse; an empty set matches nothing. */
	for (i = 0; i < 100; i++)
		p[i] = v4(10, 0, 0, 1, 32);
	s = build_set(test, p, 100);
	KUNIT_EXPECT_EQ(test, s->nr_prefixes, 1U);
	pw_set_free(&al, s);
	s = build_set(test, p, 0);
	a = v4(10, 0, 0, 1, 32);
	KUNIT_EXPECT_FALSE(test, pw_set_contains(s, &a));
	pw_set_free(&al, s);
	kvfree(p);
}

static void set_overlapping(struct kunit *test)
{
	const struct pw_addr p[] = {
		v4(10, 255, 255, 255, 8),	/* host bits set: 10.0.0.0/8 */
		v4(172, 16, 0, 0, 12),
		v4(172, 16, 5, 0, 24),
		v4(192, 168, 1, 7, 32),
		v4(192, 168, 1, 6, 31),
	};
	struct pw_set *s = build_set(test, p, ARRAY_SIZE(p));
	const struct {
		struct pw_addr a;
		bool in;
	} cases[] = {
		{ v4(10, 0, 0, 0, 32), true },
		{ v4(10, 255, 255, 255, 32), true },
		{ v4(11, 0, 0, 0, 32), false },
		{ v4(9, 255, 255, 255, 32), false },
		{ v4(172, 31, 255, 255, 32), true },
		{ v4(172, 32, 0, 0, 32), false },
		{ v4(172, 16, 5, 9, 32), true },
		{ v4(192, 168, 1, 6, 32), true },
		{ v4(192, 168, 1, 7, 32), true },
		{ v4(192, 168, 1, 5, 32), false },
		{ v4(192, 168, 1, 8, 32), false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, pw_set_contains(s, &cases[i].a),
				    (int)cases[i].in, "case %u", i);
	pw_set_free(&al, s);
}

static void set_ipv6(struct kunit *test)
{
	struct pw_addr p[] = {
		v6(0, 0, 64),		/* fd00::/64 */
		v6(0xabcd, 1, 128),
		v6(0xabcd, 0x100, 120),
	};
	struct pw_set *s = build_set(test, p, ARRAY_SIZE(p));
	struct pw_addr a;

	a = v6(0xffff, 0xffff, 128);
	KUNIT_EXPECT_TRUE(test, pw_set_contains(s, &a));	/* in fd00::/64 */
	a.a[7] = 1;						/* fd00:0:0:1::... */
	KUNIT_EXPECT_FALSE(test, pw_set_contains(s, &a));
	a = v6(0xabcd, 1, 128);
	KUNIT_EXPECT_TRUE(test, pw_set_contains(s, &a));
	a = v6(0xabcd, 0x1ff, 128);
	KUNIT_EXPECT_TRUE(test, pw_set_contains(s, &a));
	a = v6(0xabcd, 0x200, 128);
	KUNIT_EXPECT_TRUE(test, pw_set_contains(s, &a));	/* still /64 */
	a.a[0] = 0xfe;
	KUNIT_EXPECT_FALSE(test, pw_set_contains(s, &a));
	pw_set_free(&al, s);
}

static void set_families_never_cross(struct kunit *test)
{
	struct pw_addr all4 = v4(0, 0, 0, 0, 0), all6 = v6(0, 0, 0);
	struct pw_addr a4 = v4(10, 0, 0, 1, 32), a6 = v6(0, 1, 128), mapped;
	struct pw_set *s4, *s6;

	all6.a[0] = 0;
	s4 = build_set(test, &all4, 1);
	s6 = build_set(test, &all6, 1);
	KUNIT_EXPECT_TRUE(test, pw_set_contains(s4, &a4));
	KUNIT_EXPECT_FALSE(test, pw_set_contains(s4, &a6));
	KUNIT_EXPECT_TRUE(test, pw_set_contains(s6, &a6));
	KUNIT_EXPECT_FALSE(test, pw_set_contains(s6, &a4));
	/* ::ffff:10.0.0.1 is an IPv6 address, not 10.0.0.1. */
	memset(&mapped, 0, sizeof(mapped));
	mapped.family = PW_FAMILY_INET6;
	mapped.plen = 128;
	mapped.a[10] = 0xff;
	mapped.a[11] = 0xff;
	mapped.a[12] = 10;
	mapped.a[15] = 1;
	pw_set_free(&al, s4);
	s4 = build_set(test, &a4, 1);
	KUNIT_EXPECT_FALSE(test, pw_set_contains(s4, &mapped));
	pw_set_free(&al, s4);
	pw_set_free(&al, s6);
}

static struct kunit_case set_cases[] = {
	KUNIT_CASE(set_many_prefixes),
	KUNIT_CASE(set_overlapping),
	KUNIT_CASE(set_ipv6),
	KUNIT_CASE(set_families_never_cross),
	{}
};

static struct kunit_suite set_suite = {
	.name = "podwall-set",
	.test_cases = set_cases,
};

/* ---- ports ------------------------------------------------------------- */

static void ports_boundaries(struct kunit *test)
{
	const struct pw_port_range ports[] = {
		{ .proto = PW_PROTO_TCP, .first = 100, .last = 200 },
		{ .proto = PW_PROTO_TCP, .first = 150, .last = 250 },	/* overlaps */
		{ .proto = PW_PROTO_TCP, .first = 251, .last = 260 },	/* adjacent */
		{ .proto = PW_PROTO_TCP, .first = 0, .last = 0 },
		{ .proto = PW_PROTO_UDP, .first = 65535, .last = 65535 },
		{ .proto = PW_PROTO_SCTP, .first = 9, .last = 9 },
	};
	const struct pw_rule spec = { .id = 1, .dir = PODWALL_DIR_INGRESS,
				      .flags = PW_RULE_F_ANY_PEER };
	struct pw_rule *r;

	KUNIT_ASSERT_EQ(test, pw_rule_build(&al, &spec, ports, ARRAY_SIZE(ports),
					    &r), 0);
	KUNIT_EXPECT_EQ(test, r->nr_ports, 4);		/* 0, 100-260, udp, sctp */
	KUNIT_EXPECT_TRUE(test, pw_rule_admits_port(r, PW_PROTO_TCP, 0));
	KUNIT_EXPECT_FALSE(test, pw_rule_admits_port(r, PW_PROTO_TCP, 1));
	KUNIT_EXPECT_FALSE(test, pw_rule_admits_port(r, PW_PROTO_TCP, 99));
	KUNIT_EXPECT_TRUE(test, pw_rule_admits_port(r, PW_PROTO_TCP, 100));
	KUNIT_EXPECT_TRUE(test, pw_rule_admits_port(r, PW_PROTO_TCP, 201));
	KUNIT_EXPECT_TRUE(test, pw_rule_admits_port(r, PW_PROTO_TCP, 260));
	KUNIT_EXPECT_FALSE(test, pw_rule_admits_port(r, PW_PROTO_TCP, 261));
	KUNIT_EXPECT_TRUE(test, pw_rule_admits_port(r, PW_PROTO_UDP, 65535));
	KUNIT_EXPECT_FALSE(test, pw_rule_admits_port(r, PW_PROTO_UDP, 65534));
	KUNIT_EXPECT_FALSE(test, pw_rule_admits_port(r, PW_PROTO_UDP, 100));
	KUNIT_EXPECT_TRUE(test, pw_rule_admits_port(r, PW_PROTO_SCTP, 9));
	KUNIT_EXPECT_FALSE(test, pw_rule_admits_port(r, PW_PROTO_TCP, 9));
	KUNIT_EXPECT_FALSE(test, pw_rule_admits_port(r, PW_PROTO_ICMP, 0));
	pw_rule_free(&al, r);
}

static void ports_rejected(struct kunit *test)
{
	const struct pw_port_range bad_proto = { .proto = PW_PROTO_ICMP };
	const struct pw_port_range reversed = { .proto = PW_PROTO_TCP,
						.first = 2, .last = 1 };
	const struct pw_rule spec = { .id = 1, .dir = PODWALL_DIR_INGRESS };
	struct pw_rule *r;

	KUNIT_EXPECT_EQ(test, pw_rule_build(&al, &spec, &bad_proto, 1, &r),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pw_rule_build(&al, &spec, &reversed, 1, &r),
			-ERANGE);
}

static struct kunit_case port_cases[] = {
	KUNIT_CASE(ports_boundaries),
	KUNIT_CASE(ports_rejected),
	{}
};

static struct kunit_suite port_suite = {
	.name = "podwall-ports",
	.test_cases = port_cases,
};

/* ---- verdict semantics ------------------------------------------------- */

/*
 * Pods a 10.0.0.1 (isolated egress: only to b), b 10.0.0.2 (isolated
 * ingress by two policies: from a on TCP 80, from 10.0.0.0/24 on TCP 443),
 * c 10.0.0.3 (not isolated), d 10.0.0.4 (isolated both ways, no rules);
 * node 10.0.0.254.
 */
static void semantics_model(struct pwref_model *m)
{
	memset(m, 0, sizeof(*m));
	m->nr_sets = 3;
	m->sets[1].n = 1;
	m->sets[1].p[0] = v4(10, 0, 0, 1, 32);
	m->sets[2].n = 1;
	m->sets[2].p[0] = v4(10, 0, 0, 2, 32);
	m->sets[3].n = 1;
	m->sets[3].p[0] = v4(10, 0, 0, 0, 24);
	m->has_node = 1;
	m->node.n = 1;
	m->node.p[0] = v4(10, 0, 0, 254, 32);

	m->nr_rules = 3;
	m->rules[1] = (struct pw_rule){ .id = 1, .policy = 1,
					.dir = PODWALL_DIR_INGRESS, .set = 1 };
	m->nr_ports[1] = 1;
	m->ports[1][0] = (struct pw_port_range){ .proto = PW_PROTO_TCP,
						 .first = 80, .last = 80 };
	m->rules[2] = (struct pw_rule){ .id = 2, .policy = 2,
					.dir = PODWALL_DIR_INGRESS, .set = 3 };
	m->nr_ports[2] = 1;
	m->ports[2][0] = (struct pw_port_range){ .proto = PW_PROTO_TCP,
						 .first = 443, .last = 443 };
	m->rules[3] = (struct pw_rule){ .id = 3, .policy = 3,
					.dir = PODWALL_DIR_EGRESS, .set = 2,
					.flags = PW_RULE_F_ANY_PORT };

	m->nr_eps = 4;
	m->eps[1].flags = PODWALL_EP_F_ISOLATED_EGRESS;
	m->eps[1].nr_addrs = 1;
	m->eps[1].addrs[0] = v4(10, 0, 0, 1, 32);
	m->eps[1].nr_rules[PODWALL_DIR_EGRESS] = 1;
	m->eps[1].rules[PODWALL_DIR_EGRESS][0] = 3;
	m->eps[2].flags = PODWALL_EP_F_ISOLATED_INGRESS;
	m->eps[2].nr_addrs = 1;
	m->eps[2].addrs[0] = v4(10, 0, 0, 2, 32);
	m->eps[2].nr_rules[PODWALL_DIR_INGRESS] = 2;
	m->eps[2].rules[PODWALL_DIR_INGRESS][0] = 1;
	m->eps[2].rules[PODWALL_DIR_INGRESS][1] = 2;
	m->eps[3].nr_addrs = 1;
	m->eps[3].addrs[0] = v4(10, 0, 0, 3, 32);
	m->eps[4].flags = PODWALL_EP_F_ALL;
	m->eps[4].nr_addrs = 1;
	m->eps[4].addrs[0] = v4(10, 0, 0, 4, 32);
}

static void semantics(struct kunit *test)
{
	static const struct {
		u8 s, d;	/* last octet of 10.0.0.x; 0: 192.168.0.1/.2 */
		u8 proto;
		u16 dport;
		u8 reason;
		u32 erule, irule;
	} cases[] = {
		{ 1, 2, PW_PROTO_TCP, 80, PODWALL_REASON_ALLOWED, 3, 1 },
		/* Union: the second policy admits a too. */
		{ 1, 2, PW_PROTO_TCP, 443, PODWALL_REASON_ALLOWED, 3, 2 },
		{ 1, 2, PW_PROTO_TCP, 22, PODWALL_REASON_DENIED_INGRESS, 3, 0 },
		{ 1, 2, PW_PROTO_UDP, 80, PODWALL_REASON_DENIED_INGRESS, 3, 0 },
		/* Egress AND ingress: a may only talk to b. */
		{ 1, 3, PW_PROTO_TCP, 80, PODWALL_REASON_DENIED_EGRESS, 0, 0 },
		{ 1, 9, PW_PROTO_TCP, 80, PODWALL_REASON_DENIED_EGRESS, 0, 0 },
		{ 3, 2, PW_PROTO_TCP, 443, PODWALL_REASON_ALLOWED, 0, 2 },
		{ 3, 2, PW_PROTO_TCP, 80, PODWALL_REASON_DENIED_INGRESS, 0, 0 },
		/* Not isolated for ingress: a accepts anything. */
		{ 3, 1, PW_PROTO_TCP, 80, PODWALL_REASON_ALLOWED, 0, 0 },
		{ 4, 2, PW_PROTO_TCP, 22, PODWALL_REASON_DENIED_BOTH, 0, 0 },
		{ 254, 4, PW_PROTO_TCP, 22, PODWALL_REASON_NODE, 0, 0 },
		{ 4, 4, PW_PROTO_TCP, 22, PODWALL_REASON_SELF, 0, 0 },
		{ 0, 0, PW_PROTO_TCP, 22, PODWALL_REASON_NOT_ENDPOINT, 0, 0 },
	};
	struct pwref_model *m;
	struct pw_table t;
	unsigned int i;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	semantics_model(m);
	KUNIT_ASSERT_EQ(test, pwref_table_build(&al, m, 7, &t), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct pw_tuple tu = { .proto = cases[i].proto,
				       .sport = 40000, .dport = cases[i].dport };
		struct pwref_verdict ref;
		struct pw_verdict v;

		tu.src = v4(192, 168, 0, 1, 32);
		tu.dst = v4(192, 168, 0, 2, 32);
		if (cases[i].s)
			tu.src = v4(10, 0, 0, cases[i].s, 32);
		if (cases[i].d)
			tu.dst = v4(10, 0, 0, cases[i].d, 32);
		pw_match(&t, &tu, &v);
		KUNIT_EXPECT_EQ_MSG(test, v.reason, cases[i].reason, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, v.allow,
				    (u8)(cases[i].reason < PODWALL_REASON_DENIED_EGRESS),
				    "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, v.egress_rule ? v.egress_rule->id : 0,
				    cases[i].erule, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, v.ingress_rule ? v.ingress_rule->id : 0,
				    cases[i].irule, "case %u", i);
		pwref_match(m, &tu, &ref);
		KUNIT_EXPECT_TRUE_MSG(test, pwref_same(&v, &ref), "case %u", i);
	}
	/* No table: everything allowed. */
	{
		struct pw_tuple tu = { .src = v4(10, 0, 0, 4, 32),
				       .dst = v4(10, 0, 0, 2, 32),
				       .proto = PW_PROTO_TCP, .dport = 22 };
		struct pw_verdict v;

		pw_match(NULL, &tu, &v);
		KUNIT_EXPECT_EQ(test, v.allow, 1);
		KUNIT_EXPECT_EQ(test, v.reason, PODWALL_REASON_NO_POLICY);
	}
	pwref_table_free(&al, &t);
}

static void duplicate_address(struct kunit *test)
{
	struct pwref_model *m;
	struct pw_table t;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	semantics_model(m);
	m->eps[3].addrs[0] = m->eps[2].addrs[0];
	KUNIT_EXPECT_EQ(test, pwref_table_build(&al, m, 7, &t), -EEXIST);
}

static struct kunit_case verdict_cases[] = {
	KUNIT_CASE(semantics),
	KUNIT_CASE(duplicate_address),
	{}
};

static struct kunit_suite verdict_suite = {
	.name = "podwall-verdict",
	.test_cases = verdict_cases,
};

/* ---- differential -------------------------------------------------------- */

static void differential(struct kunit *test)
{
	u64 seed = test_seed ?: get_random_u64();
	struct pwref_rng rng = { .s = seed };
	unsigned long checked = 0, bad = 0, denied = 0;
	struct pwref_model *m;
	unsigned int i, j;

	kunit_info(test, "seed %llu (podwall.test_seed=%llu replays)\n",
		   seed, seed);
	m = kvzalloc(sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	for (i = 0; i < DIFF_MODELS; i++) {
		struct pw_table t;

		pwref_random_model(&rng, m);
		if (pwref_table_build(&al, m, (u32)pwref_next(&rng), &t)) {
			KUNIT_FAIL(test, "model %u: cannot build the table", i);
			break;
		}
		for (j = 0; j < DIFF_TUPLES; j++) {
			struct pwref_verdict ref;
			struct pw_verdict v;
			struct pw_tuple tu;

			pwref_random_tuple(&rng, m, &tu);
			pw_match(&t, &tu, &v);
			pwref_match(m, &tu, &ref);
			checked++;
			denied += !ref.allow;
			if (!pwref_same(&v, &ref) && bad++ < 5)
				KUNIT_FAIL(test, "model %u tuple %u: reason %u vs reference %u",
					   i, j, v.reason, ref.reason);
		}
		pwref_table_free(&al, &t);
		cond_resched();
	}
	kvfree(m);
	kunit_info(test, "%lu tuples, %lu denied, %lu disagreements\n",
		   checked, denied, bad);
	KUNIT_EXPECT_GE(test, checked, 100000UL);
	KUNIT_EXPECT_GT(test, denied, checked / 20);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
}

static struct kunit_case differential_cases[] = {
	KUNIT_CASE(differential),
	{}
};

static struct kunit_suite differential_suite = {
	.name = "podwall-differential",
	.test_cases = differential_cases,
};

kunit_test_suites(&set_suite, &port_suite, &verdict_suite, &differential_suite);
