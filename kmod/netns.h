/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state: each netns is an independent node with its
 * own live generation, candidates, counters and hooks.
 * Locking: @lock (a mutex) serialises every writer of @live, @txns,
 * @ct_enabled and @commits. The hooks read @live under rcu_read_lock().
 */
#ifndef _PODWALL_NETNS_H
#define _PODWALL_NETNS_H

#include <linux/mutex.h>
#include <linux/list.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "gen.h"
#include "stats.h"

/* Deny-event token bucket of one CPU. */
struct podwall_ratelimit {
	u64 stamp;		/* ns of the last refill */
	u32 tokens;
	u64 suppressed;		/* events dropped since the last one sent */
};

struct podwall_net {
	struct net *net;
	struct mutex lock;		/* see above */
	struct podwall_gen __rcu *live;	/* NULL until the first commit */
	struct list_head txns;		/* struct podwall_txn, under @lock */
	unsigned int nr_txns;
	struct delayed_work gc;		/* drops idle candidates */
	bool ct_enabled;		/* holds nf_ct_netns_get(NFPROTO_INET) */
	u64 commits;
	struct podwall_stats __percpu *stats;
	struct podwall_ratelimit __percpu *ratelimit;
};

extern unsigned int podwall_net_id;

static inline struct podwall_net *podwall_net(const struct net *net)
{
	return net_generic(net, podwall_net_id);
}

int podwall_netns_register(void);
void podwall_netns_unregister(void);

/* Takes conntrack for this netns once; call under @lock. */
int podwall_netns_enable_ct(struct podwall_net *pn);

#endif /* _PODWALL_NETNS_H */
