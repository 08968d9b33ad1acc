// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Encoding and decoding of podwall netlink attributes (see nl_attr.h). The
 * policies mirror the kernel's; whatever the kernel sends back is checked
 * again here before it reaches a struct.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nl_attr.h"

struct nla_policy pw_nl_policy[PODWALL_A_MAX + 1] = {
	[PODWALL_A_VERSION]		= { .type = NLA_U32 },
	[PODWALL_A_MODULE_VERSION]	= { .type = NLA_STRING, .maxlen = 64 },
	[PODWALL_A_GENERATION]		= { .type = NLA_U64 },
	[PODWALL_A_TXN_FLAGS]		= { .type = NLA_U32 },
	[PODWALL_A_TXN_TIMEOUT_MS]	= { .type = NLA_U32 },
	[PODWALL_A_POLICY_ID]		= { .type = NLA_U32 },
	[PODWALL_A_SET_ID]		= { .type = NLA_U32 },
	[PODWALL_A_RULE_ID]		= { .type = NLA_U32 },
	[PODWALL_A_ENDPOINT_ID]		= { .type = NLA_U32 },
	[PODWALL_A_NAMESPACE]		= { .type = NLA_STRING,
					    .maxlen = PODWALL_NAMESPACE_MAX },
	[PODWALL_A_NAME]		= { .type = NLA_STRING,
					    .maxlen = PODWALL_NAME_MAX },
	[PODWALL_A_PREFIXES]		= { .type = NLA_NESTED },
	[PODWALL_A_PREFIX]		= { .type = NLA_NESTED },
	[PODWALL_A_RULE_INDEX]		= { .type = NLA_U32 },
	[PODWALL_A_DIRECTION]		= { .type = NLA_U8 },
	[PODWALL_A_PORTS]		= { .type = NLA_NESTED },
	[PODWALL_A_PORT]		= { .type = NLA_NESTED },
	[PODWALL_A_ADDRS]		= { .type = NLA_NESTED },
	[PODWALL_A_EP_FLAGS]		= { .type = NLA_U32 },
	[PODWALL_A_INGRESS_RULES]	= { .type = NLA_NESTED },
	[PODWALL_A_EGRESS_RULES]	= { .type = NLA_NESTED },
	[PODWALL_A_INGRESS_POLICIES]	= { .type = NLA_NESTED },
	[PODWALL_A_EGRESS_POLICIES]	= { .type = NLA_NESTED },
	[PODWALL_A_NR_POLICIES]		= { .type = NLA_U32 },
	[PODWALL_A_NR_SETS]		= { .type = NLA_U32 },
	[PODWALL_A_NR_RULES]		= { .type = NLA_U32 },
	[PODWALL_A_NR_ENDPOINTS]	= { .type = NLA_U32 },
	[PODWALL_A_NR_PREFIXES]		= { .type = NLA_U32 },
	[PODWALL_A_MEMORY]		= { .type = NLA_U64 },
	[PODWALL_A_MODE]		= { .type = NLA_U32 },
	[PODWALL_A_SRC]			= { .type = NLA_UNSPEC, .minlen = 4 },
	[PODWALL_A_DST]			= { .type = NLA_UNSPEC, .minlen = 4 },
	[PODWALL_A_PROTO]		= { .type = NLA_U8 },
	[PODWALL_A_SPORT]		= { .type = NLA_U16 },
	[PODWALL_A_DPORT]		= { .type = NLA_U16 },
	[PODWALL_A_VERDICT]		= { .type = NLA_NESTED },
	[PODWALL_A_STATS]		= { .type = NLA_NESTED },
	[PODWALL_A_SUPPRESSED]		= { .type = NLA_U64 },
};

static struct nla_policy prefix_policy[PODWALL_PREFIX_A_MAX + 1] = {
	[PODWALL_PREFIX_A_ADDR]		= { .type = NLA_UNSPEC, .minlen = 4 },
	[PODWALL_PREFIX_A_PLEN]		= { .type = NLA_U8 },
};

static struct nla_policy port_policy[PODWALL_PORT_A_MAX + 1] = {
	[PODWALL_PORT_A_PROTO]		= { .type = NLA_U8 },
	[PODWALL_PORT_A_FIRST]		= { .type = NLA_U16 },
	[PODWALL_PORT_A_LAST]		= { .type = NLA_U16 },
};

