// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The compiled policy set in userspace (see model.h): lookups, the JSON
 * form, a matcher table over it, and diffs between two generations.
 *
 * JSON form (what `podwallctl compile` prints and `restore` reads):
 *
 *   {"node_set": 3,                     set id of the node's addresses, 0 = none
 *    "policies": [{"id": 1, "namespace": "x", "name": "deny"}],
 *    "sets": [{"id": 3, "prefixes": ["10.244.0.1/32", "fd00::/64"]}],
 *    "rules": [{"id": 1, "policy": 1, "index": 0,
 *               "direction": "ingress" | "egress",
 *               "set": 3 | null,                  null = any peer
 *               "ports": [{"protocol": "TCP" | "UDP" | "SCTP",
 *                          "first": 80, "last": 80}] | null}],  null = any
 *    "endpoints": [{"id": 1, "namespace": "x", "name": "a",
 *                   "addrs": ["10.244.1.5", "fd00::5"],
 *                   "isolated": ["ingress", "egress"],
 *                   "ingress_rules": [1], "egress_rules": [],
 *                   "ingress_policies": [1], "egress_policies": []}]}
 *
 * Reading is strict: unknown keys, missing or mistyped fields, ids out of
 * range or repeated, dangling references, and an address on two endpoints
 * are all errors naming the object and the field.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "model.h"

static const char *const dir_names[__PODWALL_DIR_MAX] = {
	[PODWALL_DIR_INGRESS] = "ingress",
	[PODWALL_DIR_EGRESS] = "egress",
};

void pw_model_init(struct pw_model *m)
{
	memset(m, 0, sizeof(*m));
}

static void ep_release(struct pw_model_ep *e)
{
	unsigned int d;

	free(e->ns);
	free(e->name);
	free(e->addrs);
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		free(e->rules[d]);
		free(e->policies[d]);
	}
}

void pw_model_free(struct pw_model *m)
{
	uint32_t i;

	for (i = 0; i < m->nr_policies; i++) {
		free(m->policies[i].ns);
		free(m->policies[i].name);
	}
	for (i = 0; i < m->nr_sets; i++)
		free(m->sets[i].prefixes);
	for (i = 0; i < m->nr_rules; i++)
		free(m->rules[i].ports);
	for (i = 0; i < m->nr_eps; i++)
		ep_release(&m->eps[i]);
	free(m->policies);
	free(m->sets);
	free(m->rules);
	free(m->eps);
	pw_model_init(m);
}

/* Binary search over an array of structs whose first member is the u32 id. */
static const void *find_id(const void *base, uint32_t n, size_t size,
			   uint32_t id)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const void *p = (const char *)base + (size_t)mid * size;
		uint32_t v = *(const uint32_t *)p;

		if (v == id)
			return p;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct pw_model_policy *pw_model_policy(const struct pw_model *m,
					      uint32_t id)
{
	return find_id(m->policies, m->nr_policies, sizeof(*m->policies), id);
}

const struct pw_model_set *pw_model_set(const struct pw_model *m, uint32_t id)
{
	return find_id(m->sets, m->nr_sets, sizeof(*m->sets), id);
}

const struct pw_model_rule *pw_model_rule(const struct pw_model *m, uint32_t id)
{
	return find_id(m->rules, m->nr_rules, sizeof(*m->rules), id);
}

const struct pw_model_ep *pw_model_ep(const struct pw_model *m, uint32_t id)
{
	return find_id(m->eps, m->nr_eps, sizeof(*m->eps), id);
}

/* Addresses */

int pw_addr_parse(const char *text, struct pw_addr *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t len;
	unsigned long plen;
	char *end;

	if (!text)
		return -EINVAL;
	len = strlen(text);
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len + 1);
	slash = strchr(buf, '/');
	memset(out, 0, sizeof(*out));
	if (slash)
		buf[slash - buf] = '\0';
	if (inet_pton(AF_INET, buf, out->a) == 1) {
		out->family = PW_FAMILY_INET;
		out->plen = 32;
	} else if (inet_pton(AF_INET6, buf, out->a) == 1) {
		out->family = PW_FAMILY_INET6;
		out->plen = 128;
	} else {
		return -EINVAL;
	}
	if (slash) {
		const char *p = text + (slash - buf) + 1;

		/* Decimal digits only: no sign, no spaces, no hex. */
		if (*p < '0' || *p > '9' || strlen(p) > 3)
			return -EINVAL;
		errno = 0;
		plen = strtoul(p, &end, 10);
		if (*end || errno || plen > out->plen)
			return -EINVAL;
		out->plen = (uint8_t)plen;
	}
	return 0;
}

