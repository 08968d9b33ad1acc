// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * One policy's output: every rule of DESIGN.md "Semantics" applied to the
 * current world, as a log of stable ids (struct pw_pol_log) that
 * model_state.c adds to and removes from the model.
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
 * Rule peer sets are kept across compiles (peerset.c). Within one update,
 * selector results and egress named-port resolutions are cached by the
 * text of the selectors involved, so a selector repeated by many policies
 * is evaluated once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "compiler_int.h"
#include "k8s_err.h"

struct pw_pass {
	struct pw_compiler *c;
	struct lh_table *sel_cache;	/* selector text -> struct pw_vec of slots */
	struct lh_table *egress_cache;	/* peers + port names -> egress_res */
	struct pw_pol_log *log;		/* output of the policy being compiled */
	struct pw_peerset *ps;		/* the peer set of the rule being compiled */
};

/* What egress_named() found for one peers text and set of port names. */
struct egress_res {
	uint32_t n;
	struct pw_port_range *ports;
	uint32_t *sets;			/* one reference each, held by the pass */
};

static void free_cache_entry(struct lh_entry *e)
{
	struct pw_vec *v = lh_entry_v(e);

	free((void *)lh_entry_k(e));
	pw_vec_release(v);
	free(v);
}

static void free_egress_entry(struct lh_entry *e)
{
	struct egress_res *res = lh_entry_v(e);

	free((void *)lh_entry_k(e));
	free(res->ports);
	free(res->sets);
	free(res);
}

struct pw_pass *pw_pass_new(struct pw_compiler *c)
{
	struct pw_pass *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->c = c;
	p->sel_cache = lh_kchar_table_new(256, free_cache_entry);
	p->egress_cache = lh_kchar_table_new(64, free_egress_entry);
	if (!p->sel_cache || !p->egress_cache) {
		pw_pass_free(p);
		return NULL;
	}
	return p;
}

void pw_pass_free(struct pw_pass *p)
{
	struct lh_entry *e;
	uint32_t i;

	if (!p)
		return;
	if (p->sel_cache)
		lh_table_free(p->sel_cache);
	if (p->egress_cache) {
		lh_foreach(p->egress_cache, e) {
			const struct egress_res *res = lh_entry_v(e);

			for (i = 0; i < res->n; i++)
				pw_idmap_unref(&p->c->set_ids, res->sets[i]);
		}
		lh_table_free(p->egress_cache);
	}
	free(p);
}

