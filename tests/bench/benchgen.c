// SPDX-License-Identifier: GPL-2.0
/*
 * Synthetic policy sets for the data-plane benchmarks (see benchgen.h).
 * Layout, so every size can be varied alone:
 *   endpoint 1     the server (--server), isolated for ingress, rules
 *                  1..K (K = --server-rules); rules 1..K-1 admit other sets
 *                  on TCP 1000+r, rule K admits set 1 on TCP 80.
 *   endpoints 2..  10.250.x.y, isolated for ingress, the remaining rules
 *                  round-robin, each admitting set 2 + r % --sets on one
 *                  TCP port.
 *   set 1          --peers addresses: pool addresses and the client last.
 *   sets 2..       --set-size pool addresses each, at different offsets.
 * One policy per endpoint, with the endpoint's id.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "benchgen.h"

#define POOL_BITS 22

void benchgen_defaults(struct benchgen *g)
{
	memset(g, 0, sizeof(*g));
	g->eps = 200;
	g->peers = 100;
	g->sets = 100;
	g->set_size = 100;
	g->rules = 100;
	g->server_rules = 10;
	pw_addr_parse("10.244.1.3", &g->server);
	pw_addr_parse("10.244.1.2", &g->client);
}

static int num(const char *name, const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v < 1 || v > max) {
		fprintf(stderr, "%s: want a number in 1..%u, got '%s'\n", name,
			max, s);
		return -1;
	}
	*out = (uint32_t)v;
	return 1;
}

int benchgen_arg(struct benchgen *g, int argc, char **argv, int *i)
{
	const char *o = argv[*i], *v;

	if (strncmp(o, "--", 2))
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "%s: missing value\n", o);
		return -1;
	}
	v = argv[*i + 1];
	(*i)++;
	if (!strcmp(o, "--eps"))
		return num(o, v, PODWALL_MAX_ENDPOINTS, &g->eps);
	if (!strcmp(o, "--peers"))
		return num(o, v, 1U << POOL_BITS, &g->peers);
	if (!strcmp(o, "--sets"))
		return num(o, v, PODWALL_MAX_SETS - 1, &g->sets);
	if (!strcmp(o, "--set-size"))
		return num(o, v, 1U << POOL_BITS, &g->set_size);
	if (!strcmp(o, "--rules"))
		return num(o, v, PODWALL_MAX_RULES, &g->rules);
	if (!strcmp(o, "--server-rules"))
		return num(o, v, PODWALL_MAX_RULES, &g->server_rules);
	if (!strcmp(o, "--server") || !strcmp(o, "--client")) {
		struct pw_addr *a = o[2] == 's' ? &g->server : &g->client;

		if (pw_addr_parse(v, a) || a->family != PW_FAMILY_INET ||
		    a->plen != 32) {
			fprintf(stderr, "%s: not an IPv4 address: '%s'\n", o, v);
			return -1;
		}
		return 1;
	}
	(*i)--;
	return 0;
}

void benchgen_pool_addr(uint32_t i, struct pw_addr *a)
{
	uint32_t ip = (10U << 24) | (64U << 16) | (i & ((1U << POOL_BITS) - 1));

	memset(a, 0, sizeof(*a));
	a->family = PW_FAMILY_INET;
	a->plen = 32;
	a->a[0] = ip >> 24;
	a->a[1] = ip >> 16;
	a->a[2] = ip >> 8;
	a->a[3] = ip;
}

static void ep_addr(uint32_t id, struct pw_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = PW_FAMILY_INET;
	a->plen = 32;
	a->a[0] = 10;
	a->a[1] = 250;
	a->a[2] = id >> 8;
	a->a[3] = id;
}

static char *fmt(const char *f, uint32_t n)
{
	char buf[64];

	snprintf(buf, sizeof(buf), f, n);
	return strdup(buf);
}

static int fill_set(struct pw_model_set *s, uint32_t id, uint32_t n,
		    uint32_t offset, const struct pw_addr *last)
{
	uint32_t k;

	s->id = id;
	s->nr_prefixes = n;
	s->prefixes = calloc(n, sizeof(*s->prefixes));
	if (!s->prefixes)
		return -ENOMEM;
	for (k = 0; k < n; k++)
		benchgen_pool_addr(offset + k, &s->prefixes[k]);
	if (last)
		s->prefixes[n - 1] = *last;
	return 0;
}

int benchgen_model(const struct benchgen *g, struct pw_model *m)
{
	uint32_t k = g->server_rules < g->rules ? g->server_rules : g->rules;
	uint32_t i, r, *next;
	int ret = -ENOMEM;

	pw_model_init(m);
	if (g->rules > k && g->eps < 2) {
		fprintf(stderr, "--eps: rules beyond the server's need a second endpoint\n");
		return -EINVAL;
	}
	m->policies = calloc(g->eps, sizeof(*m->policies));
	m->sets = calloc(g->sets + 1, sizeof(*m->sets));
	m->rules = calloc(g->rules, sizeof(*m->rules));
	m->eps = calloc(g->eps, sizeof(*m->eps));
	next = calloc(g->eps + 1, sizeof(*next));
	if (!m->policies || !m->sets || !m->rules || !m->eps || !next)
		goto out;

	for (i = 0; i < g->eps; i++, m->nr_policies++) {
		m->policies[i].id = i + 1;
		m->policies[i].ns = strdup("bench");
		m->policies[i].name = fmt("policy-%u", i + 1);
		if (!m->policies[i].ns || !m->policies[i].name)
			goto out;
	}
	for (i = 0; i <= g->sets; i++, m->nr_sets++)
		if (fill_set(&m->sets[i], i + 1, i ? g->set_size : g->peers,
			     i ? i * 7919 : 0, i ? NULL : &g->client))
			goto out;

	for (r = 1; r <= g->rules; r++, m->nr_rules++) {
		struct pw_model_rule *ru = &m->rules[r - 1];
		uint32_t ep = r <= k ? 1 : 2 + (r - k - 1) % (g->eps - 1);

		ru->id = r;
		ru->policy = ep;
		ru->index = next[ep]++;
		ru->dir = PODWALL_DIR_INGRESS;
		ru->set = r == k ? 1 : 2 + r % g->sets;
		ru->nr_ports = 1;
		ru->ports = calloc(1, sizeof(*ru->ports));
		if (!ru->ports)
			goto out;
		ru->ports->proto = 6;
		ru->ports->first = ru->ports->last =
			r == k ? 80 : 1000 + r % 50000;
	}

	for (i = 0; i < g->eps; i++, m->nr_eps++) {
		struct pw_model_ep *e = &m->eps[i];
		uint32_t id = i + 1;

		e->id = id;
		e->ns = strdup("bench");
		e->name = fmt("pod-%u", id);
		e->flags = PODWALL_EP_F_ISOLATED_INGRESS;
		e->nr_addrs = 1;
		e->addrs = calloc(1, sizeof(*e->addrs));
		e->rules[PODWALL_DIR_INGRESS] = calloc(next[id] ? next[id] : 1,
						       sizeof(uint32_t));
		e->policies[PODWALL_DIR_INGRESS] = calloc(1, sizeof(uint32_t));
		if (!e->ns || !e->name || !e->addrs ||
		    !e->rules[PODWALL_DIR_INGRESS] ||
		    !e->policies[PODWALL_DIR_INGRESS])
			goto out;
		if (id == 1)
			e->addrs[0] = g->server;
		else
			ep_addr(id, &e->addrs[0]);
		e->nr_policies[PODWALL_DIR_INGRESS] = 1;
		e->policies[PODWALL_DIR_INGRESS][0] = id;
	}
	/* Rule r's policy is its endpoint's id, and ids are indices + 1. */
	for (r = 0; r < g->rules; r++) {
		struct pw_model_ep *e = &m->eps[m->rules[r].policy - 1];

		e->rules[PODWALL_DIR_INGRESS][e->nr_rules[PODWALL_DIR_INGRESS]++] = r + 1;
	}
	ret = 0;
out:
	free(next);
	if (ret) {
		fprintf(stderr, "benchgen: out of memory\n");
		pw_model_free(m);
	}
	return ret;
}
