// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The shared matcher (kmod/match.c, kmod/table.c) in userspace: a
 * randomized differential test against the naive reference in
 * kmod/match_ref.h (the same check the KUnit suite runs in the kernel),
 * plus a large set that must grow, and port range boundaries.
 * PODWALL_SEED=<n> replays a run; the seed is printed either way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "../../kmod/match.h"
#include "../../kmod/match_ref.h"

#define MODELS		200
#define TUPLES		1000	/* per model: 200k tuples in all */

static void *z(size_t size, void *ctx)
{
	(void)ctx;
	return calloc(1, size ? size : 1);
}

static void f(void *p, void *ctx)
{
	(void)ctx;
	free(p);
}

static const struct pw_alloc al = { .zalloc = z, .free = f };

static uint64_t seed;

static void print_tuple(const struct pw_tuple *t)
{
	unsigned int i, n = t->src.family == PW_FAMILY_INET ? 4 : 16;

	fprintf(stderr, "tuple fam %u src", t->src.family);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02x", t->src.a[i]);
	fprintf(stderr, " dst");
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02x", t->dst.a[i]);
	fprintf(stderr, " proto %u dport %u\n", t->proto, t->dport);
}

static void test_differential(void **state)
{
	struct pwref_rng rng = { .s = seed };
	struct pwref_model *m = calloc(1, sizeof(*m));
	unsigned long checked = 0, bad = 0, denied = 0, node = 0, self = 0;
	unsigned int i, j;

	(void)state;
	assert_non_null(m);
	for (i = 0; i < MODELS; i++) {
		struct pw_table t;

		pwref_random_model(&rng, m);
		assert_int_equal(pwref_table_build(&al, m, (uint32_t)pwref_next(&rng), &t), 0);
		for (j = 0; j < TUPLES; j++) {
			struct pwref_verdict ref;
			struct pw_verdict v;
			struct pw_tuple tu;

			pwref_random_tuple(&rng, m, &tu);
			pw_match(&t, &tu, &v);
			pwref_match(m, &tu, &ref);
			checked++;
			denied += !ref.allow;
			node += ref.reason == PODWALL_REASON_NODE;
			self += ref.reason == PODWALL_REASON_SELF;
			if (!pwref_same(&v, &ref)) {
				if (bad++ < 5) {
					print_tuple(&tu);
					fprintf(stderr, "model %u: pw_match allow %u reason %u (%u/%u) ref allow %u reason %u (%u/%u)\n",
						i, v.allow, v.reason, v.egress, v.ingress,
						ref.allow, ref.reason, ref.egress, ref.ingress);
				}
			}
		}
		pwref_table_free(&al, &t);
	}
	free(m);
	printf("differential: seed %llu, %lu tuples, %lu denied, %lu node, %lu self, %lu disagreements\n",
	       (unsigned long long)seed, checked, denied, node, self, bad);
	assert_true(checked >= 100000);
	/* The generator must exercise both outcomes, or the test proves nothing. */
	assert_true(denied > checked / 20 && denied < checked - checked / 20);
	assert_true(node > 0 && self > 0);
	assert_int_equal(bad, 0);
}

static void addr4(struct pw_addr *a, uint32_t host, uint8_t plen)
{
	memset(a, 0, sizeof(*a));
	a->family = PW_FAMILY_INET;
	a->plen = plen;
	a->a[0] = host >> 24;
	a->a[1] = host >> 16;
	a->a[2] = host >> 8;
	a->a[3] = host;
}

/* 50k /32s plus some /24s: every member found, neighbours are not. */
static void test_large_set(void **state)
{
	const uint32_t n = 50000;
	struct pw_addr *p = calloc(n + 16, sizeof(*p)), a;
	struct pw_set *s;
	uint32_t i;

	(void)state;
	assert_non_null(p);
	for (i = 0; i < n; i++)
		addr4(&p[i], 0x0a000000 + 2 * i, 32);	/* even addresses */
	for (i = 0; i < 16; i++)
		addr4(&p[n + i], 0xc0a80000 + (i << 9), 24); /* 192.168.(2i).0/24 */
	assert_int_equal(pw_set_build(&al, 1, 42, p, n + 16, &s), 0);
	assert_int_equal(s->nr_prefixes, n + 16);
	for (i = 0; i < n; i++) {
		addr4(&a, 0x0a000000 + 2 * i, 32);
		assert_true(pw_set_contains(s, &a));
		addr4(&a, 0x0a000000 + 2 * i + 1, 32);
		assert_false(pw_set_contains(s, &a));
	}
	addr4(&a, 0xc0a802ff, 32);	/* 192.168.2.255: in 192.168.2.0/24 */
	assert_true(pw_set_contains(s, &a));
	addr4(&a, 0xc0a80301, 32);	/* 192.168.3.1: not */
	assert_false(pw_set_contains(s, &a));
	pw_set_free(&al, s);
	free(p);
}

static void test_port_boundaries(void **state)
{
	struct pw_port_range ports[] = {
		{ .proto = PW_PROTO_TCP, .first = 80, .last = 80 },
		{ .proto = PW_PROTO_TCP, .first = 81, .last = 90 },	/* adjacent: merged */
		{ .proto = PW_PROTO_UDP, .first = 65535, .last = 65535 },
		{ .proto = PW_PROTO_SCTP, .first = 0, .last = 0 },
	};
	struct pw_rule spec = { .id = 1, .dir = PODWALL_DIR_INGRESS, .flags = PW_RULE_F_ANY_PEER };
	struct pw_rule *r;

	(void)state;
	assert_int_equal(pw_rule_build(&al, &spec, ports, 4, &r), 0);
	assert_int_equal(r->nr_ports, 3);
	assert_false(pw_rule_admits_port(r, PW_PROTO_TCP, 79));
	assert_true(pw_rule_admits_port(r, PW_PROTO_TCP, 80));
	assert_true(pw_rule_admits_port(r, PW_PROTO_TCP, 90));
	assert_false(pw_rule_admits_port(r, PW_PROTO_TCP, 91));
	assert_false(pw_rule_admits_port(r, PW_PROTO_UDP, 80));
	assert_true(pw_rule_admits_port(r, PW_PROTO_UDP, 65535));
	assert_false(pw_rule_admits_port(r, PW_PROTO_UDP, 65534));
	assert_true(pw_rule_admits_port(r, PW_PROTO_SCTP, 0));
	assert_false(pw_rule_admits_port(r, PW_PROTO_SCTP, 1));
	assert_false(pw_rule_admits_port(r, PW_PROTO_ICMP, 0));
	pw_rule_free(&al, r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_large_set),
		cmocka_unit_test(test_port_boundaries),
	};
	const char *s = getenv("PODWALL_SEED");

	seed = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
	printf("test_match: seed %llu (PODWALL_SEED to replay)\n",
	       (unsigned long long)seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