void pw_pol_log_free(struct pw_compiler *c, struct pw_pol_log *log)
{
	uint32_t i;

	if (!log)
		return;
	for (i = 0; i < log->nr_rules; i++) {
		if (c) {
			pw_idmap_unref(&c->rule_ids, log->rules[i].r.id);
			pw_idmap_unref(&c->set_ids, log->rules[i].r.set);
		}
		free(log->rules[i].key);
		free(log->rules[i].r.ports);
	}
	for (i = 0; c && i < log->nr_ps; i++)
		pw_peerset_put(c, log->ps[i], log);
	if (c)
		pw_idmap_unref(&c->policy_ids, log->pol.id);
	free(log->pol.ns);
	free(log->pol.name);
	free(log->rules);
	free(log->att);
	free(log->ps);
	pw_vec_release(&log->eps);
	free(log);
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

/* Interns @pf (consumed) as a set with one reference for the caller; 0 if empty. */
static int intern_set(struct pw_compiler *c, struct pw_prefixes *pf, uint32_t *out)
{
	const struct pw_prefixes *stored = NULL;

	*out = 0;
	if (!pf->n) {
		free(pf->a);
		pf->a = NULL;
		return 0;
	}
	pw_prefixes_normalise(pf);
	*out = pw_idmap_ref_prefixes(&c->set_ids, pf, &stored);
	return *out ? 0 : -ENOMEM;
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
	bool from_ps;			/* @set is the rule's peer set */
};

/* Adds the rule to the log (once) and returns its id, 0 if it admits nothing. */
static int emit_rule(struct pw_pass *p, const struct emit *e, uint32_t *out)
{
	struct pw_pol_log *l = p->log;
	struct pw_pol_rule *pr;
	struct pw_model_rule *r;
	char key[2048];
	uint32_t i;

	*out = 0;
	if (!e->any_peer && !e->set)
		return 0;
	snprintf(key, sizeof(key), "%u/%u/%u/%s", e->policy, e->dir, e->index,
		 e->variant);
	for (i = 0; i < l->nr_rules; i++)
		if (!strcmp(l->rules[i].key, key)) {
			*out = l->rules[i].r.id;
			return 0;
		}
	if (pw_array_room(&l->rules, l->nr_rules, &l->cap_rules, sizeof(*l->rules)))
		return -ENOMEM;
	pr = &l->rules[l->nr_rules];
	memset(pr, 0, sizeof(*pr));
	r = &pr->r;
	pr->key = strdup(key);
	if (!pr->key)
		return -ENOMEM;
	if (!e->any_port) {
		r->ports = malloc((e->nr_ports ? e->nr_ports : 1) * sizeof(*r->ports));
		if (!r->ports) {
			free(pr->key);
			return -ENOMEM;
		}
		r->nr_ports = e->nr_ports;
		memcpy(r->ports, e->ports, e->nr_ports * sizeof(*r->ports));
	}
	r->id = pw_idmap_ref_str(&p->c->rule_ids, key);
	if (!r->id) {
		free(pr->key);
		free(r->ports);
		return -ENOMEM;
	}
	r->policy = e->policy;
	r->index = e->index;
	r->dir = e->dir;
	r->set = e->any_peer ? 0 : e->set;
	pw_idmap_ref(&p->c->set_ids, r->set);
	pr->ps = e->from_ps && !e->any_peer ? p->ps : NULL;
	if (e->any_peer)
		r->flags |= PW_RULE_F_ANY_PEER;
	if (e->any_port)
		r->flags |= PW_RULE_F_ANY_PORT;
	l->nr_rules++;
	*out = r->id;
	return 0;
}

static int att(struct pw_pass *p, uint32_t ep, uint8_t dir, uint32_t rule)
{
	struct pw_pol_log *l = p->log;

	if (pw_array_room(&l->att, l->nr_att, &l->cap_att, sizeof(*l->att)))
		return -ENOMEM;
	l->att[l->nr_att++] = (struct pw_pol_att){ ep, rule, dir };
	return 0;
}

static int attach(struct pw_pass *p, const struct pw_vec *eps, uint8_t dir,
		  uint32_t rule)
{
	uint32_t i;
	int ret;

	if (!rule)
		return 0;
	for (i = 0; i < eps->n; i++) {
		ret = att(p, eps->v[i], dir, rule);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct pw_k8s_pod *ep_pod(struct pw_compiler *c, uint32_t ep)
{
	return c->slots[c->eps[ep].slot - 1]->pod;
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
 * The active pods a selector peer picks (slot indexes), cached per pass
 * by the selectors' text. NULL on allocation failure.
 */
static const struct pw_vec *peer_pods(struct pw_pass *p,
				      const struct pw_k8s_policy *pol,
				      const struct pw_k8s_peer *peer)
{
	char ks[4096], kn[4096], *key;
	struct pw_vec *v = NULL;
	struct lh_entry *e;
	uint32_t k;

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
	lh_foreach(p->c->cnss, e) {
		const struct pw_cns *ns = lh_entry_v(e);

		if (peer->ns_sel ? !pw_k8s_selector_matches(peer->ns_sel, ns->labels) :
				   strcmp(ns->name, pol->ns))
			continue;
		for (k = 0; k < ns->pods.n; k++) {
			const struct pw_k8s_pod *pod = p->c->slots[ns->pods.v[k]]->pod;

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
	if (!key && asprintf(&key, "\n%u", ++p->c->stamp) < 0)	/* unshared */
		key = NULL;
	if (!key || lh_table_insert(p->sel_cache, key, v)) {
		pw_vec_release(v);
		free(v);
		free(key);
		return NULL;
	}
	return v;
}

static int log_ps(struct pw_pol_log *l, struct pw_peerset *ps)
{
	if (pw_array_room(&l->ps, l->nr_ps, &l->cap_ps, sizeof(*l->ps)))
		return -ENOMEM;
	l->ps[l->nr_ps++] = ps;
	return 0;
}

/* The rule's peer set id (0: empty), from the shared, kept peer sets. */
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

static int rule_peer_set(struct pw_pass *p, const struct pw_k8s_policy *pol,
			 const struct pw_k8s_rule *r, uint32_t *set)
{
	char *key = peers_key(pol, r);
	struct pw_peerset *ps;
	int ret;

	ret = pw_peerset_get(p->c, key, pol, r, p->log, &ps);
	free(key);
	if (ret)
		return ret;
	ret = log_ps(p->log, ps);
	if (ret) {
		pw_peerset_put(p->c, ps, p->log);
		return ret;
	}
	p->ps = ps;
	return pw_peerset_set(p->c, ps, set);
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

/* Adds the IPs of slot @i that are peers (@all: every IP) to its variants. */
static int egress_candidate(struct pw_pass *p, const struct pw_k8s_rule *r,
			    uint32_t i, bool all, struct variant **vs,
			    uint32_t *nv)
{
	struct pw_slot *s = p->c->slots[i];
	const struct pw_k8s_pod *pod = s->pod;
	struct pw_port_range res[64];
	uint32_t j, k, v, n;

	if (s->stamp == p->c->stamp)
		return 0;	/* already taken */
	s->stamp = p->c->stamp;
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

static int egress_resolve(struct pw_pass *p, const struct pw_k8s_policy *pol,
			  const struct pw_k8s_rule *r, struct egress_res *res)
{
	struct variant *vs = NULL;
	uint32_t nv = 0, i, k, v;
	bool blocks = false;
	int ret = 0;

	p->c->stamp++;
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
	for (i = 0; (r->any_peer || blocks) && i < p->c->nr_slots && !ret; i++)
		if (p->c->slots[i] && p->c->slots[i]->active)
			ret = egress_candidate(p, r, i, r->any_peer, &vs, &nv);
	res->ports = calloc(nv ? nv : 1, sizeof(*res->ports));
	res->sets = calloc(nv ? nv : 1, sizeof(*res->sets));
	if (!res->ports || !res->sets)
		ret = ret ? ret : -ENOMEM;
	for (v = 0; v < nv; v++) {
		if (!ret)
			ret = intern_set(p->c, &vs[v].peers, &res->sets[res->n]);
		if (!ret)
			res->ports[res->n++] = vs[v].port;
		free(vs[v].peers.a);
	}
	free(vs);
	return ret;
}

static void egress_res_free(struct pw_pass *p, struct egress_res *res)
{
	uint32_t i;

	for (i = 0; i < res->n; i++)
		pw_idmap_unref(&p->c->set_ids, res->sets[i]);
	free(res->ports);
	free(res->sets);
	free(res);
}

/*
 * Egress named ports resolve on the remote pod: one rule per resolved
 * number, its peers the pods (of the rule's peers) serving the name there.
 * Cached per pass by peers text and port names.
 */
static int egress_named(struct pw_pass *p, const struct pw_k8s_policy *pol,
			uint32_t pid, uint32_t index, const struct pw_k8s_rule *r,
			const struct pw_vec *eps)
{
	char *pk = peers_key(pol, r), *key = NULL;
	struct egress_res *res = NULL;
	bool cached = false;
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
	if (key && lh_table_lookup_ex(p->egress_cache, key, (void **)&res)) {
		free(key);
		cached = true;
	} else {
		res = calloc(1, sizeof(*res));
		if (!res) {
			free(key);
			return -ENOMEM;
		}
		ret = egress_resolve(p, pol, r, res);
		if (!ret && key && !lh_table_insert(p->egress_cache, key, res))
			cached = true;
		else
			free(key);
	}
	for (i = 0; i < res->n && !ret; i++) {
		char variant[64];
		struct emit e = { pid, PODWALL_DIR_EGRESS, index, variant, false,
				  res->sets[i], &res->ports[i], 1, false, false };
		uint32_t rid;

		snprintf(variant, sizeof(variant), "e%u:%u-%u", res->ports[i].proto,
			 res->ports[i].first, res->ports[i].last);
		ret = emit_rule(p, &e, &rid);
		if (!ret)
			ret = attach(p, eps, PODWALL_DIR_EGRESS, rid);
	}
	if (!cached)
		egress_res_free(p, res);
	return ret;
}

/* Ingress named ports resolve on each selected pod: one rule per answer. */
static int ingress_named(struct pw_pass *p, uint32_t pid, uint32_t index,
			 const struct pw_k8s_rule *r, uint32_t set,
			 const struct pw_vec *eps)
{
	struct pw_port_range res[64];
	uint32_t i;
	int ret;

	for (i = 0; i < eps->n; i++) {
		uint32_t n = resolve_names(r, ep_pod(p->c, eps->v[i]), res, 64), rid;
		char variant[1024];
		struct emit e = { pid, PODWALL_DIR_INGRESS, index, variant,
				  r->any_peer, set, res, n, false, true };

		if (!n)
			continue;	/* resolves nowhere: opens nothing */
		variant[0] = 'i';
		ports_sig(res, n, variant + 1, sizeof(variant) - 1);
		ret = emit_rule(p, &e, &rid);
		if (!ret && rid)
			ret = att(p, eps->v[i], PODWALL_DIR_INGRESS, rid);
		if (ret)
			return ret;
	}
	return 0;
}

static int compile_rule(struct pw_pass *p, const struct pw_k8s_policy *pol,
			uint32_t pid, uint8_t dir, uint32_t index,
			const struct pw_vec *eps)
{
	const struct pw_k8s_rule *r = &pol->rules[dir][index];
	struct pw_port_range *num = NULL;
	uint32_t i, nr_num = 0, rid, set = 0;
	bool named = false;
	int ret;

	p->ps = NULL;
	if (!r->any_peer) {
		ret = rule_peer_set(p, pol, r, &set);
		if (ret)
			goto out;
	}
	if (r->any_port) {
		struct emit e = { pid, dir, index, "*", r->any_peer, set, NULL, 0, true, true };

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
				  nr_num, false, true };

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

static int compile_policy(struct pw_pass *p, const struct pw_k8s_policy *pol,
			  const struct pw_vec *eps)
{
	char key[PODWALL_NAMESPACE_MAX + PODWALL_NAME_MAX + 2];
	struct pw_pol_log *l = p->log;
	struct pw_cns *ns = NULL;
	uint32_t i;
	unsigned int d;
	int ret = 0;

	if (eps)
		for (i = 0; i < eps->n; i++)
			if (pw_vec_push(&l->eps, eps->v[i]))
				return -ENOMEM;
	if (!eps)
		lh_table_lookup_ex(p->c->cnss, pol->ns, (void **)&ns);
	for (i = 0; ns && i < ns->pods.n; i++) {
		const struct pw_slot *s = p->c->slots[ns->pods.v[i]];

		if (s->ep && pw_k8s_selector_matches(&pol->pod_sel, s->pod->labels) &&
		    pw_vec_push(&l->eps, s->ep))
			return -ENOMEM;
	}
	if (!l->eps.n)
		return 0;	/* selects nothing here */
	snprintf(key, sizeof(key), "%s/%s", pol->ns, pol->name);
	l->pol.id = pw_idmap_ref_str(&p->c->policy_ids, key);
	if (!l->pol.id)
		return -ENOMEM;
	for (d = 0; d < __PODWALL_DIR_MAX && !ret; d++) {
		if (!pol->types[d])
			continue;
		for (i = 0; i < pol->nr_rules[d] && !ret; i++)
			ret = compile_rule(p, pol, l->pol.id, (uint8_t)d, i, &l->eps);
	}
	return ret;
}

int pw_policy_compile(struct pw_pass *p, const struct pw_k8s_policy *pol,
		      const struct pw_vec *eps, struct pw_pol_log **out)
{
	struct pw_pol_log *l = calloc(1, sizeof(*l));
	int ret;

	*out = NULL;
	if (!l)
		return -ENOMEM;
	memcpy(l->types, pol->types, sizeof(l->types));
	l->pol.ns = strdup(pol->ns);
	l->pol.name = strdup(pol->name);
	p->log = l;
	ret = l->pol.ns && l->pol.name ? compile_policy(p, pol, eps) : -ENOMEM;
	p->log = NULL;
	if (ret) {
		pw_pol_log_free(p->c, l);
		return ret;
	}
	*out = l;
	return 0;
}

bool pw_peer_takes(const struct pw_k8s_peer *peer, const char *pol_ns,
		   const struct pw_slot *s, json_object *ns_labels)
{
	if (!s || !s->active || peer->is_block)
		return false;
	if (peer->ns_sel ? !pw_k8s_selector_matches(peer->ns_sel, ns_labels) :
			   strcmp(s->pod->ns, pol_ns))
		return false;
	return !peer->pod_sel || pw_k8s_selector_matches(peer->pod_sel, s->pod->labels);
}

static bool same_cports(const struct pw_k8s_pod *a, const struct pw_k8s_pod *b)
{
	uint32_t i;

	if (a->nr_cports != b->nr_cports)
		return false;
	for (i = 0; i < a->nr_cports; i++) {
		const struct pw_k8s_cport *x = &a->cports[i], *y = &b->cports[i];

		if (x->port != y->port || x->proto != y->proto || !x->name != !y->name ||
		    (x->name && strcmp(x->name, y->name)))
			return false;
	}
	return true;
}

/* Do the two versions look alike to every rule but through their labels? */
static bool same_but_labels(const struct pw_slot *a, const struct pw_slot *b)
{
	return a && b && a->active == b->active && !a->ep == !b->ep &&
	       a->pod->nr_ips == b->pod->nr_ips &&
	       !memcmp(a->pod->ips, b->pod->ips, a->pod->nr_ips * sizeof(*a->pod->ips)) &&
	       same_cports(a->pod, b->pod);
}

bool pw_pod_same(const struct pw_slot *a, const struct pw_slot *b)
{
	return same_but_labels(a, b) && json_object_equal(a->pod->labels, b->pod->labels);
}

static bool selects(const struct pw_k8s_policy *pol, const struct pw_slot *s)
{
	return s && s->ep && !strcmp(pol->ns, s->pod->ns) &&
	       pw_k8s_selector_matches(&pol->pod_sel, s->pod->labels);
}

unsigned int pw_policy_depends_on_pod(const struct pw_k8s_policy *pol,
				      const struct pw_slot *old,
				      const struct pw_slot *new, json_object *ns_labels)
{
	bool same = same_but_labels(old, new);
	bool so = selects(pol, old), sn = selects(pol, new);
	uint32_t i, j;

	/* Selection, and named ports resolved on the selected pods. */
	if (so != sn || ((so || sn) && !same))
		return PW_DIRTY_ALL;
	/*
	 * Peer sets follow pods by themselves (peerset.c). Egress named ports
	 * resolve on the peer pods, inside blocks too, or on any pod.
	 */
	for (i = 0; i < pol->nr_rules[PODWALL_DIR_EGRESS]; i++) {
		const struct pw_k8s_rule *r = &pol->rules[PODWALL_DIR_EGRESS][i];
		bool named = false, wide = r->any_peer;

		for (j = 0; j < r->nr_ports; j++)
			named |= r->ports[j].name != NULL;
		if (!named)
			continue;
		for (j = 0; j < r->nr_peers; j++) {
			bool to = pw_peer_takes(&r->peers[j], pol->ns, old, ns_labels);
			bool tn = pw_peer_takes(&r->peers[j], pol->ns, new, ns_labels);

			wide |= r->peers[j].is_block;
			if (to != tn || ((to || tn) && !same))
				return PW_DIRTY_PEERS;
		}
		if (wide && !same && ((old && old->active) || (new && new->active)))
			return PW_DIRTY_PEERS;
	}
	return 0;
}

bool pw_policy_depends_on_ns(const struct pw_k8s_policy *pol, json_object *old,
			     json_object *new)
{
	uint32_t i, j;

	/* As for pods: only egress named ports look at the peers themselves. */
	for (i = 0; i < pol->nr_rules[PODWALL_DIR_EGRESS]; i++) {
		const struct pw_k8s_rule *r = &pol->rules[PODWALL_DIR_EGRESS][i];
		bool named = false;

		for (j = 0; j < r->nr_ports; j++)
			named |= r->ports[j].name != NULL;
		for (j = 0; named && j < r->nr_peers; j++)
			if (r->peers[j].ns_sel &&
			    pw_k8s_selector_matches(r->peers[j].ns_sel, old) !=
			    pw_k8s_selector_matches(r->peers[j].ns_sel, new))
				return true;
	}
	return false;
}
