// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Compiler benchmark: a synthetic cluster of 10k pods in 100 namespaces
 * and 2k NetworkPolicies mixing pod and namespace selectors, match
 * expressions, ipBlocks with excepts, named ports on both sides and port
 * ranges. Prints the full compile time and peak RSS, then for each kind
 * of change (a pod added, removed, relabelled; a namespace relabelled; a
 * policy added, changed, removed), repeated ROUNDS times, the cost of
 * applying it (the put or delete) and of recompiling: in place, handing
 * back the replaced versions (pw_compiler_compile_into_was(), what
 * podwall-agent does per commit, in proportion to the change), and as a
 * whole new model (pw_compiler_compile()) diffed against the previous one
 * (pw_model_diff(), what the agent did before), median and max, wall and
 * CPU time, with the size of the delta.
 *
 *   compile_bench [PODS NAMESPACES POLICIES [ROUNDS [KIND]]]
 *
 * KIND 0-6 measures that kind of change only (for a profiler).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "compiler.h"

static int nss;

static double clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static double cpu_ms(void)
{
	return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
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

static void ns_put(struct pw_compiler *c, int n, int flip)
{
	char buf[256];

	snprintf(buf, sizeof(buf),
		 "{\"metadata\":{\"name\":\"ns-%d\",\"labels\":{\"team\":\"t%d\",\"env\":\"%s\"}}}",
		 n, (n + flip) % 10, (n + flip) % 2 ? "dev" : "prod");
	add(c, "Namespace", buf);
}

/* Where a phase's time went: wall and CPU per round, and delta sizes. */
struct phase {
	double wall[1024], cpu[1024];
	int n;
};

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : 0;
}

