// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The compile pass: every rule of DESIGN.md "Semantics", from the stored
 * objects to a struct pw_model.
 *
 *  - Active pods (an IP, not hostNetwork, not Succeeded/Failed) are the
 *    only selector peers and endpoints; endpoints are those on the node.
 *  - A policy selects active pods of its namespace; for each direction in
 *    its (defaulted) policyTypes it isolates them and adds its rules.
 *  - A rule's peers become one prefix set: pod IPs of the selector peers
 *    (podSelector alone = policy namespace, namespaceSelector = matching
 *    namespaces, both = AND) plus ipBlocks minus excepts. No peers = any.
 *  - Numeric ports and ranges go into one rule. Named ports resolve on the
 *    destination pod with the same protocol: for ingress on each selected
 *    pod (one rule per distinct resolution), for egress on each peer pod
 *    (one rule per resolved number, peers restricted to the pods that
 *    resolve to it). A name that resolves nowhere opens nothing.
 *  - A rule that can admit nothing (empty peer set) is left out; the
 *    isolation stays.
 *
 * Within one pass, selector results, rule peer sets and egress named-port
 * resolutions are cached by the text of the selectors involved, so a
 * selector repeated by many policies is evaluated once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "compiler_int.h"
#include "k8s_err.h"

struct cns {
	const char *name;
	json_object *labels;
	struct pw_vec pods;		/* indexes of active pods */
};

struct cpod {
	const struct pw_k8s_pod *pod;
	struct cns *ns;
	bool active;
	int32_t ep;			/* index in pass.eps, or -1 */
};

struct cep {
	uint32_t id;
	const struct pw_k8s_pod *pod;
	uint32_t flags;
	struct pw_vec rules[__PODWALL_DIR_MAX];
	struct pw_vec pols[__PODWALL_DIR_MAX];
};

struct pass {
	struct pw_compiler *c;
	struct cpod *pods;
	uint32_t nr_pods;
	struct lh_table *ns_idx;	/* name -> struct cns */
	struct cns **nss;
	uint32_t nr_nss;
	struct cep *eps;
	uint32_t nr_eps;
	struct pw_model *m;
	uint32_t cap_rules, cap_sets, cap_pols;
	/* Per id, whether it is already in the model (by pass stamp). */
	uint8_t *rule_seen, *set_seen;
	uint32_t nr_rule_seen, nr_set_seen;
	struct lh_table *sel_cache;	/* selector text -> struct pw_vec of pods */
	struct lh_table *peers_cache;	/* rule peers text -> set id */
	struct lh_table *egress_cache;	/* peers + port names -> egress_res */
	uint32_t *stamp;		/* per pod: last egress_named() that took it */
	uint32_t cur_stamp;
	struct pw_pol_log *rec;		/* output of the policy being compiled */
	uint32_t *ep_by_id;		/* endpoint id -> index + 1 */
	uint32_t nr_ep_by_id;
	int rec_err;
};

static json_object *default_ns_labels(struct pass *p, const char *name,
				      struct cns *ns)
{
	const struct pw_k8s_ns *obj = pw_compiler_ns(p->c, name);

	(void)ns;
	if (obj)
		return json_object_get(obj->labels);
	/* No Namespace object (yet): the API server's automatic label. */
	ns->labels = json_object_new_object();
	json_object_object_add(ns->labels, "kubernetes.io/metadata.name",
			       json_object_new_string(name));
	return ns->labels;
}

static struct cns *ns_get(struct pass *p, const char *name)
{
	struct cns *ns = NULL, **nn;

	if (lh_table_lookup_ex(p->ns_idx, name, (void **)&ns))
		return ns;
	ns = calloc(1, sizeof(*ns));
	nn = realloc(p->nss, (p->nr_nss + 1) * sizeof(*nn));
	if (!ns || !nn) {
		free(ns);
		if (nn)
			p->nss = nn;
		return NULL;
	}
	p->nss = nn;
	ns->name = name;
	ns->labels = default_ns_labels(p, name, ns);
	p->nss[p->nr_nss++] = ns;
	lh_table_insert(p->ns_idx, name, ns);
	return ns;
}

static void free_cache_entry(struct lh_entry *e)
{
	struct pw_vec *v = lh_entry_v(e);

	free((void *)lh_entry_k(e));
	pw_vec_release(v);
	free(v);
}

static void free_egress_entry(struct lh_entry *e);

static void free_key_entry(struct lh_entry *e)
{
	free((void *)lh_entry_k(e));
}

static bool on_node(const struct pw_compiler *c, const struct pw_k8s_pod *pod)
{
	return !c->node || (pod->node && !strcmp(pod->node, c->node));
}

static int pass_init(struct pass *p)
{
	struct pw_compiler *c = p->c;
	struct lh_entry *e;
	uint32_t n = 0;

	p->ns_idx = lh_kchar_table_new(64, NULL);
	p->sel_cache = lh_kchar_table_new(256, free_cache_entry);
	p->peers_cache = lh_kchar_table_new(256, free_key_entry);
	p->egress_cache = lh_kchar_table_new(64, free_egress_entry);
	p->stamp = calloc(c->pods->count ? c->pods->count : 1, sizeof(*p->stamp));
	p->pods = calloc(c->pods->count ? c->pods->count : 1, sizeof(*p->pods));
	p->eps = calloc(c->pods->count ? c->pods->count : 1, sizeof(*p->eps));
	if (!p->ns_idx || !p->sel_cache || !p->peers_cache || !p->egress_cache || !p->stamp || !p->pods || !p->eps)
		return -ENOMEM;
	lh_foreach(c->nss, e)
		if (!ns_get(p, lh_entry_k(e)))
			return -ENOMEM;
	lh_foreach(c->pods, e) {
		const struct pw_k8s_pod *pod = lh_entry_v(e);
		struct cpod *cp = &p->pods[n];

		cp->pod = pod;
		cp->ep = -1;
		cp->ns = ns_get(p, pod->ns);
		if (!cp->ns)
			return -ENOMEM;
		cp->active = !pod->host_network && !pod->terminated && pod->nr_ips;
		if (cp->active && pw_vec_push(&cp->ns->pods, n))
			return -ENOMEM;
		if (cp->active && on_node(c, pod)) {
			struct cep *ep = &p->eps[p->nr_eps];
			char key[PODWALL_NAMESPACE_MAX + PODWALL_NAME_MAX + 2];

			snprintf(key, sizeof(key), "%s/%s", pod->ns, pod->name);
			ep->id = pw_idmap_str(&c->ep_ids, key);
			if (!ep->id)
				return -ENOMEM;
			ep->pod = pod;
			cp->ep = (int32_t)p->nr_eps++;
		}
		n++;
	}
	p->nr_pods = n;
	p->nr_ep_by_id = c->ep_ids.ids.next + 1;
	p->ep_by_id = calloc(p->nr_ep_by_id, sizeof(*p->ep_by_id));
	if (!p->ep_by_id)
		return -ENOMEM;
	for (n = 0; n < p->nr_eps; n++)
		p->ep_by_id[p->eps[n].id] = n + 1;
	return 0;
}

