// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Incremental compiles against compiles from scratch: random sequences of
 * the changes a watch delivers (pods added, removed, relabelled, moved
 * between addresses and nodes; namespaces relabelled and deleted; policies
 * added, replaced, removed) are applied to one long-lived compiler, and
 * after each the model it gives must equal what a new compiler given the
 * same objects gives. Ids differ between two compilers, so models are
 * compared in a canonical text that names everything by content. At the
 * end of each sequence the same compiler also rebuilds from scratch
 * (pw_compiler_forget()) and must give exactly the same model, ids too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "compiler.h"
#include "compiler_int.h"

#define NR_NS	4
#define NR_PODS	24
#define NR_POL	10
#define STEPS	30

static uint32_t seed_state;

static uint32_t rnd(uint32_t n)
{
	seed_state = seed_state * 1103515245U + 12345U;
	return (seed_state >> 16) % n;
}

/* The objects as they are now: what a fresh compiler is given. */
struct objs {
	char *ns[NR_NS];		/* NULL: no Namespace object */
	char *pod[NR_PODS];
	char *pol[NR_POL];
	int pod_ns[NR_PODS], pol_ns[NR_POL];
};

static const char *const nsname[NR_NS] = { "n0", "n1", "n2", "n3" };

static void labels(char *buf, size_t len)
{
	snprintf(buf, len, "{\"app\": \"a%u\"%s%s}", rnd(3),
		 rnd(2) ? ", \"tier\": \"t1\"" : "", rnd(3) ? "" : ", \"team\": \"x\"");
}

static void selector(char *buf, size_t len)
{
	switch (rnd(5)) {
	case 0:
		snprintf(buf, len, "{}");
		break;
	case 1:
		snprintf(buf, len, "{\"matchLabels\": {\"app\": \"a%u\"}}", rnd(3));
		break;
	case 2:
		snprintf(buf, len, "{\"matchExpressions\": [{\"key\": \"tier\", \"operator\": \"%s\"}]}",
			 rnd(2) ? "Exists" : "DoesNotExist");
		break;
	case 3:
		snprintf(buf, len, "{\"matchExpressions\": [{\"key\": \"app\", \"operator\": \"NotIn\", \"values\": [\"a%u\"]}]}",
			 rnd(3));
		break;
	default:
		snprintf(buf, len, "{\"matchLabels\": {\"team\": \"x\"}}");
	}
}

static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	assert_true(vasprintf(&s, f, ap) > 0);
	va_end(ap);
	return s;
}

static char *gen_ns(int i)
{
	char l[256];

	labels(l, sizeof(l));
	return fmt("{\"metadata\": {\"name\": \"%s\", \"labels\": %s}}", nsname[i], l);
}

/*
 * Addresses from a small pool, so two pods now and then show the same
 * one; some pods run elsewhere, on the host network, finished or without
 * an address.
 */
static char *gen_pod(int i, int ns)
{
	static const char *const phase[] = { "Running", "Running", "Running", "Succeeded" };
	char l[256], ips[128];
	uint32_t a = rnd(40);

	labels(l, sizeof(l));
	if (rnd(8) == 0)
		snprintf(ips, sizeof(ips), "[]");
	else if (rnd(3) == 0)
		snprintf(ips, sizeof(ips), "[{\"ip\": \"10.1.0.%u\"}, {\"ip\": \"fd00::%x\"}]", a, a + 1);
	else
		snprintf(ips, sizeof(ips), "[{\"ip\": \"10.1.0.%u\"}]", a);
	return fmt("{\"metadata\": {\"namespace\": \"%s\", \"name\": \"p%d\", \"labels\": %s},"
		   " \"spec\": {\"nodeName\": \"%s\", \"hostNetwork\": %s, \"containers\": [{\"ports\": ["
		   "{\"name\": \"web\", \"containerPort\": %u}%s]}]},"
		   " \"status\": {\"phase\": \"%s\", \"podIPs\": %s}}",
		   nsname[ns], i, l, rnd(4) ? "node-a" : "node-b", rnd(10) ? "false" : "true",
		   rnd(2) ? 80 : 8080, rnd(2) ? ", {\"name\": \"alt\", \"containerPort\": 81}" : "",
		   phase[rnd(4)], ips);
}

