// SPDX-License-Identifier: GPL-2.0
/*
 * Where podwall judges traffic.
 *
 * One hook per family at NF_INET_PRE_ROUTING, priority NF_IP_PRI_NAT_DST + 1
 * (NF_IP6_PRI_NAT_DST + 1): after conntrack (-200), so nf_ct_get() is valid,
 * and after the DNAT of kube-proxy (-100), so a connection to a ClusterIP
 * is judged on the backend pod's IP and target port. The hooks are
 * registered in every netns; the node is the netns that holds the policy
 * set (the root netns on a real node), and pods are netns whose traffic
 * enters the node's stack through their veth: pod-to-pod, pod-to-service,
 * pod-to-outside and outside-to-pod all cross the node's PRE_ROUTING. On
 * bridge CNIs, traffic between pods on the same bridge is seen only when
 * br_netfilter is loaded with bridge-nf-call-ip(6)tables=1 (kube-proxy
 * needs the same). Not seen: a pod's own loopback traffic, and traffic the
 * node itself originates (LOCAL_OUT), which the node set exempts anyway.
 *
 * Per packet: established, related and reply packets pass after one
 * conntrack check; ICMP errors of an allowed flow are related. New, invalid
 * and untracked packets are judged by pw_match() on the live generation
 * under RCU. ICMPv6 neighbour discovery (types 133-137) always passes.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include "hooks.h"
#include "netns.h"
#include "events.h"

static bool proto_has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP;
}

/* Reads the ports at @thoff: TCP, UDP and SCTP all start with them. */
static void tuple_ports(const struct sk_buff *skb, unsigned int thoff,
			struct pw_tuple *t)
{
	__be16 buf[2];
	const __be16 *ports;

	if (!proto_has_ports(t->proto))
		return;
	ports = skb_header_pointer(skb, thoff, sizeof(buf), buf);
	if (!ports)
		return;
	t->sport = ntohs(ports[0]);
	t->dport = ntohs(ports[1]);
}

static bool tuple_ipv4(const struct sk_buff *skb, struct pw_tuple *t)
{
	const struct iphdr *iph = ip_hdr(skb);

	t->src.family = PW_FAMILY_INET;
	t->src.plen = 32;
	memcpy(t->src.a, &iph->saddr, 4);
	t->dst.family = PW_FAMILY_INET;
	t->dst.plen = 32;
	memcpy(t->dst.a, &iph->daddr, 4);
	t->proto = iph->protocol;
	/* Conntrack reassembles; a later fragment alone has no ports. */
	if (!(ntohs(iph->frag_off) & IP_OFFSET))
		tuple_ports(skb, skb_network_offset(skb) + ip_hdrlen(skb), t);
	return true;
}

/* Returns false for packets that are never judged (neighbour discovery). */
static bool tuple_ipv6(const struct sk_buff *skb, struct pw_tuple *t)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	__be16 frag_off = 0;
	u8 nexthdr = ip6h->nexthdr;
	int thoff;

	t->src.family = PW_FAMILY_INET6;
	t->src.plen = 128;
	memcpy(t->src.a, &ip6h->saddr, 16);
	t->dst.family = PW_FAMILY_INET6;
	t->dst.plen = 128;
	memcpy(t->dst.a, &ip6h->daddr, 16);
	thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
				 &nexthdr, &frag_off);
	if (thoff < 0) {
		/* Unparsable chain: judged as protocol 0, without ports. */
		t->proto = 0;
		return true;
	}
	t->proto = nexthdr;
	if (nexthdr == IPPROTO_ICMPV6) {
		u8 buf, *type;

		type = skb_header_pointer(skb, thoff, sizeof(buf), &buf);
		if (type && *type >= NDISC_ROUTER_SOLICITATION &&
		    *type <= NDISC_REDIRECT)
			return false;
		return true;
	}
	if (!(ntohs(frag_off) & ~0x7))
		tuple_ports(skb, thoff, t);
	return true;
}

