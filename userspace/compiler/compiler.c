// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The compiler's object store and its stable id maps. The compile pass
 * itself is in compile.c.
 */
#include <stdlib.h>
#include <string.h>
#include "compiler_int.h"
#include "k8s_err.h"

int pw_vec_push(struct pw_vec *v, uint32_t x)
{
	if (v->n == v->cap) {
		uint32_t ncap = v->cap ? v->cap * 2 : 4;
		uint32_t *nv = realloc(v->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		v->v = nv;
		v->cap = ncap;
	}
	v->v[v->n++] = x;
	return 0;
}

void pw_vec_release(struct pw_vec *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

uint32_t pw_id_get(struct pw_idpool *p)
{
	if (p->free.n)
		return p->free.v[--p->free.n];
	return ++p->next;
}

void pw_id_put(struct pw_idpool *p, uint32_t id)
{
	/* On allocation failure the id is lost; ids stay unique. */
	pw_vec_push(&p->free, id);
}

/* Map values: the id and the pass that last used it. */
struct idval {
	uint32_t id;
	uint32_t gen;
};

static void free_str_entry(struct lh_entry *e)
{
	free((void *)lh_entry_k(e));
	free(lh_entry_v(e));
}

static void free_pfx_entry(struct lh_entry *e)
{
	struct pw_prefixes *p = (struct pw_prefixes *)lh_entry_k(e);

	free(p->a);
	free(p);
	free(lh_entry_v(e));
}

static unsigned long pfx_hash(const void *k)
{
	const struct pw_prefixes *p = k;
	const unsigned char *b = (const unsigned char *)p->a;
	size_t i, n = (size_t)p->n * sizeof(*p->a);
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ p->n, w;

	/* Eight bytes a step: sets hold up to every pod IP of the cluster. */
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return (unsigned long)h;
}

static int pfx_equal(const void *x, const void *y)
{
	const struct pw_prefixes *a = x, *b = y;

	return a->n == b->n &&
	       (!a->n || !memcmp(a->a, b->a, a->n * sizeof(*a->a)));
}

int pw_idmap_init(struct pw_idmap *m, bool by_prefixes)
{
	memset(m, 0, sizeof(*m));
	m->t = by_prefixes ?
	       lh_table_new(64, free_pfx_entry, pfx_hash, pfx_equal) :
	       lh_kchar_table_new(64, free_str_entry);
	return m->t ? 0 : -ENOMEM;
}

void pw_idmap_release(struct pw_idmap *m)
{
	if (m->t)
		lh_table_free(m->t);
	pw_vec_release(&m->ids.free);
	free(m->keys);
	free(m->gens);
	memset(m, 0, sizeof(*m));
}

static uint32_t idmap_get(struct pw_idmap *m, void *key, bool *owned,
			  const void **stored)
{
	struct lh_entry *e = lh_table_lookup_entry(m->t, key);
	struct idval *v;

	*owned = false;
	*stored = key;
	if (e) {
		*stored = lh_entry_k(e);
		v = lh_entry_v(e);
		v->gen = m->gen;
		return v->id;
	}
	v = malloc(sizeof(*v));
	if (!v)
		return 0;
	v->id = pw_id_get(&m->ids);
	v->gen = m->gen;
	if (v->id >= m->nr_by_id) {
		uint32_t n = v->id * 2 + 64;
		const void **nk = realloc(m->keys, n * sizeof(*nk));
		uint32_t **ng = nk ? realloc(m->gens, n * sizeof(*ng)) : NULL;

		if (nk)
			m->keys = nk;
		if (!nk || !ng) {
			pw_id_put(&m->ids, v->id);
			free(v);
			return 0;
		}
		m->gens = ng;
		memset(m->keys + m->nr_by_id, 0, (n - m->nr_by_id) * sizeof(*nk));
		memset(m->gens + m->nr_by_id, 0, (n - m->nr_by_id) * sizeof(*ng));
		m->nr_by_id = n;
	}
	if (lh_table_insert(m->t, key, v)) {
		pw_id_put(&m->ids, v->id);
		free(v);
		return 0;
	}
	m->keys[v->id] = key;
	m->gens[v->id] = &v->gen;
	*owned = true;
	return v->id;
}

uint32_t pw_idmap_str(struct pw_idmap *m, const char *key)
{
	struct lh_entry *e = lh_table_lookup_entry(m->t, key);
	const void *stored;
	bool owned;
	uint32_t id;
	char *k;

	if (e) {
		struct idval *v = lh_entry_v(e);

		v->gen = m->gen;
		return v->id;
	}
	k = strdup(key);
	if (!k)
		return 0;
	id = idmap_get(m, k, &owned, &stored);
	if (!owned)
		free(k);
	return id;
}

uint32_t pw_idmap_prefixes(struct pw_idmap *m, struct pw_prefixes *p,
			   const struct pw_prefixes **stored)
{
	struct pw_prefixes *k = malloc(sizeof(*k));
	const void *st = NULL;
	bool owned = false;
	uint32_t id = 0;

	if (k) {
		*k = *p;
		id = idmap_get(m, k, &owned, &st);
	}
	*stored = id ? st : NULL;
	if (!owned) {
		free(p->a);
		free(k);
	}
	p->a = NULL;
	p->n = 0;
	return id;
}

const void *pw_idmap_touch(struct pw_idmap *m, uint32_t id)
{
	if (id >= m->nr_by_id || !m->keys[id])
		return NULL;
	*m->gens[id] = m->gen;
	return m->keys[id];
}

uint32_t pw_idmap_peek_str(struct pw_idmap *m, const char *key)
{
	struct lh_entry *e = lh_table_lookup_entry(m->t, key);

	return e ? ((struct idval *)lh_entry_v(e))->id : 0;
}

void pw_idmap_begin(struct pw_idmap *m)
{
	m->gen++;
}

void pw_idmap_sweep(struct pw_idmap *m)
{
	struct lh_entry *e, *tmp;

	lh_foreach_safe(m->t, e, tmp) {
		struct idval *v = lh_entry_v(e);

		if (v->gen != m->gen) {
			m->keys[v->id] = NULL;
			m->gens[v->id] = NULL;
			pw_id_put(&m->ids, v->id);
			lh_table_delete_entry(m->t, e);
		}
	}
}

/* The store */

static void free_pod_entry(struct lh_entry *e)
{
	free((void *)lh_entry_k(e));
	pw_k8s_pod_free(lh_entry_v(e));
}

static void free_ns_entry(struct lh_entry *e)
{
	free((void *)lh_entry_k(e));
	pw_k8s_ns_free(lh_entry_v(e));
}

static void free_log_entry(struct lh_entry *e)
{
	free((void *)lh_entry_k(e));
	pw_pol_log_free(lh_entry_v(e));
}

static void free_pol_entry(struct lh_entry *e)
{
	free((void *)lh_entry_k(e));
	pw_k8s_policy_free(lh_entry_v(e));
}

struct pw_compiler *pw_compiler_new(void)
{
	struct pw_compiler *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->pods = lh_kchar_table_new(256, free_pod_entry);
	c->nss = lh_kchar_table_new(64, free_ns_entry);
	c->pols = lh_kchar_table_new(64, free_pol_entry);
	c->pcache = lh_kchar_table_new(64, free_log_entry);
	if (!c->pods || !c->nss || !c->pols || !c->pcache ||
	    pw_idmap_init(&c->policy_ids, false) ||
	    pw_idmap_init(&c->ep_ids, false) ||
	    pw_idmap_init(&c->rule_ids, false) ||
	    pw_idmap_init(&c->set_ids, true)) {
		pw_compiler_free(c);
		return NULL;
	}
	return c;
}

void pw_compiler_free(struct pw_compiler *c)
{
	if (!c)
		return;
	if (c->pods)
		lh_table_free(c->pods);
	if (c->nss)
		lh_table_free(c->nss);
	if (c->pcache)
		lh_table_free(c->pcache);
	if (c->pols)
		lh_table_free(c->pols);
	pw_idmap_release(&c->policy_ids);
	pw_idmap_release(&c->ep_ids);
	pw_idmap_release(&c->rule_ids);
	pw_idmap_release(&c->set_ids);
	free(c->node);
	free(c->node_addrs.a);
	free(c);
}

void pw_compiler_forget(struct pw_compiler *c)
{
	struct lh_entry *e, *tmp;

	lh_foreach_safe(c->pcache, e, tmp)
		lh_table_delete_entry(c->pcache, e);
}

int pw_compiler_set_node(struct pw_compiler *c, const char *node)
{
	char *n = node ? strdup(node) : NULL;

	if (node && !n)
		return -ENOMEM;
	pw_compiler_forget(c);	/* other endpoints: every policy changes */
	free(c->node);
	c->node = n;
	return 0;
}

int pw_compiler_set_node_addrs(struct pw_compiler *c,
			       const struct pw_addr *addrs, uint32_t n)
{
	struct pw_prefixes p = { 0 };
	uint32_t i, cap = 0;

	for (i = 0; i < n; i++) {
		if (!pw_addr_valid(&addrs[i]) || pw_prefixes_add(&p, &cap, &addrs[i])) {
			free(p.a);
			return pw_addr_valid(&addrs[i]) ? -ENOMEM : -EINVAL;
		}
	}
	pw_prefixes_normalise(&p);
	free(c->node_addrs.a);
	c->node_addrs = p;
	return 0;
}

static char *join(const char *ns, const char *name)
{
	size_t a = strlen(ns), b = strlen(name);
	char *k = malloc(a + b + 2);

	if (k) {
		memcpy(k, ns, a);
		k[a] = '/';
		memcpy(k + a + 1, name, b + 1);
	}
	return k;
}

/* Inserts or replaces; the table's free function disposes of the old one. */
static int store_put(struct lh_table *t, char *key, void *obj,
		     void (*free_obj)(void *))
{
	if (!key) {
		free_obj(obj);
		return -ENOMEM;
	}
	lh_table_delete(t, key);
	if (lh_table_insert(t, key, obj)) {
		free(key);
		free_obj(obj);
		return -ENOMEM;
	}
	return 0;
}

static void pod_free_v(void *p)
{
	pw_k8s_pod_free(p);
}

static void ns_free_v(void *p)
{
	pw_k8s_ns_free(p);
}

static void pol_free_v(void *p)
{
	pw_k8s_policy_free(p);
}

/* The labels of namespace @name as the compiler sees them (a new reference). */
static json_object *ns_labels_of(struct pw_compiler *c, const char *name)
{
	const struct pw_k8s_ns *ns = pw_compiler_ns(c, name);
	json_object *l;

	if (ns)
		return json_object_get(ns->labels);
	l = json_object_new_object();
	json_object_object_add(l, "kubernetes.io/metadata.name",
			       json_object_new_string(name));
	return l;
}

/* Drops the cached output of every policy that @pod may matter to. */
static void forget_for_pod(struct pw_compiler *c, const struct pw_k8s_pod *pod)
{
	json_object *labels = ns_labels_of(c, pod->ns);
	struct lh_entry *e, *tmp;

	lh_foreach_safe(c->pcache, e, tmp) {
		void *pol = NULL;

		lh_table_lookup_ex(c->pols, lh_entry_k(e), &pol);
		if (!pol || !labels || pw_policy_depends_on_pod(pol, pod, labels))
			lh_table_delete_entry(c->pcache, e);
	}
	json_object_put(labels);
}

static void forget_for_ns(struct pw_compiler *c, json_object *labels)
{
	struct lh_entry *e, *tmp;

	lh_foreach_safe(c->pcache, e, tmp) {
		void *pol = NULL;

		lh_table_lookup_ex(c->pols, lh_entry_k(e), &pol);
		if (!pol || !labels || pw_policy_depends_on_ns(pol, labels))
			lh_table_delete_entry(c->pcache, e);
	}
}

static void forget_policy(struct pw_compiler *c, const char *key)
{
	if (key)
		lh_table_delete(c->pcache, key);
	else
		pw_compiler_forget(c);
}

int pw_compiler_put_pod(struct pw_compiler *c, struct pw_k8s_pod *pod)
{
	const struct pw_k8s_pod *old = pw_compiler_pod(c, pod->ns, pod->name);

	if (old)
		forget_for_pod(c, old);
	forget_for_pod(c, pod);
	return store_put(c->pods, join(pod->ns, pod->name), pod, pod_free_v);
}

int pw_compiler_put_ns(struct pw_compiler *c, struct pw_k8s_ns *ns)
{
	json_object *old = ns_labels_of(c, ns->name);

	forget_for_ns(c, old);
	forget_for_ns(c, ns->labels);
	json_object_put(old);
	return store_put(c->nss, strdup(ns->name), ns, ns_free_v);
}

int pw_compiler_put_policy(struct pw_compiler *c, struct pw_k8s_policy *pol)
{
	char *key = join(pol->ns, pol->name);

	forget_policy(c, key);
	free(key);
	return store_put(c->pols, join(pol->ns, pol->name), pol, pol_free_v);
}

static int store_del(struct lh_table *t, const char *key)
{
	if (!key)
		return -ENOMEM;
	return lh_table_delete(t, key) ? -ENOENT : 0;
}

int pw_compiler_del_pod(struct pw_compiler *c, const char *ns, const char *name)
{
	const struct pw_k8s_pod *old = pw_compiler_pod(c, ns, name);
	char *k = join(ns, name);
	int ret;

	if (old)
		forget_for_pod(c, old);
	ret = store_del(c->pods, k);

	free(k);
	return ret;
}

int pw_compiler_del_ns(struct pw_compiler *c, const char *name)
{
	json_object *old = ns_labels_of(c, name);
	int ret;

	forget_for_ns(c, old);
	json_object_put(old);
	ret = store_del(c->nss, name);
	old = ns_labels_of(c, name);	/* what it falls back to */
	forget_for_ns(c, old);
	json_object_put(old);
	return ret;
}

int pw_compiler_del_policy(struct pw_compiler *c, const char *ns,
			   const char *name)
{
	char *k = join(ns, name);
	int ret;

	forget_policy(c, k);
	ret = store_del(c->pols, k);

	free(k);
	return ret;
}

const struct pw_k8s_pod *pw_compiler_pod(struct pw_compiler *c,
					 const char *ns, const char *name)
{
	char *k = join(ns, name);
	void *v = NULL;

	if (k)
		lh_table_lookup_ex(c->pods, k, &v);
	free(k);
	return v;
}

const struct pw_k8s_ns *pw_compiler_ns(struct pw_compiler *c, const char *name)
{
	void *v = NULL;

	lh_table_lookup_ex(c->nss, name, &v);
	return v;
}

int pw_compiler_add_object(struct pw_compiler *c, json_object *obj,
			   const char *kind, char *err, size_t errlen)
{
	int ret;

	if (!strcmp(kind, "Pod")) {
		struct pw_k8s_pod *pod;

		ret = pw_k8s_pod_parse(obj, &pod, err, errlen);
		if (!ret)
			return pw_compiler_put_pod(c, pod);
	} else if (!strcmp(kind, "Namespace")) {
		struct pw_k8s_ns *ns;

		ret = pw_k8s_ns_parse(obj, &ns, err, errlen);
		if (!ret)
			return pw_compiler_put_ns(c, ns);
	} else if (!strcmp(kind, "NetworkPolicy")) {
		const char *api = pw_k8s_get_str(obj, "apiVersion");
		struct pw_k8s_policy *pol;

		if (api && strcmp(api, "networking.k8s.io/v1")) {
			ret = pw_k8s_err(err, errlen, "NetworkPolicy: apiVersion \"%s\" is not networking.k8s.io/v1",
					 api);
		} else {
			ret = pw_k8s_policy_parse(obj, &pol, err, errlen);
			if (!ret)
				return pw_compiler_put_policy(c, pol);
		}
	} else {
		return 1;
	}
	if (ret == -EINVAL)
		c->nr_invalid++;
	return ret;
}

struct load_ctx {
	struct pw_compiler *c;
	FILE *log;
	const char *path;
};

static int load_one(json_object *obj, const char *kind, void *p)
{
	struct load_ctx *lc = p;
	char err[512];
	int ret = pw_compiler_add_object(lc->c, obj, kind, err, sizeof(err));

	if (ret == -EINVAL && lc->log)
		fprintf(lc->log, "%s: invalid, ignored (the API server would refuse it): %s\n",
			lc->path, err);
	return ret < 0 && ret != -EINVAL ? ret : 0;
}

int pw_compiler_load_file(struct pw_compiler *c, const char *path, FILE *log)
{
	struct load_ctx lc = { c, log, path };
	char err[512];
	int ret = pw_k8s_load_file(path, load_one, &lc, err, sizeof(err));

	if (ret && log)
		fprintf(log, "%s\n", ret == -EINVAL ? err : strerror(-ret));
	return ret;
}

unsigned int pw_compiler_nr_invalid(const struct pw_compiler *c)
{
	return c->nr_invalid;
}
