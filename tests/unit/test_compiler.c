// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The compiler's semantics (DESIGN.md "Semantics"), one test per rule:
 * clusters written as YAML, compiled, loaded into the shared matcher, and
 * judged connection by connection.
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

struct cl {
	struct pw_compiler *c;
	struct pw_model m;
	struct pw_table *t;
	unsigned int invalid;
	char last_err[512];
};

static int add_cb(json_object *o, const char *kind, void *ctx)
{
	struct cl *cl = ctx;
	char err[512];
	int ret = pw_compiler_add_object(cl->c, o, kind, err, sizeof(err));

	if (ret == -EINVAL) {
		cl->invalid++;
		snprintf(cl->last_err, sizeof(cl->last_err), "%s", err);
		return 0;
	}
	return ret < 0 ? ret : 0;
}

/* Three namespaces x, y, z with pods a, b, c each, labels pod=<name>. */
static const char *const base =
	"kind: List\nitems:\n"
	"- {kind: Namespace, metadata: {name: x, labels: {ns: x}}}\n"
	"- {kind: Namespace, metadata: {name: y, labels: {ns: y}}}\n"
	"- {kind: Namespace, metadata: {name: z, labels: {ns: z}}}\n";

static void pod(struct cl *cl, const char *ns, const char *name,
		const char *labels, const char *ips, const char *extra)
{
	char buf[2048], err[512];

	snprintf(buf, sizeof(buf),
		 "{\"kind\": \"Pod\", \"metadata\": {\"namespace\": \"%s\", \"name\": \"%s\", \"labels\": %s},"
		 " \"spec\": {\"containers\": [{\"ports\": ["
		 "{\"name\": \"http\", \"containerPort\": %d}, {\"name\": \"dns\", \"containerPort\": 53, \"protocol\": \"UDP\"}]}]%s},"
		 " \"status\": {\"phase\": \"Running\", \"podIPs\": [%s]}}",
		 ns, name, labels, name[0] == 'b' ? 8080 : 80, extra ? extra : "", ips);
	assert_int_equal(pw_k8s_load_text(buf, strlen(buf), "test", add_cb, cl, err, sizeof(err)), 0);
}

static void load(struct cl *cl, const char *text)
{
	char err[512];

	assert_int_equal(pw_k8s_load_text(text, strlen(text), "test", add_cb, cl,
					  err, sizeof(err)), 0);
}

static void setup_cluster(struct cl *cl)
{
	static const char *const nss[] = { "x", "y", "z" };
	static const char *const names[] = { "a", "b", "c" };
	int i, j;

	memset(cl, 0, sizeof(*cl));
	cl->c = pw_compiler_new();
	assert_non_null(cl->c);
	load(cl, base);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			char labels[64], ips[128];

			snprintf(labels, sizeof(labels), "{\"pod\": \"%s\"}", names[j]);
			snprintf(ips, sizeof(ips), "{\"ip\": \"10.0.%d.%d\"}, {\"ip\": \"fd00::%d:%d\"}",
				 i, j + 1, i, j + 1);
			pod(cl, nss[i], names[j], labels, ips, NULL);
		}
}

static void compile(struct cl *cl)
{
	if (cl->t)
		pw_model_table_free(cl->t);
	pw_model_free(&cl->m);
	assert_int_equal(pw_compiler_compile(cl->c, &cl->m), 0);
	assert_int_equal(pw_model_table(&cl->m, &cl->t), 0);
}

static void teardown_cluster(struct cl *cl)
{
	pw_model_table_free(cl->t);
	pw_model_free(&cl->m);
	pw_compiler_free(cl->c);
}

/* Address of "ns/pod" in the given family (4 or 6), or a literal IP. */
static struct pw_addr addr_of(struct cl *cl, const char *ref, int fam)
{
	char ns[64], name[64];
	struct pw_addr a;
	const struct pw_k8s_pod *p;
	uint32_t i;

