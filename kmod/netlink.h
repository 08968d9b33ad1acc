/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The podwall generic netlink family (include/uapi/linux/podwall.h).
 * Handlers run under genl_lock and take the netns lock for anything that
 * touches candidates or publishes; reads use the live generation under RCU.
 */
#ifndef _PODWALL_NETLINK_H
#define _PODWALL_NETLINK_H

#include <net/genetlink.h>
#include "gen.h"

enum podwall_mcgrp {
	PODWALL_MCGRP_EVENTS_ID,
};

extern struct genl_family podwall_genl_family;

int podwall_genl_register(void);
void podwall_genl_unregister(void);

/* Attribute builders shared with events.c; return 0 or -EMSGSIZE. */
int podwall_nl_put_tuple(struct sk_buff *skb, const struct pw_tuple *t);
int podwall_nl_put_verdict(struct sk_buff *skb, const struct podwall_gen *gen,
			   const struct pw_verdict *v);

#endif /* _PODWALL_NETLINK_H */
