// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The model handed out: a whole copy (pw_compiler_compile()), or the
 * caller's previous model brought up to date in place, rewriting only the
 * objects whose ids changed since (pw_compiler_compile_into()). Each kind
 * of object is one sorted array; an update merges the array with the
 * sorted list of changed ids in one pass. The versions an update replaces
 * or removes are freed, or handed to the caller (@was) when it still needs
 * them, e.g. to send a changed set as its difference from the live one.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "compiler_int.h"
#include "k8s_err.h"

static int dup_arr(void *dst, const void *src, size_t n, size_t size)
{
	void **d = dst;

	*d = NULL;
	if (!n)
		return 0;
	*d = malloc(n * size);
	if (!*d)
		return -ENOMEM;
	memcpy(*d, src, n * size);
	return 0;
}

/* One kind of model object, as the merge sees it. */
struct kind {
	size_t size;
	size_t arr, nr;			/* offsets of the array and count in pw_model */
	uint32_t (*ids)(const struct pw_compiler *c);	/* ids are below this */
	bool (*present)(const struct pw_compiler *c, uint32_t id);
	int (*copy)(const struct pw_compiler *c, uint32_t id, void *obj);
	void (*release)(void *obj);
};

static uint32_t pol_ids(const struct pw_compiler *c)
{
	return c->nr_m_pols;
}

static bool pol_present(const struct pw_compiler *c, uint32_t id)
{
	return id < c->nr_m_pols && c->m_pols[id];
}

static int pol_copy(const struct pw_compiler *c, uint32_t id, void *obj)
{
	struct pw_model_policy *p = obj;

	p->id = id;
	p->ns = strdup(c->m_pols[id]->ns);
	p->name = strdup(c->m_pols[id]->name);
	return p->ns && p->name ? 0 : -ENOMEM;
}

static void pol_release(void *obj)
{
	struct pw_model_policy *p = obj;

	free(p->ns);
	free(p->name);
}

static uint32_t set_ids(const struct pw_compiler *c)
{
	return c->set_ids.nr_by_id;
}

static bool set_present(const struct pw_compiler *c, uint32_t id)
{
	return id < c->set_ids.nr_by_id && c->set_ids.keys[id] &&
	       ((id < c->nr_set_uses && c->set_uses[id]) || id == c->node_set);
}

static int set_copy(const struct pw_compiler *c, uint32_t id, void *obj)
{
	const struct pw_prefixes *pf = c->set_ids.keys[id];
	struct pw_model_set *s = obj;

	s->id = id;
	s->nr_prefixes = pf->n;
	return dup_arr(&s->prefixes, pf->a, pf->n, sizeof(*pf->a));
}

static void set_release(void *obj)
{
	free(((struct pw_model_set *)obj)->prefixes);
}

static uint32_t rule_ids(const struct pw_compiler *c)
{
	return c->nr_m_rules;
}

static bool rule_present(const struct pw_compiler *c, uint32_t id)
{
	return id < c->nr_m_rules && c->m_rules[id];
}

static int rule_copy(const struct pw_compiler *c, uint32_t id, void *obj)
{
	struct pw_model_rule *r = obj;

	*r = *c->m_rules[id];
	return dup_arr(&r->ports, c->m_rules[id]->ports, r->nr_ports, sizeof(*r->ports));
}

static void rule_release(void *obj)
{
	free(((struct pw_model_rule *)obj)->ports);
}

static uint32_t ep_ids(const struct pw_compiler *c)
{
	return c->nr_eps_by_id;
}

static bool ep_present(const struct pw_compiler *c, uint32_t id)
{
	return id < c->nr_eps_by_id && c->eps[id].m;
}

static int ep_copy(const struct pw_compiler *c, uint32_t id, void *obj)
{
	const struct pw_model_ep *s = c->eps[id].m;
	struct pw_model_ep *e = obj;
	unsigned int d;
	int ret;

	memset(e, 0, sizeof(*e));
	e->id = id;
	e->nr_addrs = s->nr_addrs;
	e->flags = (s->nr_policies[PODWALL_DIR_INGRESS] ? PODWALL_EP_F_ISOLATED_INGRESS : 0) |
		   (s->nr_policies[PODWALL_DIR_EGRESS] ? PODWALL_EP_F_ISOLATED_EGRESS : 0);
	e->ns = strdup(s->ns);
	e->name = strdup(s->name);
	/* Never NULL, like a compile from scratch: one address at least. */
	e->addrs = malloc((s->nr_addrs ? s->nr_addrs : 1) * sizeof(*e->addrs));
	ret = e->ns && e->name && e->addrs ? 0 : -ENOMEM;
	if (!ret && s->nr_addrs)
		memcpy(e->addrs, s->addrs, s->nr_addrs * sizeof(*e->addrs));
	for (d = 0; d < __PODWALL_DIR_MAX && !ret; d++) {
		e->nr_rules[d] = s->nr_rules[d];
		e->nr_policies[d] = s->nr_policies[d];
		ret = dup_arr(&e->rules[d], s->rules[d], s->nr_rules[d], sizeof(uint32_t));
		if (!ret)
			ret = dup_arr(&e->policies[d], s->policies[d], s->nr_policies[d],
				      sizeof(uint32_t));
	}
	if (ret)
		pw_model_ep_release(e);
	return ret;
}

