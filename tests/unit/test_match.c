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
#include <errno.h>

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

/*
 * Shard edits as the module makes them: each insert or removal copies the
 * prefix's shard (growing it when needed), edits the copy in place and
 * swaps it in; the old shard is untouched. Checked after every step
 * against a naive list: all members found, removed ones not, and
 * addresses under a member prefix found.
 */
static int naive_has(const struct pw_addr *v, uint32_t n, const struct pw_addr *a)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (!memcmp(&v[i], a, sizeof(*a)))
			return 1;
	return 0;
}

static int naive_contains(const struct pw_addr *v, uint32_t n,
			  const struct pw_addr *a)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		struct pw_addr k = *a;

		k.plen = v[i].plen;
		pw_addr_mask(&k);
		if (!memcmp(&v[i], &k, sizeof(k)))
			return 1;
	}
	return 0;
}

static void test_shard_edits(void **state)
{
	struct pwref_rng rng = { .s = seed ^ 0x5eed };
	const uint32_t pool = 600, steps = 3000;
	struct pw_addr *p = calloc(pool, sizeof(*p)), *in = calloc(pool, sizeof(*in));
	uint32_t i, n = 0, nin = 0;
	struct pw_set *s;

	(void)state;
	assert_non_null(p);
	assert_non_null(in);
	for (i = 0; i < pool; i++) {
		/* /32s and a few /24s, all distinct, in 10.0.0.0/16. */
		addr4(&p[i], 0x0a000000 + i * 7, i % 50 ? 32 : 24);
		pw_addr_mask(&p[i]);
	}
	/* Start from 200 members: several shards. */
	for (i = 0; i < 200; i++)
		if (!naive_has(in, nin, &p[i]))
			in[nin++] = p[i];
	assert_int_equal(pw_set_build(&al, 1, 99, in, nin, &s), 0);
	assert_true(s->shift > 0);
	for (i = 0; i < steps; i++) {
		const struct pw_addr *k = &p[pwref_below(&rng, pool)];
		uint32_t sh = pw_set_shard(s, k), j;
		struct pw_shard *old = s->shards[sh], *copy;
		int was = naive_has(in, nin, k), rc;

		assert_int_equal(pw_shard_copy(&al, old,
					       pw_shard_cap((old ? old->nr : 0) + 1),
					       s->seed, s->shift, &copy), 0);
		if (pwref_below(&rng, 2)) {
			rc = pw_shard_insert(copy, s->seed, s->shift, k);
			assert_int_equal(rc, was ? 1 : 0);
			if (!was) {
				in[nin++] = *k;
				s->nr_prefixes++;
				pw_set_note_plen(s, k);
			}
		} else {
			rc = pw_shard_remove(copy, s->seed, s->shift, k);
			assert_int_equal(rc, was ? 0 : -ENOENT);
			for (j = 0; was && j < nin; j++)
				if (!memcmp(&in[j], k, sizeof(*k))) {
					in[j] = in[--nin];
					s->nr_prefixes--;
					break;
				}
		}
		s->shards[sh] = copy;
		free(old);
		assert_int_equal(s->nr_prefixes, nin);
		/* Every 50 steps, check the whole pool. */
		for (j = 0; i % 50 == 0 && j < pool; j++) {
			struct pw_addr a = p[j];

			a.plen = 32;
			if (p[j].plen == 24)
				a.a[3] = 0x80;	/* an address inside the /24 */
			assert_int_equal(pw_set_contains(s, &a), naive_contains(in, nin, &a));
		}
	}
	n = 0;
	for (i = 0; i < 1U << s->shift; i++)
		n += s->shards[i] ? s->shards[i]->nr : 0;
	assert_int_equal(n, nin);
	pw_set_free(&al, s);
	free(p);
	free(in);
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
		cmocka_unit_test(test_shard_edits),
		cmocka_unit_test(test_port_boundaries),
	};
	const char *s = getenv("PODWALL_SEED");

	seed = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
	printf("test_match: seed %llu (PODWALL_SEED to replay)\n",
	       (unsigned long long)seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