	if (!pw_addr_parse(ref, &a))
		return a;
	assert_int_equal(sscanf(ref, "%63[^/]/%63s", ns, name), 2);
	p = pw_compiler_pod(cl->c, ns, name);
	assert_non_null(p);
	for (i = 0; i < p->nr_ips; i++)
		if (p->ips[i].family == fam)
			return p->ips[i];
	fail_msg("%s has no IPv%d address", ref, fam);
	return a;
}

static bool allowed6(struct cl *cl, const char *from, const char *to,
		     int port, uint8_t proto, int fam)
{
	struct pw_tuple t = { .proto = proto, .dport = (uint16_t)port, .sport = 1234 };
	struct pw_verdict v;

	t.src = addr_of(cl, from, fam);
	t.dst = addr_of(cl, to, fam);
	pw_match(cl->t, &t, &v);
	return v.allow;
}

static bool allowed(struct cl *cl, const char *from, const char *to, int port,
		    uint8_t proto)
{
	bool v4 = allowed6(cl, from, to, port, proto, PW_FAMILY_INET);

	/* Dual stack: every verdict must be the same over IPv6. */
	if (strchr(from, '/') && strchr(to, '/'))
		assert_int_equal(v4, allowed6(cl, from, to, port, proto, PW_FAMILY_INET6));
	return v4;
}

#define TCP PW_PROTO_TCP
#define UDP PW_PROTO_UDP
#define SCTP PW_PROTO_SCTP

static void test_no_policy_allows_all(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	compile(&cl);
	assert_true(allowed(&cl, "x/a", "y/b", 80, TCP));
	assert_true(allowed(&cl, "x/a", "y/b", 9, SCTP));
	teardown_cluster(&cl);
}

static void test_default_deny_ingress(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	load(&cl, "kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\n"
		  "metadata: {namespace: x, name: deny}\nspec: {podSelector: {}}\n");
	compile(&cl);
	assert_false(allowed(&cl, "y/a", "x/a", 80, TCP));
	assert_false(allowed(&cl, "x/b", "x/a", 80, UDP));
	/* Only ingress: x pods may still connect out. */
	assert_true(allowed(&cl, "x/a", "y/a", 80, TCP));
	/* Self traffic is always allowed. */
	assert_true(allowed(&cl, "x/a", "x/a", 80, TCP));
	teardown_cluster(&cl);
}

static void test_policy_types_defaulting(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	/* egress non-empty and no policyTypes: Ingress + Egress. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\n"
		  "spec:\n  podSelector: {matchLabels: {pod: a}}\n"
		  "  egress: [{to: [{podSelector: {matchLabels: {pod: b}}}]}]\n");
	compile(&cl);
	assert_false(allowed(&cl, "x/c", "x/a", 80, TCP));	/* ingress isolated */
	assert_true(allowed(&cl, "x/a", "x/b", 8080, TCP));
	assert_false(allowed(&cl, "x/a", "x/c", 80, TCP));
	/* policyTypes [Egress]: the ingress rules are ignored, no ingress isolation. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\n"
		  "spec:\n  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
		  "  ingress: [{}]\n  egress: []\n");
	compile(&cl);
	assert_true(allowed(&cl, "x/c", "x/a", 80, TCP));
	assert_false(allowed(&cl, "x/a", "x/b", 8080, TCP));
	/* policyTypes [Ingress] with egress rules: egress ignored. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\n"
		  "spec:\n  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Ingress]\n"
		  "  egress: [{to: [{podSelector: {}}]}]\n");
	compile(&cl);
	assert_true(allowed(&cl, "x/a", "y/c", 80, TCP));
	assert_false(allowed(&cl, "x/b", "x/a", 80, TCP));
	teardown_cluster(&cl);
}

static void test_union_of_policies(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	load(&cl, "kind: List\nitems:\n"
		  "- kind: NetworkPolicy\n  metadata: {namespace: x, name: from-b}\n"
		  "  spec: {podSelector: {}, ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]}\n"
		  "- kind: NetworkPolicy\n  metadata: {namespace: x, name: from-c}\n"
		  "  spec: {podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{podSelector: {matchLabels: {pod: c}}}]}]}\n");
	compile(&cl);
	assert_true(allowed(&cl, "x/b", "x/a", 80, TCP));
	assert_true(allowed(&cl, "x/c", "x/a", 80, TCP));
	assert_false(allowed(&cl, "x/c", "x/b", 8080, TCP));
	assert_false(allowed(&cl, "y/b", "x/a", 80, TCP));	/* podSelector alone = own namespace */
	teardown_cluster(&cl);
}