static void pass_release(struct pass *p)
{
	uint32_t i;
	unsigned int d;

	for (i = 0; i < p->nr_nss; i++) {
		json_object_put(p->nss[i]->labels);
		pw_vec_release(&p->nss[i]->pods);
		free(p->nss[i]);
	}
	free(p->nss);
	for (i = 0; i < p->nr_eps; i++)
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			pw_vec_release(&p->eps[i].rules[d]);
			pw_vec_release(&p->eps[i].pols[d]);
		}
	free(p->eps);
	free(p->pods);
	free(p->rule_seen);
	free(p->set_seen);
	if (p->ns_idx)
		lh_table_free(p->ns_idx);
	if (p->sel_cache)
		lh_table_free(p->sel_cache);
	if (p->peers_cache)
		lh_table_free(p->peers_cache);
	if (p->egress_cache)
		lh_table_free(p->egress_cache);
	free(p->stamp);
	free(p->ep_by_id);
}

/* Marks @id in a by-id bitmap; returns whether it was already marked. */
static int seen(uint8_t **map, uint32_t *nr, uint32_t id)
{
	if (id >= *nr) {
		uint32_t n = id * 2 + 64;
		uint8_t *nm = realloc(*map, n);

		if (!nm)
			return -ENOMEM;
		memset(nm + *nr, 0, n - *nr);
		*map = nm;
		*nr = n;
	}
	if ((*map)[id])
		return 1;
	(*map)[id] = 1;
	return 0;
}

static int pfx_dup(const struct pw_prefixes *src, struct pw_prefixes *dst)
{
	dst->n = src->n;
	dst->a = malloc((src->n ? src->n : 1) * sizeof(*dst->a));
	if (!dst->a)
		return -ENOMEM;
	if (src->n)
		memcpy(dst->a, src->a, src->n * sizeof(*dst->a));
	return 0;
}

static int port_cmp(const void *x, const void *y)
{
	const struct pw_port_range *a = x, *b = y;

	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return (a->last > b->last) - (a->last < b->last);
}

/* Sorted by (proto, first), overlapping and adjacent ranges merged. */
static uint32_t ports_normalise(struct pw_port_range *r, uint32_t n)
{
	uint32_t i, k = 0;

	if (n > 1)
		qsort(r, n, sizeof(*r), port_cmp);
	for (i = 0; i < n; i++) {
		if (k && r[k - 1].proto == r[i].proto &&
		    (uint32_t)r[i].first <= (uint32_t)r[k - 1].last + 1) {
			if (r[i].last > r[k - 1].last)
				r[k - 1].last = r[i].last;
			continue;
		}
		r[k++] = r[i];
	}
	return k;
}

static void ports_sig(const struct pw_port_range *r, uint32_t n, char *buf,
		      size_t len)
{
	size_t off = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < n && off + 24 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u:%u-%u",
					i ? "," : "", r[i].proto, r[i].first,
					r[i].last);
}

void pw_pol_log_free(struct pw_pol_log *log)
{
	uint32_t i;

	if (!log)
		return;
	for (i = 0; i < log->nr_rules; i++) {
		free(log->rules[i].key);
		free(log->rules[i].r.ports);
	}
	free(log->rules);
	free(log->att);
	pw_vec_release(&log->eps);
	free(log);
}

static void rec_rule(struct pass *p, const char *key, const struct pw_model_rule *r)
{
	struct pw_pol_log *l = p->rec;
	struct pw_pol_rule *pr;

	if (!l)
		return;
	if (l->nr_rules == l->cap_rules) {
		uint32_t nc = l->cap_rules ? l->cap_rules * 2 : 8;
		void *n = realloc(l->rules, nc * sizeof(*l->rules));

		if (!n) {
			p->rec_err = -ENOMEM;
			return;
		}
		l->rules = n;
		l->cap_rules = nc;
	}
	pr = &l->rules[l->nr_rules];
	pr->r = *r;
	pr->key = strdup(key);
	pr->r.ports = malloc((r->nr_ports ? r->nr_ports : 1) * sizeof(*r->ports));
	if (!pr->key || !pr->r.ports) {
		free(pr->key);
		free(pr->r.ports);
		p->rec_err = -ENOMEM;
		return;
	}
	if (r->nr_ports)
		memcpy(pr->r.ports, r->ports, r->nr_ports * sizeof(*r->ports));
	l->nr_rules++;
}

static void rec_att(struct pass *p, uint32_t ep_idx, uint8_t dir, uint32_t rule)
{
	struct pw_pol_log *l = p->rec;

	if (!l)
		return;
	if (l->nr_att == l->cap_att) {
		uint32_t nc = l->cap_att ? l->cap_att * 2 : 16;
		void *n = realloc(l->att, nc * sizeof(*l->att));

		if (!n) {
			p->rec_err = -ENOMEM;
			return;
		}
		l->att = n;
		l->cap_att = nc;
	}
	l->att[l->nr_att++] = (struct pw_pol_att){ p->eps[ep_idx].id, rule, dir };
}

