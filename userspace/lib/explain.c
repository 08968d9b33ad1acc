// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Verdict explanations and the PROTO/PORT parser (see explain.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "explain.h"

const char *pw_reason_name(uint8_t reason)
{
	static const char *const names[] = {
		[PODWALL_REASON_UNSPEC] = "unspecified",
		[PODWALL_REASON_NO_POLICY] = "no-policy",
		[PODWALL_REASON_NOT_ENDPOINT] = "not-endpoint",
		[PODWALL_REASON_NODE] = "node",
		[PODWALL_REASON_SELF] = "self",
		[PODWALL_REASON_ALLOWED] = "allowed",
		[PODWALL_REASON_DENIED_EGRESS] = "denied-egress",
		[PODWALL_REASON_DENIED_INGRESS] = "denied-ingress",
		[PODWALL_REASON_DENIED_BOTH] = "denied-both",
	};

	return reason < __PODWALL_REASON_MAX ? names[reason] : "unknown";
}

const char *pw_status_name(uint8_t status)
{
	static const char *const names[] = {
		[PODWALL_STATUS_NONE] = "none",
		[PODWALL_STATUS_NOT_ISOLATED] = "not-isolated",
		[PODWALL_STATUS_ALLOWED] = "allowed",
		[PODWALL_STATUS_DENIED] = "denied",
	};

	return status < __PODWALL_STATUS_MAX ? names[status] : "unknown";
}

static const struct {
	const char *name;
	uint8_t proto;
	int has_port;
} protos[] = {
	{ "tcp", PW_PROTO_TCP, 1 },
	{ "udp", PW_PROTO_UDP, 1 },
	{ "sctp", PW_PROTO_SCTP, 1 },
	{ "icmp", PW_PROTO_ICMP, 0 },
	{ "icmpv6", PW_PROTO_ICMPV6, 0 },
};

#define NR_PROTOS (sizeof(protos) / sizeof(protos[0]))

const char *pw_proto_name(uint8_t proto, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < NR_PROTOS; i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int pw_portspec_parse(const char *text, uint8_t *proto, uint16_t *port,
		      char *err, size_t errlen)
{
	char buf[32], *slash, *pname, *pnum;
	unsigned long n;
	size_t i;

	if (!text || !*text || strlen(text) >= sizeof(buf))
		return fail(err, errlen, "port '%s': expected PROTO/PORT, e.g. tcp/80",
			    text ? text : "");
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		/* Both orders: tcp/80 (podwallctl test) and 80/tcp (simulate). */
		pname = is_number(buf) ? slash + 1 : buf;
		pnum = is_number(buf) ? buf : slash + 1;
	} else if (is_number(buf)) {
		pname = NULL;
		pnum = buf;
	} else {
		pname = buf;
		pnum = NULL;
	}
	*proto = PW_PROTO_TCP;
	if (pname) {
		for (i = 0; i < NR_PROTOS; i++)
			if (!strcasecmp(pname, protos[i].name))
				break;
		if (i == NR_PROTOS)
			return fail(err, errlen,
				    "port '%s': unknown protocol '%s' (tcp, udp, sctp, icmp, icmpv6)",
				    text, pname);
		*proto = protos[i].proto;
		if (!protos[i].has_port) {
			if (pnum)
				return fail(err, errlen, "port '%s': %s has no ports",
					    text, protos[i].name);
			*port = 0;
			return 0;
		}
	}
	if (!pnum)
		return fail(err, errlen, "port '%s': missing port number", text);
	if (!is_number(pnum) || strlen(pnum) > 5)
		return fail(err, errlen, "port '%s': '%s' is not a port number",
			    text, pnum);
	n = strtoul(pnum, NULL, 10);
	if (n < 1 || n > 65535)
		return fail(err, errlen, "port '%s': port %lu out of range 1..65535",
			    text, n);
	*port = (uint16_t)n;
	return 0;
}

/* Appends to a bounded buffer; truncates silently at the end. */
struct sb {
	char *buf;
	size_t len, pos;
};

__attribute__((format(printf, 2, 3)))
static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->pos >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->pos, b->len - b->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->pos += (size_t)n;
}

static void sb_ref(struct sb *b, const struct pw_nl_ref *r, const char *kind)
{
	if (r->name[0])
		sb_add(b, "%s/%s", r->ns, r->name);
	else
		sb_add(b, "%s %u", kind, r->id);
}

static void sb_service(struct sb *b, const struct pw_tuple *t)
{
	char num[8];

	sb_add(b, "%s", pw_proto_name(t->proto, num, sizeof(num)));
	if (t->proto == PW_PROTO_TCP || t->proto == PW_PROTO_UDP ||
	    t->proto == PW_PROTO_SCTP)
		sb_add(b, "/%u", t->dport);
}

