// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libpodwall's netlink encoding without a kernel: every object encoded with
 * libnl, parsed back with the kernel-side policy and compared; sets split
 * into chunks; malformed replies rejected with a message naming the field.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib/explain.h"
#include "lib/nl_attr.h"

#define FAMILY 0x20

static struct pw_addr addr(const char *text)
{
	struct pw_addr a;

	assert_int_equal(pw_addr_parse(text, &a), 0);
	return a;
}

static struct nl_msg *msg_new(uint8_t cmd)
{
	struct nl_msg *msg = pw_nl_msg_new(FAMILY, cmd, NLM_F_REQUEST, 4096);

	assert_non_null(msg);
	return msg;
}

static void parse(struct nl_msg *msg, struct nlattr **tb)
{
	char err[256] = "";

	assert_int_equal(pw_nl_parse(nlmsg_hdr(msg), tb, err, sizeof(err)), 0);
}

static void test_policy_roundtrip(void **state)
{
	struct pw_model_policy in = { 7, "x", "allow-web" }, out;
	struct nlattr *tb[PODWALL_A_MAX + 1];
	struct nl_msg *msg = msg_new(PODWALL_CMD_NEW_POLICY);
	char err[256];

	(void)state;
	assert_int_equal(pw_nl_put_policy(msg, &in), 0);
	parse(msg, tb);
	assert_int_equal(pw_nl_get_policy(tb, &out, err, sizeof(err)), 0);
	assert_int_equal(out.id, 7);
	assert_string_equal(out.ns, "x");
	assert_string_equal(out.name, "allow-web");
	free(out.ns);
	free(out.name);
	nlmsg_free(msg);
}

static void rule_roundtrip(const struct pw_model_rule *in)
{
	struct nlattr *tb[PODWALL_A_MAX + 1];
	struct nl_msg *msg = msg_new(PODWALL_CMD_NEW_RULE);
	struct pw_model_rule out;
	char err[256] = "";
	uint32_t i;

	assert_int_equal(pw_nl_put_rule(msg, in), 0);
	parse(msg, tb);
	assert_int_equal(pw_nl_get_rule(tb, &out, err, sizeof(err)), 0);
	assert_int_equal(out.id, in->id);
	assert_int_equal(out.policy, in->policy);
	assert_int_equal(out.index, in->index);
	assert_int_equal(out.dir, in->dir);
	assert_int_equal(out.flags, in->flags);
	assert_int_equal(out.set, in->flags & PW_RULE_F_ANY_PEER ? 0 : in->set);
	assert_int_equal(out.nr_ports, in->nr_ports);
	for (i = 0; i < in->nr_ports; i++) {
		assert_int_equal(out.ports[i].proto, in->ports[i].proto);
		assert_int_equal(out.ports[i].first, in->ports[i].first);
		assert_int_equal(out.ports[i].last, in->ports[i].last);
	}
	free(out.ports);
	nlmsg_free(msg);
}

static void test_rule_roundtrip(void **state)
{
	struct pw_port_range ports[] = {
		{ 80, 80, PW_PROTO_TCP }, { 1000, 2000, PW_PROTO_UDP },
		{ 9, 9, PW_PROTO_SCTP },
	};
	struct pw_model_rule r = { 3, 7, 1, 12, PODWALL_DIR_EGRESS, 0, 3, ports };
	struct pw_model_rule any = { 4, 7, 2, 0, PODWALL_DIR_INGRESS,
				     PW_RULE_F_ANY_PEER | PW_RULE_F_ANY_PORT, 0, NULL };
	/* Ports present but empty: admits nothing, must not become "any". */
	struct pw_model_rule none = { 5, 7, 3, 12, PODWALL_DIR_INGRESS, 0, 0, NULL };

	(void)state;
	rule_roundtrip(&r);
	rule_roundtrip(&any);
	rule_roundtrip(&none);
}

