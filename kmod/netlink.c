// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family. Every command reveals or changes the policy
 * set, so every one requires CAP_NET_ADMIN (GENL_ADMIN_PERM). Attributes
 * are validated strictly by the policies below; what a policy cannot
 * express (address families, protocols, references) is checked here, and
 * errors name the attribute through the extack.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "netlink.h"
#include "netns.h"
#include "set.h"
#include "txn.h"

static int validate_addr(const struct nlattr *attr,
			 struct netlink_ext_ack *extack)
{
	if (nla_len(attr) != 4 && nla_len(attr) != 16) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	return 0;
}

static const struct nla_policy prefix_policy[PODWALL_PREFIX_A_MAX + 1] = {
	[PODWALL_PREFIX_A_ADDR]	= NLA_POLICY_VALIDATE_FN(NLA_BINARY,
							 validate_addr, 16),
	[PODWALL_PREFIX_A_PLEN]	= NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy prefix_list_policy[PODWALL_A_PREFIX + 1] = {
	[PODWALL_A_PREFIX]	= NLA_POLICY_NESTED(prefix_policy),
};

static const struct nla_policy port_policy[PODWALL_PORT_A_MAX + 1] = {
	[PODWALL_PORT_A_PROTO]	= { .type = NLA_U8 },
	[PODWALL_PORT_A_FIRST]	= { .type = NLA_U16 },
	[PODWALL_PORT_A_LAST]	= { .type = NLA_U16 },
};

static const struct nla_policy port_list_policy[PODWALL_A_PORT + 1] = {
	[PODWALL_A_PORT]	= NLA_POLICY_NESTED(port_policy),
};

static struct netlink_range_validation id_range = {
	.min = 1,
	.max = PODWALL_MAX_POLICIES,	/* = sets = rules */
};

static struct netlink_range_validation ep_id_range = {
	.min = 1,
	.max = PODWALL_MAX_ENDPOINTS,
};

static struct netlink_range_validation timeout_range = {
	.min = 1,
	.max = PODWALL_TXN_TIMEOUT_MS_MAX,
};

static const struct nla_policy rule_list_policy[PODWALL_A_RULE_ID + 1] = {
	[PODWALL_A_RULE_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &id_range),
};

static const struct nla_policy policy_list_policy[PODWALL_A_POLICY_ID + 1] = {
	[PODWALL_A_POLICY_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &id_range),
};

static const struct nla_policy podwall_policy[PODWALL_A_MAX + 1] = {
	[PODWALL_A_GENERATION]	= { .type = NLA_U64 },
	[PODWALL_A_TXN_FLAGS]	= NLA_POLICY_MASK(NLA_U32, PODWALL_TXN_F_ALL),
	[PODWALL_A_TXN_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[PODWALL_A_POLICY_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &id_range),
	[PODWALL_A_SET_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &id_range),
	[PODWALL_A_RULE_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &id_range),
	[PODWALL_A_ENDPOINT_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ep_id_range),
	[PODWALL_A_NAMESPACE]	= { .type = NLA_NUL_STRING,
				    .len = PODWALL_NAMESPACE_MAX - 1 },
	[PODWALL_A_NAME]	= { .type = NLA_NUL_STRING,
				    .len = PODWALL_NAME_MAX - 1 },
	[PODWALL_A_PREFIXES]	= NLA_POLICY_NESTED(prefix_list_policy),
	[PODWALL_A_RULE_INDEX]	= { .type = NLA_U32 },
	[PODWALL_A_DIRECTION]	= NLA_POLICY_MAX(NLA_U8, __PODWALL_DIR_MAX - 1),
	[PODWALL_A_PORTS]	= NLA_POLICY_NESTED(port_list_policy),
	[PODWALL_A_RULES]	= { .type = NLA_NESTED },
	[PODWALL_A_ADDRS]	= NLA_POLICY_NESTED(prefix_list_policy),
	[PODWALL_A_EP_FLAGS]	= NLA_POLICY_MASK(NLA_U32, PODWALL_EP_F_ALL),
	[PODWALL_A_INGRESS_RULES] = NLA_POLICY_NESTED(rule_list_policy),
	[PODWALL_A_EGRESS_RULES] = NLA_POLICY_NESTED(rule_list_policy),
	[PODWALL_A_INGRESS_POLICIES] = NLA_POLICY_NESTED(policy_list_policy),
	[PODWALL_A_EGRESS_POLICIES] = NLA_POLICY_NESTED(policy_list_policy),
	[PODWALL_A_SRC]		= NLA_POLICY_VALIDATE_FN(NLA_BINARY,
							 validate_addr, 16),
	[PODWALL_A_DST]		= NLA_POLICY_VALIDATE_FN(NLA_BINARY,
							 validate_addr, 16),
	[PODWALL_A_PROTO]	= { .type = NLA_U8 },
	[PODWALL_A_SPORT]	= { .type = NLA_U16 },
	[PODWALL_A_DPORT]	= { .type = NLA_U16 },
};

/* ---- parsing ---------------------------------------------------------- */

static void get_addr(const struct nlattr *attr, struct pw_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (nla_len(attr) == 4) {
		a->family = PW_FAMILY_INET;
		a->plen = 32;
	} else {
		a->family = PW_FAMILY_INET6;
		a->plen = 128;
	}
	memcpy(a->a, nla_data(attr), nla_len(attr));
}

static u32 count_nested(const struct nlattr *list)
{
	const struct nlattr *pos;
	u32 n = 0;
	int rem;

	nla_for_each_nested(pos, list, rem)
		n++;
	return n;
}

/* A list of PODWALL_A_PREFIX; @full: endpoint addresses (full length). */
static int parse_prefixes(const struct nlattr *list, bool full, u32 max,
			  struct pw_addr **out, u32 *nr,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PODWALL_PREFIX_A_MAX + 1];
	const struct nlattr *pos;
	struct pw_addr *v;
	u32 n, i = 0;
	int rem, err;

	*out = NULL;
	*nr = 0;
	n = count_nested(list);
	if (n > max) {
		NL_SET_ERR_MSG_ATTR(extack, list, "too many prefixes");
		return -E2BIG;
	}
	if (!n)
		return 0;
	v = kvmalloc_array(n, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	nla_for_each_nested(pos, list, rem) {
		err = nla_parse_nested(tb, PODWALL_PREFIX_A_MAX, pos,
				       prefix_policy, extack);
		if (err)
			goto err;
		if (!tb[PODWALL_PREFIX_A_ADDR]) {
			NL_SET_ERR_MSG_ATTR(extack, pos,
					    "prefix without PODWALL_PREFIX_A_ADDR");
			err = -EINVAL;
			goto err;
		}
		get_addr(tb[PODWALL_PREFIX_A_ADDR], &v[i]);
		if (tb[PODWALL_PREFIX_A_PLEN]) {
			u8 plen = nla_get_u8(tb[PODWALL_PREFIX_A_PLEN]);

			err = -ERANGE;
			if (plen > v[i].plen) {
				NL_SET_ERR_MSG_ATTR(extack, tb[PODWALL_PREFIX_A_PLEN],
						    "prefix length exceeds the address length");
				goto err;
			}
			if (full && plen != v[i].plen) {
				NL_SET_ERR_MSG_ATTR(extack, tb[PODWALL_PREFIX_A_PLEN],
						    "endpoint addresses must be full length");
				goto err;
			}
			v[i].plen = plen;
		}
		i++;
	}
	*out = v;
	*nr = n;
	return 0;
err:
	kvfree(v);
	return err;
}

static int parse_ports(const struct nlattr *list, struct pw_port_range **out,
		       u32 *nr, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PODWALL_PORT_A_MAX + 1];
	const struct nlattr *pos;
	struct pw_port_range *v;
	u32 n, i = 0;
	int rem, err;

	*out = NULL;
	*nr = 0;
	n = count_nested(list);
	if (n > PODWALL_MAX_PORTS_PER_RULE) {
		NL_SET_ERR_MSG_ATTR(extack, list, "too many port ranges in one rule");
		return -E2BIG;
	}
	if (!n)
		return 0;
	v = kvcalloc(n, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	nla_for_each_nested(pos, list, rem) {
		err = nla_parse_nested(tb, PODWALL_PORT_A_MAX, pos, port_policy,
				       extack);
		if (err)
			goto err;
		err = -EINVAL;
		if (!tb[PODWALL_PORT_A_PROTO] || !tb[PODWALL_PORT_A_FIRST]) {
			NL_SET_ERR_MSG_ATTR(extack, pos,
					    "port range needs PODWALL_PORT_A_PROTO and PODWALL_PORT_A_FIRST");
			goto err;
		}
		v[i].proto = nla_get_u8(tb[PODWALL_PORT_A_PROTO]);
		if (v[i].proto != IPPROTO_TCP && v[i].proto != IPPROTO_UDP &&
		    v[i].proto != IPPROTO_SCTP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[PODWALL_PORT_A_PROTO],
					    "port protocol must be TCP, UDP or SCTP");
			goto err;
		}
		v[i].first = nla_get_u16(tb[PODWALL_PORT_A_FIRST]);
		v[i].last = tb[PODWALL_PORT_A_LAST] ?
			    nla_get_u16(tb[PODWALL_PORT_A_LAST]) : v[i].first;
		if (v[i].last < v[i].first) {
			NL_SET_ERR_MSG_ATTR(extack, tb[PODWALL_PORT_A_LAST],
					    "last port is below the first");
			err = -ERANGE;
			goto err;
		}
		i++;
	}
	*out = v;
	*nr = n;
	return 0;
err:
	kvfree(v);
	return err;
}

/* A list of u32 ids (already type- and range-checked by the policy). */
static int parse_ids(const struct nlattr *list, u32 max, u32 **out, u32 *nr,
		     struct netlink_ext_ack *extack)
{
	const struct nlattr *pos;
	u32 n, i = 0, *v;
	int rem;

	*out = NULL;
	*nr = 0;
	if (!list)
		return 0;
	n = count_nested(list);
	if (n > max) {
		NL_SET_ERR_MSG_ATTR(extack, list, "too many ids");
		return -E2BIG;
	}
	if (!n)
		return 0;
	v = kvmalloc_array(n, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	nla_for_each_nested(pos, list, rem)
		v[i++] = nla_get_u32(pos);
	*out = v;
	*nr = n;
	return 0;
}

static char *dup_string(const struct nlattr *attr)
{
	return nla_strdup(attr, GFP_KERNEL_ACCOUNT);
}

/* ---- replies ---------------------------------------------------------- */

static struct sk_buff *reply_new(struct genl_info *info, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put_reply(skb, info, &podwall_genl_family, 0,
				 info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static int reply_generation(struct genl_info *info, u64 generation)
{
	struct sk_buff *skb;
	void *hdr;

	skb = reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	if (nla_put_u64_64bit(skb, PODWALL_A_GENERATION, generation,
			      PODWALL_A_PAD)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int put_addr(struct sk_buff *skb, int type, const struct pw_addr *a)
{
	return nla_put(skb, type, a->family == PW_FAMILY_INET ? 4 : 16, a->a);
}

static int put_prefix(struct sk_buff *skb, const struct pw_addr *a)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, PODWALL_A_PREFIX);
	if (!nest)
		return -EMSGSIZE;
	if (put_addr(skb, PODWALL_PREFIX_A_ADDR, a) ||
	    nla_put_u8(skb, PODWALL_PREFIX_A_PLEN, a->plen)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_names(struct sk_buff *skb, const struct podwall_obj *obj)
{
	if (obj->ns && nla_put_string(skb, PODWALL_A_NAMESPACE, obj->ns))
		return -EMSGSIZE;
	if (obj->name && nla_put_string(skb, PODWALL_A_NAME, obj->name))
		return -EMSGSIZE;
	return 0;
}

int podwall_nl_put_tuple(struct sk_buff *skb, const struct pw_tuple *t)
{
	if (put_addr(skb, PODWALL_A_SRC, &t->src) ||
	    put_addr(skb, PODWALL_A_DST, &t->dst) ||
	    nla_put_u8(skb, PODWALL_A_PROTO, t->proto) ||
	    nla_put_u16(skb, PODWALL_A_SPORT, t->sport) ||
	    nla_put_u16(skb, PODWALL_A_DPORT, t->dport))
		return -EMSGSIZE;
	return 0;
}

/* ENDPOINT_ID, NAMESPACE, NAME of an endpoint. */
static int put_ep_ref(struct sk_buff *skb, int type,
		      const struct podwall_gen *gen, const struct pw_ep *ep)
{
	const struct podwall_obj *obj;
	struct nlattr *nest;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	obj = podwall_gen_obj(gen, PODWALL_EP, ep->id);
	if (nla_put_u32(skb, PODWALL_A_ENDPOINT_ID, ep->id) ||
	    (obj && put_names(skb, obj))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* RULE_ID, RULE_INDEX, POLICY_ID, NAMESPACE, NAME of a rule. */
static int put_rule_ref(struct sk_buff *skb, int type,
			const struct podwall_gen *gen, const struct pw_rule *r)
{
	const struct podwall_obj *pol;
	struct nlattr *nest;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	pol = podwall_gen_obj(gen, PODWALL_POLICY, r->policy);
	if (nla_put_u32(skb, PODWALL_A_RULE_ID, r->id) ||
	    nla_put_u32(skb, PODWALL_A_RULE_INDEX, r->index) ||
	    nla_put_u32(skb, PODWALL_A_POLICY_ID, r->policy) ||
	    (pol && put_names(skb, pol))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The isolating policies of @ep in @dir: nests of POLICY_ID and names. */
static int put_policy_refs(struct sk_buff *skb, int type,
			   const struct podwall_gen *gen,
			   const struct pw_ep *ep, unsigned int dir)
{
	struct nlattr *list, *nest;
	u32 i;

	list = nla_nest_start(skb, type);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < ep->nr_policies[dir]; i++) {
		u32 id = ep->policies[dir][i];
		const struct podwall_obj *pol;

		pol = podwall_gen_obj(gen, PODWALL_POLICY, id);
		nest = nla_nest_start(skb, PODWALL_A_POLICY_ID);
		if (!nest || nla_put_u32(skb, PODWALL_A_POLICY_ID, id) ||
		    (pol && put_names(skb, pol))) {
			nla_nest_cancel(skb, list);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
	nla_nest_end(skb, list);
	return 0;
}

static bool isolated(u8 status)
{
	return status == PODWALL_STATUS_ALLOWED ||
	       status == PODWALL_STATUS_DENIED;
}

int podwall_nl_put_verdict(struct sk_buff *skb, const struct podwall_gen *gen,
			   const struct pw_verdict *v)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, PODWALL_A_VERDICT);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, PODWALL_VERDICT_A_ALLOW, v->allow) ||
	    nla_put_u8(skb, PODWALL_VERDICT_A_REASON, v->reason) ||
	    nla_put_u8(skb, PODWALL_VERDICT_A_EGRESS, v->egress) ||
	    nla_put_u8(skb, PODWALL_VERDICT_A_INGRESS, v->ingress))
		goto cancel;
	if (!gen)
		goto out;
	if (v->src_ep &&
	    put_ep_ref(skb, PODWALL_VERDICT_A_SRC_ENDPOINT, gen, v->src_ep))
		goto cancel;
	if (v->dst_ep &&
	    put_ep_ref(skb, PODWALL_VERDICT_A_DST_ENDPOINT, gen, v->dst_ep))
		goto cancel;
	if (v->egress_rule &&
	    put_rule_ref(skb, PODWALL_VERDICT_A_EGRESS_RULE, gen, v->egress_rule))
		goto cancel;
	if (v->ingress_rule &&
	    put_rule_ref(skb, PODWALL_VERDICT_A_INGRESS_RULE, gen,
			 v->ingress_rule))
		goto cancel;
	if (v->src_ep && isolated(v->egress) &&
	    put_policy_refs(skb, PODWALL_VERDICT_A_EGRESS_POLICIES, gen,
			    v->src_ep, PODWALL_DIR_EGRESS))
		goto cancel;
	if (v->dst_ep && isolated(v->ingress) &&
	    put_policy_refs(skb, PODWALL_VERDICT_A_INGRESS_POLICIES, gen,
			    v->dst_ep, PODWALL_DIR_INGRESS))
		goto cancel;
out:
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* ---- info, stats, eval -------------------------------------------------- */

/* The node's addresses: nest header, address (16) and length per prefix. */
static size_t info_size(const struct podwall_gen *gen)
{
	size_t n = gen && gen->view.node ? gen->view.node->set->nr_prefixes : 0;

	return NLMSG_GOODSIZE + nla_total_size(0) +
	       n * nla_total_size(nla_total_size(16) + nla_total_size(1));
}

static int put_node(struct sk_buff *skb, const struct podwall_gen *gen)
{
	const struct pw_set *s;
	struct nlattr *list;
	u32 i;

	if (!gen || !gen->view.node)
		return 0;
	s = gen->view.node->set;
	list = nla_nest_start(skb, PODWALL_A_PREFIXES);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < 1U << s->shift; i++) {
		const struct pw_shard *shard = s->shards[i];
		u32 j;

		for (j = 0; shard && j < shard->cap; j++) {
			if (shard->slots[j].family &&
			    put_prefix(skb, &shard->slots[j])) {
				nla_nest_cancel(skb, list);
				return -EMSGSIZE;
			}
		}
	}
	nla_nest_end(skb, list);
	return 0;
}

static int nl_get_info(struct sk_buff *req, struct genl_info *info)
{
	struct podwall_net *pn = podwall_net(genl_info_net(info));
	const struct podwall_gen *gen;
	struct sk_buff *skb;
	void *hdr;

	/* The lock keeps the generation, so the reply can be sized for it. */
	mutex_lock(&pn->lock);
	gen = rcu_dereference_protected(pn->live, lockdep_is_held(&pn->lock));
	skb = genlmsg_new(info_size(gen), GFP_KERNEL);
	hdr = skb ? genlmsg_put_reply(skb, info, &podwall_genl_family, 0,
				      info->genlhdr->cmd) : NULL;
	if (!hdr)
		goto nomem;
	if (nla_put_u32(skb, PODWALL_A_VERSION, PODWALL_GENL_VERSION) ||
	    nla_put_string(skb, PODWALL_A_MODULE_VERSION, THIS_MODULE->version ?: "") ||
	    nla_put_u64_64bit(skb, PODWALL_A_GENERATION, gen ? gen->number : 0,
			      PODWALL_A_PAD) ||
	    nla_put_u32(skb, PODWALL_A_NR_POLICIES,
			gen ? gen->view.count[PODWALL_POLICY] : 0) ||
	    nla_put_u32(skb, PODWALL_A_NR_SETS, gen ? gen->view.count[PODWALL_SET] : 0) ||
	    nla_put_u32(skb, PODWALL_A_NR_RULES,
			gen ? gen->view.count[PODWALL_RULE] : 0) ||
	    nla_put_u32(skb, PODWALL_A_NR_ENDPOINTS,
			gen ? gen->view.count[PODWALL_EP] : 0) ||
	    nla_put_u32(skb, PODWALL_A_NR_PREFIXES, gen ? (u32)gen->view.nr_prefixes : 0) ||
	    nla_put_u64_64bit(skb, PODWALL_A_MEMORY, gen ? gen->memory : 0,
			      PODWALL_A_PAD) ||
	    nla_put_u32(skb, PODWALL_A_MODE, gen ? PODWALL_MODE_ENFORCING :
						   PODWALL_MODE_OPEN) ||
	    put_node(skb, gen)) {
		mutex_unlock(&pn->lock);
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	mutex_unlock(&pn->lock);
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
nomem:
	mutex_unlock(&pn->lock);
	nlmsg_free(skb);
	return -ENOMEM;
}

static int nl_get_stats(struct sk_buff *req, struct genl_info *info)
{
	struct podwall_net *pn = podwall_net(genl_info_net(info));
	struct sk_buff *skb;
	u64 commits;
	void *hdr;

	skb = reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	mutex_lock(&pn->lock);
	commits = pn->commits;
	mutex_unlock(&pn->lock);
	if (podwall_stats_put(skb, pn->stats, __PODWALL_CTR_MAX, NULL, true,
			      commits)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int nl_eval(struct sk_buff *req, struct genl_info *info)
{
	struct podwall_net *pn = podwall_net(genl_info_net(info));
	const struct podwall_gen *gen;
	struct pw_verdict v;
	struct pw_tuple t;
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, PODWALL_A_SRC) ||
	    GENL_REQ_ATTR_CHECK(info, PODWALL_A_DST) ||
	    GENL_REQ_ATTR_CHECK(info, PODWALL_A_PROTO))
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	get_addr(info->attrs[PODWALL_A_SRC], &t.src);
	get_addr(info->attrs[PODWALL_A_DST], &t.dst);
	if (t.src.family != t.dst.family) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PODWALL_A_DST],
				    "source and destination are of different families");
		return -EINVAL;
	}
	t.proto = nla_get_u8(info->attrs[PODWALL_A_PROTO]);
	if (info->attrs[PODWALL_A_SPORT])
		t.sport = nla_get_u16(info->attrs[PODWALL_A_SPORT]);
	if (info->attrs[PODWALL_A_DPORT])
		t.dport = nla_get_u16(info->attrs[PODWALL_A_DPORT]);

	skb = reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	rcu_read_lock();
	gen = rcu_dereference(pn->live);
	pw_match(gen ? &gen->table : NULL, &t, &v);
	err = podwall_nl_put_tuple(skb, &t);
	if (!err)
		err = podwall_nl_put_verdict(skb, gen, &v);
	if (!err && nla_put_u64_64bit(skb, PODWALL_A_GENERATION,
				      gen ? gen->number : 0, PODWALL_A_PAD))
		err = -EMSGSIZE;
	rcu_read_unlock();
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

/* ---- transactions --------------------------------------------------------- */

static int nl_txn_begin(struct sk_buff *req, struct genl_info *info)
{
	struct podwall_net *pn = podwall_net(genl_info_net(info));
	u32 flags = 0, timeout = PODWALL_TXN_TIMEOUT_MS_DEFAULT;
	u64 base;
	int err;

	if (info->attrs[PODWALL_A_TXN_FLAGS])
		flags = nla_get_u32(info->attrs[PODWALL_A_TXN_FLAGS]);
	if (info->attrs[PODWALL_A_TXN_TIMEOUT_MS])
		timeout = nla_get_u32(info->attrs[PODWALL_A_TXN_TIMEOUT_MS]);
	mutex_lock(&pn->lock);
	err = podwall_txn_begin(pn, info->snd_portid, flags, timeout, &base,
				info->extack);
	mutex_unlock(&pn->lock);
	if (err)
		return err;
	return reply_generation(info, base);
}

static int nl_txn_commit(struct sk_buff *req, struct genl_info *info)
{
	struct podwall_net *pn = podwall_net(genl_info_net(info));
	struct podwall_txn *txn;
	u64 expected, generation = 0;
	int err = -ENOENT;

	if (info->attrs[PODWALL_A_GENERATION])
		expected = nla_get_u64(info->attrs[PODWALL_A_GENERATION]);
	mutex_lock(&pn->lock);
	txn = podwall_txn_find(pn, info->snd_portid, info->extack);
	if (txn)
		err = podwall_txn_commit(pn, txn,
					 info->attrs[PODWALL_A_GENERATION] ?
					 &expected : NULL, &generation,
					 info->extack);
	mutex_unlock(&pn->lock);
	if (err)
		return err;
	return reply_generation(info, generation);
}

static int nl_txn_abort(struct sk_buff *req, struct genl_info *info)
{
	struct podwall_net *pn = podwall_net(genl_info_net(info));
	struct podwall_txn *txn;
	int err = -ENOENT;

	mutex_lock(&pn->lock);
	txn = podwall_txn_find(pn, info->snd_portid, info->extack);
	if (txn) {
		podwall_txn_drop(pn, txn);
		err = 0;
	}
	mutex_unlock(&pn->lock);
	return err;
}

/*
 * Runs @fn on the sender's candidate under the netns lock. Parsing that
 * allocates is done by @fn itself, so a bad message changes nothing.
 */
static int with_txn(struct genl_info *info,
		    int (*fn)(struct podwall_txn *txn, struct genl_info *info))
{
	struct podwall_net *pn = podwall_net(genl_info_net(info));
	struct podwall_txn *txn;
	int err = -ENOENT;

	mutex_lock(&pn->lock);
	txn = podwall_txn_find(pn, info->snd_portid, info->extack);
	if (txn)
		err = fn(txn, info);
	mutex_unlock(&pn->lock);
	return err;
}

static int new_policy(struct podwall_txn *txn, struct genl_info *info)
{
	u32 id = nla_get_u32(info->attrs[PODWALL_A_POLICY_ID]);
	struct podwall_obj *obj;

	obj = podwall_obj_new(PODWALL_POLICY, id);
	if (!obj)
		return -ENOMEM;
	obj->ns = dup_string(info->attrs[PODWALL_A_NAMESPACE]);
	obj->name = dup_string(info->attrs[PODWALL_A_NAME]);
	if (!obj->ns || !obj->name) {
		podwall_obj_put(obj);
		return -ENOMEM;
	}
	return podwall_txn_store(txn, PODWALL_POLICY, id, obj);
}

static int nl_new_policy(struct sk_buff *req, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, PODWALL_A_POLICY_ID) ||
	    GENL_REQ_ATTR_CHECK(info, PODWALL_A_NAMESPACE) ||
	    GENL_REQ_ATTR_CHECK(info, PODWALL_A_NAME))
		return -EINVAL;
	return with_txn(info, new_policy);
}

static const int id_attr[__PODWALL_KIND_MAX] = {
	[PODWALL_POLICY]	= PODWALL_A_POLICY_ID,
	[PODWALL_SET]		= PODWALL_A_SET_ID,
	[PODWALL_RULE]		= PODWALL_A_RULE_ID,
	[PODWALL_EP]		= PODWALL_A_ENDPOINT_ID,
};

static enum podwall_kind cmd_kind(u8 cmd)
{
	switch (cmd) {
	case PODWALL_CMD_DEL_POLICY:
	case PODWALL_CMD_GET_POLICY:
		return PODWALL_POLICY;
	case PODWALL_CMD_DEL_SET:
	case PODWALL_CMD_GET_SET:
		return PODWALL_SET;
	case PODWALL_CMD_DEL_RULE:
	case PODWALL_CMD_GET_RULE:
		return PODWALL_RULE;
	default:
		return PODWALL_EP;
	}
}

static int del_object(struct podwall_txn *txn, struct genl_info *info)
{
	enum podwall_kind kind = cmd_kind(info->genlhdr->cmd);
	const struct nlattr *attr = info->attrs[id_attr[kind]];
	u32 id = nla_get_u32(attr);

	if (!podwall_txn_obj(txn, kind, id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no such object in the transaction");
		return -ENOENT;
	}
	return podwall_txn_store(txn, kind, id, NULL);
}

static int nl_del_object(struct sk_buff *req, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, id_attr[cmd_kind(info->genlhdr->cmd)]))
		return -EINVAL;
	return with_txn(info, del_object);
}

static int set_prefixes(struct genl_info *info, u32 max, struct pw_addr **v,
			u32 *n)
{
	const struct nlattr *list = info->attrs[PODWALL_A_PREFIXES];

	*v = NULL;
	*n = 0;
	if (!list)
		return 0;
	return parse_prefixes(list, false, max, v, n, info->extack);
}

static int new_set(struct podwall_txn *txn, struct genl_info *info)
{
	u32 id = nla_get_u32(info->attrs[PODWALL_A_SET_ID]), n;
	struct podwall_obj *obj;
	struct pw_addr *v;
	int err;

	err = set_prefixes(info, PODWALL_MAX_PREFIXES, &v, &n);
	if (err)
		return err;
	obj = podwall_obj_new(PODWALL_SET, id);
	err = obj ? podwall_set_init(obj, v, n) : -ENOMEM;
	kvfree(v);
	if (err) {
		podwall_obj_put(obj);
		return err;
	}
	/* SET_ADD_ELEMS chunks that follow are collected, built at commit. */
	obj->fresh = true;
	return podwall_txn_store(txn, PODWALL_SET, id, obj);
}

static int nl_new_set(struct sk_buff *req, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, PODWALL_A_SET_ID))
		return -EINVAL;
	return with_txn(info, new_set);
}

static int edit_set(struct podwall_txn *txn, struct genl_info *info)
{
	const struct nlattr *attr = info->attrs[PODWALL_A_SET_ID];
	bool add = info->genlhdr->cmd == PODWALL_CMD_SET_ADD_ELEMS;
	u32 id = nla_get_u32(attr), n;
	struct pw_addr *v;
	int err;

	if (!podwall_txn_obj(txn, PODWALL_SET, id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no such set in the transaction");
		return -ENOENT;
	}
	err = set_prefixes(info, PODWALL_MAX_PREFIXES, &v, &n);
	if (err)
		return err;
	err = podwall_txn_edit_set(txn, id, add, v, n);
	if (err == -E2BIG)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PODWALL_A_PREFIXES],
				    "set would exceed the prefix limit");
	kvfree(v);
	return err;
}