const char *pw_addr_format(const struct pw_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	int full = a->family == PW_FAMILY_INET ? 32 : 128;

	if ((a->family != PW_FAMILY_INET && a->family != PW_FAMILY_INET6) ||
	    !inet_ntop(a->family == PW_FAMILY_INET ? AF_INET : AF_INET6,
		       a->a, ip, sizeof(ip))) {
		snprintf(buf, len, "(invalid)");
		return buf;
	}
	if (a->plen == full)
		snprintf(buf, len, "%s", ip);
	else
		snprintf(buf, len, "%s/%u", ip, a->plen);
	return buf;
}

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case PW_PROTO_TCP:
		return "TCP";
	case PW_PROTO_UDP:
		return "UDP";
	case PW_PROTO_SCTP:
		return "SCTP";
	}
	return NULL;
}

static int proto_parse(const char *s, uint8_t *proto)
{
	if (!strcmp(s, "TCP"))
		*proto = PW_PROTO_TCP;
	else if (!strcmp(s, "UDP"))
		*proto = PW_PROTO_UDP;
	else if (!strcmp(s, "SCTP"))
		*proto = PW_PROTO_SCTP;
	else
		return -EINVAL;
	return 0;
}

/* Writing */

static json_object *id_array(const uint32_t *ids, uint32_t n)
{
	json_object *a = json_object_new_array_ext((int)n);
	uint32_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int64(ids[i]));
	return a;
}

static json_object *addr_array(const struct pw_addr *addrs, uint32_t n)
{
	json_object *a = json_object_new_array_ext((int)n);
	char buf[INET6_ADDRSTRLEN + 8];
	uint32_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(
			pw_addr_format(&addrs[i], buf, sizeof(buf))));
	return a;
}

static json_object *model_to_json(const struct pw_model *m)
{
	json_object *root = json_object_new_object();
	json_object *arr;
	uint32_t i, j;
	unsigned int d;

	json_object_object_add(root, "node_set",
			       json_object_new_int64(m->node_set));
	arr = json_object_new_array();
	for (i = 0; i < m->nr_policies; i++) {
		const struct pw_model_policy *p = &m->policies[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int64(p->id));
		json_object_object_add(o, "namespace", json_object_new_string(p->ns ? p->ns : ""));
		json_object_object_add(o, "name", json_object_new_string(p->name ? p->name : ""));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "policies", arr);
	arr = json_object_new_array();
	for (i = 0; i < m->nr_sets; i++) {
		const struct pw_model_set *s = &m->sets[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int64(s->id));
		json_object_object_add(o, "prefixes",
				       addr_array(s->prefixes, s->nr_prefixes));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "sets", arr);
	arr = json_object_new_array();
	for (i = 0; i < m->nr_rules; i++) {
		const struct pw_model_rule *r = &m->rules[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int64(r->id));
		json_object_object_add(o, "policy", json_object_new_int64(r->policy));
		json_object_object_add(o, "index", json_object_new_int64(r->index));
		json_object_object_add(o, "direction",
				       json_object_new_string(dir_names[r->dir < __PODWALL_DIR_MAX ? r->dir : 0]));
		json_object_object_add(o, "set", r->flags & PW_RULE_F_ANY_PEER ?
				       NULL : json_object_new_int64(r->set));
		if (r->flags & PW_RULE_F_ANY_PORT) {
			json_object_object_add(o, "ports", NULL);
		} else {
			json_object *pa = json_object_new_array();

			for (j = 0; j < r->nr_ports; j++) {
				json_object *po = json_object_new_object();
				const char *pn = proto_name(r->ports[j].proto);

				json_object_object_add(po, "protocol",
						       json_object_new_string(pn ? pn : "?"));
				json_object_object_add(po, "first", json_object_new_int(r->ports[j].first));
				json_object_object_add(po, "last", json_object_new_int(r->ports[j].last));
				json_object_array_add(pa, po);
			}
			json_object_object_add(o, "ports", pa);
		}
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "rules", arr);
	arr = json_object_new_array();
	for (i = 0; i < m->nr_eps; i++) {
		const struct pw_model_ep *e = &m->eps[i];
		json_object *o = json_object_new_object();
		json_object *iso = json_object_new_array();

		json_object_object_add(o, "id", json_object_new_int64(e->id));
		json_object_object_add(o, "namespace", json_object_new_string(e->ns ? e->ns : ""));
		json_object_object_add(o, "name", json_object_new_string(e->name ? e->name : ""));
		json_object_object_add(o, "addrs", addr_array(e->addrs, e->nr_addrs));
		if (e->flags & PODWALL_EP_F_ISOLATED_INGRESS)
			json_object_array_add(iso, json_object_new_string("ingress"));
		if (e->flags & PODWALL_EP_F_ISOLATED_EGRESS)
			json_object_array_add(iso, json_object_new_string("egress"));
		json_object_object_add(o, "isolated", iso);
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			char key[32];

			snprintf(key, sizeof(key), "%s_rules", dir_names[d]);
			json_object_object_add(o, key, id_array(e->rules[d], e->nr_rules[d]));
		}
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			char key[32];

			snprintf(key, sizeof(key), "%s_policies", dir_names[d]);
			json_object_object_add(o, key, id_array(e->policies[d], e->nr_policies[d]));
		}
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "endpoints", arr);
	return root;
}

