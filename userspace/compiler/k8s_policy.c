// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * NetworkPolicy (networking.k8s.io/v1): validation as the API server does
 * it, then defaulting (protocol TCP; policyTypes [Ingress], plus Egress iff
 * spec.egress is non-empty). A policy that fails validation could not exist
 * in a cluster, so callers report it and leave it out; leaving it out never
 * opens traffic the API server would have closed, because the API server
 * would have refused the object in the first place.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "k8s.h"
#include "k8s_err.h"

struct pctx {
	const char *ns, *name;
	char *err;
	size_t errlen;
};

#define PERR(c, fmt, ...) \
	pw_k8s_err((c)->err, (c)->errlen, "NetworkPolicy %s/%s: " fmt, \
		   (c)->ns, (c)->name, ##__VA_ARGS__)

/* An IANA service name, as the API server checks named ports. */
static bool svc_name_ok(const char *s)
{
	size_t i, n = strlen(s);
	bool letter = false;

	if (n < 1 || n > 15 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		if (islower((unsigned char)s[i]))
			letter = true;
		else if (!isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
		if (s[i] == '-' && i && s[i - 1] == '-')
			return false;
	}
	return letter;
}

/* @inner lies inside @outer (same family, longer or equal prefix). */
static bool prefix_within(const struct pw_addr *inner, const struct pw_addr *outer)
{
	struct pw_addr t = *inner;

	if (inner->family != outer->family || inner->plen < outer->plen)
		return false;
	t.plen = outer->plen;
	pw_addr_mask(&t);
	return !memcmp(t.a, outer->a, sizeof(t.a));
}

static int cidr_parse(struct pctx *c, const char *what, json_object *v,
		      struct pw_addr *out)
{
	const char *s = v && json_object_is_type(v, json_type_string) ?
			json_object_get_string(v) : NULL;

	if (!s)
		return PERR(c, "%s: required", what);
	if (!strchr(s, '/') || pw_addr_parse(s, out))
		return PERR(c, "%s: \"%s\" is not a valid CIDR", what, s);
	pw_addr_mask(out);
	return 0;
}

static int block_parse(struct pctx *c, const char *what, json_object *b,
		       struct pw_k8s_peer *peer)
{
	json_object *ex = pw_k8s_get(b, "except");
	char sub[320];
	size_t i, n;
	int ret;

	if (!json_object_is_type(b, json_type_object))
		return PERR(c, "%s: must be an object", what);
	snprintf(sub, sizeof(sub), "%s.cidr", what);
	ret = cidr_parse(c, sub, pw_k8s_get(b, "cidr"), &peer->cidr);
	if (ret)
		return ret;
	peer->is_block = true;
	if (!ex)
		return 0;
	if (!json_object_is_type(ex, json_type_array))
		return PERR(c, "%s.except: must be a list", what);
	n = json_object_array_length(ex);
	peer->except = calloc(n ? n : 1, sizeof(*peer->except));
	if (!peer->except)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct pw_addr *e = &peer->except[i];

		snprintf(sub, sizeof(sub), "%s.except[%zu]", what, i);
		ret = cidr_parse(c, sub, json_object_array_get_idx(ex, i), e);
		if (ret)
			return ret;
		peer->nr_except++;
		if (!prefix_within(e, &peer->cidr) || e->plen == peer->cidr.plen)
			return PERR(c, "%s: must be a strict subset of cidr", sub);
	}
	return 0;
}

static int sel_alloc(struct pctx *c, json_object *o, const char *what,
		     struct pw_k8s_selector **out)
{
	char sub[600];
	int ret;

	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	snprintf(sub, sizeof(sub), "NetworkPolicy %s/%s: %s", c->ns, c->name, what);
	ret = pw_k8s_selector_parse(o, sub, *out, c->err, c->errlen);
	if (ret) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

static int peer_parse(struct pctx *c, const char *what, json_object *o,
		      struct pw_k8s_peer *peer)
{
	json_object *ps = pw_k8s_get(o, "podSelector");
	json_object *ns = pw_k8s_get(o, "namespaceSelector");
	json_object *b = pw_k8s_get(o, "ipBlock");
	char sub[256];
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return PERR(c, "%s: must be an object", what);
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "podSelector") && strcmp(key, "namespaceSelector") &&
		    strcmp(key, "ipBlock"))
			return PERR(c, "%s: unknown field \"%s\"", what, key);
	}
	if (!ps && !ns && !b)
		return PERR(c, "%s: must specify a peer (podSelector, namespaceSelector or ipBlock)",
			    what);
	if (b && (ps || ns))
		return PERR(c, "%s.ipBlock: may not be specified with podSelector or namespaceSelector",
			    what);
	if (b) {
		snprintf(sub, sizeof(sub), "%s.ipBlock", what);
		return block_parse(c, sub, b, peer);
	}
	if (ps) {
		snprintf(sub, sizeof(sub), "%s.podSelector", what);
		ret = sel_alloc(c, ps, sub, &peer->pod_sel);
		if (ret)
			return ret;
	}
	if (ns) {
		snprintf(sub, sizeof(sub), "%s.namespaceSelector", what);
		ret = sel_alloc(c, ns, sub, &peer->ns_sel);
		if (ret)
			return ret;
	}
	return 0;
}

