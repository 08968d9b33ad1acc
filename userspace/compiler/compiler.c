// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The compiler's object store, and the world derived from it as objects
 * arrive: pod slots, namespaces as selectors see them, endpoints. Each
 * put or delete marks the policies whose output it may change; a compile
 * recomputes only those (model_state.c).
 */
#include <stdlib.h>
#include <string.h>
#include "compiler_int.h"
#include "k8s_err.h"

/* The store */

static void free_pod_entry(struct lh_entry *e)
{
	struct pw_slot *s = lh_entry_v(e);

	free((void *)lh_entry_k(e));
	pw_k8s_pod_free(s->pod);
	free(s);
}

static void free_ns_entry(struct lh_entry *e)
{
	free((void *)lh_entry_k(e));
	pw_k8s_ns_free(lh_entry_v(e));
}

static void free_cns_entry(struct lh_entry *e)
{
	struct pw_cns *ns = lh_entry_v(e);

	json_object_put(ns->labels);
	pw_vec_release(&ns->pods);
	free(ns->name);
	free(ns);
}

static void free_key_entry(struct lh_entry *e)
{
	free((void *)lh_entry_k(e));
}

static void free_pol_entry(struct lh_entry *e)
{
	free((void *)lh_entry_k(e));
	pw_k8s_policy_free(lh_entry_v(e));
}

static void free_owners_entry(struct lh_entry *e)
{
	struct pw_owners *o = lh_entry_v(e);

	pw_vec_release(&o->eps);
	free(o);
}

static unsigned long addr_hash(const void *k)
{
	const unsigned char *b = k;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < sizeof(struct pw_addr); i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return (unsigned long)h;
}

static int addr_equal(const void *x, const void *y)
{
	return !memcmp(x, y, sizeof(struct pw_addr));
}