int pw_model_write_json(const struct pw_model *m, FILE *out)
{
	json_object *root = model_to_json(m);
	const char *s = json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE);
	int ret = fputs(s, out) < 0 || fputc('\n', out) == EOF ? -EIO : 0;

	json_object_put(root);
	return ret;
}

/* Reading */

struct rd {
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct rd *rd, const char *fmt, ...)
{
	va_list ap;

	if (rd->err && rd->errlen) {
		va_start(ap, fmt);
		vsnprintf(rd->err, rd->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Every key of @o must be one of @keys (NULL-terminated). */
static int only_keys(struct rd *rd, json_object *o, const char *what,
		     const char *const *keys)
{
	json_object_object_foreach(o, key, val) {
		const char *const *k;

		(void)val;
		for (k = keys; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k)
			return fail(rd, "%s: unknown field \"%s\"", what, key);
	}
	return 0;
}

static int get_u32(struct rd *rd, json_object *o, const char *what,
		   const char *field, uint32_t min, uint32_t max, uint32_t *out)
{
	json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(o, field, &v) || !v)
		return fail(rd, "%s: missing field \"%s\"", what, field);
	if (!json_object_is_type(v, json_type_int))
		return fail(rd, "%s: field \"%s\" must be an integer", what, field);
	errno = 0;
	x = json_object_get_int64(v);
	if (errno || x < (int64_t)min || x > (int64_t)max)
		return fail(rd, "%s: field \"%s\" out of range (%u..%u)", what,
			    field, min, max);
	*out = (uint32_t)x;
	return 0;
}

static int get_str(struct rd *rd, json_object *o, const char *what,
		   const char *field, size_t max, char **out)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, field, &v) || !v)
		return fail(rd, "%s: missing field \"%s\"", what, field);
	if (!json_object_is_type(v, json_type_string))
		return fail(rd, "%s: field \"%s\" must be a string", what, field);
	s = json_object_get_string(v);
	if (!*s || strlen(s) >= max)
		return fail(rd, "%s: field \"%s\" must have 1..%zu characters",
			    what, field, max - 1);
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/* An optional array field: absent or null gives *arr = NULL. */
static int get_array(struct rd *rd, json_object *o, const char *what,
		     const char *field, bool required, json_object **arr)
{
	json_object *v = NULL;

	*arr = NULL;
	if (!json_object_object_get_ex(o, field, &v) || !v) {
		if (required)
			return fail(rd, "%s: missing field \"%s\"", what, field);
		return 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return fail(rd, "%s: field \"%s\" must be an array", what, field);
	*arr = v;
	return 0;
}

static int get_addrs(struct rd *rd, json_object *o, const char *what,
		     const char *field, bool full, uint32_t max,
		     struct pw_addr **out, uint32_t *nr)
{
	json_object *arr;
	size_t i, n;
	int err;

	err = get_array(rd, o, what, field, true, &arr);
	if (err)
		return err;
	n = json_object_array_length(arr);
	if (n > max)
		return fail(rd, "%s: field \"%s\" has more than %u entries",
			    what, field, max);
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*nr = (uint32_t)n;
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		struct pw_addr *a = &(*out)[i];

		if (!json_object_is_type(v, json_type_string) ||
		    pw_addr_parse(json_object_get_string(v), a))
			return fail(rd, "%s: %s[%zu]: not an IP address or prefix",
				    what, field, i);
		if (full && a->plen != (a->family == PW_FAMILY_INET ? 32 : 128))
			return fail(rd, "%s: %s[%zu]: must be a single address, not a prefix",
				    what, field, i);
		pw_addr_mask(a);
	}
	return 0;
}