static int port_parse(struct pctx *c, const char *what, json_object *o,
		      struct pw_k8s_port *p)
{
	json_object *proto = pw_k8s_get(o, "protocol");
	json_object *port = pw_k8s_get(o, "port");
	json_object *end = pw_k8s_get(o, "endPort");
	int64_t n;

	if (!json_object_is_type(o, json_type_object))
		return PERR(c, "%s: must be an object", what);
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "protocol") && strcmp(key, "port") &&
		    strcmp(key, "endPort"))
			return PERR(c, "%s: unknown field \"%s\"", what, key);
	}
	p->proto = PW_PROTO_TCP;
	if (proto && (!json_object_is_type(proto, json_type_string) ||
		      pw_proto_parse(json_object_get_string(proto), &p->proto)))
		return PERR(c, "%s.protocol: \"%s\" is not supported (TCP, UDP, SCTP)",
			    what, json_object_get_string(proto));
	if (!port) {
		if (end)
			return PERR(c, "%s.endPort: may not be specified without port", what);
		p->any_port = true;
		p->first = 0;
		p->last = 65535;
		return 0;
	}
	if (json_object_is_type(port, json_type_string)) {
		const char *s = json_object_get_string(port);

		if (!svc_name_ok(s))
			return PERR(c, "%s.port: \"%s\" is not a valid port name (IANA service name)",
				    what, s);
		if (end)
			return PERR(c, "%s.endPort: may not be specified with a named port", what);
		p->name = strdup(s);
		return p->name ? 0 : -ENOMEM;
	}
	if (!json_object_is_type(port, json_type_int) ||
	    (n = json_object_get_int64(port)) < 1 || n > 65535)
		return PERR(c, "%s.port: must be a number in 1..65535 or a port name", what);
	p->first = p->last = (uint16_t)n;
	if (end) {
		int64_t e;

		if (!json_object_is_type(end, json_type_int) ||
		    (e = json_object_get_int64(end)) < 1 || e > 65535)
			return PERR(c, "%s.endPort: must be a number in 1..65535", what);
		if (e < n)
			return PERR(c, "%s.endPort: must be greater than or equal to port (%" PRId64 " < %" PRId64 ")",
				    what, e, n);
		p->last = (uint16_t)e;
	}
	return 0;
}