static int nl_edit_set(struct sk_buff *req, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, PODWALL_A_SET_ID) ||
	    GENL_REQ_ATTR_CHECK(info, PODWALL_A_PREFIXES))
		return -EINVAL;
	return with_txn(info, edit_set);
}

static int set_node(struct podwall_txn *txn, struct genl_info *info)
{
	struct podwall_obj *obj = NULL;
	struct pw_addr *v;
	u32 n;
	int err;

	/* GET_INFO returns the node set in one nest: keep it small. */
	err = set_prefixes(info, PODWALL_MAX_NODE_PREFIXES, &v, &n);
	if (err)
		return err;
	if (n) {
		obj = podwall_obj_new(PODWALL_SET, 0);
		err = obj ? podwall_set_init(obj, v, n) : -ENOMEM;
		if (err) {
			podwall_obj_put(obj);
			goto out;
		}
	}
	podwall_txn_set_node(txn, obj);
out:
	kvfree(v);
	return err;
}

static int nl_set_node(struct sk_buff *req, struct genl_info *info)
{
	return with_txn(info, set_node);
}

/* A rule object from NEW_RULE attributes (a message or a RULES element). */
static int rule_build(struct nlattr **attrs, struct podwall_obj **out,
		      struct netlink_ext_ack *extack)
{
	struct pw_port_range *ports = NULL;
	struct pw_rule spec = {};
	struct podwall_obj *obj;
	u32 nr_ports = 0;
	int err;