static int get_ids(struct rd *rd, json_object *o, const char *what,
		   const char *field, uint32_t max, uint32_t **out, uint32_t *nr)
{
	json_object *arr;
	size_t i, n;
	int err;

	*nr = 0;
	err = get_array(rd, o, what, field, false, &arr);
	if (err || !arr)
		return err;
	n = json_object_array_length(arr);
	if (n > max)
		return fail(rd, "%s: field \"%s\" has more than %u entries",
			    what, field, max);
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*nr = (uint32_t)n;
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		int64_t x = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || x < 1 || x > UINT32_MAX)
			return fail(rd, "%s: %s[%zu]: must be an id >= 1",
				    what, field, i);
		(*out)[i] = (uint32_t)x;
	}
	return 0;
}

static int read_policy(struct rd *rd, json_object *o, size_t idx,
		       struct pw_model_policy *p)
{
	static const char *const keys[] = { "id", "namespace", "name", NULL };
	char what[64];
	int err;

	snprintf(what, sizeof(what), "policies[%zu]", idx);
	if (!json_object_is_type(o, json_type_object))
		return fail(rd, "%s: must be an object", what);
	err = only_keys(rd, o, what, keys);
	if (!err)
		err = get_u32(rd, o, what, "id", 1, PODWALL_MAX_POLICIES - 1, &p->id);
	if (!err)
		err = get_str(rd, o, what, "namespace", PODWALL_NAMESPACE_MAX, &p->ns);
	if (!err)
		err = get_str(rd, o, what, "name", PODWALL_NAME_MAX, &p->name);
	return err;
}

static int read_set(struct rd *rd, json_object *o, size_t idx,
		    struct pw_model_set *s)
{
	static const char *const keys[] = { "id", "prefixes", NULL };
	char what[64];
	int err;

	snprintf(what, sizeof(what), "sets[%zu]", idx);
	if (!json_object_is_type(o, json_type_object))
		return fail(rd, "%s: must be an object", what);
	err = only_keys(rd, o, what, keys);
	if (!err)
		err = get_u32(rd, o, what, "id", 1, PODWALL_MAX_SETS - 1, &s->id);
	if (!err)
		err = get_addrs(rd, o, what, "prefixes", false,
				PODWALL_MAX_PREFIXES, &s->prefixes,
				&s->nr_prefixes);
	return err;
}

static int read_dir(struct rd *rd, json_object *v, const char *what,
		    const char *field, uint8_t *dir)
{
	const char *s = v && json_object_is_type(v, json_type_string) ?
			json_object_get_string(v) : "";

	if (!strcmp(s, "ingress"))
		*dir = PODWALL_DIR_INGRESS;
	else if (!strcmp(s, "egress"))
		*dir = PODWALL_DIR_EGRESS;
	else
		return fail(rd, "%s: field \"%s\" must be \"ingress\" or \"egress\"",
			    what, field);
	return 0;
}

static int read_ports(struct rd *rd, json_object *arr, const char *what,
		      struct pw_model_rule *r)
{
	static const char *const keys[] = { "protocol", "first", "last", NULL };
	size_t i, n = json_object_array_length(arr);
	char pw[96];
	int err;

	if (n > PODWALL_MAX_PORTS_PER_RULE)
		return fail(rd, "%s: field \"ports\" has more than %u entries",
			    what, PODWALL_MAX_PORTS_PER_RULE);
	r->ports = calloc(n ? n : 1, sizeof(*r->ports));
	if (!r->ports)
		return -ENOMEM;
	r->nr_ports = (uint32_t)n;
	for (i = 0; i < n; i++) {
		json_object *po = json_object_array_get_idx(arr, i), *pv;
		struct pw_port_range *p = &r->ports[i];
		uint32_t first, last;

		snprintf(pw, sizeof(pw), "%s: ports[%zu]", what, i);
		if (!json_object_is_type(po, json_type_object))
			return fail(rd, "%s: must be an object", pw);
		err = only_keys(rd, po, pw, keys);
		if (err)
			return err;
		if (!json_object_object_get_ex(po, "protocol", &pv) ||
		    !json_object_is_type(pv, json_type_string) ||
		    proto_parse(json_object_get_string(pv), &p->proto))
			return fail(rd, "%s: field \"protocol\" must be TCP, UDP or SCTP", pw);
		err = get_u32(rd, po, pw, "first", 0, 65535, &first);
		if (!err)
			err = get_u32(rd, po, pw, "last", 0, 65535, &last);
		if (err)
			return err;
		if (first > last)
			return fail(rd, "%s: \"first\" %u is above \"last\" %u",
				    pw, first, last);
		p->first = (uint16_t)first;
		p->last = (uint16_t)last;
	}
	return 0;
}

static int read_rule(struct rd *rd, json_object *o, size_t idx,
		     struct pw_model_rule *r)
{
	static const char *const keys[] = { "id", "policy", "index", "direction",
					    "set", "ports", NULL };
	json_object *v = NULL;
	char what[64];
	int err;

