// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for what commits share between versions: the copy-on-write
 * id radix (ids.c) and sets with shared shards (set.c), and sets loaded in
 * chunks. Linked into
 * podwall.ko with CONFIG_KUNIT, like match_test.c. Under kmemleak a leaked
 * leaf, shard or object shows after the module's tests.
 */
#include <kunit/test.h>
#include <linux/kref.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "gen.h"
#include "ids.h"
#include "set.h"

#define IDS_N	1000	/* ids 1..IDS_N: four leaves */

static void ids_copy_on_write(struct kunit *test)
{
	struct podwall_ids a = {}, b = {};
	struct podwall_obj *kept, *obj;
	u32 id, n;

	for (id = 1; id <= IDS_N; id++) {
		obj = podwall_obj_new(PODWALL_POLICY, id);
		KUNIT_ASSERT_NOT_NULL(test, obj);
		KUNIT_ASSERT_EQ(test, podwall_ids_store(&a, id, obj), 0);
	}
	kept = podwall_obj_get(podwall_ids_get(&a, 5));
	KUNIT_ASSERT_EQ(test, podwall_ids_copy(&b, &a), 0);
	/* A copy shares every leaf. */
	for (n = 0; n < a.pw.nr_leaves; n++)
		KUNIT_EXPECT_PTR_EQ(test, a.leaves[n], b.leaves[n]);

	/* Replace 5 and delete 700 in b: a keeps both, b's other leaves stay shared. */
	obj = podwall_obj_new(PODWALL_POLICY, 5);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_EQ(test, podwall_ids_store(&b, 5, obj), 0);
	KUNIT_ASSERT_EQ(test, podwall_ids_store(&b, 700, NULL), 0);
	KUNIT_EXPECT_PTR_EQ(test, podwall_ids_get(&a, 5), kept);
	KUNIT_EXPECT_PTR_EQ(test, podwall_ids_get(&b, 5), obj);
	KUNIT_EXPECT_NOT_NULL(test, podwall_ids_get(&a, 700));
	KUNIT_EXPECT_NULL(test, podwall_ids_get(&b, 700));
	KUNIT_EXPECT_PTR_NE(test, a.leaves[0], b.leaves[0]);
	KUNIT_EXPECT_PTR_NE(test, a.leaves[700 / PW_IDS_LEAF],
			    b.leaves[700 / PW_IDS_LEAF]);
	KUNIT_EXPECT_PTR_EQ(test, a.leaves[1], b.leaves[1]);
	/* The matcher's root points at the same leaves. */
	KUNIT_EXPECT_PTR_EQ(test, pw_ids_get(&b.pw, 5), podwall_obj_pw(obj));
	KUNIT_EXPECT_PTR_EQ(test, pw_ids_get(&b.pw, 6),
			    podwall_obj_pw(podwall_ids_get(&a, 6)));

	/* Referrer counts are per version too. */
	KUNIT_ASSERT_EQ(test, podwall_ids_use(&b, 3, 2), 0);
	KUNIT_EXPECT_EQ(test, podwall_ids_users(&b, 3), 2U);
	KUNIT_EXPECT_EQ(test, podwall_ids_users(&a, 3), 0U);

	/* Iteration sees every object once, in id order. */
	for (n = 0, id = 0; (obj = podwall_ids_next(&b, &id)); id++, n++)
		KUNIT_EXPECT_EQ(test, obj->id, id);
	KUNIT_EXPECT_EQ(test, n, IDS_N - 1);

	/* Releasing a drops the old 5: only our reference is left. */
	podwall_ids_release(&a);
	KUNIT_EXPECT_EQ(test, kref_read(&kept->ref), 1U);
	podwall_obj_put(kept);
	KUNIT_EXPECT_NOT_NULL(test, podwall_ids_get(&b, 6));
	podwall_ids_release(&b);
}

/* Ids far apart: the root grows, the leaves between stay NULL. */
static void ids_sparse(struct kunit *test)
{
	struct podwall_ids a = {};
	struct podwall_obj *obj;
	u32 id = 0;

	obj = podwall_obj_new(PODWALL_POLICY, 100000);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_EQ(test, podwall_ids_store(&a, 100000, obj), 0);
	KUNIT_EXPECT_GE(test, pw_ids_limit(&a.pw), 100001U);
	KUNIT_EXPECT_NULL(test, a.leaves[0]);
	KUNIT_EXPECT_PTR_EQ(test, podwall_ids_next(&a, &id), obj);
	KUNIT_EXPECT_EQ(test, id, 100000U);
	id++;
	KUNIT_EXPECT_NULL(test, podwall_ids_next(&a, &id));
	podwall_ids_release(&a);
}

static struct pw_addr prefix(u32 i)
{
	struct pw_addr a = { .family = PW_FAMILY_INET, .plen = 32,
			     .a = { 10, (u8)(i >> 16), (u8)(i >> 8), (u8)i } };

	return a;
}