static void ep_release(void *obj)
{
	pw_model_ep_release(obj);
}

static const struct kind kinds[4] = {
	[PW_MODEL_POLICY] = { sizeof(struct pw_model_policy), offsetof(struct pw_model, policies),
			      offsetof(struct pw_model, nr_policies), pol_ids, pol_present,
			      pol_copy, pol_release },
	[PW_MODEL_SET] = { sizeof(struct pw_model_set), offsetof(struct pw_model, sets),
			   offsetof(struct pw_model, nr_sets), set_ids, set_present,
			   set_copy, set_release },
	[PW_MODEL_RULE] = { sizeof(struct pw_model_rule), offsetof(struct pw_model, rules),
			    offsetof(struct pw_model, nr_rules), rule_ids, rule_present,
			    rule_copy, rule_release },
	[PW_MODEL_EP] = { sizeof(struct pw_model_ep), offsetof(struct pw_model, eps),
			  offsetof(struct pw_model, nr_eps), ep_ids, ep_present,
			  ep_copy, ep_release },
};

static char **arr_of(struct pw_model *m, const struct kind *k)
{
	return (char **)((char *)m + k->arr);
}

static uint32_t *nr_of(struct pw_model *m, const struct kind *k)
{
	return (uint32_t *)((char *)m + k->nr);
}