	snprintf(what, sizeof(what), "rules[%zu]", idx);
	if (!json_object_is_type(o, json_type_object))
		return fail(rd, "%s: must be an object", what);
	err = only_keys(rd, o, what, keys);
	if (!err)
		err = get_u32(rd, o, what, "id", 1, PODWALL_MAX_RULES - 1, &r->id);
	if (!err)
		err = get_u32(rd, o, what, "policy", 1, PODWALL_MAX_POLICIES - 1,
			      &r->policy);
	if (!err)
		err = get_u32(rd, o, what, "index", 0, UINT32_MAX, &r->index);
	if (err)
		return err;
	json_object_object_get_ex(o, "direction", &v);
	err = read_dir(rd, v, what, "direction", &r->dir);
	if (err)
		return err;
	if (!json_object_object_get_ex(o, "set", &v))
		return fail(rd, "%s: missing field \"set\" (null for any peer)", what);
	if (!v) {
		r->flags |= PW_RULE_F_ANY_PEER;
	} else {
		err = get_u32(rd, o, what, "set", 1, PODWALL_MAX_SETS - 1, &r->set);
		if (err)
			return err;
	}
	if (!json_object_object_get_ex(o, "ports", &v))
		return fail(rd, "%s: missing field \"ports\" (null for any port)", what);
	if (!v) {
		r->flags |= PW_RULE_F_ANY_PORT;
		return 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return fail(rd, "%s: field \"ports\" must be an array or null", what);
	return read_ports(rd, v, what, r);
}

static int read_ep(struct rd *rd, json_object *o, size_t idx,
		   struct pw_model_ep *e)
{
	static const char *const keys[] = { "id", "namespace", "name", "addrs",
					    "isolated", "ingress_rules",
					    "egress_rules", "ingress_policies",
					    "egress_policies", NULL };
	json_object *iso;
	char what[64];
	unsigned int d;
	size_t i;
	int err;

	snprintf(what, sizeof(what), "endpoints[%zu]", idx);
	if (!json_object_is_type(o, json_type_object))
		return fail(rd, "%s: must be an object", what);
	err = only_keys(rd, o, what, keys);
	if (!err)
		err = get_u32(rd, o, what, "id", 1, PODWALL_MAX_ENDPOINTS - 1, &e->id);
	if (!err)
		err = get_str(rd, o, what, "namespace", PODWALL_NAMESPACE_MAX, &e->ns);
	if (!err)
		err = get_str(rd, o, what, "name", PODWALL_NAME_MAX, &e->name);
	if (!err)
		err = get_addrs(rd, o, what, "addrs", true,
				PODWALL_MAX_ADDRS_PER_EP, &e->addrs, &e->nr_addrs);
	if (!err)
		err = get_array(rd, o, what, "isolated", false, &iso);
	if (err)
		return err;
	for (i = 0; iso && i < json_object_array_length(iso); i++) {
		char field[32];
		uint8_t dir;

		snprintf(field, sizeof(field), "isolated[%zu]", i);
		err = read_dir(rd, json_object_array_get_idx(iso, i), what,
			       field, &dir);
		if (err)
			return err;
		e->flags |= dir == PODWALL_DIR_INGRESS ?
			    PODWALL_EP_F_ISOLATED_INGRESS :
			    PODWALL_EP_F_ISOLATED_EGRESS;
	}
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		char field[32];

		snprintf(field, sizeof(field), "%s_rules", dir_names[d]);
		err = get_ids(rd, o, what, field, PODWALL_MAX_RULES,
			      &e->rules[d], &e->nr_rules[d]);
		if (err)
			return err;
		snprintf(field, sizeof(field), "%s_policies", dir_names[d]);
		err = get_ids(rd, o, what, field, PODWALL_MAX_POLICIES,
			      &e->policies[d], &e->nr_policies[d]);
		if (err)
			return err;
	}
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct pw_addr));
}

/* Sorts an id-first array and rejects repeated ids. */
static int sort_unique(struct rd *rd, void *base, uint32_t n, size_t size,
		       const char *kind)
{
	uint32_t i;

	if (n < 2)
		return 0;
	qsort(base, n, size, cmp_id);
	for (i = 1; i < n; i++) {
		uint32_t prev = *(uint32_t *)((char *)base + (i - 1) * size);
		uint32_t cur = *(uint32_t *)((char *)base + i * size);

		if (prev == cur)
			return fail(rd, "%s: id %u appears twice", kind, cur);
	}
	return 0;
}