static u32 shared_shards(const struct pw_set *x, const struct pw_set *y)
{
	u32 i, n = 0;

	for (i = 0; x->shift == y->shift && i < 1U << x->shift; i++)
		n += x->shards[i] && x->shards[i] == y->shards[i];
	return n;
}

static void set_clone_edit(struct kunit *test)
{
	const u32 n = 4000;
	struct podwall_obj *orig, *copy;
	struct pw_addr *p, a;
	u32 i, shards;

	p = kvcalloc(n + 3000, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n + 3000; i++)
		p[i] = prefix(2 * i);
	orig = podwall_obj_new(PODWALL_SET, 1);
	KUNIT_ASSERT_NOT_NULL(test, orig);
	KUNIT_ASSERT_EQ(test, podwall_set_init(orig, p, n), 0);
	shards = 1U << orig->set->shift;
	KUNIT_EXPECT_GT(test, shards, 1U);

	/* Ten in, ten out: the copy shares all but the shards it touched. */
	copy = podwall_set_clone(orig);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_EXPECT_EQ(test, shared_shards(orig->set, copy->set), shards);
	KUNIT_ASSERT_EQ(test, podwall_set_add(copy, false, p + n, 10), 0);
	KUNIT_ASSERT_EQ(test, podwall_set_del(copy, p, 10), 0);
	KUNIT_EXPECT_GE(test, shared_shards(orig->set, copy->set), shards - 20);
	KUNIT_EXPECT_EQ(test, orig->set->nr_prefixes, n);
	KUNIT_EXPECT_EQ(test, copy->set->nr_prefixes, n);
	for (i = 0; i < n + 10; i++) {
		KUNIT_EXPECT_EQ_MSG(test, pw_set_contains(orig->set, &p[i]), i < n,
				    "original, prefix %u", i);
		KUNIT_EXPECT_EQ_MSG(test, pw_set_contains(copy->set, &p[i]), i >= 10,
				    "copy, prefix %u", i);
		a = p[i];
		a.a[3] |= 1;	/* odd: never a member */
		KUNIT_EXPECT_FALSE(test, pw_set_contains(copy->set, &a));
	}

	/* A large batch rebuilds the copy; the original is untouched. */
	KUNIT_ASSERT_EQ(test, podwall_set_add(copy, false, p + n + 10, 2990), 0);
	KUNIT_EXPECT_EQ(test, copy->set->nr_prefixes, n + 2990);
	for (i = 0; i < n + 3000; i++) {
		KUNIT_EXPECT_EQ(test, pw_set_contains(copy->set, &p[i]), i >= 10);
		KUNIT_EXPECT_EQ(test, pw_set_contains(orig->set, &p[i]), i < n);
	}
	podwall_obj_put(copy);
	podwall_obj_put(orig);
	kvfree(p);
}

/* A fresh set collects chunks and builds them in once, duplicates too. */
static void set_fresh_chunks(struct kunit *test)
{
	struct podwall_obj *obj;
	struct pw_addr *p;
	u32 i;

	p = kvcalloc(5000, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 5000; i++)
		p[i] = prefix(2 * i);
	obj = podwall_obj_new(PODWALL_SET, 2);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_EQ(test, podwall_set_init(obj, p, 1000), 0);
	for (i = 1000; i < 5000; i += 1000)
		KUNIT_ASSERT_EQ(test, podwall_set_add(obj, true, p + i, 1000), 0);
	KUNIT_ASSERT_EQ(test, podwall_set_add(obj, true, p, 10), 0);
	KUNIT_EXPECT_EQ(test, obj->set->nr_prefixes, 1000U);
	KUNIT_EXPECT_EQ(test, podwall_set_count(obj), 5010U);
	KUNIT_ASSERT_EQ(test, podwall_set_flush(obj), 0);
	KUNIT_EXPECT_EQ(test, obj->nr_pending, 0U);
	KUNIT_EXPECT_EQ(test, podwall_set_count(obj), 5000U);
	KUNIT_EXPECT_GE(test, obj->set->shift, pw_set_shift_for(5000));
	for (i = 0; i < 5000; i++)
		KUNIT_EXPECT_TRUE(test, pw_set_contains(obj->set, &p[i]));
	/* A removal builds collected prefixes in first. */
	KUNIT_ASSERT_EQ(test, podwall_set_add(obj, true, p, 1), 0);
	KUNIT_ASSERT_EQ(test, podwall_set_del(obj, p, 1), 0);
	KUNIT_EXPECT_EQ(test, podwall_set_count(obj), 4999U);
	KUNIT_EXPECT_FALSE(test, pw_set_contains(obj->set, &p[0]));
	podwall_obj_put(obj);
	kvfree(p);
}

static struct kunit_case ids_cases[] = {
	KUNIT_CASE(ids_copy_on_write),
	KUNIT_CASE(ids_sparse),
	KUNIT_CASE(set_clone_edit),
	KUNIT_CASE(set_fresh_chunks),
	{}
};

static struct kunit_suite ids_suite = {
	.name = "podwall-versions",
	.test_cases = ids_cases,
};

kunit_test_suites(&ids_suite);