static void test_peers(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	/* namespaceSelector alone, AND of both, and OR of list items. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {matchLabels: {pod: a}}\n"
		  "  ingress:\n  - from:\n"
		  "    - namespaceSelector: {matchLabels: {ns: y}}\n"
		  "    - namespaceSelector: {matchLabels: {ns: z}}\n      podSelector: {matchLabels: {pod: c}}\n");
	compile(&cl);
	assert_true(allowed(&cl, "y/a", "x/a", 80, TCP));
	assert_true(allowed(&cl, "y/b", "x/a", 80, TCP));
	assert_true(allowed(&cl, "z/c", "x/a", 80, TCP));
	assert_false(allowed(&cl, "z/b", "x/a", 80, TCP));
	assert_false(allowed(&cl, "x/b", "x/a", 80, TCP));
	/* Empty namespaceSelector: every namespace. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {matchLabels: {pod: a}}\n"
		  "  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {pod: b}}}]}]\n");
	compile(&cl);
	assert_true(allowed(&cl, "z/b", "x/a", 80, TCP));
	assert_true(allowed(&cl, "x/b", "x/a", 80, TCP));
	assert_false(allowed(&cl, "z/c", "x/a", 80, TCP));
	/* from: [] = all peers, also outside the cluster. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [], ports: [{port: 80}]}]\n");
	compile(&cl);
	assert_true(allowed(&cl, "z/b", "x/a", 80, TCP));
	assert_true(allowed(&cl, "192.168.1.1", "x/a", 80, TCP));
	assert_false(allowed(&cl, "z/b", "x/a", 81, TCP));
	/* ingress: [] = nothing allowed. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {matchLabels: {pod: a}}\n  ingress: []\n");
	compile(&cl);
	assert_false(allowed(&cl, "x/b", "x/a", 80, TCP));
	teardown_cluster(&cl);
}

static void test_match_expressions(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	pod(&cl, "y", "d", "{\"pod\": \"d\", \"tier\": \"db\"}", "{\"ip\": \"10.0.1.9\"}", NULL);
	/* NotIn matches pods without the key; In needs it. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {matchLabels: {pod: a}}\n"
		  "  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: In, values: [y]}]},"
		  " podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [db]}]}}]}]\n");
	compile(&cl);
	assert_true(allowed6(&cl, "y/a", "x/a", 80, TCP, PW_FAMILY_INET));
	assert_false(allowed6(&cl, "y/d", "x/a", 80, TCP, PW_FAMILY_INET));
	assert_false(allowed6(&cl, "z/a", "x/a", 80, TCP, PW_FAMILY_INET));
	/* Exists / DoesNotExist; kubernetes.io/metadata.name is on every namespace. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {matchLabels: {pod: a}}\n"
		  "  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}},"
		  " podSelector: {matchExpressions: [{key: tier, operator: Exists}]}}]}]\n");
	compile(&cl);
	assert_true(allowed6(&cl, "y/d", "x/a", 80, TCP, PW_FAMILY_INET));
	assert_false(allowed6(&cl, "y/a", "x/a", 80, TCP, PW_FAMILY_INET));
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {matchExpressions: [{key: pod, operator: DoesNotExist}]}\n"
		  "  ingress: []\n");
	compile(&cl);
	assert_true(allowed6(&cl, "y/d", "x/a", 80, TCP, PW_FAMILY_INET));
	teardown_cluster(&cl);
}

static void test_ipblock(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	/* Host bits set in input; except subtracted; matches pod IPs too. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {matchLabels: {pod: a}}\n"
		  "  ingress: [{from: [{ipBlock: {cidr: 10.0.1.77/24, except: [10.0.1.2/32]}}]}]\n");
	compile(&cl);
	assert_true(allowed6(&cl, "y/a", "x/a", 80, TCP, PW_FAMILY_INET));
	assert_false(allowed6(&cl, "y/b", "x/a", 80, TCP, PW_FAMILY_INET));
	assert_true(allowed6(&cl, "y/c", "x/a", 80, TCP, PW_FAMILY_INET));
	assert_false(allowed6(&cl, "z/a", "x/a", 80, TCP, PW_FAMILY_INET));
	/* IPv4 blocks never admit IPv6. */
	assert_false(allowed6(&cl, "y/a", "x/a", 80, TCP, PW_FAMILY_INET6));
	/* An IPv6 block with an except. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {matchLabels: {pod: a}}\n"
		  "  ingress: [{from: [{ipBlock: {cidr: 'fd00::/64', except: ['fd00::2:0/112']}}]}]\n");
	compile(&cl);
	assert_true(allowed6(&cl, "y/a", "x/a", 80, TCP, PW_FAMILY_INET6));
	assert_false(allowed6(&cl, "z/a", "x/a", 80, TCP, PW_FAMILY_INET6));
	assert_false(allowed6(&cl, "y/a", "x/a", 80, TCP, PW_FAMILY_INET));
	teardown_cluster(&cl);
}

static void test_block_expand(void **state)
{
	struct pw_prefixes p = { 0 };
	struct pw_addr cidr, ex[2];
	uint32_t cap = 0, i;
	char buf[64];

	(void)state;
	assert_int_equal(pw_addr_parse("10.0.0.0/8", &cidr), 0);
	assert_int_equal(pw_addr_parse("10.1.0.0/16", &ex[0]), 0);
	assert_int_equal(pw_addr_parse("10.255.255.255/32", &ex[1]), 0);
	assert_int_equal(pw_block_expand(&cidr, ex, 2, &p, &cap), 0);
	/* 7 siblings on the way down to the /16 (in 10.0/9), 23 to the /32 (in 10.128/9). */
	assert_int_equal(p.n, 7 + 23);
	for (i = 0; i < p.n; i++) {
		assert_false(pw_prefix_contains(&p.a[i], &ex[0]) ||
			     pw_prefix_contains(&ex[0], &p.a[i]));
		assert_false(pw_prefix_contains(&p.a[i], &ex[1]));
	}
	assert_string_equal(pw_addr_format(&p.a[0], buf, sizeof(buf)), "10.0.0.0/16");
	free(p.a);
}

