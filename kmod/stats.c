// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters, summed only when userspace asks for them.
 */
#include "stats.h"
#include "ctrpool.h"
#include "match.h"

static struct podwall_ctrpool ep_pool =
	PODWALL_CTRPOOL_INIT(ep_pool, struct podwall_stats);
static struct podwall_ctrpool rule_pool =
	PODWALL_CTRPOOL_INIT(rule_pool, struct podwall_hits);

struct podwall_stats __percpu *podwall_stats_alloc(void)
{
	struct podwall_stats __percpu *stats;
	int cpu;

	stats = alloc_percpu_gfp(struct podwall_stats, GFP_KERNEL_ACCOUNT);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

struct podwall_stats __percpu *podwall_ep_stats_get(u32 *slot)
{
	struct podwall_stats __percpu *stats = podwall_ctrpool_get(&ep_pool, slot);
	int cpu;

	if (stats)
		for_each_possible_cpu(cpu)
			u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

void podwall_ep_stats_put(u32 slot)
{
	podwall_ctrpool_put(&ep_pool, slot);
}

struct podwall_hits __percpu *podwall_hits_get(u32 *slot)
{
	struct podwall_hits __percpu *hits = podwall_ctrpool_get(&rule_pool, slot);
	int cpu;

	if (hits)
		for_each_possible_cpu(cpu)
			u64_stats_init(&per_cpu_ptr(hits, cpu)->syncp);
	return hits;
}

void podwall_hits_put(u32 slot)
{
	podwall_ctrpool_put(&rule_pool, slot);
}

void podwall_stats_pools_destroy(void)
{
	podwall_ctrpool_destroy(&ep_pool);
	podwall_ctrpool_destroy(&rule_pool);
}

void podwall_stats_sum(struct podwall_stats __percpu *stats,
		       u64 sum[__PODWALL_CTR_MAX])
{
	unsigned int start, i;
	int cpu;

	memset(sum, 0, sizeof(u64) * __PODWALL_CTR_MAX);
	for_each_possible_cpu(cpu) {
		const struct podwall_stats *s = per_cpu_ptr(stats, cpu);
		u64 v[__PODWALL_CTR_MAX];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			memcpy(v, s->ctr, sizeof(v));
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < __PODWALL_CTR_MAX; i++)
			sum[i] += v[i];
	}
}

u64 podwall_hits_sum(struct podwall_hits __percpu *hits)
{
	unsigned int start;
	u64 sum = 0, v;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct podwall_hits *h = per_cpu_ptr(hits, cpu);

		do {
			start = u64_stats_fetch_begin(&h->syncp);
			v = h->hits;
		} while (u64_stats_fetch_retry(&h->syncp, start));
		sum += v;
	}
	return sum;
}

static const int ctr_attr[__PODWALL_CTR_MAX] = {
	[PODWALL_CTR_JUDGED]		= PODWALL_STATS_A_JUDGED,
	[PODWALL_CTR_ALLOWED]		= PODWALL_STATS_A_ALLOWED,
	[PODWALL_CTR_DENIED_INGRESS]	= PODWALL_STATS_A_DENIED_INGRESS,
	[PODWALL_CTR_DENIED_EGRESS]	= PODWALL_STATS_A_DENIED_EGRESS,
	[PODWALL_CTR_EVENTS]		= PODWALL_STATS_A_EVENTS,
	[PODWALL_CTR_SUPPRESSED]	= PODWALL_STATS_A_SUPPRESSED,
};

int podwall_stats_put(struct sk_buff *skb, struct podwall_stats __percpu *stats,
		      unsigned int nr, struct podwall_hits __percpu *hits,
		      bool with_commits, u64 commits)
{
	u64 sum[__PODWALL_CTR_MAX];
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, PODWALL_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (stats) {
		podwall_stats_sum(stats, sum);
		for (i = 0; i < nr && i < __PODWALL_CTR_MAX; i++)
			if (nla_put_u64_64bit(skb, ctr_attr[i], sum[i],
					      PODWALL_STATS_A_PAD))
				goto cancel;
	}
	if (hits && nla_put_u64_64bit(skb, PODWALL_STATS_A_HITS,
				      podwall_hits_sum(hits),
				      PODWALL_STATS_A_PAD))
		goto cancel;
	if (with_commits && nla_put_u64_64bit(skb, PODWALL_STATS_A_COMMITS,
					      commits, PODWALL_STATS_A_PAD))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}