	spec.id = nla_get_u32(attrs[PODWALL_A_RULE_ID]);
	spec.policy = nla_get_u32(attrs[PODWALL_A_POLICY_ID]);
	spec.index = nla_get_u32(attrs[PODWALL_A_RULE_INDEX]);
	spec.dir = nla_get_u8(attrs[PODWALL_A_DIRECTION]);
	if (attrs[PODWALL_A_SET_ID])
		spec.set = nla_get_u32(attrs[PODWALL_A_SET_ID]);
	else
		spec.flags |= PW_RULE_F_ANY_PEER;
	if (attrs[PODWALL_A_PORTS]) {
		err = parse_ports(attrs[PODWALL_A_PORTS], &ports, &nr_ports,
				  extack);
		if (err)
			return err;
	} else {
		spec.flags |= PW_RULE_F_ANY_PORT;
	}
	obj = podwall_obj_new(PODWALL_RULE, spec.id);
	err = obj ? pw_rule_build(&podwall_pw_alloc, &spec, ports, nr_ports,
				  &obj->rule) : -ENOMEM;
	kvfree(ports);
	if (err) {
		podwall_obj_put(obj);
		return err;
	}
	*out = obj;
	return 0;
}

static int new_rule(struct podwall_txn *txn, struct genl_info *info)
{
	struct podwall_obj *obj;
	int err;

	err = rule_build(info->attrs, &obj, info->extack);
	if (err)
		return err;
	return podwall_txn_store(txn, PODWALL_RULE, obj->id, obj);
}

