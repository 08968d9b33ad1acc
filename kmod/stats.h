/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU counters: per netns, per rule and per endpoint. Writers are the
 * hooks (softirq, this CPU only); readers sum every CPU when dumping.
 * Ownership: netns counters belong to struct podwall_net, rule and endpoint
 * counters to their object (struct podwall_obj, by pool slot), so they
 * survive every generation that shares the object.
 */
#ifndef _PODWALL_STATS_H
#define _PODWALL_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <net/netlink.h>

enum podwall_ctr {
	PODWALL_CTR_JUDGED,
	PODWALL_CTR_ALLOWED,
	PODWALL_CTR_DENIED_INGRESS,
	PODWALL_CTR_DENIED_EGRESS,
	PODWALL_CTR_EVENTS,
	PODWALL_CTR_SUPPRESSED,
	__PODWALL_CTR_MAX
};

/* netns and endpoint counters (endpoints use the first four). */
struct podwall_stats {
	u64 ctr[__PODWALL_CTR_MAX];
	struct u64_stats_sync syncp;
};

/* A rule: connections it admitted. */
struct podwall_hits {
	u64 hits;
	struct u64_stats_sync syncp;
};

/* netns counters: one allocation each. */
struct podwall_stats __percpu *podwall_stats_alloc(void);
/* Endpoint and rule counters: blocks from pools (ctrpool.h), by slot. */
struct podwall_stats __percpu *podwall_ep_stats_get(u32 *slot);
void podwall_ep_stats_put(u32 slot);
struct podwall_hits __percpu *podwall_hits_get(u32 *slot);
void podwall_hits_put(u32 slot);
/* At module exit, when no object is left. */
void podwall_stats_pools_destroy(void);

static inline void podwall_stats_inc(struct podwall_stats __percpu *stats,
				     enum podwall_ctr ctr)
{
	struct podwall_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	s->ctr[ctr]++;
	u64_stats_update_end(&s->syncp);
}

static inline void podwall_hits_inc(struct podwall_hits __percpu *hits)
{
	struct podwall_hits *h = this_cpu_ptr(hits);

	u64_stats_update_begin(&h->syncp);
	h->hits++;
	u64_stats_update_end(&h->syncp);
}

void podwall_stats_sum(struct podwall_stats __percpu *stats,
		       u64 sum[__PODWALL_CTR_MAX]);
u64 podwall_hits_sum(struct podwall_hits __percpu *hits);

/*
 * Puts a PODWALL_A_STATS nest: the first @nr counters of @stats (may be
 * NULL), rule @hits (may be NULL) and @commits (if @with_commits).
 */
int podwall_stats_put(struct sk_buff *skb, struct podwall_stats __percpu *stats,
		      unsigned int nr, struct podwall_hits __percpu *hits,
		      bool with_commits, u64 commits);

#endif /* _PODWALL_STATS_H */