static void gen_peer(char *buf, size_t len)
{
	char s1[256], s2[256];

	selector(s1, sizeof(s1));
	selector(s2, sizeof(s2));
	switch (rnd(5)) {
	case 0:
		snprintf(buf, len, "{\"podSelector\": %s}", s1);
		break;
	case 1:
		snprintf(buf, len, "{\"namespaceSelector\": %s}", s1);
		break;
	case 2:
		snprintf(buf, len, "{\"namespaceSelector\": %s, \"podSelector\": %s}", s1, s2);
		break;
	case 3:
		snprintf(buf, len, "{\"ipBlock\": {\"cidr\": \"10.1.0.0/26\", \"except\": [\"10.1.0.%u/30\"]}}",
			 rnd(16) * 4);
		break;
	default:
		snprintf(buf, len, "{\"ipBlock\": {\"cidr\": \"10.1.0.%u/28\"}}", rnd(4) * 16);
	}
}

static void gen_rules(char *buf, size_t len, const char *peers)
{
	static const char *const ports[] = {
		"{\"port\": 80}", "{\"port\": 80, \"endPort\": 90}", "{\"port\": \"web\"}",
		"{\"port\": \"alt\"}", "{\"protocol\": \"UDP\"}",
	};
	size_t off = (size_t)snprintf(buf, len, "[");
	uint32_t n = rnd(3), i, j, np, nq;
	char p[1024];

	for (i = 0; i < n; i++) {
		off += (size_t)snprintf(buf + off, len - off, "%s{", i ? ", " : "");
		np = rnd(3);
		nq = rnd(3);
		if (np) {
			off += (size_t)snprintf(buf + off, len - off, "\"%s\": [", peers);
			for (j = 0; j < np; j++) {
				gen_peer(p, sizeof(p));
				off += (size_t)snprintf(buf + off, len - off, "%s%s", j ? ", " : "", p);
			}
			off += (size_t)snprintf(buf + off, len - off, "]%s", nq ? ", " : "");
		}
		if (nq) {
			off += (size_t)snprintf(buf + off, len - off, "\"ports\": [");
			for (j = 0; j < nq; j++)
				off += (size_t)snprintf(buf + off, len - off, "%s%s", j ? ", " : "",
							ports[rnd(5)]);
			off += (size_t)snprintf(buf + off, len - off, "]");
		}
		off += (size_t)snprintf(buf + off, len - off, "}");
	}
	snprintf(buf + off, len - off, "]");
}

static char *gen_policy(int i, int ns)
{
	static const char *const types[] = { "", "\"policyTypes\": [\"Ingress\"], ",
					     "\"policyTypes\": [\"Egress\"], ",
					     "\"policyTypes\": [\"Ingress\", \"Egress\"], " };
	char sel[256], in[8192], eg[8192];

	selector(sel, sizeof(sel));
	gen_rules(in, sizeof(in), "from");
	gen_rules(eg, sizeof(eg), "to");
	return fmt("{\"metadata\": {\"namespace\": \"%s\", \"name\": \"q%d\"}, \"spec\": {%s"
		   "\"podSelector\": %s, \"ingress\": %s, \"egress\": %s}}",
		   nsname[ns], i, types[rnd(4)], sel, in, eg);
}

static void add(struct pw_compiler *c, const char *kind, const char *text)
{
	json_object *o = json_tokener_parse(text);
	char err[512];

	if (!o)
		fail_msg("bad JSON: %s", text);
	if (pw_compiler_add_object(c, o, kind, err, sizeof(err)))
		fail_msg("%s rejected: %s\n%s", kind, err, text);
	json_object_put(o);
}

/* The node whose pods are endpoints: node-a, until a test moves it. */
static const char *node = "node-a";