static struct nla_policy verdict_policy[PODWALL_VERDICT_A_MAX + 1] = {
	[PODWALL_VERDICT_A_ALLOW]		= { .type = NLA_U8 },
	[PODWALL_VERDICT_A_REASON]		= { .type = NLA_U8 },
	[PODWALL_VERDICT_A_EGRESS]		= { .type = NLA_U8 },
	[PODWALL_VERDICT_A_INGRESS]		= { .type = NLA_U8 },
	[PODWALL_VERDICT_A_SRC_ENDPOINT]	= { .type = NLA_NESTED },
	[PODWALL_VERDICT_A_DST_ENDPOINT]	= { .type = NLA_NESTED },
	[PODWALL_VERDICT_A_EGRESS_RULE]		= { .type = NLA_NESTED },
	[PODWALL_VERDICT_A_INGRESS_RULE]	= { .type = NLA_NESTED },
	[PODWALL_VERDICT_A_EGRESS_POLICIES]	= { .type = NLA_NESTED },
	[PODWALL_VERDICT_A_INGRESS_POLICIES]	= { .type = NLA_NESTED },
};

static struct nla_policy stats_policy[PODWALL_STATS_A_MAX + 1] = {
	[PODWALL_STATS_A_JUDGED]		= { .type = NLA_U64 },
	[PODWALL_STATS_A_ALLOWED]		= { .type = NLA_U64 },
	[PODWALL_STATS_A_DENIED_INGRESS]	= { .type = NLA_U64 },
	[PODWALL_STATS_A_DENIED_EGRESS]		= { .type = NLA_U64 },
	[PODWALL_STATS_A_HITS]			= { .type = NLA_U64 },
	[PODWALL_STATS_A_EVENTS]		= { .type = NLA_U64 },
	[PODWALL_STATS_A_SUPPRESSED]		= { .type = NLA_U64 },
	[PODWALL_STATS_A_COMMITS]		= { .type = NLA_U64 },
};

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

struct nl_msg *pw_nl_msg_new(int family, uint8_t cmd, int flags, size_t payload)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + payload + 256);
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd,
			 PODWALL_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Every nla_put*() below returns a negative libnl code when out of room. */
#define PUT(expr) do { if ((expr) < 0) return -EMSGSIZE; } while (0)

static int put_addr(struct nl_msg *msg, int type, const struct pw_addr *a)
{
	unsigned int len = a->family == PW_FAMILY_INET ? 4 : 16;

	return nla_put(msg, type, len, a->a);
}

int pw_nl_put_prefixes(struct nl_msg *msg, int type, const struct pw_addr *a,
		       uint32_t n)
{
	struct nlattr *list, *p;
	uint32_t i;

	/*
	 * libnl drops an empty nest at nla_nest_end(); keep it explicit, and
	 * flagged as a nest: the kernel validates nests strictly.
	 */
	if (!n)
		return nla_put(msg, type | NLA_F_NESTED, 0, NULL) < 0 ? -EMSGSIZE : 0;
	list = nla_nest_start(msg, type);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		unsigned int full = a[i].family == PW_FAMILY_INET ? 32 : 128;

		if (!pw_addr_valid(&a[i]))
			return -EINVAL;
		p = nla_nest_start(msg, PODWALL_A_PREFIX);
		if (!p)
			return -EMSGSIZE;
		PUT(put_addr(msg, PODWALL_PREFIX_A_ADDR, &a[i]));
		if (a[i].plen != full)
			PUT(nla_put_u8(msg, PODWALL_PREFIX_A_PLEN, a[i].plen));
		nla_nest_end(msg, p);
	}
	nla_nest_end(msg, list);
	return 0;
}

static int put_names(struct nl_msg *msg, const char *ns, const char *name)
{
	if (ns)
		PUT(nla_put_string(msg, PODWALL_A_NAMESPACE, ns));
	if (name)
		PUT(nla_put_string(msg, PODWALL_A_NAME, name));
	return 0;
}

int pw_nl_put_policy(struct nl_msg *msg, const struct pw_model_policy *p)
{
	PUT(nla_put_u32(msg, PODWALL_A_POLICY_ID, p->id));
	return put_names(msg, p->ns, p->name);
}