static int check_refs(struct rd *rd, const struct pw_model *m)
{
	struct pw_addr *all;
	uint32_t i, j, n = 0;
	unsigned int d;

	if (m->node_set && !pw_model_set(m, m->node_set))
		return fail(rd, "node_set: set %u does not exist", m->node_set);
	for (i = 0; i < m->nr_rules; i++) {
		const struct pw_model_rule *r = &m->rules[i];

		if (!pw_model_policy(m, r->policy))
			return fail(rd, "rule %u: field \"policy\": policy %u does not exist",
				    r->id, r->policy);
		if (!(r->flags & PW_RULE_F_ANY_PEER) && !pw_model_set(m, r->set))
			return fail(rd, "rule %u: field \"set\": set %u does not exist",
				    r->id, r->set);
	}
	for (i = 0; i < m->nr_eps; i++) {
		const struct pw_model_ep *e = &m->eps[i];

		n += e->nr_addrs;
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			for (j = 0; j < e->nr_rules[d]; j++) {
				const struct pw_model_rule *r =
					pw_model_rule(m, e->rules[d][j]);

				if (!r)
					return fail(rd, "endpoint %u: field \"%s_rules\": rule %u does not exist",
						    e->id, dir_names[d], e->rules[d][j]);
				if (r->dir != d)
					return fail(rd, "endpoint %u: field \"%s_rules\": rule %u is an %s rule",
						    e->id, dir_names[d], r->id, dir_names[r->dir]);
			}
			for (j = 0; j < e->nr_policies[d]; j++)
				if (!pw_model_policy(m, e->policies[d][j]))
					return fail(rd, "endpoint %u: field \"%s_policies\": policy %u does not exist",
						    e->id, dir_names[d], e->policies[d][j]);
		}
	}
	all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (i = 0, n = 0; i < m->nr_eps; i++)
		for (j = 0; j < m->eps[i].nr_addrs; j++)
			all[n++] = m->eps[i].addrs[j];
	if (n > 1)
		qsort(all, n, sizeof(*all), cmp_addr);
	for (i = 1; i < n; i++) {
		if (!cmp_addr(&all[i - 1], &all[i])) {
			char buf[INET6_ADDRSTRLEN + 8];

			pw_addr_format(&all[i], buf, sizeof(buf));
			free(all);
			return fail(rd, "endpoints: address %s is on two endpoints", buf);
		}
	}
	free(all);
	return 0;
}

/* Allocates *base for the array field @field of @root, parsing each item. */
#define READ_LIST(field, arr_p, nr_p, fn, kind) do {				\
	json_object *_a;							\
	size_t _i, _n;								\
	err = get_array(&rd, root, "model", field, false, &_a);			\
	if (err)								\
		goto out;							\
	_n = _a ? json_object_array_length(_a) : 0;				\
	if (_n) {								\
		*(arr_p) = calloc(_n, sizeof(**(arr_p)));			\
		if (!*(arr_p)) {						\
			err = -ENOMEM;						\
			goto out;						\
		}								\
	}									\
	for (_i = 0; _i < _n; _i++) {						\
		*(nr_p) = (uint32_t)_i + 1;					\
		err = fn(&rd, json_object_array_get_idx(_a, _i), _i,		\
			 &(*(arr_p))[_i]);					\
		if (err)							\
			goto out;						\
	}									\
	err = sort_unique(&rd, *(arr_p), *(nr_p), sizeof(**(arr_p)), kind);	\
	if (err)								\
		goto out;							\
} while (0)

int pw_model_read_json(struct pw_model *m, const char *text, char *errbuf,
		       size_t errlen)
{
	static const char *const keys[] = { "node_set", "policies", "sets",
					    "rules", "endpoints", NULL };
	struct rd rd = { errbuf, errlen };
	enum json_tokener_error jerr;
	json_object *root, *v;
	int err;

	pw_model_init(m);
	if (errbuf && errlen)
		errbuf[0] = '\0';
	root = json_tokener_parse_verbose(text, &jerr);
	if (!root)
		return fail(&rd, "model: invalid JSON: %s",
			    json_tokener_error_desc(jerr));
	if (!json_object_is_type(root, json_type_object)) {
		err = fail(&rd, "model: top level must be an object");
		goto out;
	}
	err = only_keys(&rd, root, "model", keys);
	if (err)
		goto out;
	if (json_object_object_get_ex(root, "node_set", &v) && v) {
		err = get_u32(&rd, root, "model", "node_set", 0,
			      PODWALL_MAX_SETS - 1, &m->node_set);
		if (err)
			goto out;
	}
	READ_LIST("policies", &m->policies, &m->nr_policies, read_policy, "policies");
	READ_LIST("sets", &m->sets, &m->nr_sets, read_set, "sets");
	READ_LIST("rules", &m->rules, &m->nr_rules, read_rule, "rules");
	READ_LIST("endpoints", &m->eps, &m->nr_eps, read_ep, "endpoints");
	err = check_refs(&rd, m);
out:
	json_object_put(root);
	if (err)
		pw_model_free(m);
	return err;
}

