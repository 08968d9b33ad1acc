// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The compiler against a naive reference: random small clusters and
 * policies, every connection judged twice, once by the compiled set and
 * the shared matcher, once by evaluating NetworkPolicy semantics directly
 * on the objects (the reference below, written from DESIGN.md "Semantics"
 * without any of the compiler's machinery). Deterministic seeds.
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

#define NR_NS	3
#define NR_PODS	8
#define MAX_POL	5

static uint32_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245U + 12345U;
	return (rnd_state >> 16) % n;
}

struct world {
	struct pw_compiler *c;
	struct pw_k8s_ns *ns[NR_NS];
	struct pw_k8s_pod *pod[NR_PODS];	/* borrowed from c */
	struct pw_k8s_policy *pol[MAX_POL];	/* borrowed from c */
	int nr_pol;
	int pod_ns[NR_PODS], pol_ns[MAX_POL], pol_gone[MAX_POL];
	char *text[256];		/* the objects put, for failure reports */
	int nr_text;
};

static const char *const nsnames[NR_NS] = { "x", "y", "z" };

static void labels(char *buf, size_t len)
{
	size_t off = (size_t)snprintf(buf, len, "{");
	int first = 1;

	if (rnd(3)) {
		off += (size_t)snprintf(buf + off, len - off, "\"a\": \"%u\"", 1 + rnd(2));
		first = 0;
	}
	if (rnd(2))
		off += (size_t)snprintf(buf + off, len - off, "%s\"b\": \"%u\"",
					first ? "" : ", ", 1 + rnd(2));
	snprintf(buf + off, len - off, "}");
}

static void selector(char *buf, size_t len)
{
	static const char *const ops[] = { "In", "NotIn", "Exists", "DoesNotExist" };
	const char *key = rnd(2) ? "a" : "b";
	uint32_t op = rnd(4);

	switch (rnd(4)) {
	case 0:
		snprintf(buf, len, "{}");
		break;
	case 1:
		snprintf(buf, len, "{\"matchLabels\": {\"%s\": \"%u\"}}", key, 1 + rnd(2));
		break;
	default:
		if (op < 2)
			snprintf(buf, len, "{\"matchExpressions\": [{\"key\": \"%s\", \"operator\": \"%s\", \"values\": [\"%u\"]}]}",
				 key, ops[op], 1 + rnd(2));
		else
			snprintf(buf, len, "{\"matchExpressions\": [{\"key\": \"%s\", \"operator\": \"%s\"}]}",
				 key, ops[op]);
	}
}

static void peer(char *buf, size_t len)
{
	char s1[256], s2[256];

	selector(s1, sizeof(s1));
	selector(s2, sizeof(s2));
	switch (rnd(4)) {
	case 0:
		snprintf(buf, len, "{\"podSelector\": %s}", s1);
		break;
	case 1:
		snprintf(buf, len, "{\"namespaceSelector\": %s}", s1);
		break;
	case 2:
		snprintf(buf, len, "{\"podSelector\": %s, \"namespaceSelector\": %s}", s1, s2);
		break;
	default:
		if (rnd(2)) {
			uint32_t c = rnd(3) * 2;

			snprintf(buf, len, "{\"ipBlock\": {\"cidr\": \"10.0.%u.0/23\", \"except\": [\"10.0.%u.%u/31\"]}}",
				 c, c + rnd(2), rnd(8));
		}
		else {
			snprintf(buf, len, "{\"ipBlock\": {\"cidr\": \"%s\"}}",
				 rnd(2) ? "192.168.0.0/16" : "10.0.1.3/24");
		}
	}
}

static void port(char *buf, size_t len)
{
	const char *proto = rnd(3) ? "" : "\"protocol\": \"UDP\", ";

	switch (rnd(5)) {
	case 0:
		snprintf(buf, len, "{%s\"port\": %u}", proto, rnd(2) ? 80 : 8080);
		break;
	case 1:
		snprintf(buf, len, "{%s\"port\": 80, \"endPort\": %u}", proto, 80 + rnd(3));
		break;
	case 2:
		snprintf(buf, len, "{%s\"port\": \"%s\"}", proto, rnd(2) ? "web" : "alt");
		break;
	case 3:
		snprintf(buf, len, "{\"protocol\": \"%s\"}", rnd(2) ? "UDP" : "TCP");
		break;
	default:
		snprintf(buf, len, "{}");
	}
}

