// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The compiled policy set in userspace (see model.h): lookups, addresses,
 * a matcher table over it, and diffs between two generations. Its JSON form
 * is model_json.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

void pw_model_init(struct pw_model *m)
{
	memset(m, 0, sizeof(*m));
}

void pw_model_ep_release(struct pw_model_ep *e)
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
		pw_model_ep_release(&m->eps[i]);
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

bool pw_model_obj_equal(enum pw_model_kind k, const void *a, const void *b)
{
	switch (k) {
	case PW_MODEL_POLICY:
		return policy_eq(a, b);
	case PW_MODEL_SET:
		return set_eq(a, b);
	case PW_MODEL_RULE:
		return rule_eq(a, b);
	case PW_MODEL_EP:
		return ep_eq(a, b);
	}
	return false;
}

static int diff_kind(const void *from, uint32_t nf, const void *to,
		     uint32_t nt, size_t size, struct pw_model_delta *delta,
		     enum pw_model_kind k)
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
			if (!pw_model_obj_equal(k, a, b))
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
			to->nr_policies, sizeof(*to->policies), delta,
			PW_MODEL_POLICY);
	if (!err)
		err = diff_kind(from->sets, from->nr_sets, to->sets, to->nr_sets,
				sizeof(*to->sets), delta, PW_MODEL_SET);
	if (!err)
		err = diff_kind(from->rules, from->nr_rules, to->rules,
				to->nr_rules, sizeof(*to->rules), delta,
				PW_MODEL_RULE);
	if (!err)
		err = diff_kind(from->eps, from->nr_eps, to->eps, to->nr_eps,
				sizeof(*to->eps), delta, PW_MODEL_EP);
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
