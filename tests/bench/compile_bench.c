// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Compiler benchmark: a synthetic cluster of 10k pods in 100 namespaces
 * and 2k NetworkPolicies mixing pod and namespace selectors, match
 * expressions, ipBlocks with excepts, named ports on both sides and port
 * ranges. Prints the full compile time, peak RSS, and the time to
 * recompile after one pod relabel and after one policy change, with the
 * size of each resulting diff.
 *
 *   compile_bench [PODS NAMESPACES POLICIES]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "compiler.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void add(struct pw_compiler *c, const char *kind, const char *json)
{
	json_object *o = json_tokener_parse(json);
	char err[512];
	int ret;

	if (!o) {
		fprintf(stderr, "bad JSON: %s\n", json);
		exit(2);
	}
	ret = pw_compiler_add_object(c, o, kind, err, sizeof(err));
	json_object_put(o);
	if (ret) {
		fprintf(stderr, "%s: %s\n", kind, ret == -EINVAL ? err : strerror(-ret));
		exit(2);
	}
}

static void pod(struct pw_compiler *c, int i, int nss, int app_shift)
{
	char buf[1024];
	int ns = i % nss;

	snprintf(buf, sizeof(buf),
		 "{\"kind\":\"Pod\",\"metadata\":{\"namespace\":\"ns-%d\",\"name\":\"pod-%d\","
		 "\"labels\":{\"app\":\"app-%d\",\"tier\":\"%s\",\"version\":\"v%d\"}},"
		 "\"spec\":{\"nodeName\":\"node-%d\",\"containers\":[{\"ports\":["
		 "{\"name\":\"http\",\"containerPort\":%d},{\"name\":\"metrics\",\"containerPort\":9090},"
		 "{\"name\":\"dns\",\"containerPort\":53,\"protocol\":\"UDP\"}]}]},"
		 "\"status\":{\"phase\":\"Running\",\"podIPs\":[{\"ip\":\"10.%d.%d.%d\"},{\"ip\":\"fd00::%x\"}]}}",
		 ns, i, (i / nss + app_shift) % 20, (const char *[]){ "web", "db", "cache" }[i % 3],
		 i % 4, i % 50, i % 2 ? 8080 : 80, 1 + (i >> 16), (i >> 8) & 255,
		 i & 255, i + 1);
	add(c, "Pod", buf);
}

static void policy(struct pw_compiler *c, int i, int nss, int variant)
{
	char buf[2048];
	int ns = i % nss, app = (i / nss) % 20;

	switch ((i + variant) % 6) {
	case 0:
		snprintf(buf, sizeof(buf),
			 "{\"metadata\":{\"namespace\":\"ns-%d\",\"name\":\"pol-%d\"},\"spec\":{"
			 "\"podSelector\":{\"matchLabels\":{\"app\":\"app-%d\"}},"
			 "\"ingress\":[{\"from\":[{\"podSelector\":{\"matchLabels\":{\"app\":\"app-%d\"}}}],"
			 "\"ports\":[{\"port\":\"http\"}]}]}}", ns, i, app, (app + 1 + variant) % 20);
		break;
	case 1:
		snprintf(buf, sizeof(buf),
			 "{\"metadata\":{\"namespace\":\"ns-%d\",\"name\":\"pol-%d\"},\"spec\":{"
			 "\"podSelector\":{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"web\",\"cache\"]}]},"
			 "\"ingress\":[{\"from\":[{\"namespaceSelector\":{\"matchLabels\":{\"team\":\"t%d\"}},"
			 "\"podSelector\":{\"matchLabels\":{\"tier\":\"web\"}}}],"
			 "\"ports\":[{\"port\":8000,\"endPort\":8100},{\"protocol\":\"UDP\",\"port\":53}]}]}}",
			 ns, i, (i + variant) % 10);
		break;
	case 2:
		snprintf(buf, sizeof(buf),
			 "{\"metadata\":{\"namespace\":\"ns-%d\",\"name\":\"pol-%d\"},\"spec\":{"
			 "\"podSelector\":{\"matchLabels\":{\"app\":\"app-%d\"}},\"policyTypes\":[\"Egress\"],"
			 "\"egress\":[{\"to\":[{\"ipBlock\":{\"cidr\":\"10.0.0.0/8\",\"except\":[\"10.%d.0.0/16\",\"10.1.%d.0/24\"]}}],"
			 "\"ports\":[{\"port\":443}]}]}}", ns, i, app, (i + variant) % 200, i % 256);
		break;
	case 3:
		snprintf(buf, sizeof(buf),
			 "{\"metadata\":{\"namespace\":\"ns-%d\",\"name\":\"pol-%d\"},\"spec\":{"
			 "\"podSelector\":{\"matchLabels\":{\"app\":\"app-%d\"}},\"policyTypes\":[\"Egress\"],"
			 "\"egress\":[{\"to\":[{\"namespaceSelector\":{\"matchLabels\":{\"env\":\"%s\"}},"
			 "\"podSelector\":{\"matchLabels\":{\"tier\":\"db\"}}}],\"ports\":[{\"port\":\"http\"}]}]}}",
			 ns, i, app, variant % 2 ? "dev" : "prod");
		break;
	case 4:
		snprintf(buf, sizeof(buf),
			 "{\"metadata\":{\"namespace\":\"ns-%d\",\"name\":\"pol-%d\"},\"spec\":{"
			 "\"podSelector\":{},\"ingress\":[{\"from\":[{\"podSelector\":{}}]},"
			 "{\"from\":[{\"namespaceSelector\":{\"matchExpressions\":[{\"key\":\"team\",\"operator\":\"NotIn\",\"values\":[\"t%d\"]}]}}],"
			 "\"ports\":[{\"port\":\"metrics\"}]}]}}", ns, i, (i + variant) % 10);
		break;
	default:
		snprintf(buf, sizeof(buf),
			 "{\"metadata\":{\"namespace\":\"ns-%d\",\"name\":\"pol-%d\"},\"spec\":{"
			 "\"podSelector\":{\"matchLabels\":{\"version\":\"v%d\"}},"
			 "\"ingress\":[{\"from\":[{\"ipBlock\":{\"cidr\":\"192.168.%d.0/24\"}}]}],"
			 "\"egress\":[{\"to\":[{\"podSelector\":{\"matchLabels\":{\"app\":\"app-%d\"}}}]}]}}",
			 ns, i, (i + variant) % 4, i % 256, (app + variant) % 20);
		break;
	}
	add(c, "NetworkPolicy", buf);
}