static void test_ports(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	/* ports: [{}] = all TCP ports and only TCP. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {}\n  ingress: [{ports: [{}]}]\n");
	compile(&cl);
	assert_true(allowed(&cl, "y/a", "x/a", 80, TCP));
	assert_true(allowed(&cl, "y/a", "x/a", 6553, TCP));
	assert_false(allowed(&cl, "y/a", "x/a", 53, UDP));
	/* protocol only = all ports of that protocol; UDP never admits TCP. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {}\n  ingress: [{ports: [{protocol: UDP}]}]\n");
	compile(&cl);
	assert_true(allowed(&cl, "y/a", "x/a", 9999, UDP));
	assert_false(allowed(&cl, "y/a", "x/a", 9999, TCP));
	assert_false(allowed(&cl, "y/a", "x/a", 9999, SCTP));
	/* endPort is inclusive; SCTP rule. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {}\n  ingress: [{ports: [{port: 80, endPort: 82}, {protocol: SCTP, port: 9}]}]\n");
	compile(&cl);
	assert_false(allowed(&cl, "y/a", "x/a", 79, TCP));
	assert_true(allowed(&cl, "y/a", "x/a", 80, TCP));
	assert_true(allowed(&cl, "y/a", "x/a", 82, TCP));
	assert_false(allowed(&cl, "y/a", "x/a", 83, TCP));
	assert_false(allowed(&cl, "y/a", "x/a", 81, UDP));
	assert_true(allowed(&cl, "y/a", "x/a", 9, SCTP));
	assert_false(allowed(&cl, "y/a", "x/a", 9, TCP));
	/* No ports: every protocol. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {}\n  ingress: [{from: [{podSelector: {}}]}]\n");
	compile(&cl);
	assert_true(allowed(&cl, "x/b", "x/a", 1, SCTP));
	assert_true(allowed(&cl, "x/b", "x/a", 53, UDP));
	teardown_cluster(&cl);
}

static void test_named_ports_ingress(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	/* "http" is 80 on a and c, 8080 on b: resolved per selected pod. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {}\n  ingress: [{ports: [{port: http}, {port: dns, protocol: UDP}]}]\n");
	compile(&cl);
	assert_true(allowed(&cl, "y/a", "x/a", 80, TCP));
	assert_false(allowed(&cl, "y/a", "x/a", 8080, TCP));
	assert_true(allowed(&cl, "y/a", "x/b", 8080, TCP));
	assert_false(allowed(&cl, "y/a", "x/b", 80, TCP));
	assert_true(allowed(&cl, "y/a", "x/b", 53, UDP));
	assert_false(allowed(&cl, "y/a", "x/b", 53, TCP));
	/* A name no pod serves opens nothing, and TCP "dns" does not resolve. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {}\n  ingress: [{ports: [{port: nope}, {port: dns}]}]\n");
	compile(&cl);
	assert_false(allowed(&cl, "y/a", "x/a", 80, TCP));
	assert_false(allowed(&cl, "y/a", "x/a", 53, TCP));
	assert_false(allowed(&cl, "y/a", "x/a", 53, UDP));
	teardown_cluster(&cl);
}

static void test_named_ports_egress(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	/* Egress "http" resolves on the remote pod: 80 to a/c, 8080 to b. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
		  "  egress: [{to: [{namespaceSelector: {matchLabels: {ns: y}}}], ports: [{port: http}]}]\n");
	compile(&cl);
	assert_true(allowed(&cl, "x/a", "y/a", 80, TCP));
	assert_true(allowed(&cl, "x/a", "y/c", 80, TCP));
	assert_false(allowed(&cl, "x/a", "y/a", 8080, TCP));
	assert_true(allowed(&cl, "x/a", "y/b", 8080, TCP));
	assert_false(allowed(&cl, "x/a", "y/b", 80, TCP));
	assert_false(allowed(&cl, "x/a", "z/a", 80, TCP));	/* outside the peers */
	/* No peers: any pod serving the name, and nothing that is not a pod. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
		  "  egress: [{ports: [{port: http}]}]\n");
	compile(&cl);
	assert_true(allowed(&cl, "x/a", "z/b", 8080, TCP));
	assert_false(allowed(&cl, "x/a", "z/b", 80, TCP));
	assert_false(allowed(&cl, "x/a", "192.168.0.1", 80, TCP));
	teardown_cluster(&cl);
}

static void test_pod_states(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	/* hostNetwork pods are not peers; pods without an IP are in no set. */
	pod(&cl, "y", "h", "{\"pod\": \"h\"}", "{\"ip\": \"10.0.9.1\"}", ", \"hostNetwork\": true");
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: p}\nspec:\n"
		  "  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {}}]}]\n");
	compile(&cl);
	assert_false(allowed6(&cl, "10.0.9.1", "x/a", 80, TCP, PW_FAMILY_INET));
	assert_true(allowed6(&cl, "y/a", "x/a", 80, TCP, PW_FAMILY_INET));
	/* A Failed pod's IP is reused by a new pod in another namespace. */
	load(&cl, "{\"kind\": \"Pod\", \"metadata\": {\"namespace\": \"y\", \"name\": \"a\", \"labels\": {\"pod\": \"a\"}},"
		  " \"status\": {\"phase\": \"Failed\", \"podIP\": \"10.0.1.1\"}}");
	compile(&cl);
	assert_null(pw_table_ep(cl.t, &(struct pw_addr){ 0 }));
	{
		struct pw_addr a;

		assert_int_equal(pw_addr_parse("10.0.1.1", &a), 0);
		assert_null(pw_table_ep(cl.t, &a));
	}
	teardown_cluster(&cl);
}

