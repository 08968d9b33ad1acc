// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reading a compiled set: pw_model_read_json() on a file already in
 * memory, the userspace part of `podwallctl restore`. Prints, per run and
 * as the minimum and median over the runs, the wall time and the process's
 * user and system CPU time of one read (including pw_model_free()), the
 * object counts, and the peak RSS.
 *
 *   read_bench FILE [RUNS]        RUNS defaults to 5
 *
 * Make a file with `pwbench json [GEN]` (docs/performance.md, section 3).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "model.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void cpu_ms(double *user, double *sys)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*user = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3;
	*sys = ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		if (f)
			fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	/*
	 * Touch it once: a first read of freshly read pages can cost tens of
	 * ms in a VM, which restore pays while reading the file, not parsing.
	 */
	*len = strlen(buf);
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void summary(const char *what, double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("%s min %.1f median %.1f ms\n", what, v[0], v[n / 2]);
}

int main(int argc, char **argv)
{
	double *wall, *user, *sys;
	struct pw_model m;
	struct rusage ru;
	char err[512];
	size_t len;
	char *text;
	int i, runs;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: read_bench FILE [RUNS]\n");
		return 1;
	}
	runs = argc > 2 ? atoi(argv[2]) : 5;
	if (runs < 1)
		runs = 1;
	text = slurp(argv[1], &len);
	if (!text) {
		fprintf(stderr, "read_bench: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	wall = calloc(runs, sizeof(*wall));
	user = calloc(runs, sizeof(*user));
	sys = calloc(runs, sizeof(*sys));
	if (!wall || !user || !sys)
		return 1;
	for (i = 0; i < runs; i++) {
		double w0, u0, s0, u1, s1;
		int ret;

		cpu_ms(&u0, &s0);
		w0 = now_ms();
		ret = pw_model_read_json(&m, text, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "read_bench: %s: %s\n", argv[1],
				ret == -EINVAL ? err : strerror(-ret));
			return 1;
		}
		if (i == 0)
			printf("%zu bytes: %u policies, %u sets, %u rules, %u endpoints\n",
			       len, m.nr_policies, m.nr_sets, m.nr_rules, m.nr_eps);
		pw_model_free(&m);
		wall[i] = now_ms() - w0;
		cpu_ms(&u1, &s1);
		user[i] = u1 - u0;
		sys[i] = s1 - s0;
		printf("run %d wall %.1f user %.1f sys %.1f ms\n", i + 1, wall[i],
		       user[i], sys[i]);
	}
	summary("wall", wall, runs);
	summary("user", user, runs);
	summary("sys", sys, runs);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak rss %ld KiB\n", ru.ru_maxrss);
	free(wall);
	free(user);
	free(sys);
	free(text);
	return 0;
}