int pw_nl_put_rule(struct nl_msg *msg, const struct pw_model_rule *r)
{
	struct nlattr *list, *p;
	uint32_t i;

	PUT(nla_put_u32(msg, PODWALL_A_RULE_ID, r->id));
	PUT(nla_put_u32(msg, PODWALL_A_POLICY_ID, r->policy));
	PUT(nla_put_u32(msg, PODWALL_A_RULE_INDEX, r->index));
	PUT(nla_put_u8(msg, PODWALL_A_DIRECTION, r->dir));
	if (!(r->flags & PW_RULE_F_ANY_PEER))
		PUT(nla_put_u32(msg, PODWALL_A_SET_ID, r->set));
	if (r->flags & PW_RULE_F_ANY_PORT)
		return 0;
	/*
	 * Present but empty admits nothing (a rule whose named ports resolve
	 * nowhere). libnl drops empty nests, so write that one directly.
	 */
	if (!r->nr_ports)
		return nla_put(msg, PODWALL_A_PORTS | NLA_F_NESTED, 0, NULL) < 0 ?
		       -EMSGSIZE : 0;
	list = nla_nest_start(msg, PODWALL_A_PORTS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < r->nr_ports; i++) {
		p = nla_nest_start(msg, PODWALL_A_PORT);
		if (!p)
			return -EMSGSIZE;
		PUT(nla_put_u8(msg, PODWALL_PORT_A_PROTO, r->ports[i].proto));
		PUT(nla_put_u16(msg, PODWALL_PORT_A_FIRST, r->ports[i].first));
		PUT(nla_put_u16(msg, PODWALL_PORT_A_LAST, r->ports[i].last));
		nla_nest_end(msg, p);
	}
	nla_nest_end(msg, list);
	return 0;
}

static int put_ids(struct nl_msg *msg, int type, int elem, const uint32_t *ids,
		   uint32_t n)
{
	struct nlattr *list;
	uint32_t i;

	list = nla_nest_start(msg, type);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		PUT(nla_put_u32(msg, elem, ids[i]));
	nla_nest_end(msg, list);
	return 0;
}

int pw_nl_put_ep(struct nl_msg *msg, const struct pw_model_ep *e)
{
	int err;

	PUT(nla_put_u32(msg, PODWALL_A_ENDPOINT_ID, e->id));
	err = put_names(msg, e->ns, e->name);
	if (!err)
		err = pw_nl_put_prefixes(msg, PODWALL_A_ADDRS, e->addrs,
					 e->nr_addrs);
	if (err)
		return err;
	PUT(nla_put_u32(msg, PODWALL_A_EP_FLAGS, e->flags));
	PUT(put_ids(msg, PODWALL_A_INGRESS_RULES, PODWALL_A_RULE_ID,
		    e->rules[PODWALL_DIR_INGRESS],
		    e->nr_rules[PODWALL_DIR_INGRESS]));
	PUT(put_ids(msg, PODWALL_A_EGRESS_RULES, PODWALL_A_RULE_ID,
		    e->rules[PODWALL_DIR_EGRESS],
		    e->nr_rules[PODWALL_DIR_EGRESS]));
	PUT(put_ids(msg, PODWALL_A_INGRESS_POLICIES, PODWALL_A_POLICY_ID,
		    e->policies[PODWALL_DIR_INGRESS],
		    e->nr_policies[PODWALL_DIR_INGRESS]));
	PUT(put_ids(msg, PODWALL_A_EGRESS_POLICIES, PODWALL_A_POLICY_ID,
		    e->policies[PODWALL_DIR_EGRESS],
		    e->nr_policies[PODWALL_DIR_EGRESS]));
	return 0;
}

int pw_nl_put_tuple(struct nl_msg *msg, const struct pw_tuple *t)
{
	if (!pw_addr_valid(&t->src) || t->src.family != t->dst.family)
		return -EINVAL;
	PUT(put_addr(msg, PODWALL_A_SRC, &t->src));
	PUT(put_addr(msg, PODWALL_A_DST, &t->dst));
	PUT(nla_put_u8(msg, PODWALL_A_PROTO, t->proto));
	PUT(nla_put_u16(msg, PODWALL_A_SPORT, t->sport));
	PUT(nla_put_u16(msg, PODWALL_A_DPORT, t->dport));
	return 0;
}

int pw_nl_set_msgs(int family, const struct pw_model_set *s, uint32_t per_msg,
		   struct nl_msg ***out, size_t *n)
{
	size_t count, i;
	struct nl_msg **msgs;
	int err = 0;

	if (!per_msg)
		return -EINVAL;
	count = s->nr_prefixes ? (s->nr_prefixes + per_msg - 1) / per_msg : 1;
	msgs = calloc(count, sizeof(*msgs));
	if (!msgs)
		return -ENOMEM;
	for (i = 0; i < count && !err; i++) {
		uint32_t first = (uint32_t)(i * per_msg);
		uint32_t k = s->nr_prefixes - first < per_msg ?
			     s->nr_prefixes - first : per_msg;

		msgs[i] = pw_nl_msg_new(family, i ? PODWALL_CMD_SET_ADD_ELEMS :
						    PODWALL_CMD_NEW_SET,
					NLM_F_REQUEST | NLM_F_ACK,
					(size_t)k * 32 + 64);
		if (!msgs[i]) {
			err = -ENOMEM;
			break;
		}
		if (nla_put_u32(msgs[i], PODWALL_A_SET_ID, s->id) < 0)
			err = -EMSGSIZE;
		else
			err = pw_nl_put_prefixes(msgs[i], PODWALL_A_PREFIXES,
						 s->prefixes + first, k);
	}
	if (err) {
		for (i = 0; i < count; i++)
			if (msgs[i])
				nlmsg_free(msgs[i]);
		free(msgs);
		return err;
	}
	*out = msgs;
	*n = count;
	return 0;
}