static void rules(char *buf, size_t len, const char *peers_key)
{
	size_t off = (size_t)snprintf(buf, len, "[");
	uint32_t n = rnd(3), i, j;

	for (i = 0; i < n; i++) {
		char p[1024];
		uint32_t np = rnd(3), nq = rnd(3);

		off += (size_t)snprintf(buf + off, len - off, "%s{", i ? ", " : "");
		if (rnd(4)) {
			off += (size_t)snprintf(buf + off, len - off, "\"%s\": [", peers_key);
			for (j = 0; j < np; j++) {
				peer(p, sizeof(p));
				off += (size_t)snprintf(buf + off, len - off, "%s%s", j ? ", " : "", p);
			}
			off += (size_t)snprintf(buf + off, len - off, "]%s", rnd(4) ? ", " : "");
			if (buf[off - 1] != ' ')
				goto close;
		}
		off += (size_t)snprintf(buf + off, len - off, "\"ports\": [");
		for (j = 0; j < nq; j++) {
			port(p, sizeof(p));
			off += (size_t)snprintf(buf + off, len - off, "%s%s", j ? ", " : "", p);
		}
		off += (size_t)snprintf(buf + off, len - off, "]");
close:
		off += (size_t)snprintf(buf + off, len - off, "}");
	}
	snprintf(buf + off, len - off, "]");
}

static void put(struct world *w, const char *kind, const char *text)
{
	json_object *o = json_tokener_parse(text);
	char err[512];

	if (!o)
		fail_msg("bad JSON: %s", text);
	if (pw_compiler_add_object(w->c, o, kind, err, sizeof(err)))
		fail_msg("%s rejected: %s\n%s", kind, err, text);
	json_object_put(o);
	if (w->nr_text < 256)
		w->text[w->nr_text++] = strdup(text);
}

static void gen_ns(struct world *w, int i)
{
	char buf[512], l[128];

	labels(l, sizeof(l));
	snprintf(buf, sizeof(buf), "{\"metadata\": {\"name\": \"%s\", \"labels\": %s}}",
		 nsnames[i], l);
	put(w, "Namespace", buf);
}

/* Pod p@i in namespace @ns; hostNetwork pods are neither subjects nor peers. */
static void gen_pod(struct world *w, int i, int ns, int host_network)
{
	char buf[2048], l[128];

	labels(l, sizeof(l));
	/* "web" differs per pod; "alt" exists on some, over UDP on others. */
	snprintf(buf, sizeof(buf),
		 "{\"metadata\": {\"namespace\": \"%s\", \"name\": \"p%d\", \"labels\": %s},"
		 " \"spec\": {\"hostNetwork\": %s, \"containers\": [{\"ports\": [{\"name\": \"web\", \"containerPort\": %d}%s]}]},"
		 " \"status\": {\"podIPs\": [{\"ip\": \"10.0.%d.%d\"}]}}",
		 nsnames[ns], i, l, host_network ? "true" : "false", rnd(2) ? 80 : 8080,
		 rnd(2) ? (rnd(2) ? ", {\"name\": \"alt\", \"containerPort\": 81}" :
				   ", {\"name\": \"alt\", \"containerPort\": 81, \"protocol\": \"UDP\"}") : "",
		 i / 3, i);
	put(w, "Pod", buf);
}

static void gen_policy(struct world *w, int i, int ns)
{
	const char *types[] = { "", ", \"policyTypes\": [\"Ingress\"]",
				", \"policyTypes\": [\"Egress\"]",
				", \"policyTypes\": [\"Ingress\", \"Egress\"]" };
	char buf[16384], out[16384], sel[256], in[6000], eg[6000];
	char *pi, *pe;

	selector(sel, sizeof(sel));
	rules(in, sizeof(in), "from");
	rules(eg, sizeof(eg), "to");
	snprintf(buf, sizeof(buf),
		 "{\"metadata\": {\"namespace\": \"%s\", \"name\": \"n%d\"}, \"spec\": {\"podSelector\": %s%s%s%s}}",
		 nsnames[ns], i, sel, types[rnd(4)],
		 rnd(5) ? ", \"ingress\": " : "", rnd(5) ? ", \"egress\": " : "");
	/* Splice the rule lists in where their keys were chosen. */
	pi = strstr(buf, "\"ingress\": ");
	pe = strstr(buf, "\"egress\": ");
	if (pi && pe)
		snprintf(out, sizeof(out), "%.*s%s, \"egress\": %s}}",
			 (int)(pi - buf + 11), buf, in, eg);
	else if (pi)
		snprintf(out, sizeof(out), "%.*s%s}}", (int)(pi - buf + 11), buf, in);
	else if (pe)
		snprintf(out, sizeof(out), "%.*s%s}}", (int)(pe - buf + 10), buf, eg);
	else
		snprintf(out, sizeof(out), "%s", buf);
	put(w, "NetworkPolicy", out);
}