static int nl_new_rule(struct sk_buff *req, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, PODWALL_A_RULE_ID) ||
	    GENL_REQ_ATTR_CHECK(info, PODWALL_A_POLICY_ID) ||
	    GENL_REQ_ATTR_CHECK(info, PODWALL_A_RULE_INDEX) ||
	    GENL_REQ_ATTR_CHECK(info, PODWALL_A_DIRECTION))
		return -EINVAL;
	return with_txn(info, new_rule);
}

/* The attributes of one rule: a short table keeps strict parsing cheap. */
#define RULE_A_MAX	PODWALL_A_PORTS
static_assert(PODWALL_A_RULE_ID < RULE_A_MAX && PODWALL_A_POLICY_ID < RULE_A_MAX &&
	      PODWALL_A_SET_ID < RULE_A_MAX && PODWALL_A_RULE_INDEX < RULE_A_MAX &&
	      PODWALL_A_DIRECTION < RULE_A_MAX);

static const struct nla_policy rule_policy[RULE_A_MAX + 1] = {
	[PODWALL_A_POLICY_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &id_range),
	[PODWALL_A_SET_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &id_range),
	[PODWALL_A_RULE_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &id_range),
	[PODWALL_A_RULE_INDEX]	= { .type = NLA_U32 },
	[PODWALL_A_DIRECTION]	= NLA_POLICY_MAX(NLA_U8, __PODWALL_DIR_MAX - 1),
	[PODWALL_A_PORTS]	= NLA_POLICY_NESTED(port_list_policy),
};