static void test_ep_roundtrip(void **state)
{
	struct pw_addr addrs[2] = { addr("10.0.0.2"), addr("fd00::2") };
	uint32_t in_rules[] = { 3, 5 }, in_pols[] = { 7 }, eg_pols[] = { 8, 9 };
	struct pw_model_ep e = {
		.id = 2, .ns = "x", .name = "b",
		.flags = PODWALL_EP_F_ALL, .nr_addrs = 2, .addrs = addrs,
		.nr_rules = { 2, 0 }, .rules = { in_rules, NULL },
		.nr_policies = { 1, 2 }, .policies = { in_pols, eg_pols },
	};
	struct nlattr *tb[PODWALL_A_MAX + 1];
	struct nl_msg *msg = msg_new(PODWALL_CMD_NEW_ENDPOINT);
	struct pw_model m;
	char err[256] = "";

	(void)state;
	assert_int_equal(pw_nl_put_ep(msg, &e), 0);
	parse(msg, tb);
	pw_model_init(&m);
	m.eps = calloc(1, sizeof(*m.eps));
	m.nr_eps = 1;
	assert_int_equal(pw_nl_get_ep(tb, &m.eps[0], err, sizeof(err)), 0);
	assert_int_equal(m.eps[0].id, 2);
	assert_string_equal(m.eps[0].ns, "x");
	assert_string_equal(m.eps[0].name, "b");
	assert_int_equal(m.eps[0].flags, PODWALL_EP_F_ALL);
	assert_int_equal(m.eps[0].nr_addrs, 2);
	assert_memory_equal(&m.eps[0].addrs[0], &addrs[0], sizeof(addrs[0]));
	assert_memory_equal(&m.eps[0].addrs[1], &addrs[1], sizeof(addrs[1]));
	assert_int_equal(m.eps[0].nr_rules[PODWALL_DIR_INGRESS], 2);
	assert_int_equal(m.eps[0].rules[PODWALL_DIR_INGRESS][1], 5);
	assert_int_equal(m.eps[0].nr_rules[PODWALL_DIR_EGRESS], 0);
	assert_int_equal(m.eps[0].nr_policies[PODWALL_DIR_EGRESS], 2);
	assert_int_equal(m.eps[0].policies[PODWALL_DIR_EGRESS][1], 9);
	pw_model_free(&m);
	nlmsg_free(msg);
}

