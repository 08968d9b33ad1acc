// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The model kept between compiles. Each policy's output (a log of stable
 * ids, compile.c) is applied to it once and removed when the policy is
 * recompiled, so an update costs in proportion to what changed: the
 * policies marked dirty by a put or delete (compiler.c) are compiled
 * again, their old outputs removed and the new ones added; a peer set
 * whose prefixes changed puts its new set id into the rules using it
 * (peersets_refresh()); endpoints are built or dropped as their pods come
 * and go. Copying the whole model out (model_out.c) is the only step
 * that costs in proportion to the whole.
 *
 * By id: c->m_pols and c->m_rules point into the applied logs, set_uses
 * counts the applied rules on each set, c->eps holds each endpoint.
 * Addresses held by several endpoints' pods (briefly possible, see
 * owners_redo()) go to the endpoint with the lowest id.
 */
#include <stdlib.h>
#include <string.h>
#include "compiler_int.h"
#include "k8s_err.h"

/* Makes (*a)[id] addressable, zeroing what is new. */
static int grow(void *a, uint32_t *n, uint32_t id, size_t size)
{
	void **arr = a;
	uint32_t nn;
	char *na;

	if (id < *n)
		return 0;
	nn = id * 2 + 64;
	na = realloc(*arr, (size_t)nn * size);
	if (!na)
		return -ENOMEM;
	memset(na + (size_t)*n * size, 0, (size_t)(nn - *n) * size);
	*arr = na;
	*n = nn;
	return 0;
}

void pw_state_changed(struct pw_compiler *c, enum pw_model_kind kind, uint32_t id)
{
	if (!id || c->all_changed)
		return;
	if (grow(&c->chflag[kind], &c->nr_chflag[kind], id, 1) ||
	    (!c->chflag[kind][id] && pw_vec_push(&c->changed[kind], id))) {
		c->all_changed = true;	/* cannot list it: compare everything */
		return;
	}
	c->chflag[kind][id] = 1;
}

int pw_state_ep_touch(struct pw_compiler *c, uint32_t id)
{
	if (grow(&c->eps, &c->nr_eps_by_id, id, sizeof(*c->eps)))
		return -ENOMEM;
	if (c->eps[id].queued)
		return 0;
	if (pw_vec_push(&c->ep_dirty, id))
		return -ENOMEM;
	c->eps[id].queued = true;
	return 0;
}

static void ep_model_free(struct pw_model_ep *m)
{
	if (m)
		pw_model_ep_release(m);
	free(m);
}

static struct pw_model_ep *ep_model(struct pw_compiler *c, uint32_t id)
{
	return id < c->nr_eps_by_id ? c->eps[id].m : NULL;
}

static int apply(struct pw_compiler *c, const struct pw_pol_log *l)
{
	uint32_t pid = l->pol.id, i;
	struct pw_model_ep *m;
	unsigned int d;

	if (!pid)
		return 0;
	if (grow(&c->m_pols, &c->nr_m_pols, pid, sizeof(*c->m_pols)))
		return -ENOMEM;
	c->m_pols[pid] = &l->pol;
	pw_state_changed(c, PW_MODEL_POLICY, pid);
	for (i = 0; i < l->eps.n; i++) {
		pw_state_changed(c, PW_MODEL_EP, l->eps.v[i]);
		m = ep_model(c, l->eps.v[i]);
		for (d = 0; m && d < __PODWALL_DIR_MAX; d++)
			if (l->types[d] &&
			    pw_ids_insert(&m->policies[d], &m->nr_policies[d], pid))
				return -ENOMEM;
	}
	for (i = 0; i < l->nr_rules; i++) {
		const struct pw_model_rule *r = &l->rules[i].r;

		if (grow(&c->m_rules, &c->nr_m_rules, r->id, sizeof(*c->m_rules)) ||
		    grow(&c->set_uses, &c->nr_set_uses, r->set, sizeof(*c->set_uses)))
			return -ENOMEM;
		c->m_rules[r->id] = r;
		pw_state_changed(c, PW_MODEL_RULE, r->id);
		if (r->set && !c->set_uses[r->set]++)
			pw_state_changed(c, PW_MODEL_SET, r->set);
	}
	for (i = 0; i < l->nr_att; i++) {
		pw_state_changed(c, PW_MODEL_EP, l->att[i].ep);
		m = ep_model(c, l->att[i].ep);
		if (m && pw_ids_insert(&m->rules[l->att[i].dir],
				       &m->nr_rules[l->att[i].dir], l->att[i].rule))
			return -ENOMEM;
	}
	return 0;
}