static const int rule_required[] = {
	PODWALL_A_RULE_ID, PODWALL_A_POLICY_ID, PODWALL_A_RULE_INDEX,
	PODWALL_A_DIRECTION,
};

/* One PODWALL_A_RULE nest: parsed strictly, built, not stored yet. */
static int rule_elem(const struct nlattr *elem, struct podwall_obj **out,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[RULE_A_MAX + 1];
	unsigned int i;
	int err;

	if (nla_type(elem) != PODWALL_A_RULE) {
		NL_SET_ERR_MSG_ATTR(extack, elem, "expected a PODWALL_A_RULE nest");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, RULE_A_MAX, elem, rule_policy, extack);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(rule_required); i++) {
		if (!tb[rule_required[i]]) {
			NL_SET_ERR_MSG_ATTR(extack, elem,
					    "rule lacks id, policy, index or direction");
			return -EINVAL;
		}
	}
	return rule_build(tb, out, extack);
}

static int new_rules(struct podwall_txn *txn, struct genl_info *info)
{
	const struct nlattr *list = info->attrs[PODWALL_A_RULES], *elem;
	struct podwall_obj **objs;
	u32 n = count_nested(list), i = 0, j;
	int rem, err = 0;

	if (!n)
		return 0;
	objs = kvmalloc_array(n, sizeof(*objs), GFP_KERNEL_ACCOUNT);
	if (!objs)
		return -ENOMEM;
	/* Build them all first, so a bad one leaves the candidate as it was. */
	nla_for_each_nested(elem, list, rem) {
		err = rule_elem(elem, &objs[i], info->extack);
		if (err)
			break;
		i++;
	}
	for (j = 0; j < i; j++) {
		if (err) {
			podwall_obj_put(objs[j]);
			continue;
		}
		err = podwall_txn_store(txn, PODWALL_RULE, objs[j]->id, objs[j]);
	}
	kvfree(objs);
	return err;
}