static long rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static uint32_t delta_size(const struct pw_model *a, const struct pw_model *b)
{
	struct pw_model_delta d;
	uint32_t n = 0, k;

	if (pw_model_diff(a, b, &d))
		return UINT32_MAX;
	for (k = 0; k < 4; k++)
		n += d.nr_put[k] + d.nr_del[k];
	pw_model_delta_free(&d);
	return n;
}

static double timed_compile(struct pw_compiler *c, struct pw_model *m)
{
	double t0 = now_ms();

	if (pw_compiler_compile(c, m)) {
		fprintf(stderr, "compile failed\n");
		exit(2);
	}
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	int pods = argc > 1 ? atoi(argv[1]) : 10000;
	int nss = argc > 2 ? atoi(argv[2]) : 100;
	int pols = argc > 3 ? atoi(argv[3]) : 2000;
	struct pw_compiler *c = pw_compiler_new();
	struct pw_model m1, m2, m3, m4;
	uint32_t prefixes = 0, i;
	double t_load, t_full, t_again, t_pod, t_pol, t0;
	char buf[256];
	int n;

	if (!c || pods < 1 || nss < 1 || pols < 0)
		return 2;
	t0 = now_ms();
	for (n = 0; n < nss; n++) {
		snprintf(buf, sizeof(buf),
			 "{\"metadata\":{\"name\":\"ns-%d\",\"labels\":{\"team\":\"t%d\",\"env\":\"%s\"}}}",
			 n, n % 10, n % 2 ? "dev" : "prod");
		add(c, "Namespace", buf);
	}
	for (n = 0; n < pods; n++)
		pod(c, n, nss, 0);
	for (n = 0; n < pols; n++)
		policy(c, n, nss, 0);
	t_load = now_ms() - t0;

	t_full = timed_compile(c, &m1);
	t_again = timed_compile(c, &m2);
	/* The relabel moves one pod to another app: peer sets change. */
	pod(c, 4242 % pods, nss, 1);
	t_pod = timed_compile(c, &m3);
	policy(c, 1234 % (pols ? pols : 1), nss, 1);
	t_pol = timed_compile(c, &m4);

	for (i = 0; i < m1.nr_sets; i++)
		prefixes += m1.sets[i].nr_prefixes;
	printf("cluster: %d pods, %d namespaces, %d policies (objects parsed in %.0f ms)\n",
	       pods, nss, pols, t_load);
	printf("compiled: %u endpoints, %u rules, %u sets, %u prefixes, %u policies\n",
	       m1.nr_eps, m1.nr_rules, m1.nr_sets, prefixes, m1.nr_policies);
	printf("full compile:                 %8.1f ms (goal <= 1000 ms)\n", t_full);
	printf("recompile, nothing changed:   %8.1f ms, diff %u objects\n", t_again,
	       delta_size(&m1, &m2));
	printf("recompile after pod relabel:  %8.1f ms, diff %u objects (goal <= 10 ms)\n",
	       t_pod, delta_size(&m2, &m3));
	printf("recompile after policy change:%8.1f ms, diff %u objects (goal <= 10 ms)\n",
	       t_pol, delta_size(&m3, &m4));
	printf("peak RSS:                     %8.1f MiB\n", rss_kb() / 1024.0);
	pw_model_free(&m1);
	pw_model_free(&m2);
	pw_model_free(&m3);
	pw_model_free(&m4);
	pw_compiler_free(c);
	return 0;
}