int pw_nl_parse(struct nlmsghdr *nlh, struct nlattr **tb, char *err,
		size_t errlen)
{
	int ret = genlmsg_parse(nlh, 0, tb, PODWALL_A_MAX, pw_nl_policy);

	if (ret < 0)
		return fail(err, errlen, "malformed message from the kernel: %s",
			    nl_geterror(ret));
	return 0;
}

static uint32_t get_u32(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u32(tb[type]) : 0;
}

static uint64_t get_u64(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u64(tb[type]) : 0;
}

int pw_nl_get_info(struct nlattr **tb, struct pw_nl_info *info,
		   uint32_t *node_set, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	if (!tb[PODWALL_A_VERSION])
		return fail(err, errlen, "info: missing version");
	info->version = nla_get_u32(tb[PODWALL_A_VERSION]);
	if (tb[PODWALL_A_MODULE_VERSION])
		nla_strlcpy(info->module_version, tb[PODWALL_A_MODULE_VERSION],
			    sizeof(info->module_version));
	info->generation = get_u64(tb, PODWALL_A_GENERATION);
	info->nr_policies = get_u32(tb, PODWALL_A_NR_POLICIES);
	info->nr_sets = get_u32(tb, PODWALL_A_NR_SETS);
	info->nr_rules = get_u32(tb, PODWALL_A_NR_RULES);
	info->nr_eps = get_u32(tb, PODWALL_A_NR_ENDPOINTS);
	info->nr_prefixes = get_u32(tb, PODWALL_A_NR_PREFIXES);
	info->memory = get_u64(tb, PODWALL_A_MEMORY);
	info->mode = get_u32(tb, PODWALL_A_MODE);
	if (info->mode >= __PODWALL_MODE_MAX)
		return fail(err, errlen, "info: mode: unknown value %u",
			    info->mode);
	if (node_set)
		*node_set = get_u32(tb, PODWALL_A_SET_ID);
	return 0;
}

int pw_nl_check_version(const struct pw_nl_info *info, char *err, size_t errlen)
{
	if (info->version == PODWALL_GENL_VERSION)
		return 0;
	snprintf(err, errlen,
		 "podwall.ko speaks protocol version %u, this tool %u: install matching versions",
		 info->version, PODWALL_GENL_VERSION);
	return -EPROTO;
}

static int dup_string(struct nlattr *attr, char **out)
{
	if (!attr) {
		*out = NULL;
		return 0;
	}
	*out = strdup(nla_get_string(attr));
	return *out ? 0 : -ENOMEM;
}

static int get_id(struct nlattr **tb, int type, const char *what, uint32_t max,
		  uint32_t *id, char *err, size_t errlen)
{
	if (!tb[type])
		return fail(err, errlen, "%s: missing id", what);
	*id = nla_get_u32(tb[type]);
	if (*id < 1 || *id > max)
		return fail(err, errlen, "%s %u: id out of range 1..%u", what,
			    *id, max);
	return 0;
}

int pw_nl_get_policy(struct nlattr **tb, struct pw_model_policy *p, char *err,
		     size_t errlen)
{
	int ret;

	memset(p, 0, sizeof(*p));
	ret = get_id(tb, PODWALL_A_POLICY_ID, "policy", PODWALL_MAX_POLICIES,
		     &p->id, err, errlen);
	if (ret)
		return ret;
	if (dup_string(tb[PODWALL_A_NAMESPACE], &p->ns) ||
	    dup_string(tb[PODWALL_A_NAME], &p->name))
		return -ENOMEM;
	return 0;
}

int pw_nl_get_addr(struct nlattr *attr, const char *what, struct pw_addr *a,
		   char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (nla_len(attr) == 4) {
		a->family = PW_FAMILY_INET;
		a->plen = 32;
	} else if (nla_len(attr) == 16) {
		a->family = PW_FAMILY_INET6;
		a->plen = 128;
	} else {
		return fail(err, errlen, "%s: address of %d bytes, not 4 or 16",
			    what, nla_len(attr));
	}
	memcpy(a->a, nla_data(attr), (size_t)nla_len(attr));
	return 0;
}

