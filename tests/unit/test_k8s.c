// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reading Kubernetes objects: YAML and JSON, multi-document streams,
 * Lists as kubectl prints them, the fields kept from Pods and Namespaces,
 * and how the compiler copes with two running pods on one address.
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

struct seen {
	int pods, nss, pols, other;
	struct pw_compiler *c;
};

static int count_cb(json_object *o, const char *kind, void *ctx)
{
	struct seen *s = ctx;
	char err[512];
	int ret;

	if (!strcmp(kind, "Pod"))
		s->pods++;
	else if (!strcmp(kind, "Namespace"))
		s->nss++;
	else if (!strcmp(kind, "NetworkPolicy"))
		s->pols++;
	else
		s->other++;
	if (!s->c)
		return 0;
	ret = pw_compiler_add_object(s->c, o, kind, err, sizeof(err));
	if (ret < 0)
		fail_msg("%s: %s", kind, err);
	return 0;
}

static void test_yaml_multi_document(void **state)
{
	const char *text =
		"# comment\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"
		"---\n---\nkind: Pod\nmetadata:\n  namespace: x\n  name: a\n  labels: {pod: a, \"n\": \"1\"}\n"
		"status:\n  podIP: 10.0.0.1\n"
		"...\n---\nkind: Service\nmetadata: {name: s}\n";
	struct seen s = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(pw_k8s_load_text(text, strlen(text), "t.yaml", count_cb, &s,
					  err, sizeof(err)), 0);
	assert_int_equal(s.nss, 1);
	assert_int_equal(s.pods, 1);
	assert_int_equal(s.other, 1);
}