/* Matcher table */

static void *zalloc_libc(size_t size, void *ctx)
{
	(void)ctx;
	return calloc(1, size ? size : 1);
}

static void free_libc(void *ptr, void *ctx)
{
	(void)ctx;
	free(ptr);
}

static const struct pw_alloc libc_alloc = {
	.zalloc = zalloc_libc,
	.free = free_libc,
};

#define MODEL_TABLE_SEED 0x9e3779b9U

int pw_model_table(const struct pw_model *m, struct pw_table **out)
{
	struct pw_table *t;
	unsigned int d;
	uint32_t i, bad;
	int err;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < m->nr_sets; i++) {
		struct pw_set *s;

		err = pw_set_build(&libc_alloc, m->sets[i].id, MODEL_TABLE_SEED,
				   m->sets[i].prefixes, m->sets[i].nr_prefixes, &s);
		if (err)
			goto fail;
		err = pw_ids_store(&libc_alloc, &t->sets, s->id, s);
		if (err) {
			pw_set_free(&libc_alloc, s);
			goto fail;
		}
	}
	for (i = 0; i < m->nr_rules; i++) {
		const struct pw_model_rule *r = &m->rules[i];
		struct pw_rule spec = {
			.id = r->id, .policy = r->policy, .index = r->index,
			.set = r->set, .dir = r->dir, .flags = r->flags,
		};
		struct pw_rule *b;

		err = pw_rule_build(&libc_alloc, &spec, r->ports, r->nr_ports, &b);
		if (err)
			goto fail;
		err = pw_ids_store(&libc_alloc, &t->rules, b->id, b);
		if (err) {
			pw_rule_free(&libc_alloc, b);
			goto fail;
		}
	}
	for (i = 0; i < m->nr_eps; i++) {
		const struct pw_model_ep *e = &m->eps[i];
		struct pw_ep spec = {
			.id = e->id, .flags = e->flags, .nr_addrs = e->nr_addrs,
			.addrs = e->addrs,
		};
		struct pw_ep *b;

		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			spec.nr_rules[d] = e->nr_rules[d];
			spec.rules[d] = e->rules[d];
			spec.nr_policies[d] = e->nr_policies[d];
			spec.policies[d] = e->policies[d];
		}
		err = pw_ep_build(&libc_alloc, &spec, &b);
		if (err)
			goto fail;
		err = pw_ids_store(&libc_alloc, &t->eps, b->id, b);
		if (err) {
			pw_ep_free(&libc_alloc, b);
			goto fail;
		}
	}
	if (m->node_set) {
		t->node = pw_table_set(t, m->node_set);
		if (!t->node) {
			err = -EINVAL;
			goto fail;
		}
	}
	if (pw_table_validate(t, &bad, &bad) != PW_CHECK_OK) {
		err = -EINVAL;
		goto fail;
	}
	err = pw_table_build_index(&libc_alloc, t, MODEL_TABLE_SEED, &bad);
	if (err)
		goto fail;
	*out = t;
	return 0;
fail:
	pw_model_table_free(t);
	return err;
}

void pw_model_table_free(struct pw_table *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < pw_ids_limit(&t->sets); i++)
		pw_set_free(&libc_alloc, (struct pw_set *)pw_table_set(t, i));
	for (i = 0; i < pw_ids_limit(&t->rules); i++)
		pw_rule_free(&libc_alloc, (struct pw_rule *)pw_table_rule(t, i));
	for (i = 0; i < pw_ids_limit(&t->eps); i++)
		pw_ep_free(&libc_alloc, (struct pw_ep *)pw_table_ep_id(t, i));
	pw_table_free_index(&libc_alloc, t);
	pw_ids_free(&libc_alloc, &t->sets);
	pw_ids_free(&libc_alloc, &t->rules);
	pw_ids_free(&libc_alloc, &t->eps);
	free(t);
}

/* Diff */

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool arr_eq(const void *a, const void *b, size_t n)
{
	return !n || !memcmp(a, b, n);
}

static bool policy_eq(const void *x, const void *y)
{
	const struct pw_model_policy *a = x, *b = y;

	return str_eq(a->ns, b->ns) && str_eq(a->name, b->name);
}

