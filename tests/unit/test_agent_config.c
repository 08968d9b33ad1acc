// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Kubeconfig parsing, in-cluster configuration, and reconnect backoff. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../userspace/agent/kubeconfig.c"
#include "../../userspace/agent/backoff.c"

static const char kc_full[] =
	"apiVersion: v1\n"
	"kind: Config\n"
	"current-context: prod\n"
	"contexts:\n"
	"- name: dev\n"
	"  context: {cluster: devc, user: devu}\n"
	"- name: prod\n"
	"  context:\n"
	"    cluster: prodc\n"
	"    user: produ\n"
	"clusters:\n"
	"- name: devc\n"
	"  cluster: {server: 'https://dev:6443'}\n"
	"- name: prodc\n"
	"  cluster:\n"
	"    server: https://10.0.0.1:6443/\n"
	"    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n"
	"users:\n"
	"- name: produ\n"
	"  user:\n"
	"    client-certificate: certs/client.crt\n"
	"    client-key: /abs/client.key\n"
	"    token: abc.def\n";

static void full(void **state)
{
	struct agent_kubeconfig kc;
	char err[256] = "";

	(void)state;
	assert_int_equal(agent_kubeconfig_parse(&kc, kc_full, strlen(kc_full), "/etc/k", err,
						sizeof(err)), 0);
	assert_string_equal(kc.server, "https://10.0.0.1:6443");
	assert_non_null(kc.ca.data);
	assert_string_equal(kc.ca.data, "-----BEGIN CERTIFICATE-----");
	assert_int_equal(kc.ca.len, strlen("-----BEGIN CERTIFICATE-----"));
	assert_null(kc.ca.file);
	assert_string_equal(kc.cert.file, "/etc/k/certs/client.crt");
	assert_string_equal(kc.key.file, "/abs/client.key");
	assert_string_equal(kc.token, "abc.def");
	assert_false(kc.insecure);
	agent_kubeconfig_free(&kc);
}

static void expect_error(const char *text, const char *needle)
{
	struct agent_kubeconfig kc;
	char err[256] = "";

	assert_int_equal(agent_kubeconfig_parse(&kc, text, strlen(text), ".", err, sizeof(err)),
			 -EINVAL);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	assert_null(kc.server);
}

static void errors(void **state)
{
	(void)state;
	expect_error("", "not a mapping");
	expect_error("a: [unclosed\n", "YAML error");
	expect_error("kind: Config\n", "current-context is not set");
	expect_error("current-context: x\ncontexts: []\n", "context \"x\" not found");
	expect_error("current-context: x\ncontexts:\n- name: x\n  context: {user: u}\n",
		     "cluster is not set");
	expect_error("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\n"
		     "clusters: []\n", "cluster \"c\" not found");
	expect_error("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\n"
		     "clusters:\n- name: c\n  cluster: {server: ftp://x}\n", "server");
	expect_error("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\n"
		     "clusters:\n- name: c\n  cluster: {server: 'https://x', certificate-authority-data: '@@@'}\n",
		     "certificate-authority-data");
	expect_error("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
		     "clusters:\n- name: c\n  cluster: {server: 'https://x'}\nusers: []\n",
		     "user \"u\" not found");
	expect_error("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
		     "clusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
		     "users:\n- name: u\n  user: {client-certificate: a.crt}\n",
		     "client-key go together");
	expect_error("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
		     "clusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
		     "users:\n- name: u\n  user: {exec: {command: aws}}\n",
		     "exec and auth-provider are not supported");
}

static void base64(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(agent_base64_decode("aGVsbG8=", out, sizeof(out)), 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(agent_base64_decode("aGVs\nbG8", out, sizeof(out)), 5);
	assert_int_equal(agent_base64_decode("a*b", out, sizeof(out)), -EINVAL);
	assert_int_equal(agent_base64_decode("aGVsbG8=", out, 3), -EINVAL);
}

static void incluster(void **state)
{
	struct agent_kubeconfig kc;
	char err[256];

	(void)state;
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	assert_int_equal(agent_kubeconfig_incluster(&kc, "/sa", err, sizeof(err)), 0);
	assert_string_equal(kc.server, "https://[fd00::1]:443");
	assert_string_equal(kc.ca.file, "/sa/ca.crt");
	assert_string_equal(kc.token_file, "/sa/token");
	agent_kubeconfig_free(&kc);
	unsetenv("KUBERNETES_SERVICE_HOST");
	assert_int_equal(agent_kubeconfig_incluster(&kc, "/sa", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "KUBERNETES_SERVICE_HOST"));
}

static void backoff(void **state)
{
	struct agent_backoff b;
	uint32_t prev_cap = 100;

	(void)state;
	agent_backoff_init(&b, 100, 3000, 42);
	/* Attempt n waits within [d/2, d], d = min(3000, 100 * 2^n). */
	for (int n = 0; n < 12; n++) {
		uint32_t cap = n == 0 ? 100 : (prev_cap * 2 > 3000 ? 3000 : prev_cap * 2);
		uint32_t d = agent_backoff_next(&b);

		if (d < cap / 2 || d > cap)
			fail_msg("attempt %d: %u ms outside [%u, %u]", n, d, cap / 2, cap);
		prev_cap = cap;
	}
	agent_backoff_reset(&b);
	assert_true(agent_backoff_next(&b) <= 100);
	/* Jitter: two nodes with different seeds do not march in step. */
	{
		struct agent_backoff x, y;
		int differ = 0;

		agent_backoff_init(&x, 1000, 60000, 1);
		agent_backoff_init(&y, 1000, 60000, 2);
		for (int i = 0; i < 8; i++)
			differ += agent_backoff_next(&x) != agent_backoff_next(&y);
		assert_true(differ >= 6);
	}
	/* Many attempts never overflow past the cap. */
	agent_backoff_init(&b, 1, 0xffffffffu, 7);
	for (int i = 0; i < 100; i++)
		assert_true(agent_backoff_next(&b) >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full),
		cmocka_unit_test(errors),
		cmocka_unit_test(base64),
		cmocka_unit_test(incluster),
		cmocka_unit_test(backoff),
	};

	return cmocka_run_group_tests_name("agent_config", tests, NULL, NULL);
}