int pw_nl_get_prefixes(struct nlattr *nest, const char *what, uint32_t max,
		       struct pw_addr **a, uint32_t *n, char *err,
		       size_t errlen)
{
	struct nlattr *ptb[PODWALL_PREFIX_A_MAX + 1];
	struct nlattr *pos;
	struct pw_addr *grown;
	uint32_t count = 0, i = 0;
	int rem, ret;

	nla_for_each_nested(pos, nest, rem)
		count++;
	if (count > max || *n + count > max)
		return fail(err, errlen, "%s: %u prefixes, more than %u", what,
			    *n + count, max);
	if (!count)
		return 0;
	grown = realloc(*a, (*n + count) * sizeof(**a));
	if (!grown)
		return -ENOMEM;
	*a = grown;
	nla_for_each_nested(pos, nest, rem) {
		struct pw_addr *p = &grown[*n + i];
		unsigned int full;

		if (nla_type(pos) != PODWALL_A_PREFIX)
			return fail(err, errlen, "%s: prefix %u: unexpected attribute %d",
				    what, i, nla_type(pos));
		ret = nla_parse_nested(ptb, PODWALL_PREFIX_A_MAX, pos,
				       prefix_policy);
		if (ret < 0)
			return fail(err, errlen, "%s: prefix %u: %s", what, i,
				    nl_geterror(ret));
		if (!ptb[PODWALL_PREFIX_A_ADDR])
			return fail(err, errlen, "%s: prefix %u: missing address",
				    what, i);
		ret = pw_nl_get_addr(ptb[PODWALL_PREFIX_A_ADDR], what, p, err,
				     errlen);
		if (ret)
			return ret;
		full = p->plen;
		if (ptb[PODWALL_PREFIX_A_PLEN]) {
			p->plen = nla_get_u8(ptb[PODWALL_PREFIX_A_PLEN]);
			if (p->plen > full)
				return fail(err, errlen,
					    "%s: prefix %u: invalid prefix length %u for %s",
					    what, i, p->plen,
					    full == 32 ? "IPv4" : "IPv6");
		}
		pw_addr_mask(p);
		i++;
	}
	*n += count;
	return 0;
}

static int get_ports(struct nlattr *nest, struct pw_model_rule *r, char *err,
		     size_t errlen)
{
	struct nlattr *ptb[PODWALL_PORT_A_MAX + 1];
	struct nlattr *pos;
	uint32_t count = 0, i = 0;
	int rem, ret;

	nla_for_each_nested(pos, nest, rem)
		count++;
	if (count > PODWALL_MAX_PORTS_PER_RULE)
		return fail(err, errlen, "rule %u: ports: %u ranges, more than %u",
			    r->id, count, PODWALL_MAX_PORTS_PER_RULE);
	if (!count)
		return 0;
	r->ports = calloc(count, sizeof(*r->ports));
	if (!r->ports)
		return -ENOMEM;
	nla_for_each_nested(pos, nest, rem) {
		struct pw_port_range *p = &r->ports[i];

		if (nla_type(pos) != PODWALL_A_PORT)
			return fail(err, errlen, "rule %u: port %u: unexpected attribute %d",
				    r->id, i, nla_type(pos));
		ret = nla_parse_nested(ptb, PODWALL_PORT_A_MAX, pos, port_policy);
		if (ret < 0)
			return fail(err, errlen, "rule %u: port %u: %s", r->id, i,
				    nl_geterror(ret));
		if (!ptb[PODWALL_PORT_A_PROTO] || !ptb[PODWALL_PORT_A_FIRST] ||
		    !ptb[PODWALL_PORT_A_LAST])
			return fail(err, errlen,
				    "rule %u: port %u: needs protocol, first and last",
				    r->id, i);
		p->proto = nla_get_u8(ptb[PODWALL_PORT_A_PROTO]);
		p->first = nla_get_u16(ptb[PODWALL_PORT_A_FIRST]);
		p->last = nla_get_u16(ptb[PODWALL_PORT_A_LAST]);
		if (p->proto != PW_PROTO_TCP && p->proto != PW_PROTO_UDP &&
		    p->proto != PW_PROTO_SCTP)
			return fail(err, errlen, "rule %u: port %u: protocol %u is not TCP, UDP or SCTP",
				    r->id, i, p->proto);
		if (p->first > p->last)
			return fail(err, errlen, "rule %u: port %u: first %u > last %u",
				    r->id, i, p->first, p->last);
		i++;
		r->nr_ports = i;
	}
	return 0;
}