static bool set_eq(const void *x, const void *y)
{
	const struct pw_model_set *a = x, *b = y;

	return a->nr_prefixes == b->nr_prefixes &&
	       arr_eq(a->prefixes, b->prefixes,
		      a->nr_prefixes * sizeof(*a->prefixes));
}

static bool ports_eq(const struct pw_model_rule *a,
		     const struct pw_model_rule *b)
{
	uint32_t i;

	if (a->nr_ports != b->nr_ports)
		return false;
	for (i = 0; i < a->nr_ports; i++)
		if (a->ports[i].proto != b->ports[i].proto ||
		    a->ports[i].first != b->ports[i].first ||
		    a->ports[i].last != b->ports[i].last)
			return false;
	return true;
}

static bool rule_eq(const void *x, const void *y)
{
	const struct pw_model_rule *a = x, *b = y;

	return a->policy == b->policy && a->index == b->index &&
	       a->set == b->set && a->dir == b->dir && a->flags == b->flags &&
	       ports_eq(a, b);
}

static bool ep_eq(const void *x, const void *y)
{
	const struct pw_model_ep *a = x, *b = y;
	unsigned int d;

	if (!str_eq(a->ns, b->ns) || !str_eq(a->name, b->name) ||
	    a->flags != b->flags || a->nr_addrs != b->nr_addrs ||
	    !arr_eq(a->addrs, b->addrs, a->nr_addrs * sizeof(*a->addrs)))
		return false;
	for (d = 0; d < __PODWALL_DIR_MAX; d++)
		if (a->nr_rules[d] != b->nr_rules[d] ||
		    a->nr_policies[d] != b->nr_policies[d] ||
		    !arr_eq(a->rules[d], b->rules[d], a->nr_rules[d] * sizeof(uint32_t)) ||
		    !arr_eq(a->policies[d], b->policies[d],
			    a->nr_policies[d] * sizeof(uint32_t)))
			return false;
	return true;
}

static int diff_kind(const void *from, uint32_t nf, const void *to,
		     uint32_t nt, size_t size, bool (*eq)(const void *, const void *),
		     struct pw_model_delta *delta, enum pw_model_kind k)
{
	uint32_t i = 0, j = 0;

	delta->put[k] = calloc(nt ? nt : 1, sizeof(uint32_t));
	delta->del[k] = calloc(nf ? nf : 1, sizeof(uint32_t));
	if (!delta->put[k] || !delta->del[k])
		return -ENOMEM;
	/* Both arrays are sorted by id: merge. */
	while (i < nf || j < nt) {
		const void *a = i < nf ? (const char *)from + (size_t)i * size : NULL;
		const void *b = j < nt ? (const char *)to + (size_t)j * size : NULL;
		uint32_t ia = a ? *(const uint32_t *)a : UINT32_MAX;
		uint32_t ib = b ? *(const uint32_t *)b : UINT32_MAX;

		if (a && (!b || ia < ib)) {
			delta->del[k][delta->nr_del[k]++] = ia;
			i++;
		} else if (b && (!a || ib < ia)) {
			delta->put[k][delta->nr_put[k]++] = ib;
			j++;
		} else {
			if (!eq(a, b))
				delta->put[k][delta->nr_put[k]++] = ib;
			i++;
			j++;
		}
	}
	return 0;
}

int pw_model_diff(const struct pw_model *from, const struct pw_model *to,
		  struct pw_model_delta *delta)
{
	int err;

	memset(delta, 0, sizeof(*delta));
	delta->node_set = from->node_set == to->node_set ? UINT32_MAX :
			  to->node_set;
	err = diff_kind(from->policies, from->nr_policies, to->policies,
			to->nr_policies, sizeof(*to->policies), policy_eq, delta,
			PW_MODEL_POLICY);
	if (!err)
		err = diff_kind(from->sets, from->nr_sets, to->sets, to->nr_sets,
				sizeof(*to->sets), set_eq, delta, PW_MODEL_SET);
	if (!err)
		err = diff_kind(from->rules, from->nr_rules, to->rules,
				to->nr_rules, sizeof(*to->rules), rule_eq, delta,
				PW_MODEL_RULE);
	if (!err)
		err = diff_kind(from->eps, from->nr_eps, to->eps, to->nr_eps,
				sizeof(*to->eps), ep_eq, delta, PW_MODEL_EP);
	if (err)
		pw_model_delta_free(delta);
	return err;
}

void pw_model_delta_free(struct pw_model_delta *delta)
{
	unsigned int k;

	for (k = 0; k < 4; k++) {
		free(delta->put[k]);
		free(delta->del[k]);
	}
	memset(delta, 0, sizeof(*delta));
}