static void setup_node(struct pw_compiler *c)
{
	struct pw_addr a[2];

	assert_int_equal(pw_addr_parse(node[5] == 'a' ? "10.9.0.1" : "10.9.0.2", &a[0]), 0);
	assert_int_equal(pw_addr_parse("fd09::1", &a[1]), 0);
	assert_int_equal(pw_compiler_set_node(c, node), 0);
	assert_int_equal(pw_compiler_set_node_addrs(c, a, 2), 0);
}

/* A new compiler given the objects (the node last, as podwallctl does). */
static struct pw_compiler *fresh(const struct objs *o)
{
	struct pw_compiler *c = pw_compiler_new();
	int i;

	assert_non_null(c);
	for (i = 0; i < NR_NS; i++)
		if (o->ns[i])
			add(c, "Namespace", o->ns[i]);
	/* Policies before pods here, the other way round in run_seed(). */
	for (i = 0; i < NR_POL; i++)
		if (o->pol[i])
			add(c, "NetworkPolicy", o->pol[i]);
	for (i = 0; i < NR_PODS; i++)
		if (o->pod[i])
			add(c, "Pod", o->pod[i]);
	setup_node(c);
	return c;
}

/* Canonical text: everything named by content, lines sorted. */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void sorted_lines(FILE *out, char **l, uint32_t n)
{
	uint32_t i;

	qsort(l, n, sizeof(*l), cmp_str);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s\n", l[i]);
		free(l[i]);
	}
	free(l);
}

static void set_text(FILE *f, const struct pw_model *m, uint32_t id)
{
	const struct pw_model_set *s = pw_model_set(m, id);
	char buf[64];
	uint32_t i;

	if (!id)
		return;
	assert_non_null(s);
	for (i = 0; i < s->nr_prefixes; i++)
		fprintf(f, "%s%s", i ? "," : "",
			pw_addr_format(&s->prefixes[i], buf, sizeof(buf)));
}

static char *rule_text(const struct pw_model *m, uint32_t id)
{
	const struct pw_model_rule *r = pw_model_rule(m, id);
	const struct pw_model_policy *p;
	char *s;
	size_t len;
	FILE *f = open_memstream(&s, &len);
	uint32_t i;

	assert_non_null(f);
	assert_non_null(r);
	p = pw_model_policy(m, r->policy);
	assert_non_null(p);
	fprintf(f, "%s/%s d%u i%u f%u [", p->ns, p->name, r->dir, r->index, r->flags);
	for (i = 0; i < r->nr_ports; i++)
		fprintf(f, "%u:%u-%u ", r->ports[i].proto, r->ports[i].first, r->ports[i].last);
	fprintf(f, "] {");
	set_text(f, m, r->set);
	fprintf(f, "}");
	fclose(f);
	return s;
}

/*
 * Addresses that several endpoints' pods show: the endpoint with the
 * lowest id keeps each, and ids differ between two compilers, so the
 * canonical text leaves them out; check_owners() checks them.
 */
struct held {
	struct pw_addr a;
	uint32_t ep;
};

static int cmp_held(const void *x, const void *y)
{
	const struct held *a = x, *b = y;
	int c = memcmp(&a->a, &b->a, sizeof(a->a));

	return c ? c : (a->ep > b->ep) - (a->ep < b->ep);
}

static uint32_t held(struct pw_compiler *c, struct held **out)
{
	struct held *h = calloc(c->nr_slots * PW_K8S_MAX_IPS + 1, sizeof(*h));
	uint32_t i, j, n = 0;

	assert_non_null(h);
	for (i = 0; i < c->nr_slots; i++)
		for (j = 0; c->slots[i] && c->slots[i]->ep && j < c->slots[i]->pod->nr_ips; j++)
			h[n++] = (struct held){ c->slots[i]->pod->ips[j], c->slots[i]->ep };
	qsort(h, n, sizeof(*h), cmp_held);
	*out = h;
	return n;
}

static bool contested(const struct held *h, uint32_t n, const struct pw_addr *a)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i++)
		if (!memcmp(&h[i].a, a, sizeof(*a)) && !memcmp(&h[i + 1].a, a, sizeof(*a)))
			return true;
	return false;
}