static void test_node_filter_and_node_set(void **state)
{
	struct pw_compiler *c = pw_compiler_new();
	struct pw_model m;
	struct pw_addr node;
	char err[256];
	const char *objs =
		"- {kind: Pod, metadata: {namespace: x, name: a}, spec: {nodeName: n1},"
		" status: {podIP: 10.0.0.1}}\n"
		"- {kind: Pod, metadata: {namespace: x, name: b}, spec: {nodeName: n2},"
		" status: {podIP: 10.0.0.2}}\n"
		"- {kind: NetworkPolicy, metadata: {namespace: x, name: p},"
		" spec: {podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}}\n";
	struct cl cl = { .c = c };

	(void)state;
	assert_int_equal(pw_k8s_load_text(objs, strlen(objs), "t", add_cb, &cl, err, sizeof(err)), 0);
	assert_int_equal(pw_compiler_set_node(c, "n1"), 0);
	assert_int_equal(pw_addr_parse("10.0.0.254", &node), 0);
	assert_int_equal(pw_compiler_set_node_addrs(c, &node, 1), 0);
	assert_int_equal(pw_compiler_compile(c, &m), 0);
	assert_int_equal(m.nr_eps, 1);
	assert_string_equal(m.eps[0].name, "a");
	assert_int_not_equal(m.node_set, 0);
	/* Pods elsewhere are still peers. */
	assert_int_equal(m.nr_rules, 1);
	assert_int_equal(pw_model_set(&m, m.rules[0].set)->nr_prefixes, 2);
	assert_int_equal(pw_model_set(&m, m.node_set)->nr_prefixes, 1);
	pw_model_free(&m);
	pw_compiler_free(c);
}