/* One direction's clause: why this side admits or refuses. */
static void sb_dir(struct sb *b, const struct pw_tuple *t,
		   const struct pw_nl_verdict *v, unsigned int dir)
{
	const char *dname = dir == PODWALL_DIR_INGRESS ? "ingress" : "egress";
	const struct pw_nl_ref *ep = dir == PODWALL_DIR_INGRESS ? &v->dst_ep : &v->src_ep;
	const struct pw_nl_ref *rule = dir == PODWALL_DIR_INGRESS ?
				       &v->ingress_rule : &v->egress_rule;
	const struct pw_addr *peer = dir == PODWALL_DIR_INGRESS ? &t->src : &t->dst;
	uint8_t status = dir == PODWALL_DIR_INGRESS ? v->ingress : v->egress;
	uint32_t i;
	char ip[64];

	switch (status) {
	case PODWALL_STATUS_NOT_ISOLATED:
		sb_ref(b, ep, "endpoint");
		sb_add(b, " is not isolated for %s", dname);
		return;
	case PODWALL_STATUS_ALLOWED:
		sb_add(b, "%s of ", dname);
		sb_ref(b, ep, "endpoint");
		sb_add(b, " admitted by ");
		if (rule->name[0])
			sb_add(b, "%s/%s", rule->ns, rule->name);
		else
			sb_add(b, "policy %u", rule->policy);
		sb_add(b, " rule %u", rule->rule_index);
		return;
	case PODWALL_STATUS_DENIED:
		sb_ref(b, ep, "endpoint");
		sb_add(b, " is isolated for %s by ", dname);
		for (i = 0; i < v->nr_policies[dir]; i++) {
			sb_add(b, "%s", i ? ", " : "");
			sb_ref(b, &v->policies[dir][i], "policy");
		}
		if (!v->nr_policies[dir])
			sb_add(b, "(unnamed policies)");
		if (dir == PODWALL_DIR_INGRESS)
			sb_add(b, "; no ingress rule admits %s to ",
			       pw_addr_format(peer, ip, sizeof(ip)));
		else
			sb_add(b, "; no egress rule admits traffic to %s on ",
			       pw_addr_format(peer, ip, sizeof(ip)));
		sb_service(b, t);
		return;
	}
}

const char *pw_explain_text(const struct pw_tuple *t,
			    const struct pw_nl_verdict *v, char *buf,
			    size_t len)
{
	struct sb b = { buf, len, 0 };
	int denied_in = v->ingress == PODWALL_STATUS_DENIED;
	int denied_out = v->egress == PODWALL_STATUS_DENIED;

	buf[0] = 0;
	sb_add(&b, "%s: ", v->allow ? "allowed" : "denied");
	switch (v->reason) {
	case PODWALL_REASON_NO_POLICY:
		sb_add(&b, "no policy set is committed");
		return buf;
	case PODWALL_REASON_NOT_ENDPOINT:
		sb_add(&b, "neither side is a pod on this node");
		return buf;
	case PODWALL_REASON_NODE:
		sb_add(&b, "connections from the node are always allowed");
		return buf;
	case PODWALL_REASON_SELF:
		sb_add(&b, "a pod talking to itself");
		return buf;
	}
	if (!v->allow) {
		/* Name only the side(s) that refused. */
		if (denied_out)
			sb_dir(&b, t, v, PODWALL_DIR_EGRESS);
		if (denied_out && denied_in)
			sb_add(&b, "; and ");
		if (denied_in)
			sb_dir(&b, t, v, PODWALL_DIR_INGRESS);
		return buf;
	}
	if (v->egress != PODWALL_STATUS_NONE)
		sb_dir(&b, t, v, PODWALL_DIR_EGRESS);
	if (v->egress != PODWALL_STATUS_NONE && v->ingress != PODWALL_STATUS_NONE)
		sb_add(&b, "; ");
	if (v->ingress != PODWALL_STATUS_NONE)
		sb_dir(&b, t, v, PODWALL_DIR_INGRESS);
	return buf;
}

static json_object *ref_json(const struct pw_nl_ref *r, int rule)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(r->id));
	if (rule) {
		json_object_object_add(o, "policy", json_object_new_int64(r->policy));
		json_object_object_add(o, "index", json_object_new_int64(r->rule_index));
	}
	if (r->name[0]) {
		json_object_object_add(o, "namespace", json_object_new_string(r->ns));
		json_object_object_add(o, "name", json_object_new_string(r->name));
	}
	return o;
}

json_object *pw_explain_json(const struct pw_tuple *t,
			     const struct pw_nl_verdict *v)
{
	static const char *const dirs[] = { "ingress", "egress" };
	json_object *o = json_object_new_object(), *pol, *arr;
	char ip[64], num[8], text[1024];
	unsigned int d;
	uint32_t i;

	json_object_object_add(o, "src", json_object_new_string(
		pw_addr_format(&t->src, ip, sizeof(ip))));
	json_object_object_add(o, "dst", json_object_new_string(
		pw_addr_format(&t->dst, ip, sizeof(ip))));
	json_object_object_add(o, "proto", json_object_new_string(
		pw_proto_name(t->proto, num, sizeof(num))));
	json_object_object_add(o, "dport", json_object_new_int(t->dport));
	json_object_object_add(o, "allow", json_object_new_boolean(v->allow));
	json_object_object_add(o, "reason", json_object_new_string(
		pw_reason_name(v->reason)));
	json_object_object_add(o, "egress", json_object_new_string(
		pw_status_name(v->egress)));
	json_object_object_add(o, "ingress", json_object_new_string(
		pw_status_name(v->ingress)));
	if (v->src_ep.id)
		json_object_object_add(o, "src_endpoint", ref_json(&v->src_ep, 0));
	if (v->dst_ep.id)
		json_object_object_add(o, "dst_endpoint", ref_json(&v->dst_ep, 0));
	if (v->egress_rule.id)
		json_object_object_add(o, "egress_rule", ref_json(&v->egress_rule, 1));
	if (v->ingress_rule.id)
		json_object_object_add(o, "ingress_rule", ref_json(&v->ingress_rule, 1));
	pol = json_object_new_object();
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		arr = json_object_new_array();
		for (i = 0; i < v->nr_policies[d]; i++)
			json_object_array_add(arr, ref_json(&v->policies[d][i], 0));
		json_object_object_add(pol, dirs[d], arr);
	}
	json_object_object_add(o, "isolating_policies", pol);
	json_object_object_add(o, "explanation", json_object_new_string(
		pw_explain_text(t, v, text, sizeof(text))));
	return o;
}