/* Takes out what apply() put in; what a reset already cleared is skipped. */
static void unapply(struct pw_compiler *c, const struct pw_pol_log *l)
{
	uint32_t pid = l->pol.id, i;
	struct pw_model_ep *m;
	unsigned int d;

	if (!pid)
		return;
	if (pid < c->nr_m_pols && c->m_pols[pid] == &l->pol)
		c->m_pols[pid] = NULL;
	pw_state_changed(c, PW_MODEL_POLICY, pid);
	for (i = 0; i < l->eps.n; i++) {
		pw_state_changed(c, PW_MODEL_EP, l->eps.v[i]);
		m = ep_model(c, l->eps.v[i]);
		for (d = 0; m && d < __PODWALL_DIR_MAX; d++)
			if (l->types[d])
				pw_ids_remove(m->policies[d], &m->nr_policies[d], pid);
	}
	for (i = 0; i < l->nr_rules; i++) {
		const struct pw_model_rule *r = &l->rules[i].r;

		if (r->id >= c->nr_m_rules || c->m_rules[r->id] != r)
			continue;
		c->m_rules[r->id] = NULL;
		pw_state_changed(c, PW_MODEL_RULE, r->id);
		if (r->set && !--c->set_uses[r->set])
			pw_state_changed(c, PW_MODEL_SET, r->set);
	}
	for (i = 0; i < l->nr_att; i++) {
		pw_state_changed(c, PW_MODEL_EP, l->att[i].ep);
		m = ep_model(c, l->att[i].ep);
		if (m)
			pw_ids_remove(m->rules[l->att[i].dir],
				      &m->nr_rules[l->att[i].dir], l->att[i].rule);
	}
}

static struct pw_owners *owners_of(struct pw_compiler *c, const struct pw_addr *a)
{
	void *o = NULL;

	lh_table_lookup_ex(c->owners, a, &o);
	return o;
}

/* Queues every endpoint holding @a for owners_redo(). */
static int owners_queue(struct pw_compiler *c, const struct pw_addr *a,
			struct pw_vec *redo)
{
	const struct pw_owners *o = owners_of(c, a);
	uint32_t i;

	for (i = 0; o && i < o->eps.n; i++)
		if (pw_vec_push(redo, o->eps.v[i]))
			return -ENOMEM;
	return 0;
}

static bool pod_has(const struct pw_k8s_pod *pod, const struct pw_addr *a)
{
	uint32_t i;

	for (i = 0; pod && i < pod->nr_ips; i++)
		if (!memcmp(&pod->ips[i], a, sizeof(*a)))
			return true;
	return false;
}

static bool ep_has(const struct pw_ep_state *st, const struct pw_addr *a)
{
	uint32_t i;

	for (i = 0; i < st->nr_ips; i++)
		if (!memcmp(&st->ips[i], a, sizeof(*a)))
			return true;
	return false;
}

/* Registers the pod's addresses of endpoint @id as held by it, and no others. */
static int owners_register(struct pw_compiler *c, uint32_t id,
			   const struct pw_k8s_pod *pod, struct pw_vec *redo)
{
	struct pw_ep_state *st = &c->eps[id];
	struct pw_owners *o;
	uint32_t i;

	for (i = 0; i < st->nr_ips; i++) {
		if (pod_has(pod, &st->ips[i]))
			continue;
		o = owners_of(c, &st->ips[i]);
		if (o && pw_vec_del(&o->eps, id) && !o->eps.n)
			lh_table_delete(c->owners, &o->a);
		else if (owners_queue(c, &st->ips[i], redo))
			return -ENOMEM;
	}
	for (i = 0; pod && i < pod->nr_ips; i++) {
		if (ep_has(st, &pod->ips[i]))
			continue;
		o = owners_of(c, &pod->ips[i]);
		if (!o) {
			o = calloc(1, sizeof(*o));
			if (!o)
				return -ENOMEM;
			o->a = pod->ips[i];
			if (lh_table_insert(c->owners, &o->a, o)) {
				free(o);
				return -ENOMEM;
			}
		}
		if (owners_queue(c, &pod->ips[i], redo) || pw_vec_push(&o->eps, id))
			return -ENOMEM;
	}
	st->nr_ips = pod ? pod->nr_ips : 0;
	if (pod)
		memcpy(st->ips, pod->ips, pod->nr_ips * sizeof(*pod->ips));
	return 0;
}

/*
 * Two running pods should never share an address, but the API can show
 * it for a moment (an IP freed and reused before the old pod's status is
 * updated). The kernel takes an address on one endpoint only: the one
 * with the lowest id keeps it.
 */