int pw_nl_get_rule(struct nlattr **tb, struct pw_model_rule *r, char *err,
		   size_t errlen)
{
	int ret;

	memset(r, 0, sizeof(*r));
	ret = get_id(tb, PODWALL_A_RULE_ID, "rule", PODWALL_MAX_RULES, &r->id,
		     err, errlen);
	if (ret)
		return ret;
	if (!tb[PODWALL_A_POLICY_ID] || !tb[PODWALL_A_DIRECTION])
		return fail(err, errlen, "rule %u: missing policy or direction",
			    r->id);
	r->policy = nla_get_u32(tb[PODWALL_A_POLICY_ID]);
	r->index = get_u32(tb, PODWALL_A_RULE_INDEX);
	r->dir = nla_get_u8(tb[PODWALL_A_DIRECTION]);
	if (r->dir >= __PODWALL_DIR_MAX)
		return fail(err, errlen, "rule %u: direction: unknown value %u",
			    r->id, r->dir);
	if (tb[PODWALL_A_SET_ID])
		r->set = nla_get_u32(tb[PODWALL_A_SET_ID]);
	else
		r->flags |= PW_RULE_F_ANY_PEER;
	if (!tb[PODWALL_A_PORTS]) {
		r->flags |= PW_RULE_F_ANY_PORT;
		return 0;
	}
	return get_ports(tb[PODWALL_A_PORTS], r, err, errlen);
}

static int get_ids(struct nlattr *nest, int elem, const char *what,
		   uint32_t ep, uint32_t max, uint32_t **ids, uint32_t *n,
		   char *err, size_t errlen)
{
	struct nlattr *pos;
	uint32_t count = 0, i = 0;
	int rem;

	*ids = NULL;
	*n = 0;
	if (!nest)
		return 0;
	nla_for_each_nested(pos, nest, rem)
		count++;
	if (!count)
		return 0;
	*ids = calloc(count, sizeof(**ids));
	if (!*ids)
		return -ENOMEM;
	nla_for_each_nested(pos, nest, rem) {
		if (nla_type(pos) != elem || nla_len(pos) != 4)
			return fail(err, errlen, "endpoint %u: %s %u: not a u32 id",
				    ep, what, i);
		(*ids)[i] = nla_get_u32(pos);
		if ((*ids)[i] < 1 || (*ids)[i] > max)
			return fail(err, errlen, "endpoint %u: %s %u: id %u out of range",
				    ep, what, i, (*ids)[i]);
		*n = ++i;
	}
	return 0;
}

int pw_nl_get_ep(struct nlattr **tb, struct pw_model_ep *e, char *err,
		 size_t errlen)
{
	static const int rules[] = { PODWALL_A_INGRESS_RULES, PODWALL_A_EGRESS_RULES };
	static const int pols[] = { PODWALL_A_INGRESS_POLICIES, PODWALL_A_EGRESS_POLICIES };
	static const char *const rule_what[] = { "ingress rule", "egress rule" };
	static const char *const pol_what[] = { "ingress policy", "egress policy" };
	char what[32];
	unsigned int d;
	uint32_t i;
	int ret;

	memset(e, 0, sizeof(*e));
	ret = get_id(tb, PODWALL_A_ENDPOINT_ID, "endpoint", PODWALL_MAX_ENDPOINTS,
		     &e->id, err, errlen);
	if (ret)
		return ret;
	if (dup_string(tb[PODWALL_A_NAMESPACE], &e->ns) ||
	    dup_string(tb[PODWALL_A_NAME], &e->name))
		return -ENOMEM;
	e->flags = get_u32(tb, PODWALL_A_EP_FLAGS);
	if (e->flags & ~PODWALL_EP_F_ALL)
		return fail(err, errlen, "endpoint %u: flags: unknown bits 0x%x",
			    e->id, e->flags & ~PODWALL_EP_F_ALL);
	if (tb[PODWALL_A_ADDRS]) {
		snprintf(what, sizeof(what), "endpoint %u", e->id);
		ret = pw_nl_get_prefixes(tb[PODWALL_A_ADDRS], what,
					 PODWALL_MAX_ADDRS_PER_EP, &e->addrs,
					 &e->nr_addrs, err, errlen);
		if (ret)
			return ret;
	}
	for (i = 0; i < e->nr_addrs; i++)
		if (e->addrs[i].plen != (e->addrs[i].family == PW_FAMILY_INET ?
					 32 : 128))
			return fail(err, errlen, "endpoint %u: address %u: a prefix, not an address",
				    e->id, i);
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		ret = get_ids(tb[rules[d]], PODWALL_A_RULE_ID, rule_what[d], e->id,
			      PODWALL_MAX_RULES, &e->rules[d], &e->nr_rules[d],
			      err, errlen);
		if (!ret)
			ret = get_ids(tb[pols[d]], PODWALL_A_POLICY_ID,
				      pol_what[d], e->id, PODWALL_MAX_POLICIES,
				      &e->policies[d], &e->nr_policies[d], err,
				      errlen);
		if (ret)
			return ret;
	}
	return 0;
}