static void test_stable_ids_and_diff(void **state)
{
	struct cl cl;
	struct pw_model before;
	struct pw_model_delta d;

	(void)state;
	setup_cluster(&cl);
	load(&cl, "kind: List\nitems:\n"
		  "- kind: NetworkPolicy\n  metadata: {namespace: x, name: p1}\n"
		  "  spec: {podSelector: {}, ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]}\n"
		  "- kind: NetworkPolicy\n  metadata: {namespace: y, name: p2}\n"
		  "  spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}]}\n");
	compile(&cl);
	before = cl.m;
	pw_model_init(&cl.m);
	compile(&cl);
	assert_int_equal(pw_model_diff(&before, &cl.m, &d), 0);
	for (int k = 0; k < 4; k++)
		assert_int_equal(d.nr_put[k] + d.nr_del[k], 0);
	pw_model_delta_free(&d);
	/* Relabel x/c to pod=b: x/c's endpoint is unchanged, the p1 peer set changes. */
	pod(&cl, "x", "c", "{\"pod\": \"b\"}", "{\"ip\": \"10.0.0.3\"}, {\"ip\": \"fd00::0:3\"}", NULL);
	compile(&cl);
	assert_true(allowed(&cl, "x/c", "x/a", 80, TCP));
	assert_int_equal(pw_model_diff(&before, &cl.m, &d), 0);
	assert_int_equal(d.nr_put[PW_MODEL_EP], 0);
	assert_int_equal(d.nr_put[PW_MODEL_RULE], 1);	/* p1's rule points at a new set */
	assert_int_equal(d.nr_put[PW_MODEL_SET], 1);
	assert_int_equal(d.nr_del[PW_MODEL_SET], 1);
	assert_int_equal(d.nr_put[PW_MODEL_POLICY] + d.nr_del[PW_MODEL_POLICY], 0);
	pw_model_delta_free(&d);
	pw_model_free(&before);
	teardown_cluster(&cl);
}

