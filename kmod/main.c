// SPDX-License-Identifier: GPL-2.0
/*
 * podwall: Kubernetes NetworkPolicy enforcement in netfilter.
 *
 * Init ladder: the workqueue that frees old generations, per-netns state
 * (which registers the hooks in every netns), the socket-release notifier
 * that drops candidates, and last the genl family, so userspace can reach
 * nothing before everything behind it exists. Exit runs it in reverse and
 * frees the counter pools last, once every object is gone.
 */
#include <linux/module.h>
#include <linux/workqueue.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include "netns.h"
#include "netlink.h"
#include "txn.h"
#include "events.h"
#include "stats.h"

#define PODWALL_VERSION	"0.1.0"

static int __init podwall_init(void)
{
	int err;

	podwall_wq = alloc_workqueue("podwall", WQ_UNBOUND, 0);
	if (!podwall_wq)
		return -ENOMEM;
	err = podwall_netns_register();
	if (err)
		goto err_netns;
	err = podwall_txn_notifier_register();
	if (err)
		goto err_notifier;
	err = podwall_genl_register();
	if (err)
		goto err_genl;
	podwall_events_start();
	pr_info("version " PODWALL_VERSION " loaded\n");
	return 0;

err_genl:
	podwall_txn_notifier_unregister();
err_notifier:
	podwall_netns_unregister();
err_netns:
	destroy_workqueue(podwall_wq);
	podwall_stats_pools_destroy();
	return err;
}

static void __exit podwall_exit(void)
{
	podwall_events_stop();
	podwall_genl_unregister();
	podwall_txn_notifier_unregister();
	podwall_netns_unregister();
	/* Old generations wait in call_rcu, then on the workqueue. */
	rcu_barrier();
	destroy_workqueue(podwall_wq);
	podwall_stats_pools_destroy();
}

module_init(podwall_init);
module_exit(podwall_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Kubernetes NetworkPolicy enforcement in netfilter");
MODULE_AUTHOR("The podwall authors");
MODULE_VERSION(PODWALL_VERSION);
MODULE_ALIAS_GENL_FAMILY(PODWALL_GENL_NAME);