static void build(struct world *w)
{
	int i;

	memset(w, 0, sizeof(*w));
	w->c = pw_compiler_new();
	for (i = 0; i < NR_NS; i++)
		gen_ns(w, i);
	for (i = 0; i < NR_PODS; i++) {
		w->pod_ns[i] = (int)rnd(NR_NS);
		gen_pod(w, i, w->pod_ns[i], 0);
	}
	w->nr_pol = 1 + (int)rnd(MAX_POL);
	for (i = 0; i < w->nr_pol; i++) {
		w->pol_ns[i] = (int)rnd(NR_NS);
		gen_policy(w, i, w->pol_ns[i]);
	}
}

/* One change, as a watch would deliver it. */
static void mutate(struct world *w)
{
	int i;

	switch (rnd(5)) {
	case 0:		/* relabel (and re-port) a pod, sometimes onto the host network */
		i = (int)rnd(NR_PODS);
		gen_pod(w, i, w->pod_ns[i], rnd(5) == 0);
		break;
	case 1:
		gen_ns(w, (int)rnd(NR_NS));
		break;
	case 2:		/* replace a policy */
		i = (int)rnd((uint32_t)w->nr_pol);
		if (!w->pol_gone[i])
			gen_policy(w, i, w->pol_ns[i]);
		break;
	case 3:		/* delete a policy */
		i = (int)rnd((uint32_t)w->nr_pol);
		if (!w->pol_gone[i]) {
			assert_int_equal(pw_compiler_del_policy(w->c, nsnames[w->pol_ns[i]],
								(char[8]){ 'n', (char)('0' + i), 0 }), 0);
			w->pol_gone[i] = 1;
		}
		break;
	default:	/* a new policy in a free slot */
		if (w->nr_pol < MAX_POL) {
			i = w->nr_pol++;
			w->pol_ns[i] = (int)rnd(NR_NS);
			gen_policy(w, i, w->pol_ns[i]);
		}
	}
}

/* The reference. */

static json_object *ns_labels(struct world *w, const char *ns)
{
	int i;

	for (i = 0; i < NR_NS; i++)
		if (!strcmp(nsnames[i], ns))
			return w->ns[i]->labels;
	return NULL;
}

static int peer_ok(struct world *w, const struct pw_k8s_policy *pol,
		   const struct pw_k8s_rule *r, const struct pw_k8s_pod *pod,
		   const struct pw_addr *ip)
{
	uint32_t i, j;

	if (r->any_peer)
		return 1;
	for (i = 0; i < r->nr_peers; i++) {
		const struct pw_k8s_peer *p = &r->peers[i];

		if (p->is_block) {
			int ex = 0;

			if (!pw_prefix_contains(&p->cidr, ip))
				continue;
			for (j = 0; j < p->nr_except; j++)
				ex |= pw_prefix_contains(&p->except[j], ip);
			if (!ex)
				return 1;
			continue;
		}
		if (!pod)
			continue;
		if (p->ns_sel ? !pw_k8s_selector_matches(p->ns_sel, ns_labels(w, pod->ns)) :
				strcmp(pod->ns, pol->ns))
			continue;
		if (!p->pod_sel || pw_k8s_selector_matches(p->pod_sel, pod->labels))
			return 1;
	}
	return 0;
}

static int port_ok(const struct pw_k8s_rule *r, const struct pw_k8s_pod *dst,
		   uint8_t proto, uint16_t port)
{
	uint32_t i, j;

	if (r->any_port)
		return 1;
	for (i = 0; i < r->nr_ports; i++) {
		const struct pw_k8s_port *p = &r->ports[i];

		if (p->proto != proto)
			continue;
		if (!p->name) {
			if (p->any_port || (port >= p->first && port <= p->last))
				return 1;
			continue;
		}
		for (j = 0; dst && j < dst->nr_cports; j++)
			if (dst->cports[j].name && !strcmp(dst->cports[j].name, p->name) &&
			    dst->cports[j].proto == proto && dst->cports[j].port == port)
				return 1;
	}
	return 0;
}