/* Each contested address is on exactly one endpoint: the lowest id's. */
static void check_owners(struct pw_compiler *c, const struct pw_model *m)
{
	struct held *h;
	uint32_t n = held(c, &h), i, j, k;

	for (i = 0; i < n; i = j) {
		uint32_t owners = 0;

		for (j = i; j < n && !memcmp(&h[j].a, &h[i].a, sizeof(h[i].a)); j++)
			;
		for (k = 0; k < m->nr_eps; k++) {
			const struct pw_model_ep *e = &m->eps[k];
			uint32_t x;

			for (x = 0; x < e->nr_addrs; x++)
				if (!memcmp(&e->addrs[x], &h[i].a, sizeof(h[i].a))) {
					assert_int_equal(e->id, h[i].ep);	/* sorted: lowest first */
					owners++;
				}
		}
		assert_int_equal(owners, 1);
	}
	free(h);
}

static char *canon(struct pw_compiler *c, const struct pw_model *m)
{
	struct held *h;
	uint32_t nh = held(c, &h);
	char *s, **l, buf[64];
	size_t len;
	FILE *f = open_memstream(&s, &len);
	uint32_t i, j, k;

	assert_non_null(f);
	fprintf(f, "policies %u rules %u sets %u eps %u\nnode {", m->nr_policies,
		m->nr_rules, m->nr_sets, m->nr_eps);
	set_text(f, m, m->node_set);
	fprintf(f, "}\n");
	l = calloc(m->nr_policies + 1, sizeof(*l));
	for (i = 0; i < m->nr_policies; i++)
		l[i] = fmt("policy %s/%s", m->policies[i].ns, m->policies[i].name);
	sorted_lines(f, l, m->nr_policies);
	/* Every rule and set is somebody's: the counts above cover orphans. */
	l = calloc(m->nr_eps + 1, sizeof(*l));
	for (i = 0; i < m->nr_eps; i++) {
		const struct pw_model_ep *e = &m->eps[i];
		size_t elen;
		FILE *ef = open_memstream(&l[i], &elen);

		fprintf(ef, "ep %s/%s f%u addrs", e->ns, e->name, e->flags);
		for (j = 0; j < e->nr_addrs; j++)
			if (!contested(h, nh, &e->addrs[j]))
				fprintf(ef, " %s", pw_addr_format(&e->addrs[j], buf, sizeof(buf)));
		for (k = 0; k < __PODWALL_DIR_MAX; k++) {
			char **rl = calloc(e->nr_rules[k] + e->nr_policies[k] + 1, sizeof(*rl));
			size_t rlen;
			char *rs;
			FILE *rf = open_memstream(&rs, &rlen);

			for (j = 0; j < e->nr_policies[k]; j++) {
				const struct pw_model_policy *p = pw_model_policy(m, e->policies[k][j]);

				assert_non_null(p);
				rl[j] = fmt("  p %s/%s", p->ns, p->name);
			}
			for (j = 0; j < e->nr_rules[k]; j++)
				rl[e->nr_policies[k] + j] = rule_text(m, e->rules[k][j]);
			sorted_lines(rf, rl, e->nr_rules[k] + e->nr_policies[k]);
			fclose(rf);
			fprintf(ef, "\n dir %u\n%s", k, rs);
			free(rs);
		}
		fclose(ef);
	}
	sorted_lines(f, l, m->nr_eps);
	fclose(f);
	free(h);
	return s;
}

static void assert_no_delta(const struct pw_model_delta *d)
{
	unsigned int k;

	for (k = 0; k < 4; k++) {
		assert_int_equal(d->nr_put[k], 0);
		assert_int_equal(d->nr_del[k], 0);
	}
	assert_int_equal(d->node_set, UINT32_MAX);
}

static void assert_same_delta(const struct pw_model_delta *a,
			      const struct pw_model_delta *b)
{
	unsigned int k;

	assert_int_equal(a->node_set, b->node_set);
	for (k = 0; k < 4; k++) {
		assert_int_equal(a->nr_put[k], b->nr_put[k]);
		assert_int_equal(a->nr_del[k], b->nr_del[k]);
		assert_memory_equal(a->put[k], b->put[k], a->nr_put[k] * sizeof(uint32_t));
		assert_memory_equal(a->del[k], b->del[k], a->nr_del[k] * sizeof(uint32_t));
	}
}

