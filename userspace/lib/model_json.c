// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The compiled set's JSON form: what `podwallctl compile` and `save` print
 * and `restore` reads.
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
 * are all errors naming the object and the field. A key given twice counts
 * once, with its last value (json-c's rule).
 *
 * Reading a large set: json-c hands over a document only once it has built
 * all of it as a tree, for a set of 100k rules and 200k prefixes about ten
 * times the size of the text and millions of allocations, most of the time
 * spent in malloc and page faults. So the text goes to the tokener in
 * pieces, and after each piece the elements the tokener has completed in
 * the top-level list it is filling ("rules": [...]) are read into the model
 * and freed: the tree never holds more than a piece's worth, and its memory
 * is reused while in cache. json-c has no public way to reach a value still
 * being built; take_early() reads it from the tokener's parse stack (struct
 * json_tokener, in json-c's public header but documented as internal),
 * for the json-c versions checked below. Whatever is not taken early is
 * read from the finished document by the same code, so the result and
 * the messages do not depend on it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "model.h"

/* json-c 0.13 (json_object_array_del_idx) to 0.18 share the tokener's layout. */
#define JSON_C_NUM(major, minor)	(((major) << 16) | ((minor) << 8))
#if JSON_C_VERSION_NUM >= JSON_C_NUM(0, 13) && JSON_C_VERSION_NUM < JSON_C_NUM(0, 19)
#define TAKE_EARLY 1
#else
#define TAKE_EARLY 0
#endif

/*
 * Bytes given to the tokener at a time: few enough that what it builds for
 * a piece stays in cache, enough that its cost per call (a locale switch)
 * vanishes. On the 30.9 MB set 4 to 16 KiB read alike, 64 KiB ~12 % slower.
 */
#define PIECE (8 * 1024)

static const char *const dir_names[__PODWALL_DIR_MAX] = {
	[PODWALL_DIR_INGRESS] = "ingress",
	[PODWALL_DIR_EGRESS] = "egress",
};

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

int pw_proto_parse(const char *s, uint8_t *proto)
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

/* Where a value is, for messages ("rules[3]: ports[0]"); formatted only on error. */
struct where {
	const char *list;	/* "model", "policies", ... */
	size_t idx;		/* its element, or NO_IDX */
	size_t port;		/* the element's ports[] entry, or NO_IDX */
};

#define NO_IDX SIZE_MAX

/* The first error of one part of the document: -EINVAL with msg, or -ENOMEM. */
struct rd {
	int err;
	char *msg;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct rd *rd, const struct where *w, const char *fmt, ...)
{
	char prefix[96] = "";
	char *text = NULL;
	va_list ap;
	int n;

	if (rd->err)
		return -EINVAL;
	rd->err = -EINVAL;
	if (w) {
		n = snprintf(prefix, sizeof(prefix), "%s", w->list);
		if (w->idx != NO_IDX && n < (int)sizeof(prefix))
			n += snprintf(prefix + n, sizeof(prefix) - n, "[%zu]", w->idx);
		if (w->port != NO_IDX && n < (int)sizeof(prefix))
			n += snprintf(prefix + n, sizeof(prefix) - n, ": ports[%zu]",
				      w->port);
		if (n < (int)sizeof(prefix))
			snprintf(prefix + n, sizeof(prefix) - n, ": ");
	}
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		text = NULL;
	if (!text || asprintf(&rd->msg, "%s%s", prefix, text) < 0)
		rd->msg = NULL;
	free(text);
	return -EINVAL;
}

static void rd_clear(struct rd *rd)
{
	free(rd->msg);
	rd->msg = NULL;
	rd->err = 0;
}

/*
 * Sorts the members of @o, which must be an object, by key: vals[i] is the
 * value of keys[i] (NULL-terminated, at most 32), NULL if absent or null;
 * bit i of *seen says it was there. A key not in @keys is an error.
 */
static int members(struct rd *rd, const struct where *w, json_object *o,
		   const char *const *keys, json_object **vals,
		   unsigned int *seen)
{
	unsigned int i = 0, n = 0;

	if (!json_object_is_type(o, json_type_object))
		return fail(rd, w, "must be an object");
	while (keys[n])
		n++;
	*seen = 0;
	json_object_object_foreach(o, key, val) {
		unsigned int tried;

		/* Keys mostly come in the writer's order: look on from the last one. */
		for (tried = 0; tried < n && strcmp(keys[i], key); tried++)
			i = i + 1 < n ? i + 1 : 0;
		if (tried == n)
			return fail(rd, w, "unknown field \"%s\"", key);
		vals[i] = val;
		*seen |= 1u << i;
		i = i + 1 < n ? i + 1 : 0;
	}
	return 0;
}

static int get_u32(struct rd *rd, const struct where *w, const char *field,
		   json_object *v, uint32_t min, uint32_t max, uint32_t *out)
{
	int64_t x;

	if (!v)
		return fail(rd, w, "missing field \"%s\"", field);
	if (!json_object_is_type(v, json_type_int))
		return fail(rd, w, "field \"%s\" must be an integer", field);
	errno = 0;
	x = json_object_get_int64(v);
	if (errno || x < (int64_t)min || x > (int64_t)max)
		return fail(rd, w, "field \"%s\" out of range (%u..%u)", field,
			    min, max);
	*out = (uint32_t)x;
	return 0;
}

static int get_str(struct rd *rd, const struct where *w, const char *field,
		   json_object *v, size_t max, char **out)
{
	size_t len;

	if (!v)
		return fail(rd, w, "missing field \"%s\"", field);
	if (!json_object_is_type(v, json_type_string))
		return fail(rd, w, "field \"%s\" must be a string", field);
	/* The C string: a NUL inside ends it, as strlen() would. */
	len = strlen(json_object_get_string(v));
	if (!len || len >= max)
		return fail(rd, w, "field \"%s\" must have 1..%zu characters",
			    field, max - 1);
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -ENOMEM;
}

/* An array field; an optional one absent or null gives *arr = NULL. */
static int get_array(struct rd *rd, const struct where *w, const char *field,
		     json_object *v, bool required, json_object **arr)
{
	*arr = NULL;
	if (!v) {
		if (required)
			return fail(rd, w, "missing field \"%s\"", field);
		return 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return fail(rd, w, "field \"%s\" must be an array", field);
	*arr = v;
	return 0;
}

/*
 * Array field @field of at most @max entries, and a zeroed array of as many
 * elements of @size for it (*nr of them); an optional one absent or null
 * gives *arr = NULL.
 */
static int get_list(struct rd *rd, const struct where *w, const char *field,
		    json_object *v, bool required, uint32_t max, size_t size,
		    json_object **arr, void **out, uint32_t *nr)
{
	size_t n;
	int err;

	err = get_array(rd, w, field, v, required, arr);
	if (err || !*arr)
		return err;
	n = json_object_array_length(*arr);
	if (n > max)
		return fail(rd, w, "field \"%s\" has more than %u entries",
			    field, max);
	*out = calloc(n ? n : 1, size);
	if (!*out)
		return -ENOMEM;
	*nr = (uint32_t)n;
	return 0;
}

static int get_addrs(struct rd *rd, const struct where *w, const char *field,
		     json_object *v, bool full, uint32_t max,
		     struct pw_addr **out, uint32_t *nr)
{
	json_object *arr;
	void *mem;
	size_t i;
	int err;

	err = get_list(rd, w, field, v, true, max, sizeof(**out), &arr, &mem, nr);
	if (err)
		return err;
	*out = mem;
	for (i = 0; i < *nr; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct pw_addr *a = &(*out)[i];

		if (!json_object_is_type(e, json_type_string) ||
		    pw_addr_parse(json_object_get_string(e), a))
			return fail(rd, w, "%s[%zu]: not an IP address or prefix",
				    field, i);
		if (full && a->plen != (a->family == PW_FAMILY_INET ? 32 : 128))
			return fail(rd, w, "%s[%zu]: must be a single address, not a prefix",
				    field, i);
		pw_addr_mask(a);
	}
	return 0;
}

static int get_ids(struct rd *rd, const struct where *w, const char *field,
		   json_object *v, uint32_t max, uint32_t **out, uint32_t *nr)
{
	json_object *arr;
	void *mem;
	size_t i;
	int err;

	*nr = 0;
	err = get_list(rd, w, field, v, false, max, sizeof(**out), &arr, &mem, nr);
	if (err || !arr)
		return err;
	*out = mem;
	for (i = 0; i < *nr; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		int64_t x = json_object_get_int64(e);

		if (!json_object_is_type(e, json_type_int) || x < 1 || x > UINT32_MAX)
			return fail(rd, w, "%s[%zu]: must be an id >= 1", field, i);
		(*out)[i] = (uint32_t)x;
	}
	return 0;
}

static int read_policy(struct rd *rd, const struct where *w, json_object *o,
		       void *elem)
{
	static const char *const keys[] = { "id", "namespace", "name", NULL };
	enum { ID, NS, NAME };
	struct pw_model_policy *p = elem;
	json_object *v[3] = { NULL };
	unsigned int seen;
	int err;

	err = members(rd, w, o, keys, v, &seen);
	if (!err)
		err = get_u32(rd, w, "id", v[ID], 1, PODWALL_MAX_POLICIES - 1, &p->id);
	if (!err)
		err = get_str(rd, w, "namespace", v[NS], PODWALL_NAMESPACE_MAX, &p->ns);
	if (!err)
		err = get_str(rd, w, "name", v[NAME], PODWALL_NAME_MAX, &p->name);
	return err;
}

static int read_set(struct rd *rd, const struct where *w, json_object *o,
		    void *elem)
{
	static const char *const keys[] = { "id", "prefixes", NULL };
	enum { ID, PREFIXES };
	struct pw_model_set *s = elem;
	json_object *v[2] = { NULL };
	unsigned int seen;
	int err;

	err = members(rd, w, o, keys, v, &seen);
	if (!err)
		err = get_u32(rd, w, "id", v[ID], 1, PODWALL_MAX_SETS - 1, &s->id);
	if (!err)
		err = get_addrs(rd, w, "prefixes", v[PREFIXES], false,
				PODWALL_MAX_PREFIXES, &s->prefixes,
				&s->nr_prefixes);
	return err;
}

static int read_dir(struct rd *rd, const struct where *w, const char *field,
		    json_object *v, uint8_t *dir)
{
	const char *s = v && json_object_is_type(v, json_type_string) ?
			json_object_get_string(v) : "";

	if (!strcmp(s, "ingress"))
		*dir = PODWALL_DIR_INGRESS;
	else if (!strcmp(s, "egress"))
		*dir = PODWALL_DIR_EGRESS;
	else
		return fail(rd, w, "field \"%s\" must be \"ingress\" or \"egress\"",
			    field);
	return 0;
}

static int read_ports(struct rd *rd, const struct where *rule, json_object *arr,
		      struct pw_model_rule *r)
{
	static const char *const keys[] = { "protocol", "first", "last", NULL };
	enum { PROTO, FIRST, LAST };
	size_t i, n = json_object_array_length(arr);
	struct where w = *rule;
	int err;

	if (n > PODWALL_MAX_PORTS_PER_RULE)
		return fail(rd, rule, "field \"ports\" has more than %u entries",
			    PODWALL_MAX_PORTS_PER_RULE);
	r->ports = calloc(n ? n : 1, sizeof(*r->ports));
	if (!r->ports)
		return -ENOMEM;
	r->nr_ports = (uint32_t)n;
	for (i = 0; i < n; i++) {
		json_object *po = json_object_array_get_idx(arr, i);
		struct pw_port_range *p = &r->ports[i];
		json_object *v[3] = { NULL };
		uint32_t first, last;
		unsigned int seen;

		w.port = i;
		err = members(rd, &w, po, keys, v, &seen);
		if (err)
			return err;
		if (!json_object_is_type(v[PROTO], json_type_string) ||
		    pw_proto_parse(json_object_get_string(v[PROTO]), &p->proto))
			return fail(rd, &w, "field \"protocol\" must be TCP, UDP or SCTP");
		err = get_u32(rd, &w, "first", v[FIRST], 0, 65535, &first);
		if (!err)
			err = get_u32(rd, &w, "last", v[LAST], 0, 65535, &last);
		if (err)
			return err;
		if (first > last)
			return fail(rd, &w, "\"first\" %u is above \"last\" %u",
				    first, last);
		p->first = (uint16_t)first;
		p->last = (uint16_t)last;
	}
	return 0;
}

static int read_rule(struct rd *rd, const struct where *w, json_object *o,
		     void *elem)
{
	static const char *const keys[] = { "id", "policy", "index", "direction",
					    "set", "ports", NULL };
	enum { ID, POLICY, INDEX, DIR, SET, PORTS };
	struct pw_model_rule *r = elem;
	json_object *v[6] = { NULL };
	unsigned int seen;
	int err;

	err = members(rd, w, o, keys, v, &seen);
	if (!err)
		err = get_u32(rd, w, "id", v[ID], 1, PODWALL_MAX_RULES - 1, &r->id);
	if (!err)
		err = get_u32(rd, w, "policy", v[POLICY], 1,
			      PODWALL_MAX_POLICIES - 1, &r->policy);
	if (!err)
		err = get_u32(rd, w, "index", v[INDEX], 0, UINT32_MAX, &r->index);
	if (!err)
		err = read_dir(rd, w, "direction", v[DIR], &r->dir);
	if (err)
		return err;
	if (!(seen & 1u << SET))
		return fail(rd, w, "missing field \"set\" (null for any peer)");
	if (!v[SET]) {
		r->flags |= PW_RULE_F_ANY_PEER;
	} else {
		err = get_u32(rd, w, "set", v[SET], 1, PODWALL_MAX_SETS - 1, &r->set);
		if (err)
			return err;
	}
	if (!(seen & 1u << PORTS))
		return fail(rd, w, "missing field \"ports\" (null for any port)");
	if (!v[PORTS]) {
		r->flags |= PW_RULE_F_ANY_PORT;
		return 0;
	}
	if (!json_object_is_type(v[PORTS], json_type_array))
		return fail(rd, w, "field \"ports\" must be an array or null");
	return read_ports(rd, w, v[PORTS], r);
}

static int read_ep(struct rd *rd, const struct where *w, json_object *o,
		   void *elem)
{
	static const char *const keys[] = { "id", "namespace", "name", "addrs",
					    "isolated", "ingress_rules",
					    "egress_rules", "ingress_policies",
					    "egress_policies", NULL };
	/* RULES + d and POLICIES + d by direction, as in keys[] */
	enum { ID, NS, NAME, ADDRS, ISOLATED, RULES, POLICIES = RULES + 2 };
	struct pw_model_ep *e = elem;
	json_object *v[9] = { NULL }, *iso;
	unsigned int d, seen;
	size_t i;
	int err;

	err = members(rd, w, o, keys, v, &seen);
	if (!err)
		err = get_u32(rd, w, "id", v[ID], 1, PODWALL_MAX_ENDPOINTS - 1, &e->id);
	if (!err)
		err = get_str(rd, w, "namespace", v[NS], PODWALL_NAMESPACE_MAX, &e->ns);
	if (!err)
		err = get_str(rd, w, "name", v[NAME], PODWALL_NAME_MAX, &e->name);
	if (!err)
		err = get_addrs(rd, w, "addrs", v[ADDRS], true,
				PODWALL_MAX_ADDRS_PER_EP, &e->addrs, &e->nr_addrs);
	if (!err)
		err = get_array(rd, w, "isolated", v[ISOLATED], false, &iso);
	if (err)
		return err;
	for (i = 0; iso && i < json_object_array_length(iso); i++) {
		char field[32];
		uint8_t dir;

		snprintf(field, sizeof(field), "isolated[%zu]", i);
		err = read_dir(rd, w, field, json_object_array_get_idx(iso, i), &dir);
		if (err)
			return err;
		e->flags |= dir == PODWALL_DIR_INGRESS ?
			    PODWALL_EP_F_ISOLATED_INGRESS :
			    PODWALL_EP_F_ISOLATED_EGRESS;
	}
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		err = get_ids(rd, w, keys[RULES + d], v[RULES + d],
			      PODWALL_MAX_RULES, &e->rules[d], &e->nr_rules[d]);
		if (err)
			return err;
		err = get_ids(rd, w, keys[POLICIES + d], v[POLICIES + d],
			      PODWALL_MAX_POLICIES, &e->policies[d],
			      &e->nr_policies[d]);
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

static uint32_t id_at(const void *base, uint32_t i, size_t size)
{
	return *(const uint32_t *)((const char *)base + (size_t)i * size);
}

/* Sorts an id-first array and rejects repeated ids. */
static int sort_unique(struct rd *rd, void *base, uint32_t n, size_t size,
		       const char *kind)
{
	const struct where w = { kind, NO_IDX, NO_IDX };
	uint32_t i;

	/* What the writer emits is sorted already: check before sorting. */
	for (i = 1; i < n && id_at(base, i - 1, size) < id_at(base, i, size); i++)
		;
	if (i >= n)
		return 0;
	qsort(base, n, size, cmp_id);
	for (i = 1; i < n; i++)
		if (id_at(base, i - 1, size) == id_at(base, i, size))
			return fail(rd, &w, "id %u appears twice",
				    id_at(base, i, size));
	return 0;
}

/*
 * Each rule's direction by id, 0 for no such rule, else 1 + PODWALL_DIR_*:
 * endpoints name rules by the hundred thousand, and a binary search each
 * over all rules misses the cache at nearly every step.
 */
static uint8_t *rule_dirs(const struct pw_model *m, uint32_t *nr)
{
	uint8_t *dirs;
	uint32_t i;

	*nr = m->nr_rules ? m->rules[m->nr_rules - 1].id + 1 : 1;
	dirs = calloc(*nr, 1);
	for (i = 0; dirs && i < m->nr_rules; i++)
		dirs[m->rules[i].id] = 1 + m->rules[i].dir;
	return dirs;
}

static int check_ep_refs(struct rd *rd, const struct pw_model *m)
{
	const struct pw_model_ep *e;
	uint32_t j, nr_dirs;
	unsigned int d;
	uint8_t *dirs;
	int err = 0;

	dirs = rule_dirs(m, &nr_dirs);
	if (!dirs)
		return -ENOMEM;
	for (e = m->eps; e < m->eps + m->nr_eps && !err; e++) {
		for (d = 0; d < __PODWALL_DIR_MAX && !err; d++) {
			for (j = 0; j < e->nr_rules[d] && !err; j++) {
				uint32_t id = e->rules[d][j];
				unsigned int dir = id < nr_dirs ? dirs[id] : 0;

				if (!dir)
					err = fail(rd, NULL, "endpoint %u: field \"%s_rules\": rule %u does not exist",
						   e->id, dir_names[d], id);
				else if (dir - 1 != d)
					err = fail(rd, NULL, "endpoint %u: field \"%s_rules\": rule %u is an %s rule",
						   e->id, dir_names[d], id, dir_names[dir - 1]);
			}
			for (j = 0; j < e->nr_policies[d] && !err; j++)
				if (!pw_model_policy(m, e->policies[d][j]))
					err = fail(rd, NULL, "endpoint %u: field \"%s_policies\": policy %u does not exist",
						   e->id, dir_names[d], e->policies[d][j]);
		}
	}
	free(dirs);
	return err;
}

static int check_refs(struct rd *rd, const struct pw_model *m)
{
	struct pw_addr *all;
	uint32_t i, j, n = 0;
	int err;

	if (m->node_set && !pw_model_set(m, m->node_set))
		return fail(rd, NULL, "node_set: set %u does not exist", m->node_set);
	for (i = 0; i < m->nr_rules; i++) {
		const struct pw_model_rule *r = &m->rules[i];

		if (!pw_model_policy(m, r->policy))
			return fail(rd, NULL, "rule %u: field \"policy\": policy %u does not exist",
				    r->id, r->policy);
		if (!(r->flags & PW_RULE_F_ANY_PEER) && !pw_model_set(m, r->set))
			return fail(rd, NULL, "rule %u: field \"set\": set %u does not exist",
				    r->id, r->set);
	}
	err = check_ep_refs(rd, m);
	if (err)
		return err;
	for (i = 0; i < m->nr_eps; i++)
		n += m->eps[i].nr_addrs;
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
			return fail(rd, NULL, "endpoints: address %s is on two endpoints", buf);
		}
	}
	free(all);
	return 0;
}

/*
 * One top-level list of the document, read element by element as the
 * tokener completes them, then what is left in the finished document.
 */
struct list {
	const char *name;
	size_t size;			/* of one model element */
	int (*read)(struct rd *rd, const struct where *w, json_object *o,
		    void *elem);
	void *base;			/* model elements, moved to the model at the end */
	uint32_t nr;			/* counting the one being read */
	uint32_t cap;
	json_object *arr;		/* the array read from (a reference), or NULL */
	size_t next;			/* index in it of the next element */
	struct rd rd;
};

enum { L_POLICIES, L_SETS, L_RULES, L_EPS, NR_LISTS };

static const struct list list_init[NR_LISTS] = {
	[L_POLICIES] = { "policies", sizeof(struct pw_model_policy), read_policy },
	[L_SETS] = { "sets", sizeof(struct pw_model_set), read_set },
	[L_RULES] = { "rules", sizeof(struct pw_model_rule), read_rule },
	[L_EPS] = { "endpoints", sizeof(struct pw_model_ep), read_ep },
};

/* Hands the elements of list @k over to @m (which frees them). */
static void list_to_model(struct list *l, unsigned int k, struct pw_model *m)
{
	switch (k) {
	case L_POLICIES:
		m->policies = l->base;
		m->nr_policies = l->nr;
		break;
	case L_SETS:
		m->sets = l->base;
		m->nr_sets = l->nr;
		break;
	case L_RULES:
		m->rules = l->base;
		m->nr_rules = l->nr;
		break;
	case L_EPS:
		m->eps = l->base;
		m->nr_eps = l->nr;
		break;
	}
	l->base = NULL;
	l->nr = l->cap = 0;
}

/* Forgets what was read for list @k: the key came again, the last counts. */
static void list_reset(struct list *l, unsigned int k)
{
	struct pw_model tmp;

	pw_model_init(&tmp);
	list_to_model(l, k, &tmp);
	pw_model_free(&tmp);
	json_object_put(l->arr);
	l->arr = NULL;
	l->next = 0;
	rd_clear(&l->rd);
}

/* Elements now come from @arr: a different array than before restarts the list. */
static void list_from(struct list *l, unsigned int k, json_object *arr)
{
	if (l->arr == arr)
		return;
	list_reset(l, k);
	l->arr = json_object_get(arr);
}

/* Reads element @o into the list; after the list's first error only counts it. */
static void list_take(struct list *l, json_object *o)
{
	struct where w = { l->name, l->next++, NO_IDX };
	void *elem;
	int err;

	if (l->rd.err)
		return;
	if (l->nr == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 64;
		void *grown = cap > l->cap ? realloc(l->base, cap * l->size) : NULL;

		if (!grown) {
			l->rd.err = -ENOMEM;
			return;
		}
		l->base = grown;
		l->cap = cap;
	}
	elem = (char *)l->base + (size_t)l->nr++ * l->size;
	memset(elem, 0, l->size);
	err = l->read(&l->rd, &w, o, elem);
	if (err && !l->rd.err)
		l->rd.err = err;
}

/* Reads and frees the elements of @arr completed so far. */
static void list_take_all(struct list *l, unsigned int k, json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	list_from(l, k, arr);
	for (i = 0; i < n; i++)
		list_take(l, json_object_array_get_idx(arr, i));
	if (n)
		json_object_array_del_idx(arr, 0, n);
}

/* The top-level list the tokener is filling, if one: take what it has. */
static void take_early(json_tokener *tok, struct list *lists)
{
#if TAKE_EARLY
	const char *key = tok->depth >= 1 ? tok->stack[0].obj_field_name : NULL;
	json_object *arr = key ? tok->stack[1].current : NULL;
	unsigned int k;

	if (!arr || !json_object_is_type(tok->stack[0].current, json_type_object) ||
	    !json_object_is_type(arr, json_type_array))
		return;
	for (k = 0; k < NR_LISTS; k++)
		if (!strcmp(key, lists[k].name))
			list_take_all(&lists[k], k, arr);
#else
	(void)tok;
	(void)lists;
#endif
}

/*
 * The whole document from the tokener, fed in pieces; NULL with @syntax
 * set if it is not valid JSON.
 */
static json_object *parse(const char *text, struct list *lists, struct rd *syntax)
{
	json_tokener *tok = json_tokener_new();
	enum json_tokener_error jerr;
	json_object *root = NULL;
	size_t off = 0;

	if (!tok) {
		syntax->err = -ENOMEM;
		return NULL;
	}
	for (;;) {
		size_t left = strnlen(text + off, PIECE + 1);

		/* The last piece as json_tokener_parse() takes it: to the NUL. */
		root = json_tokener_parse_ex(tok, text + off,
					     left > PIECE ? PIECE : -1);
		jerr = json_tokener_get_error(tok);
		if (root || jerr != json_tokener_continue || left <= PIECE)
			break;
		off += PIECE;
		take_early(tok, lists);
	}
	if (jerr != json_tokener_success) {
		json_object_put(root);
		root = NULL;
		/* Input ended inside a value: say so rather than "continue". */
		if (jerr == json_tokener_continue)
			jerr = json_tokener_error_parse_eof;
		fail(syntax, NULL, "model: invalid JSON: %s",
		     json_tokener_error_desc(jerr));
	}
	json_tokener_free(tok);
	return root;
}

int pw_model_read_json(struct pw_model *m, const char *text, char *errbuf,
		       size_t errlen)
{
	static const char *const keys[] = { "policies", "sets", "rules",
					    "endpoints", "node_set", NULL };
	const struct where model = { "model", NO_IDX, NO_IDX };
	struct rd syntax = { 0 }, top = { 0 }, refs = { 0 };
	struct list lists[NR_LISTS];
	json_object *root, *v[NR_LISTS + 1] = { NULL };
	const struct rd *first;
	unsigned int k, seen;
	int err;

	pw_model_init(m);
	if (errbuf && errlen)
		errbuf[0] = '\0';
	memcpy(lists, list_init, sizeof(lists));
	root = parse(text, lists, &syntax);
	if (root && !json_object_is_type(root, json_type_object))
		fail(&top, &model, "top level must be an object");
	else if (root)
		members(&top, &model, root, keys, v, &seen);
	if (root && !top.err && v[NR_LISTS])
		get_u32(&top, &model, "node_set", v[NR_LISTS], 0,
			PODWALL_MAX_SETS - 1, &m->node_set);
	for (k = 0; root && !top.err && k < NR_LISTS; k++) {
		struct list *l = &lists[k];
		json_object *arr;

		/* Starts over unless this is the array taken from early. */
		list_from(l, k, v[k]);
		if (get_array(&l->rd, &model, l->name, v[k], false, &arr) || !arr)
			continue;
		list_take_all(l, k, arr);
		if (!l->rd.err)
			sort_unique(&l->rd, l->base, l->nr, l->size, l->name);
	}
	json_object_put(root);
	/* The first error in the order the parts are checked. */
	first = syntax.err ? &syntax : top.err ? &top : NULL;
	for (k = 0; k < NR_LISTS; k++) {
		if (!first && lists[k].rd.err)
			first = &lists[k].rd;
		list_to_model(&lists[k], k, m);
	}
	if (!first && check_refs(&refs, m))
		first = &refs;
	err = first ? first->err : 0;
	if (first && first->msg && errbuf && errlen)
		snprintf(errbuf, errlen, "%s", first->msg);
	rd_clear(&syntax);
	rd_clear(&top);
	rd_clear(&refs);
	for (k = 0; k < NR_LISTS; k++) {
		json_object_put(lists[k].arr);
		rd_clear(&lists[k].rd);
	}
	if (err)
		pw_model_free(m);
	return err;
}