static void test_ep_prefix_rejected(void **state)
{
	struct pw_addr net = addr("10.0.0.0/24");
	struct pw_model_ep e = { .id = 9, .ns = "x", .name = "c", .nr_addrs = 1,
				 .addrs = &net };
	struct nlattr *tb[PODWALL_A_MAX + 1];
	struct nl_msg *msg = msg_new(PODWALL_CMD_GET_ENDPOINT);
	struct pw_model m;
	char err[256] = "";

	(void)state;
	/* A pod has addresses; a prefix from the kernel is a broken reply. */
	assert_int_equal(pw_nl_put_ep(msg, &e), 0);
	parse(msg, tb);
	pw_model_init(&m);
	m.eps = calloc(1, sizeof(*m.eps));
	m.nr_eps = 1;
	assert_int_equal(pw_nl_get_ep(tb, &m.eps[0], err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "endpoint 9: address 0: a prefix, not an address");
	pw_model_free(&m);
	nlmsg_free(msg);
}

static void test_tuple(void **state)
{
	struct pw_tuple t = { addr("10.0.0.1"), addr("fd00::1"), PW_PROTO_TCP, 1, 80 };
	struct nlattr *tb[PODWALL_A_MAX + 1];
	struct nl_msg *msg = msg_new(PODWALL_CMD_EVAL);
	struct pw_addr back;
	char err[256] = "";

	(void)state;
	assert_int_equal(pw_nl_put_tuple(msg, &t), -EINVAL);
	nlmsg_free(msg);
	msg = msg_new(PODWALL_CMD_EVAL);
	t.dst = addr("fd00::2");
	t.src = addr("fd00::1");
	assert_int_equal(pw_nl_put_tuple(msg, &t), 0);
	parse(msg, tb);
	assert_int_equal(nla_len(tb[PODWALL_A_SRC]), 16);
	assert_int_equal(pw_nl_get_addr(tb[PODWALL_A_DST], "dst", &back, err,
					sizeof(err)), 0);
	assert_memory_equal(&back, &t.dst, sizeof(back));
	assert_int_equal(nla_get_u16(tb[PODWALL_A_DPORT]), 80);
	assert_int_equal(nla_get_u8(tb[PODWALL_A_PROTO]), PW_PROTO_TCP);
	nlmsg_free(msg);
}

static void test_set_chunks(void **state)
{
	struct pw_model_set s = { 12, 2500, calloc(2500, sizeof(struct pw_addr)) };
	struct pw_addr *back = NULL;
	struct nl_msg **msgs;
	uint32_t i, n = 0;
	size_t count, k;
	char err[256] = "";

	(void)state;
	for (i = 0; i < s.nr_prefixes; i++) {
		s.prefixes[i].family = i % 2 ? PW_FAMILY_INET6 : PW_FAMILY_INET;
		s.prefixes[i].plen = i % 3 ? (i % 2 ? 128 : 32) : 24;
		s.prefixes[i].a[0] = (uint8_t)(i >> 8);
		s.prefixes[i].a[1] = (uint8_t)i;
		s.prefixes[i].a[2] = 7;
		pw_addr_mask(&s.prefixes[i]);
	}
	assert_int_equal(pw_nl_set_msgs(FAMILY, &s, PW_NL_CHUNK_PREFIXES, &msgs,
					&count), 0);
	assert_int_equal(count, 3);
	for (k = 0; k < count; k++) {
		struct nlattr *tb[PODWALL_A_MAX + 1];
		struct nlmsghdr *nlh = nlmsg_hdr(msgs[k]);
		struct genlmsghdr *gh = nlmsg_data(nlh);

		/* Well under the default 208 KiB socket buffers. */
		assert_true(nlh->nlmsg_len < 64 * 1024);
		assert_int_equal(gh->cmd, k ? PODWALL_CMD_SET_ADD_ELEMS :
					      PODWALL_CMD_NEW_SET);
		parse(msgs[k], tb);
		assert_non_null(tb[PODWALL_A_SET_ID]);
		assert_int_equal(nla_get_u32(tb[PODWALL_A_SET_ID]), 12);
		assert_int_equal(pw_nl_get_prefixes(tb[PODWALL_A_PREFIXES], "set 12",
						    PODWALL_MAX_PREFIXES, &back,
						    &n, err, sizeof(err)), 0);
		nlmsg_free(msgs[k]);
	}
	free(msgs);
	assert_int_equal(n, s.nr_prefixes);
	assert_memory_equal(back, s.prefixes, n * sizeof(*back));
	free(back);

	/* An empty set is still created, by one NEW_SET. */
	s.nr_prefixes = 0;
	assert_int_equal(pw_nl_set_msgs(FAMILY, &s, PW_NL_CHUNK_PREFIXES, &msgs,
					&count), 0);
	assert_int_equal(count, 1);
	nlmsg_free(msgs[0]);
	free(msgs);
	free(s.prefixes);
}

/* A prefix nest written by hand, as a broken kernel might send it. */
static struct nl_msg *prefix_msg(const void *a, int alen, int plen)
{
	struct nl_msg *msg = msg_new(PODWALL_CMD_GET_SET);
	struct nlattr *list, *p;

	nla_put_u32(msg, PODWALL_A_SET_ID, 12);
	list = nla_nest_start(msg, PODWALL_A_PREFIXES);
	nla_put_u32(msg, PODWALL_A_SET_ID, 1);	/* filler prefix is fine */
	nla_nest_cancel(msg, list);
	list = nla_nest_start(msg, PODWALL_A_PREFIXES);
	p = nla_nest_start(msg, PODWALL_A_PREFIX);
	nla_put(msg, PODWALL_PREFIX_A_ADDR, alen, a);
	if (plen >= 0)
		nla_put_u8(msg, PODWALL_PREFIX_A_PLEN, (uint8_t)plen);
	nla_nest_end(msg, p);
	nla_nest_end(msg, list);
	return msg;
}

static int parse_prefixes(struct nl_msg *msg, char *err, size_t len)
{
	struct nlattr *tb[PODWALL_A_MAX + 1];
	struct pw_addr *a = NULL;
	uint32_t n = 0;
	int ret;

	parse(msg, tb);
	ret = pw_nl_get_prefixes(tb[PODWALL_A_PREFIXES], "set 12",
				 PODWALL_MAX_PREFIXES, &a, &n, err, len);
	free(a);
	nlmsg_free(msg);
	return ret;
}

static void test_malformed_prefixes(void **state)
{
	uint8_t bytes[16] = { 10, 1, 2, 3 };
	char err[256];

	(void)state;
	assert_int_equal(parse_prefixes(prefix_msg(bytes, 4, 24), err, sizeof(err)), 0);
	assert_int_equal(parse_prefixes(prefix_msg(bytes, 4, 40), err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "set 12: prefix 0: invalid prefix length 40 for IPv4");
	assert_int_equal(parse_prefixes(prefix_msg(bytes, 5, -1), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "5 bytes"));
	assert_int_equal(parse_prefixes(prefix_msg(bytes, 16, 129), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "for IPv6"));
}

static void test_malformed_rule(void **state)
{
	struct nlattr *tb[PODWALL_A_MAX + 1], *list, *p;
	struct pw_model_rule r;
	struct nl_msg *msg;
	char err[256];

	(void)state;
	/* Missing id. */
	msg = msg_new(PODWALL_CMD_GET_RULE);
	nla_put_u32(msg, PODWALL_A_POLICY_ID, 1);
	nla_put_u8(msg, PODWALL_A_DIRECTION, 0);
	parse(msg, tb);
	assert_int_equal(pw_nl_get_rule(tb, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "rule: missing id");
	nlmsg_free(msg);

	/* Unknown direction. */
	msg = msg_new(PODWALL_CMD_GET_RULE);
	nla_put_u32(msg, PODWALL_A_RULE_ID, 4);
	nla_put_u32(msg, PODWALL_A_POLICY_ID, 1);
	nla_put_u8(msg, PODWALL_A_DIRECTION, 2);
	parse(msg, tb);
	assert_int_equal(pw_nl_get_rule(tb, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "rule 4: direction: unknown value 2");
	nlmsg_free(msg);

	/* A reversed port range and a port of an unknown protocol. */
	msg = msg_new(PODWALL_CMD_GET_RULE);
	nla_put_u32(msg, PODWALL_A_RULE_ID, 4);
	nla_put_u32(msg, PODWALL_A_POLICY_ID, 1);
	nla_put_u8(msg, PODWALL_A_DIRECTION, 0);
	list = nla_nest_start(msg, PODWALL_A_PORTS);
	p = nla_nest_start(msg, PODWALL_A_PORT);
	nla_put_u8(msg, PODWALL_PORT_A_PROTO, PW_PROTO_TCP);
	nla_put_u16(msg, PODWALL_PORT_A_FIRST, 90);
	nla_put_u16(msg, PODWALL_PORT_A_LAST, 80);
	nla_nest_end(msg, p);
	nla_nest_end(msg, list);
	parse(msg, tb);
	assert_int_equal(pw_nl_get_rule(tb, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "rule 4: port 0: first 90 > last 80");
	free(r.ports);
	nlmsg_free(msg);

	/* A u32 attribute of the wrong size fails the policy check. */
	msg = msg_new(PODWALL_CMD_GET_RULE);
	nla_put_u16(msg, PODWALL_A_RULE_ID, 4);
	assert_int_not_equal(pw_nl_parse(nlmsg_hdr(msg), tb, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "malformed message"));
	nlmsg_free(msg);
}

/* The verdict of x/a -> x/b tcp/81 when x/b is isolated by two policies. */
static struct nl_msg *verdict_msg(uint8_t allow, uint8_t reason)
{
	struct nl_msg *msg = msg_new(PODWALL_CMD_EVENT_DENY);
	struct nlattr *v, *n, *list;
	uint8_t src[4] = { 10, 0, 0, 1 }, dst[4] = { 10, 0, 0, 2 };

	nla_put(msg, PODWALL_A_SRC, 4, src);
	nla_put(msg, PODWALL_A_DST, 4, dst);
	nla_put_u8(msg, PODWALL_A_PROTO, PW_PROTO_TCP);
	nla_put_u16(msg, PODWALL_A_SPORT, 40000);
	nla_put_u16(msg, PODWALL_A_DPORT, 81);
	nla_put_u64(msg, PODWALL_A_GENERATION, 5);
	v = nla_nest_start(msg, PODWALL_A_VERDICT);
	nla_put_u8(msg, PODWALL_VERDICT_A_ALLOW, allow);
	nla_put_u8(msg, PODWALL_VERDICT_A_REASON, reason);
	nla_put_u8(msg, PODWALL_VERDICT_A_EGRESS, PODWALL_STATUS_NOT_ISOLATED);
	nla_put_u8(msg, PODWALL_VERDICT_A_INGRESS, PODWALL_STATUS_DENIED);
	n = nla_nest_start(msg, PODWALL_VERDICT_A_SRC_ENDPOINT);
	nla_put_u32(msg, PODWALL_A_ENDPOINT_ID, 1);
	nla_put_string(msg, PODWALL_A_NAMESPACE, "x");
	nla_put_string(msg, PODWALL_A_NAME, "a");
	nla_nest_end(msg, n);
	n = nla_nest_start(msg, PODWALL_VERDICT_A_DST_ENDPOINT);
	nla_put_u32(msg, PODWALL_A_ENDPOINT_ID, 2);
	nla_put_string(msg, PODWALL_A_NAMESPACE, "x");
	nla_put_string(msg, PODWALL_A_NAME, "b");
	nla_nest_end(msg, n);
	list = nla_nest_start(msg, PODWALL_VERDICT_A_INGRESS_POLICIES);
	n = nla_nest_start(msg, PODWALL_A_POLICY_ID);
	nla_put_u32(msg, PODWALL_A_POLICY_ID, 1);
	nla_put_string(msg, PODWALL_A_NAMESPACE, "x");
	nla_put_string(msg, PODWALL_A_NAME, "deny-all");
	nla_nest_end(msg, n);
	n = nla_nest_start(msg, PODWALL_A_POLICY_ID);
	nla_put_u32(msg, PODWALL_A_POLICY_ID, 2);
	nla_put_string(msg, PODWALL_A_NAMESPACE, "x");
	nla_put_string(msg, PODWALL_A_NAME, "allow-web");
	nla_nest_end(msg, n);
	nla_nest_end(msg, list);
	nla_nest_end(msg, v);
	return msg;
}

static void test_event_and_explain(void **state)
{
	struct nlattr *tb[PODWALL_A_MAX + 1];
	struct nl_msg *msg = verdict_msg(0, PODWALL_REASON_DENIED_INGRESS);
	struct pw_nl_event ev;
	json_object *o, *f;
	char err[256] = "", text[512];

	(void)state;
	parse(msg, tb);
	assert_int_equal(pw_nl_get_event(tb, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.generation, 5);
	assert_int_equal(ev.tuple.dport, 81);
	assert_int_equal(ev.verdict.nr_policies[PODWALL_DIR_INGRESS], 2);
	assert_string_equal(ev.verdict.policies[PODWALL_DIR_INGRESS][1].name,
			    "allow-web");
	assert_string_equal(pw_explain_text(&ev.tuple, &ev.verdict, text, sizeof(text)),
			    "denied: x/b is isolated for ingress by x/deny-all, x/allow-web; "
			    "no ingress rule admits 10.0.0.1 to tcp/81");
	o = pw_explain_json(&ev.tuple, &ev.verdict);
	assert_true(json_object_object_get_ex(o, "allow", &f));
	assert_false(json_object_get_boolean(f));
	assert_true(json_object_object_get_ex(o, "reason", &f));
	assert_string_equal(json_object_get_string(f), "denied-ingress");
	assert_true(json_object_object_get_ex(o, "dst_endpoint", &f));
	assert_true(json_object_object_get_ex(f, "name", &f));
	assert_string_equal(json_object_get_string(f), "b");
	assert_true(json_object_object_get_ex(o, "isolating_policies", &f));
	assert_true(json_object_object_get_ex(f, "ingress", &f));
	assert_int_equal(json_object_array_length(f), 2);
	json_object_put(o);
	pw_nl_verdict_free(&ev.verdict);
	nlmsg_free(msg);
}

static void test_verdict_contradiction(void **state)
{
	struct nlattr *tb[PODWALL_A_MAX + 1];
	struct nl_msg *msg = verdict_msg(1, PODWALL_REASON_DENIED_INGRESS);
	struct pw_nl_event ev;
	char err[256] = "";

	(void)state;
	/* "allowed" with a denying reason: refuse rather than guess. */
	parse(msg, tb);
	assert_int_equal(pw_nl_get_event(tb, &ev, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "contradicts"));
	nlmsg_free(msg);
	msg = verdict_msg(0, 42);
	parse(msg, tb);
	assert_int_equal(pw_nl_get_event(tb, &ev, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "verdict: value out of range");
	nlmsg_free(msg);
}

static void test_allowed_text(void **state)
{
	struct pw_tuple t = { addr("10.0.0.1"), addr("10.0.0.2"), PW_PROTO_TCP, 4000, 80 };
	struct pw_nl_verdict v = {
		.allow = 1, .reason = PODWALL_REASON_ALLOWED,
		.egress = PODWALL_STATUS_NOT_ISOLATED,
		.ingress = PODWALL_STATUS_ALLOWED,
		.src_ep = { .id = 1, .ns = "x", .name = "a" },
		.dst_ep = { .id = 2, .ns = "x", .name = "b" },
		.ingress_rule = { .id = 3, .rule_index = 0, .policy = 2, .ns = "x",
				  .name = "allow-web" },
	};
	char text[512];

	(void)state;
	assert_string_equal(pw_explain_text(&t, &v, text, sizeof(text)),
			    "allowed: x/a is not isolated for egress; "
			    "ingress of x/b admitted by x/allow-web rule 0");
	v.reason = PODWALL_REASON_NODE;
	assert_string_equal(pw_explain_text(&t, &v, text, sizeof(text)),
			    "allowed: connections from the node are always allowed");
}

static void test_info(void **state)
{
	struct nlattr *tb[PODWALL_A_MAX + 1];
	struct pw_nl_info info;
	struct nl_msg *msg;
	uint32_t node = 0;
	char err[256];

	(void)state;
	msg = msg_new(PODWALL_CMD_GET_INFO);
	nla_put_u32(msg, PODWALL_A_VERSION, PODWALL_GENL_VERSION);
	nla_put_string(msg, PODWALL_A_MODULE_VERSION, "0.1");
	nla_put_u64(msg, PODWALL_A_GENERATION, 9);
	nla_put_u32(msg, PODWALL_A_NR_ENDPOINTS, 3);
	nla_put_u32(msg, PODWALL_A_MODE, PODWALL_MODE_ENFORCING);
	nla_put_u32(msg, PODWALL_A_SET_ID, 4);
	parse(msg, tb);
	assert_int_equal(pw_nl_get_info(tb, &info, &node, err, sizeof(err)), 0);
	assert_string_equal(info.module_version, "0.1");
	assert_int_equal(info.generation, 9);
	assert_int_equal(info.nr_eps, 3);
	assert_int_equal(node, 4);
	nlmsg_free(msg);

	assert_int_equal(pw_nl_check_version(&info, err, sizeof(err)), 0);
	info.version = PODWALL_GENL_VERSION + 1;
	assert_int_equal(pw_nl_check_version(&info, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "podwall.ko speaks protocol version 3, this tool 2"));

	msg = msg_new(PODWALL_CMD_GET_INFO);
	nla_put_u32(msg, PODWALL_A_VERSION, PODWALL_GENL_VERSION);
	nla_put_u32(msg, PODWALL_A_MODE, 7);
	parse(msg, tb);
	assert_int_equal(pw_nl_get_info(tb, &info, NULL, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "info: mode: unknown value 7");
	nlmsg_free(msg);
}

static void portspec_ok(const char *text, uint8_t proto, uint16_t port)
{
	char err[256] = "";
	uint8_t pr = 0;
	uint16_t po = 1;

	assert_int_equal(pw_portspec_parse(text, &pr, &po, err, sizeof(err)), 0);
	assert_int_equal(pr, proto);
	assert_int_equal(po, port);
}

static void portspec_bad(const char *text, const char *msg)
{
	char err[256] = "";
	uint8_t pr;
	uint16_t po;

	assert_int_equal(pw_portspec_parse(text, &pr, &po, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, msg));
}

static void test_portspec(void **state)
{
	(void)state;
	portspec_ok("tcp/80", PW_PROTO_TCP, 80);
	portspec_ok("80/udp", PW_PROTO_UDP, 80);
	portspec_ok("SCTP/9", PW_PROTO_SCTP, 9);
	portspec_ok("443", PW_PROTO_TCP, 443);
	portspec_ok("icmp", PW_PROTO_ICMP, 0);
	portspec_ok("tcp/65535", PW_PROTO_TCP, 65535);
	portspec_bad("tcp/0", "out of range");
	portspec_bad("tcp/65536", "out of range");
	portspec_bad("tcp/123456", "not a port number");
	portspec_bad("tcp/8a", "not a port number");
	portspec_bad("gre/80", "unknown protocol 'gre'");
	portspec_bad("icmp/3", "icmp has no ports");
	portspec_bad("tcp", "missing port");
	portspec_bad("", "expected PROTO/PORT");
	portspec_bad("tcp/-1", "not a port number");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_roundtrip),
		cmocka_unit_test(test_rule_roundtrip),
		cmocka_unit_test(test_ep_roundtrip),
		cmocka_unit_test(test_ep_prefix_rejected),
		cmocka_unit_test(test_tuple),
		cmocka_unit_test(test_set_chunks),
		cmocka_unit_test(test_malformed_prefixes),
		cmocka_unit_test(test_malformed_rule),
		cmocka_unit_test(test_event_and_explain),
		cmocka_unit_test(test_verdict_contradiction),
		cmocka_unit_test(test_allowed_text),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_portspec),
	};

	return cmocka_run_group_tests_name("nl", tests, NULL, NULL);
}
