// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Id vectors, dense id pools and counted id maps: a key keeps its id for
 * as long as something references it, so a recompile that keeps an object
 * keeps its id and the delta sent to the kernel stays small.
 */
#include <stdlib.h>
#include <string.h>
#include "compiler_int.h"
#include "k8s_err.h"

int pw_array_room(void *arr, uint32_t n, uint32_t *cap, size_t size)
{
	void **a = arr, *na;
	uint32_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 4;
	na = realloc(*a, (size_t)nc * size);
	if (!na)
		return -ENOMEM;
	*a = na;
	*cap = nc;
	return 0;
}

int pw_vec_push(struct pw_vec *v, uint32_t x)
{
	if (pw_array_room(&v->v, v->n, &v->cap, sizeof(*v->v)))
		return -ENOMEM;
	v->v[v->n++] = x;
	return 0;
}

bool pw_vec_del(struct pw_vec *v, uint32_t x)
{
	uint32_t i;

	for (i = 0; i < v->n; i++)
		if (v->v[i] == x) {
			v->v[i] = v->v[--v->n];
			return true;
		}
	return false;
}

void pw_vec_release(struct pw_vec *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

/* The index of the first element >= @x. */
static uint32_t lower_bound(const uint32_t *a, uint32_t n, uint32_t x)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int pw_ids_insert(uint32_t **a, uint32_t *n, uint32_t x)
{
	uint32_t i = lower_bound(*a, *n, x), *na;

	if (i < *n && (*a)[i] == x)
		return 0;
	na = realloc(*a, (*n + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	memmove(na + i + 1, na + i, (*n - i) * sizeof(*na));
	na[i] = x;
	*a = na;
	(*n)++;
	return 0;
}

void pw_ids_remove(uint32_t *a, uint32_t *n, uint32_t x)
{
	uint32_t i = lower_bound(a, *n, x);

	if (i < *n && a[i] == x) {
		memmove(a + i, a + i + 1, (*n - i - 1) * sizeof(*a));
		(*n)--;
	}
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

static void free_key_entry(struct lh_entry *e)
{
	free((void *)lh_entry_k(e));
}

static void free_pfx_entry(struct lh_entry *e)
{
	struct pw_prefixes *p = (struct pw_prefixes *)lh_entry_k(e);

	free(p->a);
	free(p);
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
	       lh_kchar_table_new(64, free_key_entry);
	return m->t ? 0 : -ENOMEM;
}

void pw_idmap_release(struct pw_idmap *m)
{
	if (m->t)
		lh_table_free(m->t);
	pw_vec_release(&m->ids.free);
	free(m->keys);
	free(m->refs);
	memset(m, 0, sizeof(*m));
}

/* Finds or adds @key (owned by the map if added: *owned). */
static uint32_t idmap_get(struct pw_idmap *m, void *key, bool *owned,
			  const void **stored)
{
	struct lh_entry *e = lh_table_lookup_entry(m->t, key);
	uint32_t id;

	*owned = false;
	if (e) {
		id = (uint32_t)(uintptr_t)lh_entry_v(e);
		*stored = lh_entry_k(e);
		m->refs[id]++;
		return id;
	}
	id = pw_id_get(&m->ids);
	if (id >= m->nr_by_id) {
		uint32_t n = id * 2 + 64;
		const void **nk = realloc(m->keys, n * sizeof(*nk));
		uint32_t *nr = nk ? realloc(m->refs, n * sizeof(*nr)) : NULL;

		if (nk)
			m->keys = nk;
		if (!nk || !nr) {
			pw_id_put(&m->ids, id);
			return 0;
		}
		m->refs = nr;
		memset(m->keys + m->nr_by_id, 0, (n - m->nr_by_id) * sizeof(*nk));
		memset(m->refs + m->nr_by_id, 0, (n - m->nr_by_id) * sizeof(*nr));
		m->nr_by_id = n;
	}
	if (lh_table_insert(m->t, key, (void *)(uintptr_t)id)) {
		pw_id_put(&m->ids, id);
		return 0;
	}
	m->keys[id] = key;
	m->refs[id] = 1;
	*stored = key;
	*owned = true;
	return id;
}

uint32_t pw_idmap_ref_str(struct pw_idmap *m, const char *key)
{
	struct lh_entry *e = lh_table_lookup_entry(m->t, key);
	const void *stored;
	bool owned;
	uint32_t id;
	char *k;

	if (e) {
		id = (uint32_t)(uintptr_t)lh_entry_v(e);
		m->refs[id]++;
		return id;
	}
	k = strdup(key);
	if (!k)
		return 0;
	id = idmap_get(m, k, &owned, &stored);
	if (!owned)
		free(k);
	return id;
}

uint32_t pw_idmap_ref_prefixes(struct pw_idmap *m, struct pw_prefixes *p,
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

void pw_idmap_ref(struct pw_idmap *m, uint32_t id)
{
	if (id && id < m->nr_by_id && m->keys[id])
		m->refs[id]++;
}

void pw_idmap_unref(struct pw_idmap *m, uint32_t id)
{
	const void *key;

	if (!id || id >= m->nr_by_id || !m->keys[id] || --m->refs[id])
		return;
	key = m->keys[id];
	m->keys[id] = NULL;
	lh_table_delete(m->t, key);	/* frees the key */
	pw_id_put(&m->ids, id);
}

const void *pw_idmap_key(const struct pw_idmap *m, uint32_t id)
{
	return id < m->nr_by_id ? m->keys[id] : NULL;
}