/*
 * The model updated in place (@into, the previous compile @prev) is the
 * model a whole compile gives, and its delta the one pw_model_diff() finds.
 */
static const void *find(const struct pw_model *m, unsigned int k, uint32_t id)
{
	switch (k) {
	case PW_MODEL_POLICY:
		return pw_model_policy(m, id);
	case PW_MODEL_SET:
		return pw_model_set(m, id);
	case PW_MODEL_RULE:
		return pw_model_rule(m, id);
	default:
		return pw_model_ep(m, id);
	}
}

/*
 * @was holds exactly the versions @prev had of the objects @d puts or
 * deletes, equal to them, in id order.
 */
static void check_was(const struct pw_model *was, const struct pw_model *prev,
		      const struct pw_model_delta *d)
{
	const uint32_t nr[4] = { was->nr_policies, was->nr_sets, was->nr_rules, was->nr_eps };
	const void *arr[4] = { was->policies, was->sets, was->rules, was->eps };
	const size_t size[4] = { sizeof(*was->policies), sizeof(*was->sets),
				 sizeof(*was->rules), sizeof(*was->eps) };
	unsigned int k;
	uint32_t i, n;

	assert_int_equal(was->node_set, prev->node_set);
	for (k = 0; k < 4; k++) {
		n = 0;
		for (i = 0; i < d->nr_put[k]; i++) {
			const void *old = find(prev, k, d->put[k][i]);
			const void *w = find(was, k, d->put[k][i]);

			assert_true(!old == !w);
			if (old) {
				assert_true(pw_model_obj_equal(k, old, w));
				n++;
			}
		}
		for (i = 0; i < d->nr_del[k]; i++) {
			const void *w = find(was, k, d->del[k][i]);

			assert_non_null(w);
			assert_true(pw_model_obj_equal(k, find(prev, k, d->del[k][i]), w));
			n++;
		}
		assert_int_equal(nr[k], n);
		for (i = 1; i < nr[k]; i++)
			assert_true(*(const uint32_t *)((const char *)arr[k] + (i - 1) * size[k]) <
				    *(const uint32_t *)((const char *)arr[k] + i * size[k]));
	}
}

static void check_into(struct pw_compiler *c, struct pw_model *into,
		       struct pw_model *prev, const struct pw_model *now)
{
	struct pw_model_delta d, want;
	struct pw_model was;

	assert_int_equal(pw_compiler_compile_into_was(c, into, &d, &was), 0);
	assert_int_equal(pw_model_diff(prev, now, &want), 0);
	assert_same_delta(&d, &want);
	check_was(&was, prev, &d);
	pw_model_free(&was);
	pw_model_delta_free(&d);
	pw_model_delta_free(&want);
	assert_int_equal(pw_model_diff(now, into, &d), 0);
	assert_no_delta(&d);
	pw_model_delta_free(&d);
}

static void check_same(struct pw_compiler *inc, const struct objs *o,
		       uint32_t seed, int step, const char *what,
		       struct pw_model *into, struct pw_model *prev)
{
	struct pw_compiler *ref = fresh(o);
	struct pw_model a, b;
	char *ca, *cb;

	assert_int_equal(pw_compiler_compile(inc, &a), 0);
	check_into(inc, into, prev, &a);
	assert_int_equal(pw_compiler_compile(ref, &b), 0);
	check_owners(inc, &a);
	check_owners(ref, &b);
	ca = canon(inc, &a);
	cb = canon(ref, &b);
	if (strcmp(ca, cb)) {
		fprintf(stderr, "seed %u step %d (%s): incremental\n%s\nfrom scratch\n%s\n",
			seed, step, what, ca, cb);
		fail();
	}
	free(ca);
	free(cb);
	pw_model_free(prev);
	*prev = a;
	pw_model_free(&b);
	pw_compiler_free(ref);
}

static void replace(char **slot, char *text)
{
	free(*slot);
	*slot = text;
}

