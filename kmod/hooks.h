/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netfilter hooks that judge new connections, registered in every
 * netns by netns.c (process context, under RTNL-free pernet init/exit).
 */
#ifndef _PODWALL_HOOKS_H
#define _PODWALL_HOOKS_H

#include <net/net_namespace.h>

int podwall_hooks_register(struct net *net);
void podwall_hooks_unregister(struct net *net);

#endif /* _PODWALL_HOOKS_H */
