// SPDX-License-Identifier: GPL-2.0
/*
 * Deny events. The message is built only when someone listens, with
 * GFP_ATOMIC (we are in the packet path). Counters stay exact: every event
 * the bucket refuses is counted, and the next event sent from that CPU
 * carries the number refused since the previous one.
 */
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include "events.h"
#include "netlink.h"

#define NS_PER_TOKEN	(NSEC_PER_SEC / PODWALL_EVENTS_PER_SEC)

/*
 * Set while the family is registered: a group id of an unregistered family
 * may already belong to another family.
 */
static bool events_on __read_mostly;

void podwall_events_start(void)
{
	WRITE_ONCE(events_on, true);
}

/* Waits until no hook is still sending (they run under RCU). */
void podwall_events_stop(void)
{
	WRITE_ONCE(events_on, false);
	synchronize_net();
}

/* Takes a token from this CPU's bucket; refills it by elapsed time. */
static bool take_token(struct podwall_ratelimit *rl)
{
	u64 now = ktime_get_mono_fast_ns();
	u64 add;

	if (!rl->stamp) {
		rl->stamp = now;
		rl->tokens = PODWALL_EVENTS_BURST;
	}
	add = div64_u64(now - rl->stamp, NS_PER_TOKEN);
	if (add) {
		if (add >= PODWALL_EVENTS_BURST - rl->tokens) {
			rl->tokens = PODWALL_EVENTS_BURST;
			rl->stamp = now;
		} else {
			rl->tokens += add;
			rl->stamp += add * NS_PER_TOKEN;
		}
	}
	if (!rl->tokens)
		return false;
	rl->tokens--;
	return true;
}

void podwall_event_deny(struct podwall_net *pn, const struct podwall_gen *gen,
			const struct pw_tuple *t, const struct pw_verdict *v)
{
	struct podwall_ratelimit *rl;
	struct sk_buff *skb;
	void *hdr;

	if (!READ_ONCE(events_on) ||
	    !genl_has_listeners(&podwall_genl_family, pn->net,
				PODWALL_MCGRP_EVENTS_ID))
		return;
	rl = this_cpu_ptr(pn->ratelimit);
	if (!take_token(rl)) {
		rl->suppressed++;
		podwall_stats_inc(pn->stats, PODWALL_CTR_SUPPRESSED);
		return;
	}
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		goto suppressed;
	hdr = genlmsg_put(skb, 0, 0, &podwall_genl_family, 0,
			  PODWALL_CMD_EVENT_DENY);
	if (!hdr)
		goto free;
	if (podwall_nl_put_tuple(skb, t) ||
	    podwall_nl_put_verdict(skb, gen, v) ||
	    nla_put_u64_64bit(skb, PODWALL_A_GENERATION, gen->number,
			      PODWALL_A_PAD) ||
	    (rl->suppressed &&
	     nla_put_u64_64bit(skb, PODWALL_A_SUPPRESSED, rl->suppressed,
			       PODWALL_A_PAD)))
		goto free;
	genlmsg_end(skb, hdr);
	rl->suppressed = 0;
	podwall_stats_inc(pn->stats, PODWALL_CTR_EVENTS);
	genlmsg_multicast_netns(&podwall_genl_family, pn->net, skb, 0,
				PODWALL_MCGRP_EVENTS_ID, GFP_ATOMIC);
	return;
free:
	nlmsg_free(skb);
suppressed:
	rl->suppressed++;
	podwall_stats_inc(pn->stats, PODWALL_CTR_SUPPRESSED);
}
