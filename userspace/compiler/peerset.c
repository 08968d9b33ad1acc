// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Peer sets: the prefixes of a rule's peers (selector peers' pod IPs plus
 * ipBlocks minus excepts), one per distinct peers text, shared by every
 * rule with that text and kept up to date as pods and namespaces change.
 * Each prefix carries the number of peers and pods that give it, so a pod
 * joining or leaving costs a search and an insert or removal, not a
 * recount of the cluster. The set id is interned again only when a rule
 * asks for it after a change.
 */
#include <stdlib.h>
#include <string.h>
#include "compiler_int.h"
#include "k8s_err.h"

int pw_addr_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct pw_addr));
}

static uint32_t cnt_find(const struct pw_peerset *ps, const struct pw_addr *a,
			 bool *found)
{
	uint32_t lo = 0, hi = ps->nr;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = pw_addr_cmp(&ps->addrs[mid].a, a);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static int cnt_add(struct pw_peerset *ps, const struct pw_addr *addr)
{
	struct pw_addr a = *addr;
	bool found;
	uint32_t i;

	pw_addr_mask(&a);
	i = cnt_find(ps, &a, &found);
	if (found) {
		ps->addrs[i].n++;
		return 0;
	}
	if (pw_array_room(&ps->addrs, ps->nr, &ps->cap, sizeof(*ps->addrs)))
		return -ENOMEM;
	memmove(ps->addrs + i + 1, ps->addrs + i, (ps->nr - i) * sizeof(*ps->addrs));
	ps->addrs[i].a = a;
	ps->addrs[i].n = 1;
	ps->nr++;
	return 0;
}

static void cnt_del(struct pw_peerset *ps, const struct pw_addr *addr)
{
	struct pw_addr a = *addr;
	bool found;
	uint32_t i;

	pw_addr_mask(&a);
	i = cnt_find(ps, &a, &found);
	if (!found || --ps->addrs[i].n)
		return;
	memmove(ps->addrs + i, ps->addrs + i + 1, (ps->nr - i - 1) * sizeof(*ps->addrs));
	ps->nr--;
}

static int ips_add(struct pw_peerset *ps, const struct pw_k8s_pod *pod)
{
	uint32_t i;

	for (i = 0; i < pod->nr_ips; i++)
		if (cnt_add(ps, &pod->ips[i]))
			return -ENOMEM;
	return 0;
}

static void ips_del(struct pw_peerset *ps, const struct pw_k8s_pod *pod)
{
	uint32_t i;

	for (i = 0; i < pod->nr_ips; i++)
		cnt_del(ps, &pod->ips[i]);
}

static bool same_ips(const struct pw_k8s_pod *a, const struct pw_k8s_pod *b)
{
	return a->nr_ips == b->nr_ips &&
	       !memcmp(a->ips, b->ips, a->nr_ips * sizeof(*a->ips));
}

static void ps_release(struct pw_peerset *ps)
{
	uint32_t i;

	for (i = 0; i < ps->nr_peers; i++) {
		if (ps->peers[i].pod_sel)
			pw_k8s_selector_release(ps->peers[i].pod_sel);
		if (ps->peers[i].ns_sel)
			pw_k8s_selector_release(ps->peers[i].ns_sel);
		free(ps->peers[i].pod_sel);
		free(ps->peers[i].ns_sel);
		free(ps->peers[i].except);
	}
	free(ps->peers);
	free(ps->users);
	free(ps->addrs);
	free(ps->ns);
	free(ps->key);
	free(ps);
}

void pw_peerset_free(struct lh_entry *e)
{
	ps_release(lh_entry_v(e));
}

static int sel_dup(const struct pw_k8s_selector *src,
		   struct pw_k8s_selector **dst)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = malloc(sizeof(**dst));
	if (!*dst || pw_k8s_selector_dup(src, *dst)) {
		free(*dst);
		*dst = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Counts every prefix the peers give now: a sort, then equal runs merged. */
static int ps_fill(struct pw_compiler *c, struct pw_peerset *ps)
{
	struct pw_prefixes pf = { 0 };
	struct lh_entry *e;
	uint32_t i, k, cap = 0;
	int ret = 0;

	for (i = 0; i < ps->nr_peers && !ret; i++)
		if (ps->peers[i].is_block)
			ret = pw_block_expand(&ps->peers[i].cidr, ps->peers[i].except,
					      ps->peers[i].nr_except, &pf, &cap);
	lh_foreach(c->cnss, e) {
		struct pw_cns *ns = lh_entry_v(e);

		for (i = 0; i < ps->nr_peers && !ret; i++) {
			const struct pw_k8s_peer *peer = &ps->peers[i];

			if (peer->is_block)
				continue;
			if (peer->ns_sel ? !pw_k8s_selector_matches(peer->ns_sel, ns->labels) :
					   strcmp(ns->name, ps->ns))
				continue;
			for (k = 0; k < ns->pods.n && !ret; k++) {
				const struct pw_k8s_pod *pod = c->slots[ns->pods.v[k]]->pod;
				uint32_t j;

				if (peer->pod_sel &&
				    !pw_k8s_selector_matches(peer->pod_sel, pod->labels))
					continue;
				for (j = 0; j < pod->nr_ips && !ret; j++)
					ret = pw_prefixes_add(&pf, &cap, &pod->ips[j]);
			}
		}
	}
	if (!ret && pf.n) {
		ps->addrs = malloc(pf.n * sizeof(*ps->addrs));
		if (!ps->addrs)
			ret = -ENOMEM;
	}
	if (!ret && pf.n) {
		qsort(pf.a, pf.n, sizeof(*pf.a), pw_addr_cmp);
		for (i = 0; i < pf.n; i++) {
			if (ps->nr && !pw_addr_cmp(&ps->addrs[ps->nr - 1].a, &pf.a[i])) {
				ps->addrs[ps->nr - 1].n++;
				continue;
			}
			ps->addrs[ps->nr].a = pf.a[i];
			ps->addrs[ps->nr++].n = 1;
		}
		ps->cap = pf.n;
	}
	free(pf.a);
	return ret;
}

static int add_user(struct pw_peerset *ps, struct pw_pol_log *user)
{
	if (pw_array_room(&ps->users, ps->nr_users, &ps->cap_users, sizeof(*ps->users)))
		return -ENOMEM;
	ps->users[ps->nr_users++] = user;
	return 0;
}

int pw_peerset_get(struct pw_compiler *c, const char *key,
		   const struct pw_k8s_policy *pol, const struct pw_k8s_rule *r,
		   struct pw_pol_log *user, struct pw_peerset **out)
{
	struct pw_peerset *ps = NULL;
	uint32_t i;
	int ret;

	if (key && lh_table_lookup_ex(c->peersets, key, (void **)&ps)) {
		if (add_user(ps, user))
			return -ENOMEM;
		*out = ps;
		return 0;
	}
	ps = calloc(1, sizeof(*ps));
	if (!ps || add_user(ps, user)) {
		free(ps);
		return -ENOMEM;
	}
	ps->stale = true;
	if (key)
		ps->key = strdup(key);
	else if (asprintf(&ps->key, "\n%u", ++c->stamp) < 0)	/* unshared */
		ps->key = NULL;
	ps->ns = strdup(pol->ns);
	ps->peers = calloc(r->nr_peers ? r->nr_peers : 1, sizeof(*ps->peers));
	if (!ps->key || !ps->ns || !ps->peers) {
		ps_release(ps);
		return -ENOMEM;
	}
	for (i = 0; i < r->nr_peers; i++) {
		const struct pw_k8s_peer *p = &r->peers[i];
		struct pw_k8s_peer *q = &ps->peers[ps->nr_peers++];

		q->is_block = p->is_block;
		q->cidr = p->cidr;
		q->nr_except = p->nr_except;
		q->except = malloc((p->nr_except ? p->nr_except : 1) * sizeof(*q->except));
		if (q->except && p->nr_except)
			memcpy(q->except, p->except, p->nr_except * sizeof(*q->except));
		if (!q->except || sel_dup(p->pod_sel, &q->pod_sel) ||
		    sel_dup(p->ns_sel, &q->ns_sel)) {
			ps_release(ps);
			return -ENOMEM;
		}
	}
	ret = ps_fill(c, ps);
	if (!ret && lh_table_insert(c->peersets, ps->key, ps))
		ret = -ENOMEM;
	if (ret) {
		ps_release(ps);
		return ret;
	}
	*out = ps;
	return 0;
}

int pw_peerset_refill(struct pw_compiler *c, struct pw_peerset *ps)
{
	free(ps->addrs);
	ps->addrs = NULL;
	ps->nr = ps->cap = 0;
	ps->stale = true;
	return ps_fill(c, ps);
}

void pw_peerset_put(struct pw_compiler *c, struct pw_peerset *ps,
		    struct pw_pol_log *user)
{
	uint32_t i;

	for (i = 0; i < ps->nr_users; i++)
		if (ps->users[i] == user) {
			ps->users[i] = ps->users[--ps->nr_users];
			break;
		}
	if (ps->nr_users)
		return;
	pw_idmap_unref(&c->set_ids, ps->set);
	lh_table_delete(c->peersets, ps->key);	/* frees it */
}

int pw_peerset_set(struct pw_compiler *c, struct pw_peerset *ps, uint32_t *set)
{
	const struct pw_prefixes *stored;
	struct pw_prefixes pf = { 0 };
	uint32_t i, id = 0;

	if (ps->stale && ps->nr) {
		pf.a = malloc(ps->nr * sizeof(*pf.a));
		if (!pf.a)
			return -ENOMEM;
		for (i = 0; i < ps->nr; i++)
			pf.a[i] = ps->addrs[i].a;
		pf.n = ps->nr;
		id = pw_idmap_ref_prefixes(&c->set_ids, &pf, &stored);
		if (!id)
			return -ENOMEM;
	}
	if (ps->stale) {
		pw_idmap_unref(&c->set_ids, ps->set);
		ps->set = id;
		ps->stale = false;
	}
	*set = ps->set;
	return 0;
}

int pw_peersets_pod(struct pw_compiler *c, const struct pw_slot *old,
		    const struct pw_slot *new, json_object *ns_labels)
{
	bool same = old && new && same_ips(old->pod, new->pod);
	struct lh_entry *e;
	uint32_t i;

	lh_foreach(c->peersets, e) {
		struct pw_peerset *ps = lh_entry_v(e);

		for (i = 0; i < ps->nr_peers; i++) {
			bool to = pw_peer_takes(&ps->peers[i], ps->ns, old, ns_labels);
			bool tn = pw_peer_takes(&ps->peers[i], ps->ns, new, ns_labels);

			if ((!to && !tn) || (to && tn && same))
				continue;
			if (to)
				ips_del(ps, old->pod);
			if (tn && ips_add(ps, new->pod))
				return -ENOMEM;
			ps->stale = true;
		}
	}
	return 0;
}

int pw_peersets_ns(struct pw_compiler *c, struct pw_cns *ns, json_object *old)
{
	struct lh_entry *e;
	uint32_t i, k;

	lh_foreach(c->peersets, e) {
		struct pw_peerset *ps = lh_entry_v(e);

		for (i = 0; i < ps->nr_peers; i++) {
			const struct pw_k8s_peer *peer = &ps->peers[i];
			bool mo, mn;

			if (!peer->ns_sel)
				continue;
			mo = pw_k8s_selector_matches(peer->ns_sel, old);
			mn = pw_k8s_selector_matches(peer->ns_sel, ns->labels);
			if (mo == mn)
				continue;
			for (k = 0; k < ns->pods.n; k++) {
				const struct pw_k8s_pod *pod = c->slots[ns->pods.v[k]]->pod;

				if (peer->pod_sel &&
				    !pw_k8s_selector_matches(peer->pod_sel, pod->labels))
					continue;
				if (mo)
					ips_del(ps, pod);
				else if (ips_add(ps, pod))
					return -ENOMEM;
				ps->stale = true;
			}
		}
	}
	return 0;
}