static int nl_new_rules(struct sk_buff *req, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, PODWALL_A_RULES))
		return -EINVAL;
	return with_txn(info, new_rules);
}

static const int rules_attr[__PODWALL_DIR_MAX] = {
	[PODWALL_DIR_INGRESS]	= PODWALL_A_INGRESS_RULES,
	[PODWALL_DIR_EGRESS]	= PODWALL_A_EGRESS_RULES,
};

static const int policies_attr[__PODWALL_DIR_MAX] = {
	[PODWALL_DIR_INGRESS]	= PODWALL_A_INGRESS_POLICIES,
	[PODWALL_DIR_EGRESS]	= PODWALL_A_EGRESS_POLICIES,
};

static int new_endpoint(struct podwall_txn *txn, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct podwall_obj *obj = NULL;
	struct pw_ep spec = {};
	unsigned int d;
	int err = 0;

	spec.id = nla_get_u32(attrs[PODWALL_A_ENDPOINT_ID]);
	if (attrs[PODWALL_A_EP_FLAGS])
		spec.flags = nla_get_u32(attrs[PODWALL_A_EP_FLAGS]);
	if (attrs[PODWALL_A_ADDRS])
		err = parse_prefixes(attrs[PODWALL_A_ADDRS], true,
				     PODWALL_MAX_ADDRS_PER_EP, &spec.addrs,
				     &spec.nr_addrs, info->extack);
	for (d = 0; !err && d < __PODWALL_DIR_MAX; d++) {
		err = parse_ids(attrs[rules_attr[d]], PODWALL_MAX_RULES,
				&spec.rules[d], &spec.nr_rules[d], info->extack);
		if (!err)
			err = parse_ids(attrs[policies_attr[d]],
					PODWALL_MAX_POLICIES, &spec.policies[d],
					&spec.nr_policies[d], info->extack);
	}
	if (err)
		goto out;
	err = -ENOMEM;
	obj = podwall_obj_new(PODWALL_EP, spec.id);
	if (!obj)
		goto out;
	obj->ns = dup_string(attrs[PODWALL_A_NAMESPACE]);
	obj->name = dup_string(attrs[PODWALL_A_NAME]);
	if (!obj->ns || !obj->name)
		goto out;
	err = pw_ep_build(&podwall_pw_alloc, &spec, &obj->ep);
	if (!err) {
		err = podwall_txn_store(txn, PODWALL_EP, spec.id, obj);
		obj = NULL;	/* the candidate's now, even on failure */
	}
out:
	if (err)
		podwall_obj_put(obj);
	kvfree(spec.addrs);
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		kvfree(spec.rules[d]);
		kvfree(spec.policies[d]);
	}
	return err;
}