static uint32_t id_at(const struct kind *k, const char *arr, uint32_t i)
{
	uint32_t id;

	memcpy(&id, arr + (size_t)i * k->size, sizeof(id));	/* the first member */
	return id;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

/* A replaced or removed version: moved to @was (sorted, as ids only grow), or freed. */
static void retire(const struct kind *k, char *old, char *was, uint32_t *nr_was)
{
	if (!was) {
		k->release(old);
		return;
	}
	memcpy(was + (size_t)(*nr_was)++ * k->size, old, k->size);
}

/*
 * Merges the sorted ids @ch (every id whose object may have changed) into
 * kind @k of @m: unchanged objects move over, changed ones are copied
 * anew, gone ones are freed or, with @was, moved there. @put and @del get
 * the ids that differ.
 */
static int merge(const struct pw_compiler *c, struct pw_model *m, const struct kind *k,
		 const uint32_t *ch, uint32_t nch, struct pw_vec *put, struct pw_vec *del,
		 struct pw_model *was)
{
	char **arr = arr_of(m, k), *out, *tmp = malloc(k->size), *wout = NULL;
	uint32_t *nr = nr_of(m, k), i = 0, j = 0, n = 0, nw = 0;
	int ret = 0;

	out = calloc((size_t)*nr + nch + 1, k->size);
	if (was)
		wout = calloc((size_t)nch + 1, k->size);
	if (!out || !tmp || (was && !wout)) {
		free(out);
		free(tmp);
		free(wout);
		return -ENOMEM;
	}
	while (i < *nr || j < nch) {
		uint32_t oid = i < *nr ? id_at(k, *arr, i) : UINT32_MAX;
		char *old = *arr + (size_t)i * k->size, *dst = out + (size_t)n * k->size;
		uint32_t id;

		if (j == nch || oid < ch[j]) {
			memcpy(dst, old, k->size);	/* untouched */
			n++;
			i++;
			continue;
		}
		id = ch[j++];
		if (oid == id)
			i++;
		if (!k->present(c, id)) {
			if (oid == id) {
				retire(k, old, wout, &nw);
				ret = ret ? ret : pw_vec_push(del, id);
			}
			continue;
		}
		if (ret || k->copy(c, id, tmp)) {
			/* Out of memory: keep what was there; the caller starts over. */
			ret = -ENOMEM;
			if (oid == id) {
				memcpy(dst, old, k->size);
				n++;
			}
			continue;
		}
		if (oid == id && pw_model_obj_equal((enum pw_model_kind)(k - kinds), old, tmp)) {
			k->release(tmp);
			memcpy(dst, old, k->size);
		} else {
			if (oid == id)
				retire(k, old, wout, &nw);
			memcpy(dst, tmp, k->size);
			ret = pw_vec_push(put, id);
		}
		n++;
	}
	free(tmp);
	free(*arr);
	*arr = out;
	*nr = n;
	if (was) {
		*arr_of(was, k) = wout;
		*nr_of(was, k) = nw;
	}
	return ret;
}

/* Every id either side may hold: for a first or a full update. */
static int all_ids(const struct pw_compiler *c, struct pw_model *m,
		   const struct kind *k, struct pw_vec *v)
{
	uint32_t *nr = nr_of(m, k), i, top = k->ids(c);
	char **arr = arr_of(m, k);

	for (i = 0; i < *nr; i++)
		if (id_at(k, *arr, i) >= top && pw_vec_push(v, id_at(k, *arr, i)))
			return -ENOMEM;
	for (i = 1; i < top; i++)
		if (k->present(c, i) && pw_vec_push(v, i))
			return -ENOMEM;
	for (i = 0; i < *nr; i++)
		if (id_at(k, *arr, i) < top && !k->present(c, id_at(k, *arr, i)) &&
		    pw_vec_push(v, id_at(k, *arr, i)))
			return -ENOMEM;
	return 0;
}

static void forget_changes(struct pw_compiler *c)
{
	unsigned int k;
	uint32_t i;

	for (k = 0; k < 4; k++) {
		for (i = 0; i < c->changed[k].n; i++)
			c->chflag[k][c->changed[k].v[i]] = 0;
		c->changed[k].n = 0;
	}
	c->all_changed = false;
}

int pw_state_copy_into(struct pw_compiler *c, struct pw_model *m,
		       struct pw_model_delta *delta, struct pw_model *was)
{
	bool full = c->all_changed ||
		    !(m->nr_policies | m->nr_sets | m->nr_rules | m->nr_eps | m->node_set);
	struct pw_vec put[4] = { 0 }, del[4] = { 0 };
	unsigned int k;
	int ret = 0;

	if (was) {
		pw_model_init(was);
		was->node_set = m->node_set;
	}
	for (k = 0; k < 4 && !ret; k++) {
		struct pw_vec all = { 0 };
		const uint32_t *ch = c->changed[k].v;
		uint32_t nch = c->changed[k].n;

		if (full) {
			ret = all_ids(c, m, &kinds[k], &all);
			ch = all.v;
			nch = all.n;
		}
		if (!ret && nch) {
			qsort((uint32_t *)ch, nch, sizeof(*ch), cmp_u32);
			ret = merge(c, m, &kinds[k], ch, nch, &put[k], &del[k], was);
		}
		free(all.v);
	}
	if (ret) {
		/* Part updated: no delta can describe it; the next call copies all. */
		for (k = 0; k < 4; k++) {
			free(put[k].v);
			free(del[k].v);
		}
		c->all_changed = true;
		pw_model_free(m);
		if (was)
			pw_model_free(was);
		return ret;
	}
	forget_changes(c);
	if (delta) {
		memset(delta, 0, sizeof(*delta));
		delta->node_set = m->node_set == c->node_set ? UINT32_MAX : c->node_set;
	}
	m->node_set = c->node_set;
	for (k = 0; k < 4; k++) {
		if (!delta) {
			free(put[k].v);
			free(del[k].v);
			continue;
		}
		delta->nr_put[k] = put[k].n;
		delta->put[k] = put[k].v;
		delta->nr_del[k] = del[k].n;
		delta->del[k] = del[k].v;
	}
	return 0;
}

int pw_state_copy(struct pw_compiler *c, struct pw_model *out)
{
	unsigned int k;
	uint32_t id;
	int ret = 0;

	pw_model_init(out);
	out->node_set = c->node_set;
	for (k = 0; k < 4 && !ret; k++) {
		const struct kind *kd = &kinds[k];
		uint32_t n = 0, top = kd->ids(c), *nr = nr_of(out, kd);
		char **arr = arr_of(out, kd);

		for (id = 1; id < top; id++)
			n += kd->present(c, id);
		*arr = calloc(n ? n : 1, kd->size);
		if (!*arr) {
			ret = -ENOMEM;
			break;
		}
		for (id = 1; id < top && !ret; id++) {
			if (!kd->present(c, id))
				continue;
			ret = kd->copy(c, id, *arr + (size_t)*nr * kd->size);
			if (!ret)
				(*nr)++;
		}
	}
	if (ret)
		pw_model_free(out);
	return ret;
}