int pw_nl_get_counters(struct nlattr *nest, struct pw_nl_counters *c,
		       char *err, size_t errlen)
{
	struct nlattr *tb[PODWALL_STATS_A_MAX + 1];
	int ret;

	memset(c, 0, sizeof(*c));
	ret = nla_parse_nested(tb, PODWALL_STATS_A_MAX, nest, stats_policy);
	if (ret < 0)
		return fail(err, errlen, "stats: %s", nl_geterror(ret));
	c->judged = get_u64(tb, PODWALL_STATS_A_JUDGED);
	c->allowed = get_u64(tb, PODWALL_STATS_A_ALLOWED);
	c->denied_ingress = get_u64(tb, PODWALL_STATS_A_DENIED_INGRESS);
	c->denied_egress = get_u64(tb, PODWALL_STATS_A_DENIED_EGRESS);
	c->hits = get_u64(tb, PODWALL_STATS_A_HITS);
	c->events = get_u64(tb, PODWALL_STATS_A_EVENTS);
	c->suppressed = get_u64(tb, PODWALL_STATS_A_SUPPRESSED);
	c->commits = get_u64(tb, PODWALL_STATS_A_COMMITS);
	return 0;
}

/* One named object of a verdict: endpoint, rule or policy. */
static int get_ref(struct nlattr *nest, const char *what, struct pw_nl_ref *ref,
		   char *err, size_t errlen)
{
	struct nlattr *tb[PODWALL_A_MAX + 1];
	int ret;

	memset(ref, 0, sizeof(*ref));
	ret = nla_parse_nested(tb, PODWALL_A_MAX, nest, pw_nl_policy);
	if (ret < 0)
		return fail(err, errlen, "verdict: %s: %s", what, nl_geterror(ret));
	if (tb[PODWALL_A_ENDPOINT_ID])
		ref->id = nla_get_u32(tb[PODWALL_A_ENDPOINT_ID]);
	else if (tb[PODWALL_A_RULE_ID])
		ref->id = nla_get_u32(tb[PODWALL_A_RULE_ID]);
	else if (tb[PODWALL_A_POLICY_ID])
		ref->id = nla_get_u32(tb[PODWALL_A_POLICY_ID]);
	if (!ref->id)
		return fail(err, errlen, "verdict: %s: missing id", what);
	ref->rule_index = get_u32(tb, PODWALL_A_RULE_INDEX);
	ref->policy = get_u32(tb, PODWALL_A_POLICY_ID);
	if (tb[PODWALL_A_NAMESPACE])
		nla_strlcpy(ref->ns, tb[PODWALL_A_NAMESPACE], sizeof(ref->ns));
	if (tb[PODWALL_A_NAME])
		nla_strlcpy(ref->name, tb[PODWALL_A_NAME], sizeof(ref->name));
	return 0;
}

static int get_policy_refs(struct nlattr *nest, const char *what,
			   struct pw_nl_ref **refs, uint32_t *n, char *err,
			   size_t errlen)
{
	struct nlattr *pos;
	uint32_t count = 0;
	int rem, ret;

	nla_for_each_nested(pos, nest, rem)
		count++;
	if (count > PODWALL_MAX_POLICIES)
		return fail(err, errlen, "verdict: %s: too many", what);
	if (!count)
		return 0;
	*refs = calloc(count, sizeof(**refs));
	if (!*refs)
		return -ENOMEM;
	nla_for_each_nested(pos, nest, rem) {
		ret = get_ref(pos, what, &(*refs)[*n], err, errlen);
		if (ret)
			return ret;
		(*n)++;
	}
	return 0;
}

void pw_nl_verdict_free(struct pw_nl_verdict *v)
{
	unsigned int d;

	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		free(v->policies[d]);
		v->policies[d] = NULL;
		v->nr_policies[d] = 0;
	}
}