/* Side @dir of @self: 1 allowed, 0 denied. */
static int side_ok(struct world *w, const struct pw_k8s_pod *self, int dir,
		   const struct pw_k8s_pod *other, const struct pw_addr *other_ip,
		   const struct pw_k8s_pod *dst, uint8_t proto, uint16_t port)
{
	int isolated = 0, i;
	uint32_t k;

	if (!self)
		return 1;
	for (i = 0; i < w->nr_pol; i++) {
		const struct pw_k8s_policy *pol = w->pol[i];

		if (!pol || strcmp(pol->ns, self->ns) || !pol->types[dir] ||
		    !pw_k8s_selector_matches(&pol->pod_sel, self->labels))
			continue;
		isolated = 1;
		for (k = 0; k < pol->nr_rules[dir]; k++)
			if (peer_ok(w, pol, &pol->rules[dir][k], other, other_ip) &&
			    port_ok(&pol->rules[dir][k], dst, proto, port))
				return 1;
	}
	return !isolated;
}

/* Compiles the world as it is now and compares every verdict. */
static void verify(struct world *w, uint32_t seed, int round)
{
	static const uint16_t ports[] = { 80, 81, 82, 8080 };
	struct pw_table *t;
	struct pw_model m;
	struct pw_addr ext;
	char name[16];
	int i, j, k, pr;

	for (i = 0; i < NR_PODS; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		w->pod[i] = (struct pw_k8s_pod *)pw_compiler_pod(w->c, nsnames[w->pod_ns[i]], name);
		assert_non_null(w->pod[i]);
	}
	for (i = 0; i < NR_NS; i++)
		w->ns[i] = (struct pw_k8s_ns *)pw_compiler_ns(w->c, nsnames[i]);
	for (i = 0; i < w->nr_pol; i++) {
		char *key;
		void *v = NULL;

		assert_true(asprintf(&key, "%s/n%d", nsnames[w->pol_ns[i]], i) > 0);
		lh_table_lookup_ex(w->c->pols, key, &v);
		free(key);
		w->pol[i] = v;
		assert_true(w->pol_gone[i] ? !v : !!v);
	}
	assert_int_equal(pw_compiler_compile(w->c, &m), 0);
	assert_int_equal(pw_model_table(&m, &t), 0);
	assert_int_equal(pw_addr_parse("192.168.3.4", &ext), 0);
	/* Pod to pod, and an outside address to pod and back (index -1). */
	for (i = -1; i < NR_PODS; i++)
		for (j = -1; j < NR_PODS; j++)
			for (k = 0; k < 4; k++)
				for (pr = 0; pr < 2; pr++) {
					const struct pw_k8s_pod *s = i < 0 ? NULL : w->pod[i];
					const struct pw_k8s_pod *d = j < 0 ? NULL : w->pod[j];
					struct pw_tuple tu = { .proto = pr ? PW_PROTO_UDP : PW_PROTO_TCP,
							       .sport = 1000, .dport = ports[k] };
					struct pw_verdict v;
					int want, n;

					if (i == j)
						continue;
					tu.src = s ? s->ips[0] : ext;
					tu.dst = d ? d->ips[0] : ext;
					/* A hostNetwork pod is only an address. */
					if (s && s->host_network)
						s = NULL;
					if (d && d->host_network)
						d = NULL;
					want = side_ok(w, s, PODWALL_DIR_EGRESS, d, &tu.dst, d,
						       tu.proto, tu.dport) &&
					       side_ok(w, d, PODWALL_DIR_INGRESS, s, &tu.src, d,
						       tu.proto, tu.dport);
					pw_match(t, &tu, &v);
					if (v.allow == want)
						continue;
					fprintf(stderr, "seed %u round %d: p%d -> p%d %s/%u: compiled %s, reference %s\n",
						seed, round, i, j, pr ? "udp" : "tcp", ports[k],
						v.allow ? "allow" : "deny", want ? "allow" : "deny");
					for (n = 0; n < w->nr_text; n++)
						fprintf(stderr, "%s\n", w->text[n]);
					fail();
				}
	pw_model_table_free(t);
	pw_model_free(&m);
}

static void check_world(uint32_t seed)
{
	struct world w;
	int round, i;

	rnd_state = seed;
	build(&w);
	/* The same compiler across changes: stable ids, reuse of freed ones. */
	for (round = 0; round < 4; round++) {
		verify(&w, seed, round);
		mutate(&w);
		mutate(&w);
	}
	pw_compiler_free(w.c);
	for (i = 0; i < w.nr_text; i++)
		free(w.text[i]);
}

static void test_random_worlds(void **state)
{
	uint32_t seed;

	(void)state;
	for (seed = 1; seed <= 500; seed++)
		check_world(seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_worlds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