static void expect_invalid(const char *spec, const char *msg)
{
	struct cl cl = { .c = pw_compiler_new() };
	char text[2048];

	snprintf(text, sizeof(text),
		 "kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\n"
		 "metadata: {namespace: x, name: bad}\nspec:\n%s", spec);
	load(&cl, text);
	assert_int_equal(cl.invalid, 1);
	assert_int_equal(pw_compiler_nr_invalid(cl.c), 1);
	if (!strstr(cl.last_err, msg))
		fail_msg("error \"%s\" does not contain \"%s\"", cl.last_err, msg);
	pw_compiler_free(cl.c);
}

static void test_invalid_policies(void **state)
{
	(void)state;
	expect_invalid("  podSelector: {}\n  ingress: [{from: [{podSelector: {}}, {ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]\n",
		       "NetworkPolicy x/bad: spec.ingress[0].from[1].ipBlock: may not be specified with podSelector");
	expect_invalid("  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/33}}]}]\n",
		       "spec.egress[0].to[0].ipBlock.cidr: \"10.0.0.0/33\" is not a valid CIDR");
	expect_invalid("  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.1}}]}]\n",
		       "is not a valid CIDR");
	expect_invalid("  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]}]\n",
		       "spec.egress[0].to[0].ipBlock.except[0]: must be a strict subset of cidr");
	expect_invalid("  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]}]\n",
		       "must be a strict subset of cidr");
	expect_invalid("  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: ['fd00::/64']}}]}]\n",
		       "must be a strict subset of cidr");
	expect_invalid("  podSelector: {}\n  ingress: [{ports: [{port: http, endPort: 90}]}]\n",
		       "spec.ingress[0].ports[0].endPort: may not be specified with a named port");
	expect_invalid("  podSelector: {}\n  ingress: [{ports: [{port: 90, endPort: 80}]}]\n",
		       "spec.ingress[0].ports[0].endPort: must be greater than or equal to port");
	expect_invalid("  podSelector: {}\n  ingress: [{ports: [{endPort: 80}]}]\n",
		       "endPort: may not be specified without port");
	expect_invalid("  podSelector: {}\n  ingress: [{ports: [{protocol: ICMP}]}]\n",
		       "spec.ingress[0].ports[0].protocol: \"ICMP\" is not supported");
	expect_invalid("  podSelector: {}\n  ingress: [{ports: [{port: 0}]}]\n",
		       "spec.ingress[0].ports[0].port: must be a number in 1..65535");
	expect_invalid("  podSelector: {}\n  ingress: [{ports: [{port: Not_A_Name}]}]\n",
		       "is not a valid port name");
	expect_invalid("  podSelector: {matchExpressions: [{key: a, operator: Has, values: [b]}]}\n",
		       "spec.podSelector.matchExpressions[0].operator: \"Has\" is not a valid selector operator");
	expect_invalid("  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: a, operator: In}]}}]}]\n",
		       "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values: must be specified when operator is In");
	expect_invalid("  podSelector: {}\n  ingress: [{from: [{podSelector: {matchExpressions: [{key: a, operator: NotIn, values: []}]}}]}]\n",
		       "values: must be specified when operator is NotIn");
	expect_invalid("  podSelector: {matchExpressions: [{key: a, operator: Exists, values: [b]}]}\n",
		       "values: may not be specified when operator is Exists");
	expect_invalid("  podSelector: {matchExpressions: [{key: a, operator: DoesNotExist, values: [b]}]}\n",
		       "values: may not be specified when operator is DoesNotExist");
	expect_invalid("  podSelector: {}\n  policyTypes: [Ingress, Sideways]\n",
		       "spec.policyTypes[1]: \"Sideways\" is not supported");
	expect_invalid("  podSelector: {}\n  policyTypes: [Ingress, Egress, Ingress]\n",
		       "may not specify more than two policyTypes");
	expect_invalid("  podSelector: {}\n  ingress: [{from: [{}]}]\n",
		       "spec.ingress[0].from[0]: must specify a peer");
}