int pw_nl_get_verdict(struct nlattr *nest, struct pw_nl_verdict *v, char *err,
		      size_t errlen)
{
	struct nlattr *tb[PODWALL_VERDICT_A_MAX + 1];
	int ret;

	memset(v, 0, sizeof(*v));
	ret = nla_parse_nested(tb, PODWALL_VERDICT_A_MAX, nest, verdict_policy);
	if (ret < 0)
		return fail(err, errlen, "verdict: %s", nl_geterror(ret));
	if (!tb[PODWALL_VERDICT_A_ALLOW] || !tb[PODWALL_VERDICT_A_REASON])
		return fail(err, errlen, "verdict: missing decision or reason");
	v->allow = nla_get_u8(tb[PODWALL_VERDICT_A_ALLOW]);
	v->reason = nla_get_u8(tb[PODWALL_VERDICT_A_REASON]);
	if (tb[PODWALL_VERDICT_A_EGRESS])
		v->egress = nla_get_u8(tb[PODWALL_VERDICT_A_EGRESS]);
	if (tb[PODWALL_VERDICT_A_INGRESS])
		v->ingress = nla_get_u8(tb[PODWALL_VERDICT_A_INGRESS]);
	if (v->allow > 1 || v->reason == PODWALL_REASON_UNSPEC ||
	    v->reason >= __PODWALL_REASON_MAX ||
	    v->egress >= __PODWALL_STATUS_MAX ||
	    v->ingress >= __PODWALL_STATUS_MAX)
		return fail(err, errlen, "verdict: value out of range");
	/* A decision that contradicts its own reason is not trusted. */
	if (v->allow != (v->reason < PODWALL_REASON_DENIED_EGRESS))
		return fail(err, errlen, "verdict: decision %u contradicts reason %u",
			    v->allow, v->reason);
	ret = 0;
	if (tb[PODWALL_VERDICT_A_SRC_ENDPOINT])
		ret = get_ref(tb[PODWALL_VERDICT_A_SRC_ENDPOINT], "source endpoint",
			      &v->src_ep, err, errlen);
	if (!ret && tb[PODWALL_VERDICT_A_DST_ENDPOINT])
		ret = get_ref(tb[PODWALL_VERDICT_A_DST_ENDPOINT],
			      "destination endpoint", &v->dst_ep, err, errlen);
	if (!ret && tb[PODWALL_VERDICT_A_EGRESS_RULE])
		ret = get_ref(tb[PODWALL_VERDICT_A_EGRESS_RULE], "egress rule",
			      &v->egress_rule, err, errlen);
	if (!ret && tb[PODWALL_VERDICT_A_INGRESS_RULE])
		ret = get_ref(tb[PODWALL_VERDICT_A_INGRESS_RULE], "ingress rule",
			      &v->ingress_rule, err, errlen);
	if (!ret && tb[PODWALL_VERDICT_A_EGRESS_POLICIES])
		ret = get_policy_refs(tb[PODWALL_VERDICT_A_EGRESS_POLICIES],
				      "egress policies",
				      &v->policies[PODWALL_DIR_EGRESS],
				      &v->nr_policies[PODWALL_DIR_EGRESS], err,
				      errlen);
	if (!ret && tb[PODWALL_VERDICT_A_INGRESS_POLICIES])
		ret = get_policy_refs(tb[PODWALL_VERDICT_A_INGRESS_POLICIES],
				      "ingress policies",
				      &v->policies[PODWALL_DIR_INGRESS],
				      &v->nr_policies[PODWALL_DIR_INGRESS], err,
				      errlen);
	if (ret)
		pw_nl_verdict_free(v);
	return ret;
}

int pw_nl_get_event(struct nlattr **tb, struct pw_nl_event *ev, char *err,
		    size_t errlen)
{
	int ret;

	memset(ev, 0, sizeof(*ev));
	if (!tb[PODWALL_A_VERDICT] || !tb[PODWALL_A_SRC] || !tb[PODWALL_A_DST] ||
	    !tb[PODWALL_A_PROTO])
		return fail(err, errlen, "event: missing verdict or tuple");
	ret = pw_nl_get_addr(tb[PODWALL_A_SRC], "event: source", &ev->tuple.src,
			     err, errlen);
	if (!ret)
		ret = pw_nl_get_addr(tb[PODWALL_A_DST], "event: destination",
				     &ev->tuple.dst, err, errlen);
	if (ret)
		return ret;
	ev->tuple.proto = nla_get_u8(tb[PODWALL_A_PROTO]);
	if (tb[PODWALL_A_SPORT])
		ev->tuple.sport = nla_get_u16(tb[PODWALL_A_SPORT]);
	if (tb[PODWALL_A_DPORT])
		ev->tuple.dport = nla_get_u16(tb[PODWALL_A_DPORT]);
	ev->generation = get_u64(tb, PODWALL_A_GENERATION);
	ev->suppressed = get_u64(tb, PODWALL_A_SUPPRESSED);
	return pw_nl_get_verdict(tb[PODWALL_A_VERDICT], &ev->verdict, err,
				 errlen);
}
