// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns state: created for every netns (including ones created after
 * the module loads) by pernet_operations, torn down when the netns goes or
 * the module unloads. Conntrack is taken on the first commit only, so a
 * netns that never gets a policy set pays nothing.
 */
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include "netns.h"
#include "hooks.h"
#include "txn.h"

unsigned int podwall_net_id __read_mostly;

#define GC_INTERVAL	HZ

static void gc_work(struct work_struct *work)
{
	struct podwall_net *pn = container_of(to_delayed_work(work),
					      struct podwall_net, gc);

	mutex_lock(&pn->lock);
	podwall_txn_gc(pn);
	if (pn->nr_txns)
		queue_delayed_work(podwall_wq, &pn->gc, GC_INTERVAL);
	mutex_unlock(&pn->lock);
}

int podwall_netns_enable_ct(struct podwall_net *pn)
{
	int err;

	lockdep_assert_held(&pn->lock);
	if (pn->ct_enabled)
		return 0;
	err = nf_ct_netns_get(pn->net, NFPROTO_INET);
	if (err)
		return err;
	pn->ct_enabled = true;
	return 0;
}

static int __net_init podwall_net_init(struct net *net)
{
	struct podwall_net *pn = podwall_net(net);
	int err = -ENOMEM;

	pn->net = net;
	mutex_init(&pn->lock);
	INIT_LIST_HEAD(&pn->txns);
	INIT_DELAYED_WORK(&pn->gc, gc_work);
	pn->stats = podwall_stats_alloc();
	if (!pn->stats)
		goto err_stats;
	pn->ratelimit = alloc_percpu_gfp(struct podwall_ratelimit,
					 GFP_KERNEL_ACCOUNT);
	if (!pn->ratelimit)
		goto err_ratelimit;
	err = podwall_hooks_register(net);
	if (err)
		goto err_hooks;
	return 0;

err_hooks:
	free_percpu(pn->ratelimit);
err_ratelimit:
	free_percpu(pn->stats);
err_stats:
	return err;
}

static void __net_exit podwall_net_exit(struct net *net)
{
	struct podwall_net *pn = podwall_net(net);

	/* Unregistering waits for the hooks' RCU readers. */
	podwall_hooks_unregister(net);
	cancel_delayed_work_sync(&pn->gc);
	mutex_lock(&pn->lock);
	podwall_txn_drop_all(pn);
	podwall_gen_free(rcu_dereference_protected(pn->live,
						   lockdep_is_held(&pn->lock)));
	RCU_INIT_POINTER(pn->live, NULL);
	if (pn->ct_enabled)
		nf_ct_netns_put(net, NFPROTO_INET);
	pn->ct_enabled = false;
	mutex_unlock(&pn->lock);
	free_percpu(pn->ratelimit);
	free_percpu(pn->stats);
	mutex_destroy(&pn->lock);
}

static struct pernet_operations podwall_net_ops = {
	.init = podwall_net_init,
	.exit = podwall_net_exit,
	.id = &podwall_net_id,
	.size = sizeof(struct podwall_net),
};

int podwall_netns_register(void)
{
	return register_pernet_subsys(&podwall_net_ops);
}

void podwall_netns_unregister(void)
{
	unregister_pernet_subsys(&podwall_net_ops);
}