static double max_of(const double *v, int n)
{
	double m = 0;
	int i;

	for (i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static void phase_add(struct phase *p, double w0, double c0)
{
	if (p->n < 1024) {
		p->wall[p->n] = now_ms() - w0;
		p->cpu[p->n++] = cpu_ms() - c0;
	}
}

static void phase_print(const char *what, struct phase *p)
{
	double mw = max_of(p->wall, p->n), mc = max_of(p->cpu, p->n);

	printf("  %-10s wall %7.2f / %7.2f ms   cpu %7.2f / %7.2f ms\n", what,
	       median(p->wall, p->n), mw, median(p->cpu, p->n), mc);
}

enum change {
	POD_ADD, POD_DEL, POD_RELABEL, NS_RELABEL, POL_ADD, POL_CHANGE, POL_DEL,
	NR_CHANGES
};

static const char *const change_name[NR_CHANGES] = {
	"pod added", "pod removed", "pod relabelled", "namespace relabelled",
	"policy added", "policy changed", "policy removed",
};

/* Change number @k of kind @ch, @pods/@pols the base cluster's sizes. */
static void apply(struct pw_compiler *c, enum change ch, int k, int pods, int pols)
{
	char name[32], ns[16];

	switch (ch) {
	case POD_ADD:
		pod(c, pods + k, nss, 0);
		break;
	case POD_DEL:
		snprintf(name, sizeof(name), "pod-%d", pods + k);
		snprintf(ns, sizeof(ns), "ns-%d", (pods + k) % nss);
		if (pw_compiler_del_pod(c, ns, name))
			exit(2);
		break;
	case POD_RELABEL:
		pod(c, (k * 7919) % pods, nss, 1 + k % 3);
		break;
	case NS_RELABEL:
		ns_put(c, k % nss, 1 + k % 3);
		break;
	case POL_ADD:
		policy(c, pols + k, nss, 0);
		break;
	case POL_CHANGE:
		policy(c, (k * 7919) % pols, nss, 1 + k % 5);
		break;
	case POL_DEL:
		snprintf(name, sizeof(name), "pol-%d", pols + k);
		snprintf(ns, sizeof(ns), "ns-%d", (pols + k) % nss);
		if (pw_compiler_del_policy(c, ns, name))
			exit(2);
		break;
	default:
		break;
	}
}

static long rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static uint32_t delta_count(const struct pw_model_delta *d)
{
	uint32_t n = 0, k;

	for (k = 0; k < 4; k++)
		n += d->nr_put[k] + d->nr_del[k];
	return n;
}

int main(int argc, char **argv)
{
	int pods = argc > 1 ? atoi(argv[1]) : 10000;
	int pols = argc > 3 ? atoi(argv[3]) : 2000;
	int rounds = argc > 4 ? atoi(argv[4]) : 50;
	int only = argc > 5 ? atoi(argv[5]) : -1;
	struct pw_compiler *c = pw_compiler_new();
	struct pw_model live, whole, prev, was;
	struct pw_model_delta d;
	uint32_t prefixes = 0, i, dmax;
	double t_load, w0, c0, t_full, c_full;
	int n, k, ch;

	nss = argc > 2 ? atoi(argv[2]) : 100;
	if (!c || pods < 1 || nss < 1 || pols < 1 || rounds < 1 || rounds > 1024)
		return 2;
	w0 = now_ms();
	for (n = 0; n < nss; n++)
		ns_put(c, n, 0);
	for (n = 0; n < pods; n++)
		pod(c, n, nss, 0);
	for (n = 0; n < pols; n++)
		policy(c, n, nss, 0);
	t_load = now_ms() - w0;

	pw_model_init(&live);
	w0 = now_ms();
	c0 = cpu_ms();
	if (pw_compiler_compile_into(c, &live, &d))
		return 2;
	t_full = now_ms() - w0;
	c_full = cpu_ms() - c0;
	pw_model_delta_free(&d);
	for (i = 0; i < live.nr_sets; i++)
		prefixes += live.sets[i].nr_prefixes;
	printf("cluster: %d pods, %d namespaces, %d policies (objects parsed in %.0f ms)\n",
	       pods, nss, pols, t_load);
	printf("compiled: %u endpoints, %u rules, %u sets, %u prefixes, %u policies\n",
	       live.nr_eps, live.nr_rules, live.nr_sets, prefixes, live.nr_policies);
	printf("full compile: wall %.1f ms, cpu %.1f ms (goal <= 1000 ms)\n", t_full, c_full);
	w0 = now_ms();
	c0 = cpu_ms();
	if (pw_compiler_compile(c, &whole))
		return 2;
	printf("whole model copied out (pw_compiler_compile(), nothing changed): wall %.1f ms, cpu %.1f ms\n",
	       now_ms() - w0, cpu_ms() - c0);
	pw_model_free(&whole);
	printf("\nper change, %d rounds each, median / max (goal <= 10 ms):\n", rounds);
	for (ch = 0; ch < NR_CHANGES; ch++) {
		struct phase put = { 0 }, into = { 0 }, total = { 0 }, copy = { 0 };

		if (only >= 0 && ch != only)
			continue;
		dmax = 0;
		for (k = 0; k < rounds; k++) {
			double tw, tc;

			/* Every tenth change: the model before it, as the agent used to keep it. */
			if (k % 10 == 0 && pw_compiler_compile(c, &prev))
				return 2;
			tw = now_ms();
			tc = cpu_ms();
			w0 = now_ms();
			c0 = cpu_ms();
			apply(c, (enum change)ch, k, pods, pols);
			phase_add(&put, w0, c0);
			w0 = now_ms();
			c0 = cpu_ms();
			if (pw_compiler_compile_into_was(c, &live, &d, &was))
				return 2;
			pw_model_free(&was);
			phase_add(&into, w0, c0);
			phase_add(&total, tw, tc);
			if (delta_count(&d) > dmax)
				dmax = delta_count(&d);
			pw_model_delta_free(&d);
			/* The former agent path after every tenth change, for comparison. */
			if (k % 10 == 0) {
				w0 = now_ms();
				c0 = cpu_ms();
				if (pw_compiler_compile(c, &whole) || pw_model_diff(&prev, &whole, &d))
					return 2;
				pw_model_delta_free(&d);
				pw_model_free(&prev);
				phase_add(&copy, w0, c0);
				pw_model_free(&whole);
			}
		}
		printf("%s (delta up to %u objects):\n", change_name[ch], dmax);
		phase_print("put/del", &put);
		phase_print("compile", &into);
		phase_print("both", &total);
		phase_print("copy+diff", &copy);
	}
	printf("peak RSS: %.1f MiB\n", rss_kb() / 1024.0);
	pw_model_free(&live);
	pw_compiler_free(c);
	return 0;
}