/* One change to both the objects and @c; returns what it was. */
static const char *change(struct pw_compiler *c, struct objs *o)
{
	int i = (int)rnd(NR_PODS), p = (int)rnd(NR_POL), n = (int)rnd(NR_NS);

	switch (rnd(8)) {
	case 0:		/* a pod comes or goes */
		if (o->pod[i]) {
			char name[8];

			snprintf(name, sizeof(name), "p%d", i);
			replace(&o->pod[i], NULL);
			assert_int_equal(pw_compiler_del_pod(c, nsname[o->pod_ns[i]], name), 0);
			return "pod removed";
		}
		o->pod_ns[i] = (int)rnd(NR_NS);
		replace(&o->pod[i], gen_pod(i, o->pod_ns[i]));
		add(c, "Pod", o->pod[i]);
		return "pod added";
	case 1:
	case 2:		/* relabelled, readdressed, moved, finished... */
		if (!o->pod[i])
			return "nothing";
		if (rnd(4) == 0) {	/* as a relist puts it again */
			add(c, "Pod", o->pod[i]);
			return "pod put unchanged";
		}
		replace(&o->pod[i], gen_pod(i, o->pod_ns[i]));
		add(c, "Pod", o->pod[i]);
		return "pod changed";
	case 3:
		replace(&o->ns[n], gen_ns(n));
		add(c, "Namespace", o->ns[n]);
		return "namespace relabelled";
	case 4:
		if (!o->ns[n])
			return "nothing";
		replace(&o->ns[n], NULL);
		assert_int_equal(pw_compiler_del_ns(c, nsname[n]), 0);
		return "namespace deleted";
	case 5:
		if (o->pol[p]) {
			char name[8];

			snprintf(name, sizeof(name), "q%d", p);
			replace(&o->pol[p], NULL);
			assert_int_equal(pw_compiler_del_policy(c, nsname[o->pol_ns[p]], name), 0);
			return "policy removed";
		}
		/* fall through */
	default:
		if (!o->pol[p])
			o->pol_ns[p] = (int)rnd(NR_NS);
		replace(&o->pol[p], gen_policy(p, o->pol_ns[p]));
		add(c, "NetworkPolicy", o->pol[p]);
		return "policy put";
	}
}

static void run_seed(uint32_t seed)
{
	struct pw_compiler *c = pw_compiler_new();
	struct pw_model before, after, into, prev;
	struct pw_model_delta d;
	struct objs o = { 0 };
	int i, step;

	seed_state = seed;
	pw_model_init(&into);
	pw_model_init(&prev);
	assert_non_null(c);
	setup_node(c);
	for (i = 0; i < NR_NS; i++)
		if (rnd(4)) {
			o.ns[i] = gen_ns(i);
			add(c, "Namespace", o.ns[i]);
		}
	for (i = 0; i < NR_PODS; i++)
		if (rnd(4)) {
			o.pod_ns[i] = (int)rnd(NR_NS);
			o.pod[i] = gen_pod(i, o.pod_ns[i]);
			add(c, "Pod", o.pod[i]);
		}
	for (i = 0; i < NR_POL; i++)
		if (rnd(2)) {
			o.pol_ns[i] = (int)rnd(NR_NS);
			o.pol[i] = gen_policy(i, o.pol_ns[i]);
			add(c, "NetworkPolicy", o.pol[i]);
		}
	check_same(c, &o, seed, 0, "initial", &into, &prev);
	for (step = 1; step <= STEPS; step++) {
		/* Sometimes several changes between two compiles. */
		const char *what = change(c, &o);

		if (rnd(3) == 0)
			what = change(c, &o);
		check_same(c, &o, seed, step, what, &into, &prev);
	}
	/* A rebuild from scratch in the same context: the very same model. */
	assert_int_equal(pw_compiler_compile(c, &before), 0);
	pw_compiler_forget(c);
	assert_int_equal(pw_compiler_compile(c, &after), 0);
	assert_int_equal(pw_model_diff(&before, &after, &d), 0);
	assert_no_delta(&d);
	pw_model_delta_free(&d);
	/* After a rebuild, the in-place model is compared whole: no change. */
	assert_int_equal(pw_compiler_compile_into(c, &into, &d), 0);
	assert_no_delta(&d);
	pw_model_delta_free(&d);
	/* Another node: other endpoints, other node addresses. */
	node = "node-b";
	setup_node(c);
	check_same(c, &o, seed, STEPS + 1, "node moved", &into, &prev);
	node = "node-a";
	pw_model_free(&before);
	pw_model_free(&after);
	pw_model_free(&into);
	pw_model_free(&prev);
	pw_compiler_free(c);
	for (i = 0; i < NR_NS; i++)
		free(o.ns[i]);
	for (i = 0; i < NR_PODS; i++)
		free(o.pod[i]);
	for (i = 0; i < NR_POL; i++)
		free(o.pol[i]);
}