static void test_kubectl_lists(void **state)
{
	/* kubectl get pods,namespaces -A -o json, and a typed PodList. */
	const char *text =
		"{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": ["
		" {\"kind\": \"Namespace\", \"metadata\": {\"name\": \"x\"}},"
		" {\"kind\": \"Pod\", \"metadata\": {\"namespace\": \"x\", \"name\": \"a\"}}]}\n"
		"{\"kind\": \"PodList\", \"items\": [{\"metadata\": {\"namespace\": \"x\", \"name\": \"b\"}}]}\n"
		"{\"kind\": \"NetworkPolicyList\", \"items\": []}";
	struct seen s = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(pw_k8s_load_text(text, strlen(text), "t.json", count_cb, &s,
					  err, sizeof(err)), 0);
	assert_int_equal(s.nss, 1);
	assert_int_equal(s.pods, 2);
	assert_int_equal(s.pols, 0);
	/* YAML in flow style starts like JSON. */
	text = "{kind: Namespace, metadata: {name: q}}\n";
	assert_int_equal(pw_k8s_load_text(text, strlen(text), "t.yaml", count_cb, &s,
					  err, sizeof(err)), 0);
	assert_int_equal(s.nss, 2);
}

static void test_yaml_scalars(void **state)
{
	json_object *docs, *d;
	char err[256];
	const char *text = "a: 80\nb: \"80\"\nc: true\nd: ~\ne: 'x'\nf: 1.5\ng: 10.0.0.1/8\n";

	(void)state;
	assert_int_equal(pw_yaml_to_json(text, strlen(text), &docs, err, sizeof(err)), 0);
	d = json_object_array_get_idx(docs, 0);
	assert_true(json_object_is_type(json_object_object_get(d, "a"), json_type_int));
	assert_true(json_object_is_type(json_object_object_get(d, "b"), json_type_string));
	assert_true(json_object_is_type(json_object_object_get(d, "c"), json_type_boolean));
	assert_null(json_object_object_get(d, "d"));
	assert_string_equal(json_object_get_string(json_object_object_get(d, "e")), "x");
	assert_true(json_object_is_type(json_object_object_get(d, "f"), json_type_double));
	assert_string_equal(json_object_get_string(json_object_object_get(d, "g")), "10.0.0.1/8");
	json_object_put(docs);
	text = "a: &x 1\nb: *x\n";
	assert_int_equal(pw_yaml_to_json(text, strlen(text), &docs, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "aliases are not supported"));
}

static void test_pod_fields(void **state)
{
	const char *text =
		"{\"kind\": \"Pod\", \"metadata\": {\"namespace\": \"x\", \"name\": \"a\", \"labels\": {\"app\": \"web\"}},"
		" \"spec\": {\"nodeName\": \"n1\", \"containers\": ["
		"  {\"ports\": [{\"name\": \"http\", \"containerPort\": 8080}]},"
		"  {\"ports\": [{\"containerPort\": 53, \"protocol\": \"UDP\"}, {\"name\": \"s\", \"containerPort\": 9, \"protocol\": \"SCTP\"}]}]},"
		" \"status\": {\"phase\": \"Running\", \"podIP\": \"10.0.0.1\","
		"  \"podIPs\": [{\"ip\": \"10.0.0.1\"}, {\"ip\": \"fd00::1\"}]}}";
	json_object *o = json_tokener_parse(text);
	struct pw_k8s_pod *pod;
	char err[256];

	(void)state;
	assert_non_null(o);
	assert_int_equal(pw_k8s_pod_parse(o, &pod, err, sizeof(err)), 0);
	assert_string_equal(pod->node, "n1");
	assert_int_equal(pod->nr_ips, 2);	/* podIP is also in podIPs */
	assert_int_equal(pod->ips[1].family, PW_FAMILY_INET6);
	assert_int_equal(pod->nr_cports, 3);
	assert_string_equal(pod->cports[0].name, "http");
	assert_null(pod->cports[1].name);
	assert_int_equal(pod->cports[1].proto, PW_PROTO_UDP);
	assert_int_equal(pod->cports[2].proto, PW_PROTO_SCTP);
	assert_false(pod->terminated);
	assert_false(pod->host_network);
	pw_k8s_pod_free(pod);
	json_object_put(o);
}

static void test_namespace_name_label(void **state)
{
	json_object *o = json_tokener_parse(
		"{\"kind\": \"Namespace\", \"metadata\": {\"name\": \"x\","
		" \"labels\": {\"kubernetes.io/metadata.name\": \"spoofed\", \"team\": \"a\"}}}");
	struct pw_k8s_ns *ns;
	char err[256];

	(void)state;
	assert_int_equal(pw_k8s_ns_parse(o, &ns, err, sizeof(err)), 0);
	/* The API server always sets it to the name. */
	assert_string_equal(json_object_get_string(json_object_object_get(
		ns->labels, "kubernetes.io/metadata.name")), "x");
	assert_string_equal(json_object_get_string(json_object_object_get(ns->labels, "team")), "a");
	pw_k8s_ns_free(ns);
	json_object_put(o);
}

static void test_shared_address(void **state)
{
	const char *text =
		"- {kind: Pod, metadata: {namespace: x, name: a}, status: {podIP: 10.0.0.1}}\n"
		"- {kind: Pod, metadata: {namespace: x, name: b}, status: {podIPs: [{ip: 10.0.0.1}, {ip: 10.0.0.2}]}}\n";
	struct seen s = { .c = pw_compiler_new() };
	struct pw_table *t;
	struct pw_model m;
	char err[256];
	uint32_t i, total = 0;

	(void)state;
	assert_int_equal(pw_k8s_load_text(text, strlen(text), "t", count_cb, &s, err, sizeof(err)), 0);
	assert_int_equal(pw_compiler_compile(s.c, &m), 0);
	assert_int_equal(m.nr_eps, 2);
	for (i = 0; i < m.nr_eps; i++)
		total += m.eps[i].nr_addrs;
	assert_int_equal(total, 2);	/* 10.0.0.1 kept by one endpoint only */
	assert_int_equal(pw_model_table(&m, &t), 0);
	pw_model_table_free(t);
	pw_model_free(&m);
	pw_compiler_free(s.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml_multi_document),
		cmocka_unit_test(test_kubectl_lists),
		cmocka_unit_test(test_yaml_scalars),
		cmocka_unit_test(test_pod_fields),
		cmocka_unit_test(test_namespace_name_label),
		cmocka_unit_test(test_shared_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