static void count(struct podwall_net *pn, const struct podwall_gen *gen,
		  const struct pw_verdict *v)
{
	const struct pw_ep *eps[2] = { v->src_ep, v->dst_ep };
	const struct pw_rule *rules[2] = { v->egress_rule, v->ingress_rule };
	unsigned int i;

	podwall_stats_inc(pn->stats, PODWALL_CTR_JUDGED);
	if (v->allow)
		podwall_stats_inc(pn->stats, PODWALL_CTR_ALLOWED);
	if (v->egress == PODWALL_STATUS_DENIED)
		podwall_stats_inc(pn->stats, PODWALL_CTR_DENIED_EGRESS);
	if (v->ingress == PODWALL_STATUS_DENIED)
		podwall_stats_inc(pn->stats, PODWALL_CTR_DENIED_INGRESS);

	for (i = 0; i < 2; i++) {
		const struct podwall_obj *obj;

		if (!eps[i])
			continue;
		obj = podwall_gen_obj(gen, PODWALL_EP, eps[i]->id);
		if (!obj)
			continue;
		podwall_stats_inc(obj->stats, PODWALL_CTR_JUDGED);
		if (v->allow)
			podwall_stats_inc(obj->stats, PODWALL_CTR_ALLOWED);
		else if (i == 0 && v->egress == PODWALL_STATUS_DENIED)
			podwall_stats_inc(obj->stats, PODWALL_CTR_DENIED_EGRESS);
		else if (i == 1 && v->ingress == PODWALL_STATUS_DENIED)
			podwall_stats_inc(obj->stats, PODWALL_CTR_DENIED_INGRESS);
	}
	if (!v->allow)
		return;
	for (i = 0; i < 2; i++) {
		const struct podwall_obj *obj;

		if (!rules[i])
			continue;
		obj = podwall_gen_obj(gen, PODWALL_RULE, rules[i]->id);
		if (obj)
			podwall_hits_inc(obj->hits);
	}
}

static unsigned int podwall_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct podwall_net *pn;
	const struct podwall_gen *gen;
	enum ip_conntrack_info ctinfo;
	struct pw_verdict v;
	struct pw_tuple t;
	struct nf_conn *ct;
	bool judge;

	ct = nf_ct_get(skb, &ctinfo);
	/*
	 * Only NEW (and untracked or invalid) packets are judged. An ICMP error
	 * about a flow travelling back to its originator is RELATED_REPLY,
	 * which the IS_REPLY test covers; RELATED covers the other direction
	 * and expected connections (helpers).
	 */
	if (ct && (ctinfo == IP_CT_ESTABLISHED || ctinfo == IP_CT_RELATED ||
		   ctinfo >= IP_CT_IS_REPLY))
		return NF_ACCEPT;

	pn = podwall_net(state->net);
	/* Hooks run with RCU held; the explicit lock documents the reader. */
	rcu_read_lock();
	gen = rcu_dereference(pn->live);
	if (!gen) {
		rcu_read_unlock();
		return NF_ACCEPT;
	}
	memset(&t, 0, sizeof(t));
	if (state->pf == NFPROTO_IPV4)
		judge = tuple_ipv4(skb, &t);
	else
		judge = tuple_ipv6(skb, &t);
	if (!judge) {
		rcu_read_unlock();
		return NF_ACCEPT;
	}
	pw_match(&gen->table, &t, &v);
	count(pn, gen, &v);
	if (!v.allow)
		podwall_event_deny(pn, gen, &t, &v);
	rcu_read_unlock();
	if (!v.allow)
		net_dbg_ratelimited("drop proto %u dport %u reason %u\n",
				    t.proto, t.dport, v.reason);
	return v.allow ? NF_ACCEPT : NF_DROP;
}

static const struct nf_hook_ops podwall_hook_ops[] = {
	{
		.hook = podwall_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_NAT_DST + 1,
	},
	{
		.hook = podwall_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_NAT_DST + 1,
	},
};

int podwall_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, podwall_hook_ops,
				     ARRAY_SIZE(podwall_hook_ops));
}

void podwall_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, podwall_hook_ops,
				ARRAY_SIZE(podwall_hook_ops));
}