/* PW_SEEDS=n runs more (or fewer) sequences than the default 100. */
static void test_incremental_equals_scratch(void **state)
{
	const char *env = getenv("PW_SEEDS");
	uint32_t seed, n = env ? (uint32_t)atoi(env) : 100;

	(void)state;
	for (seed = 1; seed <= n; seed++)
		run_seed(seed);
}

/* One pod relabel changes only what depends on it: ids of the rest stay. */
static void test_small_change_small_delta(void **state)
{
	struct pw_compiler *c = pw_compiler_new();
	struct pw_model a, b;
	struct pw_model_delta d;
	struct objs o = { 0 };
	uint32_t n = 0, k;
	int i;

	(void)state;
	seed_state = 7;
	setup_node(c);
	for (i = 0; i < NR_PODS; i++) {
		o.pod_ns[i] = i % NR_NS;
		o.pod[i] = fmt("{\"metadata\": {\"namespace\": \"%s\", \"name\": \"p%d\", \"labels\": {\"app\": \"a%d\"}},"
			       " \"spec\": {\"nodeName\": \"node-a\", \"containers\": []},"
			       " \"status\": {\"podIPs\": [{\"ip\": \"10.1.0.%d\"}]}}",
			       nsname[i % NR_NS], i, i % 3, i + 1);
		add(c, "Pod", o.pod[i]);
	}
	for (i = 0; i < NR_POL; i++) {
		o.pol[i] = fmt("{\"metadata\": {\"namespace\": \"%s\", \"name\": \"q%d\"}, \"spec\": {"
			       "\"podSelector\": {\"matchLabels\": {\"app\": \"a%d\"}},"
			       " \"ingress\": [{\"from\": [{\"podSelector\": {\"matchLabels\": {\"app\": \"a%d\"}}}]}]}}",
			       nsname[i % NR_NS], i, i % 3, (i + 1) % 3);
		add(c, "NetworkPolicy", o.pol[i]);
	}
	assert_int_equal(pw_compiler_compile(c, &a), 0);
	/* p0 (n0, app a0) becomes a1: a peer of q2 (n2) no more... */
	add(c, "Pod", "{\"metadata\": {\"namespace\": \"n0\", \"name\": \"p0\", \"labels\": {\"app\": \"a1\"}},"
		      " \"spec\": {\"nodeName\": \"node-a\", \"containers\": []},"
		      " \"status\": {\"podIPs\": [{\"ip\": \"10.1.0.1\"}]}}");
	assert_int_equal(pw_compiler_compile(c, &b), 0);
	assert_int_equal(pw_model_diff(&a, &b, &d), 0);
	for (k = 0; k < 4; k++)
		n += d.nr_put[k] + d.nr_del[k];
	/* ...of n0's policies only: a handful of objects, not the model. */
	assert_true(n > 0);
	assert_true(n < 12);
	assert_int_equal(a.nr_eps, b.nr_eps);
	pw_model_delta_free(&d);
	pw_model_free(&a);
	pw_model_free(&b);
	pw_compiler_free(c);
	for (i = 0; i < NR_PODS; i++)
		free(o.pod[i]);
	for (i = 0; i < NR_POL; i++)
		free(o.pol[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incremental_equals_scratch),
		cmocka_unit_test(test_small_change_small_delta),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