static int owners_redo(struct pw_compiler *c, uint32_t id)
{
	struct pw_model_ep *m = ep_model(c, id);
	const struct pw_ep_state *st = &c->eps[id];
	uint32_t i, k;

	if (!m)
		return 0;
	free(m->addrs);
	m->nr_addrs = 0;
	m->addrs = malloc((st->nr_ips ? st->nr_ips : 1) * sizeof(*m->addrs));
	if (!m->addrs)
		return -ENOMEM;
	for (i = 0; i < st->nr_ips; i++) {
		const struct pw_owners *o = owners_of(c, &st->ips[i]);
		uint32_t low = id;

		for (k = 0; o && k < o->eps.n; k++)
			if (o->eps.v[k] < low)
				low = o->eps.v[k];
		if (low == id)
			m->addrs[m->nr_addrs++] = st->ips[i];
	}
	return 0;
}

/* Builds, updates or drops the endpoints touched since the last update. */
static int eps_sync(struct pw_compiler *c)
{
	struct pw_vec redo = { 0 };
	uint32_t i;
	int ret = 0;

	for (i = 0; i < c->ep_dirty.n && !ret; i++) {
		uint32_t id = c->ep_dirty.v[i];
		struct pw_ep_state *st = &c->eps[id];
		const struct pw_k8s_pod *pod = st->slot ? c->slots[st->slot - 1]->pod : NULL;

		st->queued = false;
		pw_state_changed(c, PW_MODEL_EP, id);
		ret = owners_register(c, id, pod, &redo);
		if (ret)
			break;
		if (!pod) {
			ep_model_free(st->m);
			st->m = NULL;
			continue;
		}
		if (!st->m) {
			st->m = calloc(1, sizeof(*st->m));
			if (!st->m)
				ret = -ENOMEM;
			else {
				st->m->id = id;
				st->m->ns = strdup(pod->ns);
				st->m->name = strdup(pod->name);
				if (!st->m->ns || !st->m->name)
					ret = -ENOMEM;
			}
		}
		if (!ret)
			ret = pw_vec_push(&redo, id);
	}
	for (i = 0; i < redo.n && !ret; i++) {
		pw_state_changed(c, PW_MODEL_EP, redo.v[i]);
		ret = owners_redo(c, redo.v[i]);
	}
	pw_vec_release(&redo);
	if (ret)
		return ret;
	c->ep_dirty.n = 0;
	for (i = 0; i < c->ep_unref.n; i++)
		pw_idmap_unref(&c->ep_ids, c->ep_unref.v[i]);
	c->ep_unref.n = 0;
	return 0;
}

/* Rule @r of an applied or pending log now takes set @set. */
static int remap_rule(struct pw_compiler *c, struct pw_model_rule *r, uint32_t set)
{
	bool applied = r->id < c->nr_m_rules && c->m_rules[r->id] == r;

	if (grow(&c->set_uses, &c->nr_set_uses, set, sizeof(*c->set_uses)))
		return -ENOMEM;
	pw_idmap_ref(&c->set_ids, set);
	if (applied) {
		if (!--c->set_uses[r->set])
			pw_state_changed(c, PW_MODEL_SET, r->set);
		if (!c->set_uses[set]++)
			pw_state_changed(c, PW_MODEL_SET, set);
		pw_state_changed(c, PW_MODEL_RULE, r->id);
	}
	pw_idmap_unref(&c->set_ids, r->set);
	r->set = set;
	return 0;
}

static int mark_log(struct pw_compiler *c, const struct pw_pol_log *l)
{
	char key[PODWALL_NAMESPACE_MAX + PODWALL_NAME_MAX + 2];

	snprintf(key, sizeof(key), "%s/%s", l->pol.ns, l->pol.name);
	return pw_compiler_mark(c, key, PW_DIRTY_PEERS);
}

/*
 * At the start of an update: each peer set whose prefixes changed puts its
 * new set id into its users' rules in place. The rule ids stay, so those
 * policies need no recompiling. A set that became or stopped being empty
 * makes or removes rules: those policies are recompiled instead.
 */