struct pw_compiler *pw_compiler_new(void)
{
	struct pw_compiler *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->pods = lh_kchar_table_new(256, free_pod_entry);
	c->nss = lh_kchar_table_new(64, free_ns_entry);
	c->pols = lh_kchar_table_new(64, free_pol_entry);
	c->cnss = lh_kchar_table_new(64, free_cns_entry);
	c->pcache = lh_kchar_table_new(64, free_key_entry);
	c->dirty = lh_kchar_table_new(64, free_key_entry);
	c->peersets = lh_kchar_table_new(64, pw_peerset_free);
	c->owners = lh_table_new(256, free_owners_entry, addr_hash, addr_equal);
	if (!c->pods || !c->nss || !c->pols || !c->cnss || !c->pcache ||
	    !c->dirty || !c->peersets || !c->owners ||
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
	struct lh_entry *e;

	if (!c)
		return;
	if (c->pcache) {
		lh_foreach(c->pcache, e)
			pw_pol_log_free(NULL, lh_entry_v(e));
		lh_table_free(c->pcache);
	}
	if (c->peersets)
		lh_table_free(c->peersets);
	if (c->dirty)
		lh_table_free(c->dirty);
	if (c->owners)
		lh_table_free(c->owners);
	if (c->pods)
		lh_table_free(c->pods);
	if (c->cnss)
		lh_table_free(c->cnss);
	if (c->nss)
		lh_table_free(c->nss);
	if (c->pols)
		lh_table_free(c->pols);
	pw_state_release(c);
	free(c->slots);
	pw_vec_release(&c->slot_ids.free);
	pw_idmap_release(&c->policy_ids);
	pw_idmap_release(&c->ep_ids);
	pw_idmap_release(&c->rule_ids);
	pw_idmap_release(&c->set_ids);
	free(c->node);
	free(c);
}

int pw_compiler_mark(struct pw_compiler *c, const char *key, unsigned int why)
{
	struct lh_entry *e = lh_table_lookup_entry(c->dirty, key);
	char *k;

	if (e) {
		e->v = (void *)((uintptr_t)lh_entry_v(e) | why);
		return 0;
	}
	k = strdup(key);
	if (!k || lh_table_insert(c->dirty, k, (void *)(uintptr_t)why)) {
		free(k);
		c->broken = true;
		return -ENOMEM;
	}
	return 0;
}

static bool on_node(const struct pw_compiler *c, const struct pw_k8s_pod *pod)
{
	return !c->node || (pod->node && !strcmp(pod->node, c->node));
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

/* Makes @s an endpoint or not, as its pod and the node say. */
static int slot_ep(struct pw_compiler *c, struct pw_slot *s)
{
	bool want = s->active && on_node(c, s->pod);
	char *key;
	uint32_t id;

	if (!!s->ep == want)
		return s->ep ? pw_state_ep_touch(c, s->ep) : 0;
	if (s->ep) {
		id = s->ep;
		s->ep = 0;
		c->eps[id].slot = 0;
		/* The id lives until the model no longer names it. */
		if (pw_vec_push(&c->ep_unref, id)) {
			c->broken = true;
			return -ENOMEM;
		}
		return pw_state_ep_touch(c, id);
	}
	key = join(s->pod->ns, s->pod->name);
	id = key ? pw_idmap_ref_str(&c->ep_ids, key) : 0;
	free(key);
	if (!id || pw_state_ep_touch(c, id)) {
		pw_idmap_unref(&c->ep_ids, id);
		c->broken = true;
		return -ENOMEM;
	}
	s->ep = id;
	c->eps[id].slot = s->idx + 1;
	return 0;
}

int pw_compiler_set_node(struct pw_compiler *c, const char *node)
{
	char *n = node ? strdup(node) : NULL;
	struct lh_entry *e;
	uint32_t i;
	int ret = 0;

	if (node && !n)
		return -ENOMEM;
	free(c->node);
	c->node = n;
	/* Other endpoints: every policy's selection changes. */
	for (i = 0; i < c->nr_slots; i++)
		if (c->slots[i] && slot_ep(c, c->slots[i]))
			ret = -ENOMEM;
	lh_foreach(c->pols, e)
		if (pw_compiler_mark(c, lh_entry_k(e), PW_DIRTY_ALL))
			ret = -ENOMEM;
	return ret;
}

int pw_compiler_set_node_addrs(struct pw_compiler *c,
			       const struct pw_addr *addrs, uint32_t n)
{
	const struct pw_prefixes *stored;
	struct pw_prefixes p = { 0 };
	uint32_t i, cap = 0, id = 0;

	for (i = 0; i < n; i++) {
		if (!pw_addr_valid(&addrs[i]) || pw_prefixes_add(&p, &cap, &addrs[i])) {
			free(p.a);
			return pw_addr_valid(&addrs[i]) ? -ENOMEM : -EINVAL;
		}
	}
	pw_prefixes_normalise(&p);
	if (p.n) {
		id = pw_idmap_ref_prefixes(&c->set_ids, &p, &stored);
		if (!id)
			return -ENOMEM;
	}
	free(p.a);
	pw_state_changed(c, PW_MODEL_SET, c->node_set);
	pw_state_changed(c, PW_MODEL_SET, id);
	pw_idmap_unref(&c->set_ids, c->node_set);
	c->node_set = id;
	return 0;
}

static json_object *default_labels(const char *name)
{
	json_object *l = json_object_new_object();

	/* No Namespace object (yet): the API server's automatic label. */
	if (l && json_object_object_add(l, "kubernetes.io/metadata.name",
					json_object_new_string(name))) {
		json_object_put(l);
		l = NULL;
	}
	return l;
}

/* The namespace as selectors see it, made on first use. */
static struct pw_cns *cns_get(struct pw_compiler *c, const char *name)
{
	const struct pw_k8s_ns *obj = pw_compiler_ns(c, name);
	struct pw_cns *ns = NULL;

	if (lh_table_lookup_ex(c->cnss, name, (void **)&ns))
		return ns;
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return NULL;
	ns->name = strdup(name);
	ns->labels = obj ? json_object_get(obj->labels) : default_labels(name);
	if (!ns->name || !ns->labels || lh_table_insert(c->cnss, ns->name, ns)) {
		json_object_put(ns->labels);
		free(ns->name);
		free(ns);
		return NULL;
	}
	return ns;
}

/*
 * A pod goes from @old to @new (either NULL): marks the policies whose
 * output may change and updates the peer sets.
 */
static int pod_changes(struct pw_compiler *c, const struct pw_slot *old,
		       const struct pw_slot *new, struct pw_cns *ns)
{
	struct lh_entry *e;
	int ret = 0;

	/* Before the first compile, or a rebuild, every policy is compiled anyway. */
	lh_foreach(c->pols, e) {
		unsigned int why;

		if (!c->built || c->broken)
			break;
		why = pw_policy_depends_on_pod(lh_entry_v(e), old, new, ns->labels);
		if (why && pw_compiler_mark(c, lh_entry_k(e), why))
			ret = -ENOMEM;
	}
	if (pw_peersets_pod(c, old, new, ns->labels))
		ret = -ENOMEM;
	if (ret)
		c->broken = true;
	return ret;
}

static bool pod_active(const struct pw_k8s_pod *pod)
{
	return !pod->host_network && !pod->terminated && pod->nr_ips;
}

static int grow_slots(struct pw_compiler *c, uint32_t idx)
{
	uint32_t n = idx * 2 + 64;
	struct pw_slot **ns = realloc(c->slots, n * sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	memset(ns + c->nr_slots, 0, (n - c->nr_slots) * sizeof(*ns));
	c->slots = ns;
	c->nr_slots = n;
	return 0;
}

int pw_compiler_put_pod(struct pw_compiler *c, struct pw_k8s_pod *pod)
{
	char *key = join(pod->ns, pod->name);
	struct pw_cns *ns = cns_get(c, pod->ns);
	struct pw_slot *s = NULL, old, new = { 0 };
	uint32_t idx;
	int ret;

	if (!key || !ns) {
		free(key);
		pw_k8s_pod_free(pod);
		return -ENOMEM;
	}
	lh_table_lookup_ex(c->pods, key, (void **)&s);
	new.pod = pod;
	new.ns = ns;
	new.active = pod_active(pod);
	new.ep = new.active && on_node(c, pod);	/* a placeholder, not an id */
	if (s)
		old = *s;
	/* A relist puts every pod again, mostly unchanged: nothing to mark. */
	ret = s && pw_pod_same(&old, &new) ? 0 : pod_changes(c, s ? &old : NULL, &new, ns);
	if (!s) {
		s = calloc(1, sizeof(*s));
		idx = pw_id_get(&c->slot_ids) - 1;
		if (!s || (idx >= c->nr_slots &&
			   grow_slots(c, idx)) ||
		    lh_table_insert(c->pods, key, s)) {
			free(s);
			free(key);
			pw_id_put(&c->slot_ids, idx + 1);
			pw_k8s_pod_free(pod);
			c->broken = true;
			return -ENOMEM;
		}
		s->idx = idx;
		s->ns = ns;
		c->slots[idx] = s;
		key = NULL;
	} else {
		if (s->active)
			pw_vec_del(&ns->pods, s->idx);
		pw_k8s_pod_free(s->pod);
	}
	free(key);
	s->pod = pod;
	s->active = new.active;
	if (s->active && pw_vec_push(&ns->pods, s->idx)) {
		c->broken = true;
		ret = -ENOMEM;
	}
	if (slot_ep(c, s))
		ret = -ENOMEM;
	return ret;
}

int pw_compiler_del_pod(struct pw_compiler *c, const char *ns, const char *name)
{
	char *key = join(ns, name);
	struct pw_slot *s = NULL, old;
	int ret;

	if (!key)
		return -ENOMEM;
	if (!lh_table_lookup_ex(c->pods, key, (void **)&s)) {
		free(key);
		return -ENOENT;
	}
	old = *s;
	ret = pod_changes(c, &old, NULL, s->ns);
	if (s->active)
		pw_vec_del(&s->ns->pods, s->idx);
	s->active = false;
	if (slot_ep(c, s))
		ret = -ENOMEM;
	c->slots[s->idx] = NULL;
	pw_id_put(&c->slot_ids, s->idx + 1);
	lh_table_delete(c->pods, key);
	free(key);
	return ret;
}

/* Namespace @name's labels become @labels (a reference is taken). */
static int ns_relabel(struct pw_compiler *c, const char *name, json_object *labels)
{
	struct pw_cns *ns = cns_get(c, name);
	struct lh_entry *e;
	json_object *old;
	int ret = 0;

	if (!ns || !labels) {
		c->broken = true;
		return -ENOMEM;
	}
	old = ns->labels;
	ns->labels = json_object_get(labels);
	lh_foreach(c->pols, e)
		if (c->built && !c->broken &&
		    pw_policy_depends_on_ns(lh_entry_v(e), old, labels) &&
		    pw_compiler_mark(c, lh_entry_k(e), PW_DIRTY_PEERS))
			ret = -ENOMEM;
	if (pw_peersets_ns(c, ns, old))
		ret = -ENOMEM;
	if (ret)
		c->broken = true;
	json_object_put(old);
	return ret;
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

static void ns_free_v(void *p)
{
	pw_k8s_ns_free(p);
}

static void pol_free_v(void *p)
{
	pw_k8s_policy_free(p);
}

int pw_compiler_put_ns(struct pw_compiler *c, struct pw_k8s_ns *ns)
{
	int ret = ns_relabel(c, ns->name, ns->labels);
	int ret2 = store_put(c->nss, strdup(ns->name), ns, ns_free_v);

	return ret ? ret : ret2;
}

int pw_compiler_put_policy(struct pw_compiler *c, struct pw_k8s_policy *pol)
{
	char *key = join(pol->ns, pol->name);
	int ret = key ? pw_compiler_mark(c, key, PW_DIRTY_ALL) : -ENOMEM;
	int ret2 = store_put(c->pols, key, pol, pol_free_v);

	return ret ? ret : ret2;
}

int pw_compiler_del_ns(struct pw_compiler *c, const char *name)
{
	json_object *def;
	int ret;

	if (lh_table_delete(c->nss, name))
		return -ENOENT;
	def = default_labels(name);
	ret = ns_relabel(c, name, def);
	json_object_put(def);
	return ret;
}

int pw_compiler_del_policy(struct pw_compiler *c, const char *ns,
			   const char *name)
{
	char *k = join(ns, name);
	int ret;

	if (!k)
		return -ENOMEM;
	ret = lh_table_delete(c->pols, k) ? -ENOENT : pw_compiler_mark(c, k, PW_DIRTY_ALL);
	free(k);
	return ret;
}

const struct pw_k8s_pod *pw_compiler_pod(struct pw_compiler *c,
					 const char *ns, const char *name)
{
	char *k = join(ns, name);
	struct pw_slot *s = NULL;

	if (k)
		lh_table_lookup_ex(c->pods, k, (void **)&s);
	free(k);
	return s ? s->pod : NULL;
}

const struct pw_k8s_ns *pw_compiler_ns(struct pw_compiler *c, const char *name)
{
	void *v = NULL;

	lh_table_lookup_ex(c->nss, name, &v);
	return v;
}

int pw_compiler_compile(struct pw_compiler *c, struct pw_model *out)
{
	int ret = pw_state_update(c);

	if (ret) {
		pw_model_init(out);
		return ret;
	}
	return pw_state_copy(c, out);
}

int pw_compiler_compile_into(struct pw_compiler *c, struct pw_model *m,
			     struct pw_model_delta *delta)
{
	int ret = pw_state_update(c);

	return ret ? ret : pw_state_copy_into(c, m, delta, NULL);
}

int pw_compiler_compile_into_was(struct pw_compiler *c, struct pw_model *m,
				 struct pw_model_delta *delta, struct pw_model *was)
{
	int ret = pw_state_update(c);

	if (ret) {
		pw_model_init(was);
		return ret;
	}
	return pw_state_copy_into(c, m, delta, was);
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