static int rule_parse(struct pctx *c, const char *what, const char *peers_key,
		      json_object *o, struct pw_k8s_rule *r)
{
	json_object *peers = pw_k8s_get(o, peers_key);
	json_object *ports = pw_k8s_get(o, "ports");
	char sub[160];
	size_t i, n;
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return PERR(c, "%s: must be an object", what);
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, peers_key) && strcmp(key, "ports"))
			return PERR(c, "%s: unknown field \"%s\"", what, key);
	}
	if (peers && !json_object_is_type(peers, json_type_array))
		return PERR(c, "%s.%s: must be a list", what, peers_key);
	if (ports && !json_object_is_type(ports, json_type_array))
		return PERR(c, "%s.ports: must be a list", what);
	n = peers ? json_object_array_length(peers) : 0;
	r->any_peer = !n;
	r->peers = calloc(n ? n : 1, sizeof(*r->peers));
	if (!r->peers)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s.%s[%zu]", what, peers_key, i);
		r->nr_peers++;
		ret = peer_parse(c, sub, json_object_array_get_idx(peers, i),
				 &r->peers[i]);
		if (ret)
			return ret;
	}
	n = ports ? json_object_array_length(ports) : 0;
	r->any_port = !n;
	r->ports = calloc(n ? n : 1, sizeof(*r->ports));
	if (!r->ports)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s.ports[%zu]", what, i);
		r->nr_ports++;
		ret = port_parse(c, sub, json_object_array_get_idx(ports, i),
				 &r->ports[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int rules_parse(struct pctx *c, json_object *spec, unsigned int dir,
		       struct pw_k8s_policy *pol)
{
	const char *key = dir == PODWALL_DIR_INGRESS ? "ingress" : "egress";
	json_object *arr = pw_k8s_get(spec, key);
	char what[64];
	size_t i, n;
	int ret;

	if (arr && !json_object_is_type(arr, json_type_array))
		return PERR(c, "spec.%s: must be a list", key);
	n = arr ? json_object_array_length(arr) : 0;
	pol->rules[dir] = calloc(n ? n : 1, sizeof(*pol->rules[dir]));
	if (!pol->rules[dir])
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "spec.%s[%zu]", key, i);
		pol->nr_rules[dir]++;
		ret = rule_parse(c, what, dir == PODWALL_DIR_INGRESS ? "from" : "to",
				 json_object_array_get_idx(arr, i),
				 &pol->rules[dir][i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int types_parse(struct pctx *c, json_object *spec,
		       struct pw_k8s_policy *pol)
{
	json_object *types = pw_k8s_get(spec, "policyTypes");
	size_t i, n;

	if (types && !json_object_is_type(types, json_type_array))
		return PERR(c, "spec.policyTypes: must be a list");
	n = types ? json_object_array_length(types) : 0;
	if (n > 2)
		return PERR(c, "spec.policyTypes: may not specify more than two policyTypes");
	for (i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(types, i);
		const char *s = json_object_is_type(t, json_type_string) ?
				json_object_get_string(t) : "";

		if (!strcmp(s, "Ingress"))
			pol->types[PODWALL_DIR_INGRESS] = true;
		else if (!strcmp(s, "Egress"))
			pol->types[PODWALL_DIR_EGRESS] = true;
		else
			return PERR(c, "spec.policyTypes[%zu]: \"%s\" is not supported (Ingress, Egress)",
				    i, json_object_get_string(t));
	}
	if (!n) {
		pol->types[PODWALL_DIR_INGRESS] = true;
		pol->types[PODWALL_DIR_EGRESS] = pol->nr_rules[PODWALL_DIR_EGRESS] > 0;
	}
	return 0;
}

int pw_k8s_policy_parse(json_object *o, struct pw_k8s_policy **out, char *err,
			size_t errlen)
{
	json_object *meta = pw_k8s_get(o, "metadata");
	json_object *spec = pw_k8s_get(o, "spec");
	struct pctx c = { pw_k8s_get_str(meta, "namespace"),
			  pw_k8s_get_str(meta, "name"), err, errlen };
	struct pw_k8s_policy *pol;
	char what[600];
	int ret;

	if (!c.name || !*c.name)
		return pw_k8s_err(err, errlen, "NetworkPolicy: metadata.name: required");
	if (!c.ns || !*c.ns)
		return pw_k8s_err(err, errlen, "NetworkPolicy %s: metadata.namespace: required",
				  c.name);
	if (strlen(c.ns) >= PODWALL_NAMESPACE_MAX || strlen(c.name) >= PODWALL_NAME_MAX)
		return PERR(&c, "metadata: namespace or name too long");
	if (!spec || !json_object_is_type(spec, json_type_object))
		return PERR(&c, "spec: required");
	json_object_object_foreach(spec, key, val) {
		(void)val;
		if (strcmp(key, "podSelector") && strcmp(key, "policyTypes") &&
		    strcmp(key, "ingress") && strcmp(key, "egress"))
			return PERR(&c, "spec: unknown field \"%s\"", key);
	}
	pol = calloc(1, sizeof(*pol));
	if (!pol)
		return -ENOMEM;
	pol->ns = strdup(c.ns);
	pol->name = strdup(c.name);
	if (!pol->ns || !pol->name) {
		ret = -ENOMEM;
		goto fail;
	}
	snprintf(what, sizeof(what), "NetworkPolicy %s/%s: spec.podSelector", c.ns, c.name);
	ret = pw_k8s_selector_parse(pw_k8s_get(spec, "podSelector"), what,
				    &pol->pod_sel, err, errlen);
	if (!ret)
		ret = rules_parse(&c, spec, PODWALL_DIR_INGRESS, pol);
	if (!ret)
		ret = rules_parse(&c, spec, PODWALL_DIR_EGRESS, pol);
	if (!ret)
		ret = types_parse(&c, spec, pol);
	if (ret)
		goto fail;
	*out = pol;
	return 0;
fail:
	pw_k8s_policy_free(pol);
	return ret;
}

static void rule_release(struct pw_k8s_rule *r)
{
	uint32_t i;

	for (i = 0; i < r->nr_peers; i++) {
		struct pw_k8s_peer *p = &r->peers[i];

		if (p->pod_sel)
			pw_k8s_selector_release(p->pod_sel);
		if (p->ns_sel)
			pw_k8s_selector_release(p->ns_sel);
		free(p->pod_sel);
		free(p->ns_sel);
		free(p->except);
	}
	free(r->peers);
	for (i = 0; i < r->nr_ports; i++)
		free(r->ports[i].name);
	free(r->ports);
}

void pw_k8s_policy_free(struct pw_k8s_policy *pol)
{
	unsigned int d;
	uint32_t i;

	if (!pol)
		return;
	free(pol->ns);
	free(pol->name);
	pw_k8s_selector_release(&pol->pod_sel);
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		for (i = 0; i < pol->nr_rules[d]; i++)
			rule_release(&pol->rules[d][i]);
		free(pol->rules[d]);
	}
	free(pol);
}