/* Puts set @id (content @c) into this pass's model once. */
static int add_set(struct pass *p, uint32_t id, const struct pw_prefixes *c)
{
	struct pw_model_set *s;
	int ret = seen(&p->set_seen, &p->nr_set_seen, id);

	if (ret)
		return ret < 0 ? ret : 0;
	if (p->m->nr_sets == p->cap_sets) {
		uint32_t nc = p->cap_sets ? p->cap_sets * 2 : 16;
		void *ns = realloc(p->m->sets, nc * sizeof(*s));

		if (!ns)
			return -ENOMEM;
		p->m->sets = ns;
		p->cap_sets = nc;
	}
	s = &p->m->sets[p->m->nr_sets++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->prefixes = malloc((c->n ? c->n : 1) * sizeof(*s->prefixes));
	if (!s->prefixes)
		return -ENOMEM;
	s->nr_prefixes = c->n;
	if (c->n)
		memcpy(s->prefixes, c->a, c->n * sizeof(*s->prefixes));
	return 0;
}

/* Interns @pf (consumed) as a set of this pass's model; *out 0 if empty. */
static int intern_set(struct pass *p, struct pw_prefixes *pf, uint32_t *out)
{
	const struct pw_prefixes *stored = NULL;
	uint32_t set;

	*out = 0;
	if (!pf->n) {
		free(pf->a);
		pf->a = NULL;
		return 0;
	}
	pw_prefixes_normalise(pf);
	set = pw_idmap_prefixes(&p->c->set_ids, pf, &stored);
	if (!set)
		return -ENOMEM;
	*out = set;
	return add_set(p, set, stored);
}

struct emit {
	uint32_t policy;
	uint8_t dir;
	uint32_t index;
	const char *variant;
	bool any_peer;
	uint32_t set;			/* peers unless any_peer; 0 = none */
	const struct pw_port_range *ports;	/* normalised */
	uint32_t nr_ports;
	bool any_port;
};

/* Adds the rule (once per pass) and returns its id, 0 if it admits nothing. */
static int emit_rule(struct pass *p, const struct emit *e, uint32_t *out)
{
	char key[2048];
	struct pw_model_rule *r;
	uint32_t id;
	int ret;

	*out = 0;
	if (!e->any_peer && !e->set)
		return 0;
	snprintf(key, sizeof(key), "%u/%u/%u/%s", e->policy, e->dir, e->index,
		 e->variant);
	id = pw_idmap_str(&p->c->rule_ids, key);
	if (!id)
		return -ENOMEM;
	*out = id;
	ret = seen(&p->rule_seen, &p->nr_rule_seen, id);
	if (ret)
		return ret < 0 ? ret : 0;
	if (p->m->nr_rules == p->cap_rules) {
		uint32_t nc = p->cap_rules ? p->cap_rules * 2 : 16;
		void *nr = realloc(p->m->rules, nc * sizeof(*r));

		if (!nr)
			return -ENOMEM;
		p->m->rules = nr;
		p->cap_rules = nc;
	}
	r = &p->m->rules[p->m->nr_rules++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->policy = e->policy;
	r->index = e->index;
	r->dir = e->dir;
	r->set = e->any_peer ? 0 : e->set;
	if (e->any_peer)
		r->flags |= PW_RULE_F_ANY_PEER;
	if (e->any_port) {
		r->flags |= PW_RULE_F_ANY_PORT;
	} else {
		r->ports = malloc((e->nr_ports ? e->nr_ports : 1) * sizeof(*r->ports));
		if (!r->ports)
			return -ENOMEM;
		r->nr_ports = e->nr_ports;
		memcpy(r->ports, e->ports, e->nr_ports * sizeof(*r->ports));
	}
	rec_rule(p, key, r);
	return 0;
}

static int attach(struct pass *p, const struct pw_vec *eps, uint8_t dir,
		  uint32_t rule)
{
	uint32_t i;

	if (!rule)
		return 0;
	for (i = 0; i < eps->n; i++) {
		if (pw_vec_push(&p->eps[eps->v[i]].rules[dir], rule))
			return -ENOMEM;
		rec_att(p, eps->v[i], dir, rule);
	}
	return 0;
}

static int add_ips(struct pw_prefixes *pf, uint32_t *cap,
		   const struct pw_k8s_pod *pod)
{
	uint32_t i;

	for (i = 0; i < pod->nr_ips; i++)
		if (pw_prefixes_add(pf, cap, &pod->ips[i]))
			return -ENOMEM;
	return 0;
}

static void sel_key(const struct pw_k8s_selector *sel, char *buf, size_t len)
{
	size_t off = 0;
	uint32_t i, j;

	if (!sel) {
		snprintf(buf, len, "-");
		return;
	}
	off += (size_t)snprintf(buf, len, "%s", sel->match_labels ?
				json_object_to_json_string_ext(sel->match_labels,
							       JSON_C_TO_STRING_PLAIN) : "{}");
	for (i = 0; i < sel->nr_exprs && off < len; i++) {
		off += (size_t)snprintf(buf + off, len - off, "|%s %d", sel->exprs[i].key,
					sel->exprs[i].op);
		for (j = 0; j < sel->exprs[i].nr_values && off < len; j++)
			off += (size_t)snprintf(buf + off, len - off, ",%s",
						sel->exprs[i].values[j]);
	}
}

/*
 * The active pods a selector peer picks (indexes into p->pods), cached per
 * pass by the selectors' text: policies repeat the same selectors a lot.
 * NULL on allocation failure.
 */
static const struct pw_vec *peer_pods(struct pass *p,
				      const struct pw_k8s_policy *pol,
				      const struct pw_k8s_peer *peer)
{
	char ks[4096], kn[4096], *key;
	struct pw_vec *v = NULL;
	uint32_t j, k;

	sel_key(peer->pod_sel, ks, sizeof(ks));
	if (peer->ns_sel)
		sel_key(peer->ns_sel, kn, sizeof(kn));
	else
		snprintf(kn, sizeof(kn), "=%s", pol->ns);
	if (strlen(ks) >= sizeof(ks) - 1 || strlen(kn) >= sizeof(kn) - 1)
		key = NULL;	/* too long to cache safely: compute anew */
	else if (asprintf(&key, "%s#%s", kn, ks) < 0)
		return NULL;
	if (key && lh_table_lookup_ex(p->sel_cache, key, (void **)&v)) {
		free(key);
		return v;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		free(key);
		return NULL;
	}
	for (j = 0; j < p->nr_nss; j++) {
		struct cns *ns = p->nss[j];

		if (peer->ns_sel ? !pw_k8s_selector_matches(peer->ns_sel, ns->labels) :
				   strcmp(ns->name, pol->ns))
			continue;
		for (k = 0; k < ns->pods.n; k++) {
			const struct pw_k8s_pod *pod = p->pods[ns->pods.v[k]].pod;

			if (peer->pod_sel &&
			    !pw_k8s_selector_matches(peer->pod_sel, pod->labels))
				continue;
			if (pw_vec_push(v, ns->pods.v[k])) {
				pw_vec_release(v);
				free(v);
				free(key);
				return NULL;
			}
		}
	}
	if (!key)
		key = strdup("");	/* uncached: kept on a list for release */
	if (!key || lh_table_insert(p->sel_cache, key, v)) {
		pw_vec_release(v);
		free(v);
		free(key);
		return NULL;
	}
	return v;
}

/* The rule's peers as prefixes: selector peers' pod IPs, ipBlocks. */
static int rule_peers(struct pass *p, const struct pw_k8s_policy *pol,
		      const struct pw_k8s_rule *r, struct pw_prefixes *pf)
{
	uint32_t i, k, cap = 0;
	int ret;

	memset(pf, 0, sizeof(*pf));
	for (i = 0; i < r->nr_peers; i++) {
		const struct pw_k8s_peer *peer = &r->peers[i];
		const struct pw_vec *pods;

		if (peer->is_block) {
			ret = pw_block_expand(&peer->cidr, peer->except,
					      peer->nr_except, pf, &cap);
			if (ret)
				return ret;
			continue;
		}
		pods = peer_pods(p, pol, peer);
		if (!pods)
			return -ENOMEM;
		for (k = 0; k < pods->n; k++) {
			ret = add_ips(pf, &cap, p->pods[pods->v[k]].pod);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * A rule's peers as text, for caching: equal text means equal peers.
 * NULL if too long to key safely (then nothing is cached) or no memory.
 */
static char *peers_key(const struct pw_k8s_policy *pol,
		       const struct pw_k8s_rule *r)
{
	char *key = NULL, part[8192], ip[64];
	size_t len = 0, cap = 0;
	uint32_t i, j;

	if (r->any_peer)
		return strdup("*");
	for (i = 0; i < r->nr_peers; i++) {
		const struct pw_k8s_peer *peer = &r->peers[i];
		size_t off = 0, n;

		if (peer->is_block) {
			off += (size_t)snprintf(part, sizeof(part), "B%s",
						pw_addr_format(&peer->cidr, ip, sizeof(ip)));
			for (j = 0; j < peer->nr_except && off < sizeof(part); j++)
				off += (size_t)snprintf(part + off, sizeof(part) - off, "-%s",
							pw_addr_format(&peer->except[j], ip, sizeof(ip)));
		} else {
			char kn[4096];

			if (peer->ns_sel)
				sel_key(peer->ns_sel, kn, sizeof(kn));
			else
				snprintf(kn, sizeof(kn), "=%s", pol->ns);
			off += (size_t)snprintf(part, sizeof(part), "P%s#", kn);
			if (off < sizeof(part))
				sel_key(peer->pod_sel, part + off, sizeof(part) - off);
		}
		n = strlen(part);
		if (n >= sizeof(part) - 1) {
			free(key);
			return NULL;
		}
		if (len + n + 2 > cap) {
			char *nk = realloc(key, cap = (len + n + 2) * 2);

			if (!nk) {
				free(key);
				return NULL;
			}
			key = nk;
		}
		memcpy(key + len, part, n);
		len += n;
		key[len++] = '\n';
		key[len] = '\0';
	}
	return key;
}

/*
 * The interned peer set of a rule. Rules with the same peers text (common:
 * "all pods of namespaces labelled team=a") share one computation.
 */
static int rule_peer_set(struct pass *p, const struct pw_k8s_policy *pol,
			 const struct pw_k8s_rule *r, uint32_t *set)
{
	struct pw_prefixes peers = { 0 };
	char *key = peers_key(pol, r);
	void *v;
	int ret;

	if (key && lh_table_lookup_ex(p->peers_cache, key, &v)) {
		free(key);
		*set = (uint32_t)(uintptr_t)v;
		return 0;
	}
	ret = rule_peers(p, pol, r, &peers);
	if (!ret)
		ret = intern_set(p, &peers, set);
	free(peers.a);
	if (!ret && key && lh_table_insert(p->peers_cache, key,
					   (void *)(uintptr_t)*set) == 0)
		return 0;
	free(key);
	return ret;
}

/* Is @ip in one of the rule's ipBlocks (minus its excepts)? */
static bool ip_in_blocks(const struct pw_k8s_rule *r, const struct pw_addr *ip)
{
	uint32_t i, j;

	for (i = 0; i < r->nr_peers; i++) {
		const struct pw_k8s_peer *peer = &r->peers[i];
		bool excepted = false;

		if (!peer->is_block || !pw_prefix_contains(&peer->cidr, ip))
			continue;
		for (j = 0; j < peer->nr_except; j++)
			if (pw_prefix_contains(&peer->except[j], ip))
				excepted = true;
		if (!excepted)
			return true;
	}
	return false;
}

/* The numbers @pod serves under the rule's port names. */
static uint32_t resolve_names(const struct pw_k8s_rule *r,
			      const struct pw_k8s_pod *pod,
			      struct pw_port_range *out, uint32_t max)
{
	uint32_t i, j, n = 0;

	for (i = 0; i < r->nr_ports; i++) {
		const struct pw_k8s_port *pt = &r->ports[i];

		if (!pt->name)
			continue;
		for (j = 0; j < pod->nr_cports && n < max; j++) {
			const struct pw_k8s_cport *cp = &pod->cports[j];

			if (cp->name && cp->proto == pt->proto &&
			    !strcmp(cp->name, pt->name)) {
				out[n].proto = cp->proto;
				out[n].first = out[n].last = cp->port;
				n++;
			}
		}
	}
	/* Sorted, exact duplicates dropped, but not merged: egress splits by number. */
	if (n > 1)
		qsort(out, n, sizeof(*out), port_cmp);
	for (i = 0, j = 0; i < n; i++)
		if (!j || port_cmp(&out[j - 1], &out[i]))
			out[j++] = out[i];
	return j;
}

struct variant {
	struct pw_port_range port;
	struct pw_prefixes peers;
	uint32_t cap;
};

/* Adds the IPs of pod @i that are peers (@all: every IP) to its variants. */
static int egress_candidate(struct pass *p, const struct pw_k8s_rule *r,
			    uint32_t i, bool all, struct variant **vs,
			    uint32_t *nv)
{
	const struct pw_k8s_pod *pod = p->pods[i].pod;
	struct pw_port_range res[64];
	uint32_t j, k, v, n;

	if (p->stamp[i] == p->cur_stamp)
		return 0;	/* already taken */
	p->stamp[i] = p->cur_stamp;
	n = resolve_names(r, pod, res, 64);
	for (j = 0; j < n; j++) {
		for (v = 0; v < *nv; v++)
			if (!port_cmp(&(*vs)[v].port, &res[j]))
				break;
		if (v == *nv) {
			struct variant *nvs = realloc(*vs, (*nv + 1) * sizeof(**vs));

			if (!nvs)
				return -ENOMEM;
			*vs = nvs;
			memset(&nvs[*nv], 0, sizeof(*nvs));
			nvs[(*nv)++].port = res[j];
		}
		for (k = 0; k < pod->nr_ips; k++)
			if ((all || ip_in_blocks(r, &pod->ips[k])) &&
			    pw_prefixes_add(&(*vs)[v].peers, &(*vs)[v].cap, &pod->ips[k]))
				return -ENOMEM;
	}
	return 0;
}

/* What egress_named() found for one peers text and set of port names. */
struct egress_res {
	uint32_t n;
	struct pw_port_range *ports;
	uint32_t *sets;
};

static void free_egress_entry(struct lh_entry *e)
{
	struct egress_res *res = lh_entry_v(e);

	free((void *)lh_entry_k(e));
	free(res->ports);
	free(res->sets);
	free(res);
}

static int egress_resolve(struct pass *p, const struct pw_k8s_policy *pol,
			  const struct pw_k8s_rule *r, struct egress_res *res)
{
	struct variant *vs = NULL;
	uint32_t nv = 0, i, k, v;
	bool blocks = false;
	int ret = 0;

	p->cur_stamp++;
	/* Selector peers first: all their IPs count. */
	for (i = 0; i < r->nr_peers && !ret; i++) {
		const struct pw_vec *pods;

		if (r->peers[i].is_block) {
			blocks = true;
			continue;
		}
		pods = peer_pods(p, pol, &r->peers[i]);
		if (!pods) {
			ret = -ENOMEM;
			break;
		}
		for (k = 0; k < pods->n && !ret; k++)
			ret = egress_candidate(p, r, pods->v[k], true, &vs, &nv);
	}
	/* No peers: every active pod; ipBlocks: the pod IPs inside them. */
	for (i = 0; (r->any_peer || blocks) && i < p->nr_pods && !ret; i++)
		if (p->pods[i].active)
			ret = egress_candidate(p, r, i, r->any_peer, &vs, &nv);
	res->ports = calloc(nv ? nv : 1, sizeof(*res->ports));
	res->sets = calloc(nv ? nv : 1, sizeof(*res->sets));
	if (!res->ports || !res->sets)
		ret = ret ? ret : -ENOMEM;
	for (v = 0; v < nv; v++) {
		if (!ret)
			ret = intern_set(p, &vs[v].peers, &res->sets[v]);
		if (!ret)
			res->ports[res->n++] = vs[v].port;
		free(vs[v].peers.a);
	}
	free(vs);
	return ret;
}

/*
 * Egress named ports resolve on the remote pod: one rule per resolved
 * number, its peers the pods (of the rule's peers) serving the name there.
 * Cached per pass by peers text and port names.
 */
static int egress_named(struct pass *p, const struct pw_k8s_policy *pol,
			uint32_t pid, uint32_t index, const struct pw_k8s_rule *r,
			const struct pw_vec *eps)
{
	char *pk = peers_key(pol, r), *key = NULL;
	struct egress_res *res = NULL;
	size_t len;
	uint32_t i;
	int ret = 0;

	if (pk) {
		len = strlen(pk) + 2;
		for (i = 0; i < r->nr_ports; i++)
			if (r->ports[i].name)
				len += strlen(r->ports[i].name) + 8;
		key = malloc(len);
		if (key) {
			size_t off = (size_t)snprintf(key, len, "%s|", pk);

			for (i = 0; i < r->nr_ports; i++)
				if (r->ports[i].name)
					off += (size_t)snprintf(key + off, len - off, "%s/%u,",
								r->ports[i].name,
								r->ports[i].proto);
		}
		free(pk);
	}
	if (!key || !lh_table_lookup_ex(p->egress_cache, key, (void **)&res)) {
		res = calloc(1, sizeof(*res));
		if (!res) {
			free(key);
			return -ENOMEM;
		}
		ret = egress_resolve(p, pol, r, res);
		if (ret || !key || lh_table_insert(p->egress_cache, key, res)) {
			free(key);
			key = NULL;
			if (ret) {
				free(res->ports);
				free(res->sets);
				free(res);
				return ret;
			}
			/* Not cached: freed below. */
		}
	} else {
		free(key);
		key = (char *)"";	/* cached: owned by the table */
	}
	for (i = 0; i < res->n && !ret; i++) {
		char variant[64];
		struct emit e = { pid, PODWALL_DIR_EGRESS, index, variant, false,
				  res->sets[i], &res->ports[i], 1, false };
		uint32_t rid;

		snprintf(variant, sizeof(variant), "e%u:%u-%u", res->ports[i].proto,
			 res->ports[i].first, res->ports[i].last);
		ret = emit_rule(p, &e, &rid);
		if (!ret)
			ret = attach(p, eps, PODWALL_DIR_EGRESS, rid);
	}
	if (!key) {
		free(res->ports);
		free(res->sets);
		free(res);
	}
	return ret;
}

/* Ingress named ports resolve on each selected pod: one rule per answer. */
static int ingress_named(struct pass *p, uint32_t pid, uint32_t index,
			 const struct pw_k8s_rule *r, uint32_t set,
			 const struct pw_vec *eps)
{
	struct pw_port_range res[64];
	uint32_t i;
	int ret;

	for (i = 0; i < eps->n; i++) {
		struct cep *ep = &p->eps[eps->v[i]];
		uint32_t n = resolve_names(r, ep->pod, res, 64), rid;
		char variant[1024];
		struct emit e = { pid, PODWALL_DIR_INGRESS, index, variant,
				  r->any_peer, set, res, n, false };

		if (!n)
			continue;	/* resolves nowhere: opens nothing */
		variant[0] = 'i';
		ports_sig(res, n, variant + 1, sizeof(variant) - 1);
		ret = emit_rule(p, &e, &rid);
		if (ret)
			return ret;
		if (rid && pw_vec_push(&ep->rules[PODWALL_DIR_INGRESS], rid))
			return -ENOMEM;
		if (rid)
			rec_att(p, eps->v[i], PODWALL_DIR_INGRESS, rid);
	}
	return 0;
}

static int compile_rule(struct pass *p, const struct pw_k8s_policy *pol,
			uint32_t pid, uint8_t dir, uint32_t index,
			const struct pw_vec *eps)
{
	const struct pw_k8s_rule *r = &pol->rules[dir][index];
	struct pw_port_range *num = NULL;
	uint32_t i, nr_num = 0, rid, set = 0;
	bool named = false;
	int ret;

	if (!r->any_peer) {
		ret = rule_peer_set(p, pol, r, &set);
		if (ret)
			goto out;
	}
	if (r->any_port) {
		struct emit e = { pid, dir, index, "*", r->any_peer, set, NULL, 0, true };

		ret = emit_rule(p, &e, &rid);
		if (!ret)
			ret = attach(p, eps, dir, rid);
		goto out;
	}
	num = calloc(r->nr_ports, sizeof(*num));
	if (!num) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < r->nr_ports; i++) {
		if (r->ports[i].name) {
			named = true;
			continue;
		}
		num[nr_num].proto = r->ports[i].proto;
		num[nr_num].first = r->ports[i].first;
		num[nr_num].last = r->ports[i].last;
		nr_num++;
	}
	nr_num = ports_normalise(num, nr_num);
	ret = 0;
	if (nr_num) {
		char variant[1024];
		struct emit e = { pid, dir, index, variant, r->any_peer, set, num,
				  nr_num, false };

		variant[0] = 'n';
		ports_sig(num, nr_num, variant + 1, sizeof(variant) - 1);
		ret = emit_rule(p, &e, &rid);
		if (!ret)
			ret = attach(p, eps, dir, rid);
	}
	if (!ret && named)
		ret = dir == PODWALL_DIR_INGRESS ?
		      ingress_named(p, pid, index, r, set, eps) :
		      egress_named(p, pol, pid, index, r, eps);
out:
	free(num);
	return ret;
}

static int add_policy(struct pass *p, const struct pw_k8s_policy *pol,
		      uint32_t pid)
{
	struct pw_model_policy *mp;

	if (p->m->nr_policies == p->cap_pols) {
		uint32_t nc = p->cap_pols ? p->cap_pols * 2 : 16;
		void *np = realloc(p->m->policies, nc * sizeof(*mp));

		if (!np)
			return -ENOMEM;
		p->m->policies = np;
		p->cap_pols = nc;
	}
	mp = &p->m->policies[p->m->nr_policies++];
	mp->id = pid;
	mp->ns = strdup(pol->ns);
	mp->name = strdup(pol->name);
	return mp->ns && mp->name ? 0 : -ENOMEM;
}

static int compile_policy(struct pass *p, const struct pw_k8s_policy *pol)
{
	char key[PODWALL_NAMESPACE_MAX + PODWALL_NAME_MAX + 2];
	struct pw_vec eps = { 0 };
	struct cns *ns = NULL;
	uint32_t pid, i;
	unsigned int d;
	int ret = 0;

	lh_table_lookup_ex(p->ns_idx, pol->ns, (void **)&ns);
	for (i = 0; ns && i < ns->pods.n; i++) {
		const struct cpod *cp = &p->pods[ns->pods.v[i]];

		if (cp->ep >= 0 &&
		    pw_k8s_selector_matches(&pol->pod_sel, cp->pod->labels) &&
		    pw_vec_push(&eps, (uint32_t)cp->ep)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (!eps.n)
		goto out;	/* selects nothing here */
	snprintf(key, sizeof(key), "%s/%s", pol->ns, pol->name);
	pid = pw_idmap_str(&p->c->policy_ids, key);
	if (!pid) {
		ret = -ENOMEM;
		goto out;
	}
	ret = add_policy(p, pol, pid);
	if (p->rec) {
		p->rec->pid = pid;
		for (i = 0; i < eps.n && !ret; i++)
			ret = pw_vec_push(&p->rec->eps, p->eps[eps.v[i]].id);
	}
	for (d = 0; d < __PODWALL_DIR_MAX && !ret; d++) {
		uint32_t flag = d == PODWALL_DIR_INGRESS ?
				PODWALL_EP_F_ISOLATED_INGRESS :
				PODWALL_EP_F_ISOLATED_EGRESS;

		if (!pol->types[d])
			continue;
		for (i = 0; i < eps.n && !ret; i++) {
			p->eps[eps.v[i]].flags |= flag;
			ret = pw_vec_push(&p->eps[eps.v[i]].pols[d], pid);
		}
		for (i = 0; i < pol->nr_rules[d] && !ret; i++)
			ret = compile_rule(p, pol, pid, (uint8_t)d, i, &eps);
	}
out:
	pw_vec_release(&eps);
	return ret;
}

static bool sel_peer_takes(const struct pw_k8s_policy *pol,
			   const struct pw_k8s_peer *peer,
			   const struct pw_k8s_pod *pod, json_object *ns_labels)
{
	if (peer->is_block)
		return false;
	if (peer->ns_sel ? !pw_k8s_selector_matches(peer->ns_sel, ns_labels) :
			   strcmp(pod->ns, pol->ns))
		return false;
	return !peer->pod_sel || pw_k8s_selector_matches(peer->pod_sel, pod->labels);
}

bool pw_policy_depends_on_pod(const struct pw_k8s_policy *pol,
			      const struct pw_k8s_pod *pod, json_object *ns_labels)
{
	unsigned int d;
	uint32_t i, j;

	/* Selection, and named ports resolved on the selected pods. */
	if (!strcmp(pol->ns, pod->ns))
		return true;
	for (d = 0; d < __PODWALL_DIR_MAX; d++) {
		for (i = 0; i < pol->nr_rules[d]; i++) {
			const struct pw_k8s_rule *r = &pol->rules[d][i];
			bool named = false, wide = r->any_peer;

			for (j = 0; j < r->nr_ports; j++)
				named |= r->ports[j].name != NULL;
			for (j = 0; j < r->nr_peers; j++) {
				wide |= r->peers[j].is_block;
				if (sel_peer_takes(pol, &r->peers[j], pod, ns_labels))
					return true;
			}
			/* Egress names resolve on any peer pod, inside blocks too. */
			if (d == PODWALL_DIR_EGRESS && named && wide)
				return true;
		}
	}
	return false;
}

bool pw_policy_depends_on_ns(const struct pw_k8s_policy *pol, json_object *labels)
{
	unsigned int d;
	uint32_t i, j;

	for (d = 0; d < __PODWALL_DIR_MAX; d++)
		for (i = 0; i < pol->nr_rules[d]; i++)
			for (j = 0; j < pol->rules[d][i].nr_peers; j++) {
				const struct pw_k8s_peer *peer = &pol->rules[d][i].peers[j];

				if (peer->ns_sel && pw_k8s_selector_matches(peer->ns_sel, labels))
					return true;
			}
	return false;
}

static int ep_index(struct pass *p, uint32_t id, uint32_t *idx)
{
	if (id >= p->nr_ep_by_id || !p->ep_by_id[id])
		return -ESTALE;
	*idx = p->ep_by_id[id] - 1;
	return 0;
}

/* Every id the log names still means what it meant: safe to replay. */
static bool log_valid(struct pass *p, const struct pw_k8s_policy *pol,
		      const struct pw_pol_log *l)
{
	char key[PODWALL_NAMESPACE_MAX + PODWALL_NAME_MAX + 2];
	uint32_t i, idx;

	if (!l->pid)
		return true;
	snprintf(key, sizeof(key), "%s/%s", pol->ns, pol->name);
	if (pw_idmap_peek_str(&p->c->policy_ids, key) != l->pid)
		return false;
	for (i = 0; i < l->eps.n; i++)
		if (ep_index(p, l->eps.v[i], &idx))
			return false;
	for (i = 0; i < l->nr_att; i++)
		if (ep_index(p, l->att[i].ep, &idx))
			return false;
	for (i = 0; i < l->nr_rules; i++) {
		const struct pw_model_rule *r = &l->rules[i].r;

		if (pw_idmap_peek_str(&p->c->rule_ids, l->rules[i].key) != r->id)
			return false;
		if (!(r->flags & PW_RULE_F_ANY_PEER) &&
		    (r->set >= p->c->set_ids.nr_by_id || !p->c->set_ids.keys[r->set]))
			return false;
	}
	return true;
}

/* Adds a cached policy output to the model, as compile_policy() did. */
static int replay_policy(struct pass *p, const struct pw_k8s_policy *pol,
			 const struct pw_pol_log *l)
{
	char key[PODWALL_NAMESPACE_MAX + PODWALL_NAME_MAX + 2];
	uint32_t i, idx = 0;
	unsigned int d;
	int ret;

	if (!l->pid)
		return 0;
	snprintf(key, sizeof(key), "%s/%s", pol->ns, pol->name);
	pw_idmap_str(&p->c->policy_ids, key);	/* marks it used */
	ret = add_policy(p, pol, l->pid);
	for (i = 0; i < l->eps.n && !ret; i++) {
		ret = ep_index(p, l->eps.v[i], &idx);
		for (d = 0; d < __PODWALL_DIR_MAX && !ret; d++) {
			if (!pol->types[d])
				continue;
			p->eps[idx].flags |= d == PODWALL_DIR_INGRESS ?
					     PODWALL_EP_F_ISOLATED_INGRESS :
					     PODWALL_EP_F_ISOLATED_EGRESS;
			ret = pw_vec_push(&p->eps[idx].pols[d], l->pid);
		}
	}
	for (i = 0; i < l->nr_rules && !ret; i++) {
		const struct pw_model_rule *r = &l->rules[i].r;
		struct pw_model_rule *mr;

		pw_idmap_str(&p->c->rule_ids, l->rules[i].key);
		if (!(r->flags & PW_RULE_F_ANY_PEER)) {
			const struct pw_prefixes *content =
				pw_idmap_touch(&p->c->set_ids, r->set);

			ret = content ? add_set(p, r->set, content) : -ESTALE;
			if (ret)
				break;
		}
		ret = seen(&p->rule_seen, &p->nr_rule_seen, r->id);
		if (ret) {
			ret = ret < 0 ? ret : 0;
			continue;
		}
		if (p->m->nr_rules == p->cap_rules) {
			uint32_t nc = p->cap_rules ? p->cap_rules * 2 : 16;
			void *nr = realloc(p->m->rules, nc * sizeof(*mr));

			if (!nr)
				return -ENOMEM;
			p->m->rules = nr;
			p->cap_rules = nc;
		}
		mr = &p->m->rules[p->m->nr_rules++];
		*mr = *r;
		mr->ports = malloc((r->nr_ports ? r->nr_ports : 1) * sizeof(*mr->ports));
		if (!mr->ports) {
			mr->nr_ports = 0;
			return -ENOMEM;
		}
		if (r->nr_ports)
			memcpy(mr->ports, r->ports, r->nr_ports * sizeof(*mr->ports));
		if (r->flags & PW_RULE_F_ANY_PORT) {
			free(mr->ports);
			mr->ports = NULL;
		}
	}
	for (i = 0; i < l->nr_att && !ret; i++) {
		ret = ep_index(p, l->att[i].ep, &idx);
		if (!ret)
			ret = pw_vec_push(&p->eps[idx].rules[l->att[i].dir],
					  l->att[i].rule);
	}
	return ret;
}

/* A policy's output: replayed from the cache, or compiled and cached. */
static int policy_output(struct pass *p, const char *key,
			 const struct pw_k8s_policy *pol)
{
	struct pw_pol_log *l = NULL;
	int ret;

	if (lh_table_lookup_ex(p->c->pcache, key, (void **)&l)) {
		if (log_valid(p, pol, l))
			return replay_policy(p, pol, l);
		lh_table_delete(p->c->pcache, key);
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	p->rec = l;
	p->rec_err = 0;
	ret = compile_policy(p, pol);
	p->rec = NULL;
	if (!ret && !p->rec_err) {
		char *k = strdup(key);

		if (k && !lh_table_insert(p->c->pcache, k, l))
			return 0;
		free(k);
	}
	pw_pol_log_free(l);
	return ret;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

static uint32_t *sorted_unique(struct pw_vec *v, uint32_t *n)
{
	uint32_t i, k = 0, *out;

	if (v->n > 1)
		qsort(v->v, v->n, sizeof(*v->v), cmp_u32);
	for (i = 0; i < v->n; i++)
		if (!k || v->v[k - 1] != v->v[i])
			v->v[k++] = v->v[i];
	*n = k;
	out = v->v;
	memset(v, 0, sizeof(*v));
	return out;
}

struct owner {
	struct pw_addr addr;
	uint32_t ep;			/* index in pass.eps */
	uint32_t slot;			/* index in the pod's IPs */
};

static int cmp_owner(const void *x, const void *y)
{
	const struct owner *a = x, *b = y;
	int c = memcmp(&a->addr, &b->addr, sizeof(a->addr));

	return c ? c : (a->ep > b->ep) - (a->ep < b->ep);
}

/*
 * Two running pods should never share an address, but the API can show
 * it for a moment (an IP freed and reused before the old pod's status is
 * updated). The kernel takes an address on one endpoint only: the endpoint
 * with the lowest id keeps it, the other loses it (bit set in @lost).
 */
static int shared_addrs(struct pass *p, uint16_t *lost)
{
	struct owner *o;
	uint32_t i, j, k, n = 0;

	for (i = 0; i < p->nr_eps; i++)
		n += p->eps[i].pod->nr_ips;
	if (n < 2)
		return 0;
	o = malloc(n * sizeof(*o));
	if (!o)
		return -ENOMEM;
	for (i = 0, n = 0; i < p->nr_eps; i++)
		for (j = 0; j < p->eps[i].pod->nr_ips; j++)
			o[n++] = (struct owner){ p->eps[i].pod->ips[j], i, j };
	qsort(o, n, sizeof(*o), cmp_owner);
	for (i = 1, k = 0; i < n; i++) {
		/* o[k]: the current owner of o[i - 1]'s address. */
		if (memcmp(&o[i].addr, &o[k].addr, sizeof(o[i].addr))) {
			k = i;
			continue;
		}
		j = p->eps[o[i].ep].id > p->eps[o[k].ep].id ? i : k;
		lost[o[j].ep] |= (uint16_t)(1U << o[j].slot);
		if (j == k)
			k = i;
	}
	free(o);
	return 0;
}

static int build_eps(struct pass *p)
{
	struct pw_model *m = p->m;
	uint16_t *lost = calloc(p->nr_eps ? p->nr_eps : 1, sizeof(*lost));
	uint32_t i, j;
	unsigned int d;

	m->eps = calloc(p->nr_eps ? p->nr_eps : 1, sizeof(*m->eps));
	if (!m->eps || !lost || shared_addrs(p, lost)) {
		free(lost);
		return -ENOMEM;
	}
	for (i = 0; i < p->nr_eps; i++) {
		struct cep *ce = &p->eps[i];
		struct pw_model_ep *e = &m->eps[m->nr_eps++];

		e->id = ce->id;
		e->ns = strdup(ce->pod->ns);
		e->name = strdup(ce->pod->name);
		e->flags = ce->flags;
		e->addrs = malloc(ce->pod->nr_ips * sizeof(*e->addrs));
		if (!e->ns || !e->name || !e->addrs) {
			free(lost);
			return -ENOMEM;
		}
		for (j = 0; j < ce->pod->nr_ips; j++)
			if (!(lost[i] & (1U << j)))
				e->addrs[e->nr_addrs++] = ce->pod->ips[j];
		for (d = 0; d < __PODWALL_DIR_MAX; d++) {
			e->rules[d] = sorted_unique(&ce->rules[d], &e->nr_rules[d]);
			e->policies[d] = sorted_unique(&ce->pols[d], &e->nr_policies[d]);
		}
	}
	free(lost);
	return 0;
}

/* Model arrays start with their u32 id. */
static void sort_by_id(void *base, uint32_t n, size_t size)
{
	if (n > 1)
		qsort(base, n, size, cmp_u32);
}

int pw_compiler_compile(struct pw_compiler *c, struct pw_model *out)
{
	struct pass p = { .c = c, .m = out };
	struct lh_entry *e;
	int ret;

	pw_model_init(out);
	pw_idmap_begin(&c->policy_ids);
	pw_idmap_begin(&c->ep_ids);
	pw_idmap_begin(&c->rule_ids);
	pw_idmap_begin(&c->set_ids);
	ret = pass_init(&p);
	if (ret)
		goto out;
	lh_foreach(c->pols, e) {
		ret = policy_output(&p, lh_entry_k(e), lh_entry_v(e));
		if (ret)
			goto out;
	}
	if (c->node_addrs.n) {
		struct pw_prefixes copy;

		ret = pfx_dup(&c->node_addrs, &copy);
		if (!ret)
			ret = intern_set(&p, &copy, &out->node_set);
		if (ret)
			goto out;
	}
	ret = build_eps(&p);
	if (ret)
		goto out;
	sort_by_id(out->policies, out->nr_policies, sizeof(*out->policies));
	sort_by_id(out->sets, out->nr_sets, sizeof(*out->sets));
	sort_by_id(out->rules, out->nr_rules, sizeof(*out->rules));
	sort_by_id(out->eps, out->nr_eps, sizeof(*out->eps));
out:
	pw_idmap_sweep(&c->policy_ids);
	pw_idmap_sweep(&c->ep_ids);
	pw_idmap_sweep(&c->rule_ids);
	pw_idmap_sweep(&c->set_ids);
	pass_release(&p);
	if (ret) {
		/* Ids of unreplayed outputs may have been swept: start over. */
		pw_compiler_forget(c);
		pw_model_free(out);
	}
	return ret;
}