static void test_invalid_policy_opens_nothing(void **state)
{
	struct cl cl;

	(void)state;
	setup_cluster(&cl);
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: deny}\nspec: {podSelector: {}}\n");
	/* An invalid replacement is refused; the valid version stays in force. */
	load(&cl, "kind: NetworkPolicy\nmetadata: {namespace: x, name: deny}\n"
		  "spec: {podSelector: {}, ingress: [{ports: [{port: 0}]}]}\n");
	assert_int_equal(cl.invalid, 1);
	compile(&cl);
	assert_false(allowed(&cl, "y/a", "x/a", 80, TCP));
	teardown_cluster(&cl);
}

static void test_invalid_objects(void **state)
{
	struct cl cl = { .c = pw_compiler_new() };
	char err[512];
	const char *bad_yaml = "kind: Pod\n  metadata: [\n";

	(void)state;
	load(&cl, "{\"kind\": \"Pod\", \"metadata\": {\"namespace\": \"x\", \"name\": \"a\"},"
		  " \"status\": {\"podIP\": \"10.0.0.300\"}}");
	assert_non_null(strstr(cl.last_err, "Pod x/a: status.podIP: \"10.0.0.300\" is not an IP address"));
	load(&cl, "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}}");
	assert_non_null(strstr(cl.last_err, "Pod a: metadata.namespace: required"));
	load(&cl, "{\"kind\": \"Pod\", \"metadata\": {\"namespace\": \"x\", \"name\": \"a\", \"labels\": {\"n\": 1}}}");
	assert_non_null(strstr(cl.last_err, "label value must be a string"));
	load(&cl, "{\"kind\": \"NetworkPolicy\", \"apiVersion\": \"extensions/v1beta1\","
		  " \"metadata\": {\"namespace\": \"x\", \"name\": \"p\"}, \"spec\": {}}");
	assert_non_null(strstr(cl.last_err, "is not networking.k8s.io/v1"));
	assert_int_equal(cl.invalid, 4);
	assert_int_equal(pw_k8s_load_text(bad_yaml, strlen(bad_yaml), "f.yaml", add_cb, &cl,
					  err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "f.yaml: YAML line"));
	assert_int_equal(pw_k8s_load_text("{\"kind\": ", 9, "f.json", add_cb, &cl,
					  err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "f.json: invalid JSON"));
	pw_compiler_free(cl.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_policy_allows_all),
		cmocka_unit_test(test_default_deny_ingress),
		cmocka_unit_test(test_policy_types_defaulting),
		cmocka_unit_test(test_union_of_policies),
		cmocka_unit_test(test_peers),
		cmocka_unit_test(test_match_expressions),
		cmocka_unit_test(test_ipblock),
		cmocka_unit_test(test_block_expand),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_named_ports_ingress),
		cmocka_unit_test(test_named_ports_egress),
		cmocka_unit_test(test_pod_states),
		cmocka_unit_test(test_node_filter_and_node_set),
		cmocka_unit_test(test_stable_ids_and_diff),
		cmocka_unit_test(test_invalid_policies),
		cmocka_unit_test(test_invalid_policy_opens_nothing),
		cmocka_unit_test(test_invalid_objects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