static int nl_new_endpoint(struct sk_buff *req, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, PODWALL_A_ENDPOINT_ID) ||
	    GENL_REQ_ATTR_CHECK(info, PODWALL_A_NAMESPACE) ||
	    GENL_REQ_ATTR_CHECK(info, PODWALL_A_NAME))
		return -EINVAL;
	return with_txn(info, new_endpoint);
}

/* ---- dumps ---------------------------------------------------------------- */

/*
 * cb->args[0]: next object id; cb->args[1]: next slot of a set that did
 * not fit in one message. cb->seq is the generation, so a commit between
 * two parts of a dump sets NLM_F_DUMP_INTR.
 */
static void *dump_put(struct sk_buff *skb, struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &podwall_genl_family, NLM_F_MULTI,
			  ((struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd);
	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

static int put_ids(struct sk_buff *skb, int type, int elem, const u32 *ids,
		   u32 n)
{
	struct nlattr *list;
	u32 i;

	list = nla_nest_start(skb, type);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (nla_put_u32(skb, elem, ids[i])) {
			nla_nest_cancel(skb, list);
			return -EMSGSIZE;
		}
	nla_nest_end(skb, list);
	return 0;
}

static int put_ports(struct sk_buff *skb, const struct pw_rule *r)
{
	struct nlattr *list, *p;
	u32 i;

	list = nla_nest_start(skb, PODWALL_A_PORTS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < r->nr_ports; i++) {
		p = nla_nest_start(skb, PODWALL_A_PORT);
		if (!p ||
		    nla_put_u8(skb, PODWALL_PORT_A_PROTO, r->ports[i].proto) ||
		    nla_put_u16(skb, PODWALL_PORT_A_FIRST, r->ports[i].first) ||
		    nla_put_u16(skb, PODWALL_PORT_A_LAST, r->ports[i].last)) {
			nla_nest_cancel(skb, list);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, p);
	}
	nla_nest_end(skb, list);
	return 0;
}

static int put_obj(struct sk_buff *skb, const struct podwall_obj *obj)
{
	const struct pw_rule *r = obj->rule;
	const struct pw_ep *ep = obj->ep;
	struct nlattr *addrs;
	unsigned int d;
	u32 i;

	switch (obj->kind) {
	case PODWALL_POLICY:
		if (nla_put_u32(skb, PODWALL_A_POLICY_ID, obj->id) ||
		    put_names(skb, obj))
			return -EMSGSIZE;
		return 0;
	case PODWALL_RULE:
		if (nla_put_u32(skb, PODWALL_A_RULE_ID, r->id) ||
		    nla_put_u32(skb, PODWALL_A_POLICY_ID, r->policy) ||
		    nla_put_u32(skb, PODWALL_A_RULE_INDEX, r->index) ||
		    nla_put_u8(skb, PODWALL_A_DIRECTION, r->dir) ||
		    (!(r->flags & PW_RULE_F_ANY_PEER) &&
		     nla_put_u32(skb, PODWALL_A_SET_ID, r->set)) ||
		    (!(r->flags & PW_RULE_F_ANY_PORT) && put_ports(skb, r)) ||
		    podwall_stats_put(skb, NULL, 0, obj->hits, false, 0))
			return -EMSGSIZE;
		return 0;
	case PODWALL_EP:
		if (nla_put_u32(skb, PODWALL_A_ENDPOINT_ID, ep->id) ||
		    put_names(skb, obj) ||
		    nla_put_u32(skb, PODWALL_A_EP_FLAGS, ep->flags))
			return -EMSGSIZE;
		addrs = nla_nest_start(skb, PODWALL_A_ADDRS);
		if (!addrs)
			return -EMSGSIZE;
		for (i = 0; i < ep->nr_addrs; i++)
			if (put_prefix(skb, &ep->addrs[i]))
				return -EMSGSIZE;
		nla_nest_end(skb, addrs);
		for (d = 0; d < __PODWALL_DIR_MAX; d++)
			if (put_ids(skb, rules_attr[d], PODWALL_A_RULE_ID,
				    ep->rules[d], ep->nr_rules[d]) ||
			    put_ids(skb, policies_attr[d], PODWALL_A_POLICY_ID,
				    ep->policies[d], ep->nr_policies[d]))
				return -EMSGSIZE;
		return podwall_stats_put(skb, obj->stats,
					 PODWALL_CTR_DENIED_EGRESS + 1, NULL,
					 false, 0);
	}
	return -EINVAL;
}

/* One message of a set from slot cb->args[1]; -EMSGSIZE if more remain. */
static int dump_set(struct sk_buff *skb, struct netlink_callback *cb,
		    const struct podwall_obj *obj)
{
	const struct pw_set *s = obj->set;
	struct nlattr *list;
	u32 i, j, put = 0;
	void *hdr;

	hdr = dump_put(skb, cb);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, PODWALL_A_SET_ID, obj->id))
		goto cancel;
	list = nla_nest_start(skb, PODWALL_A_PREFIXES);
	if (!list)
		goto cancel;
	/* args[1]: shard, args[2]: slot of the next prefix to put. */
	for (i = cb->args[1]; i < 1U << s->shift; i++, cb->args[2] = 0) {
		const struct pw_shard *shard = s->shards[i];

		for (j = cb->args[2]; shard && j < shard->cap; j++) {
			if (!shard->slots[j].family)
				continue;
			if (put_prefix(skb, &shard->slots[j]))
				goto full;
			put++;
		}
	}
	nla_nest_end(skb, list);
	genlmsg_end(skb, hdr);
	cb->args[1] = 0;
	cb->args[2] = 0;
	return 0;
full:
	if (!put)
		goto cancel;
	nla_nest_end(skb, list);
	genlmsg_end(skb, hdr);
	cb->args[1] = i;
	cb->args[2] = j;
	return -EMSGSIZE;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int dump_objects(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct podwall_net *pn = podwall_net(sock_net(skb->sk));
	u8 cmd = ((struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd;
	enum podwall_kind kind = cmd_kind(cmd);
	const struct podwall_ids *ids;
	const struct podwall_obj *obj;
	const struct podwall_gen *gen;
	u32 id = cb->args[0];
	int err = 0;
	void *hdr;

	rcu_read_lock();
	gen = rcu_dereference(pn->live);
	if (!gen)
		goto out;
	cb->seq = (unsigned int)gen->number;
	ids = &gen->view.ids[kind];
	for (; (obj = podwall_ids_next(ids, &id)); id++) {
		if (kind == PODWALL_SET) {
			err = dump_set(skb, cb, obj);
			if (err)
				break;
			continue;
		}
		hdr = dump_put(skb, cb);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		err = put_obj(skb, obj);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = id;
out:
	rcu_read_unlock();
	/* An object too large for an empty message is an error, not the end. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

/*
 * A dump message holds one whole rule or endpoint, and those can outgrow
 * NLMSG_GOODSIZE (1024 port ranges, long rule lists): size the dump's
 * buffers for the largest one of the live generation.
 */
static u32 obj_size(const struct podwall_obj *obj)
{
	u32 n = 512 + (obj->ns ? strlen(obj->ns) : 0) +
		(obj->name ? strlen(obj->name) : 0);
	unsigned int d;

	if (obj->kind == PODWALL_RULE)
		return n + obj->rule->nr_ports * 28;
	if (obj->kind != PODWALL_EP)
		return n;
	n += obj->ep->nr_addrs * 32;
	for (d = 0; d < __PODWALL_DIR_MAX; d++)
		n += (obj->ep->nr_rules[d] + obj->ep->nr_policies[d]) * 8;
	return n;
}

static int dump_start(struct netlink_callback *cb)
{
	struct podwall_net *pn = podwall_net(sock_net(cb->skb->sk));
	u8 cmd = ((struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd;
	const struct podwall_obj *obj;
	const struct podwall_gen *gen;
	u32 id, size = NLMSG_GOODSIZE;

	rcu_read_lock();
	gen = rcu_dereference(pn->live);
	if (gen && (cmd == PODWALL_CMD_GET_RULE || cmd == PODWALL_CMD_GET_ENDPOINT)) {
		for (id = 0; (obj = podwall_ids_next(&gen->view.ids[cmd_kind(cmd)],
						     &id)); id++)
			size = max(size, obj_size(obj));
	}
	rcu_read_unlock();
	cb->min_dump_alloc = min_t(u32, size, 1U << 20);
	return 0;
}

/* ---- the family ------------------------------------------------------------ */

static const struct genl_ops podwall_ops[] = {
	{
		.cmd = PODWALL_CMD_GET_INFO,
		.doit = nl_get_info,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_TXN_BEGIN,
		.doit = nl_txn_begin,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_TXN_COMMIT,
		.doit = nl_txn_commit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_TXN_ABORT,
		.doit = nl_txn_abort,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_NEW_POLICY,
		.doit = nl_new_policy,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_DEL_POLICY,
		.doit = nl_del_object,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_NEW_SET,
		.doit = nl_new_set,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_DEL_SET,
		.doit = nl_del_object,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_SET_ADD_ELEMS,
		.doit = nl_edit_set,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_SET_DEL_ELEMS,
		.doit = nl_edit_set,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_NEW_RULE,
		.doit = nl_new_rule,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_NEW_RULES,
		.doit = nl_new_rules,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_DEL_RULE,
		.doit = nl_del_object,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_NEW_ENDPOINT,
		.doit = nl_new_endpoint,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_DEL_ENDPOINT,
		.doit = nl_del_object,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_SET_NODE,
		.doit = nl_set_node,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_GET_POLICY,
		.dumpit = dump_objects,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_GET_SET,
		.dumpit = dump_objects,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_GET_RULE,
		.start = dump_start,
		.dumpit = dump_objects,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_GET_ENDPOINT,
		.start = dump_start,
		.dumpit = dump_objects,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_GET_STATS,
		.doit = nl_get_stats,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = PODWALL_CMD_EVAL,
		.doit = nl_eval,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group podwall_mcgrps[] = {
	[PODWALL_MCGRP_EVENTS_ID] = {
		.name = PODWALL_MCGRP_EVENTS,
		/* Events name pods and policies: as privileged as the commands. */
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family podwall_genl_family __ro_after_init = {
	.name = PODWALL_GENL_NAME,
	.version = PODWALL_GENL_VERSION,
	.maxattr = PODWALL_A_MAX,
	.policy = podwall_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = podwall_ops,
	.n_ops = ARRAY_SIZE(podwall_ops),
	/* A new family: strict validation for every command. */
	.resv_start_op = PODWALL_CMD_MAX + 1,
	.mcgrps = podwall_mcgrps,
	.n_mcgrps = ARRAY_SIZE(podwall_mcgrps),
};

int podwall_genl_register(void)
{
	return genl_register_family(&podwall_genl_family);
}

void podwall_genl_unregister(void)
{
	genl_unregister_family(&podwall_genl_family);
}