static int peersets_refresh(struct pw_compiler *c)
{
	struct lh_entry *e;
	uint32_t i, j, old, set;
	int ret;

	lh_foreach(c->peersets, e) {
		struct pw_peerset *ps = lh_entry_v(e);

		if (!ps->stale)
			continue;
		old = ps->set;
		ret = pw_peerset_set(c, ps, &set);
		if (ret)
			return ret;
		if (old == set)
			continue;
		for (i = 0; i < ps->nr_users; i++) {
			struct pw_pol_log *l = ps->users[i];

			if (!old || !set) {
				ret = mark_log(c, l);
				if (ret)
					return ret;
				continue;
			}
			for (j = 0; j < l->nr_rules; j++) {
				if (l->rules[j].ps != ps || l->rules[j].r.set != old)
					continue;
				ret = remap_rule(c, &l->rules[j].r, set);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

/* Drops the model (not the logs, so ids survive) and marks everything dirty. */
static int state_reset(struct pw_compiler *c)
{
	struct lh_entry *e, *tmp;
	uint32_t i;

	c->all_changed = true;
	if (c->m_pols)
		memset(c->m_pols, 0, c->nr_m_pols * sizeof(*c->m_pols));
	if (c->m_rules)
		memset(c->m_rules, 0, c->nr_m_rules * sizeof(*c->m_rules));
	if (c->set_uses)
		memset(c->set_uses, 0, c->nr_set_uses * sizeof(*c->set_uses));
	lh_foreach_safe(c->owners, e, tmp)
		lh_table_delete_entry(c->owners, e);
	for (i = 0; i < c->nr_eps_by_id; i++) {
		ep_model_free(c->eps[i].m);
		c->eps[i].m = NULL;
		c->eps[i].nr_ips = 0;
		if (c->eps[i].slot && pw_state_ep_touch(c, i))
			return -ENOMEM;
	}
	lh_foreach(c->peersets, e)
		if (pw_peerset_refill(c, lh_entry_v(e)))
			return -ENOMEM;
	lh_foreach(c->pols, e)
		if (pw_compiler_mark(c, lh_entry_k(e), PW_DIRTY_ALL))
			return -ENOMEM;
	return 0;
}

void pw_compiler_forget(struct pw_compiler *c)
{
	c->broken = true;
}

int pw_state_update(struct pw_compiler *c)
{
	struct pw_pol_log **olds = NULL, **news = NULL;
	uint32_t n, i = 0;
	struct pw_pass *pass;
	const char **keys;
	struct lh_entry *e, *tmp;
	int ret;

	if (c->broken) {
		ret = state_reset(c);
		if (ret)
			return ret;
		c->broken = false;
	}
	ret = peersets_refresh(c);
	if (ret) {
		c->broken = true;
		return ret;
	}
	n = (uint32_t)c->dirty->count;
	keys = calloc(n + 1, sizeof(*keys));
	olds = calloc(n + 1, sizeof(*olds));
	news = calloc(n + 1, sizeof(*news));
	pass = pw_pass_new(c);
	ret = keys && olds && news && pass ? 0 : -ENOMEM;
	lh_foreach(c->dirty, e) {
		void *pol = NULL, *old = NULL;

		if (ret)
			break;
		keys[i] = lh_entry_k(e);
		lh_table_lookup_ex(c->pols, keys[i], &pol);
		lh_table_lookup_ex(c->pcache, keys[i], &old);
		olds[i] = old;
		/* Only peers changed: the endpoints it selected still stand. */
		if (pol)
			ret = pw_policy_compile(pass, pol,
						old && (uintptr_t)lh_entry_v(e) == PW_DIRTY_PEERS ?
						&olds[i]->eps : NULL, &news[i]);
		i++;
	}
	pw_pass_free(pass);
	if (ret)
		goto out;	/* nothing applied yet: all still dirty */
	for (i = 0; i < n; i++)
		if (olds[i])
			unapply(c, olds[i]);
	ret = eps_sync(c);
	for (i = 0; i < n && !ret; i++)
		if (news[i])
			ret = apply(c, news[i]);
	for (i = 0; i < n && !ret; i++) {
		char *k = NULL;

		if (news[i]) {
			k = strdup(keys[i]);
			if (!k) {
				ret = -ENOMEM;
				break;
			}
		}
		if (olds[i]) {
			lh_table_delete(c->pcache, keys[i]);
			pw_pol_log_free(c, olds[i]);
			olds[i] = NULL;
		}
		if (news[i] && lh_table_insert(c->pcache, k, news[i])) {
			free(k);
			ret = -ENOMEM;
			break;
		}
		news[i] = NULL;
	}
	if (ret) {
		c->broken = true;	/* rebuilt from the logs next time */
		goto out;
	}
	lh_foreach_safe(c->dirty, e, tmp)
		lh_table_delete_entry(c->dirty, e);
	c->built = true;
out:
	for (i = 0; news && i < n; i++)
		pw_pol_log_free(c, news[i]);
	free(keys);
	free(olds);
	free(news);
	return ret;
}

void pw_state_release(struct pw_compiler *c)
{
	uint32_t i;

	for (i = 0; i < c->nr_eps_by_id; i++)
		ep_model_free(c->eps[i].m);
	free(c->eps);
	free(c->m_pols);
	free(c->m_rules);
	free(c->set_uses);
	for (i = 0; i < 4; i++) {
		pw_vec_release(&c->changed[i]);
		free(c->chflag[i]);
	}
	pw_vec_release(&c->ep_dirty);
	pw_vec_release(&c->ep_unref);
}
