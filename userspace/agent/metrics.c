// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "metrics.h"

#ifndef PODWALL_VERSION
#define PODWALL_VERSION "0.1"
#endif

const char *const agent_restart_names[NR_RESTART_REASONS] = {
	[RESTART_TIMEOUT] = "timeout",
	[RESTART_EXPIRED] = "expired",
	[RESTART_DISCONNECT] = "disconnect",
	[RESTART_THROTTLED] = "throttled",
	[RESTART_SERVER_ERROR] = "server_error",
	[RESTART_UNAUTHORIZED] = "unauthorized",
	[RESTART_ERROR] = "error",
};

/* Bucket upper bounds in seconds, shared by both histograms. */
static const double bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
				 0.5, 1, 2.5, 5, 10 };
#define NR_BOUNDS (sizeof(bounds) / sizeof(bounds[0]))

struct histogram {
	uint64_t buckets[NR_BOUNDS];
	uint64_t count;
	double sum;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t restarts[AGENT_NR_KINDS][NR_RESTART_REASONS];
static uint64_t events[AGENT_NR_KINDS];
static uint64_t objects[AGENT_NR_KINDS];
static struct histogram sync_full, sync_incr, latency;
static uint64_t sync_failures;
static uint64_t kernel_gen, kernel_judged, kernel_denied;
static struct timespec last_tick;
static int ready;

static void observe(struct histogram *h, double v)
{
	for (size_t i = 0; i < NR_BOUNDS; i++)
		if (v <= bounds[i])
			h->buckets[i]++;
	h->count++;
	h->sum += v;
}

void agent_metrics_restart(enum agent_kind k, enum agent_restart_reason r)
{
	pthread_mutex_lock(&lock);
	restarts[k][r]++;
	pthread_mutex_unlock(&lock);
}

void agent_metrics_event(enum agent_kind k)
{
	pthread_mutex_lock(&lock);
	events[k]++;
	pthread_mutex_unlock(&lock);
}

void agent_metrics_objects(enum agent_kind k, uint64_t n)
{
	pthread_mutex_lock(&lock);
	objects[k] = n;
	pthread_mutex_unlock(&lock);
}

void agent_metrics_sync(double seconds, int full, int ok)
{
	pthread_mutex_lock(&lock);
	if (ok)
		observe(full ? &sync_full : &sync_incr, seconds);
	else
		sync_failures++;
	pthread_mutex_unlock(&lock);
}

void agent_metrics_latency(double seconds)
{
	pthread_mutex_lock(&lock);
	observe(&latency, seconds);
	pthread_mutex_unlock(&lock);
}

void agent_metrics_kernel(uint64_t generation, uint64_t judged, uint64_t denied)
{
	pthread_mutex_lock(&lock);
	kernel_gen = generation;
	kernel_judged = judged;
	kernel_denied = denied;
	pthread_mutex_unlock(&lock);
}

void agent_metrics_tick(void)
{
	pthread_mutex_lock(&lock);
	clock_gettime(CLOCK_MONOTONIC, &last_tick);
	pthread_mutex_unlock(&lock);
}

double agent_metrics_since_tick(void)
{
	struct timespec now;
	double d;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&lock);
	d = (double)(now.tv_sec - last_tick.tv_sec) + (now.tv_nsec - last_tick.tv_nsec) / 1e9;
	pthread_mutex_unlock(&lock);
	return d;
}

void agent_metrics_set_ready(int r)
{
	pthread_mutex_lock(&lock);
	ready = r;
	pthread_mutex_unlock(&lock);
}

int agent_metrics_ready(void)
{
	int r;

	pthread_mutex_lock(&lock);
	r = ready;
	pthread_mutex_unlock(&lock);
	return r;
}

static void hist(FILE *f, const char *name, const char *labels, const struct histogram *h)
{
	const char *sep = *labels ? "," : "";

	for (size_t i = 0; i < NR_BOUNDS; i++)
		fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, bounds[i],
			(unsigned long long)h->buckets[i]);
	fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
		(unsigned long long)h->count);
	fprintf(f, "%s_sum%s%s%s %g\n", name, *labels ? "{" : "", labels, *labels ? "}" : "",
		h->sum);
	fprintf(f, "%s_count%s%s%s %llu\n", name, *labels ? "{" : "", labels,
		*labels ? "}" : "", (unsigned long long)h->count);
}

char *agent_metrics_render(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	pthread_mutex_lock(&lock);
	fprintf(f, "# HELP podwall_agent_build_info Build information.\n"
		   "# TYPE podwall_agent_build_info gauge\n"
		   "podwall_agent_build_info{version=\"%s\"} 1\n", PODWALL_VERSION);
	fprintf(f, "# HELP podwall_agent_watch_restarts_total Watch or list restarts by reason.\n"
		   "# TYPE podwall_agent_watch_restarts_total counter\n");
	for (int k = 0; k < AGENT_NR_KINDS; k++)
		for (int r = 0; r < NR_RESTART_REASONS; r++)
			fprintf(f, "podwall_agent_watch_restarts_total{resource=\"%s\",reason=\"%s\"} %llu\n",
				agent_kinds[k].resource, agent_restart_names[r],
				(unsigned long long)restarts[k][r]);
	fprintf(f, "# HELP podwall_agent_watch_events_total Watch events received.\n"
		   "# TYPE podwall_agent_watch_events_total counter\n");
	for (int k = 0; k < AGENT_NR_KINDS; k++)
		fprintf(f, "podwall_agent_watch_events_total{resource=\"%s\"} %llu\n",
			agent_kinds[k].resource, (unsigned long long)events[k]);
	fprintf(f, "# HELP podwall_agent_objects Objects in the agent's cache by kind.\n"
		   "# TYPE podwall_agent_objects gauge\n");
	for (int k = 0; k < AGENT_NR_KINDS; k++)
		fprintf(f, "podwall_agent_objects{kind=\"%s\"} %llu\n", agent_kinds[k].kind,
			(unsigned long long)objects[k]);
	fprintf(f, "# HELP podwall_agent_sync_duration_seconds Time to compile and commit.\n"
		   "# TYPE podwall_agent_sync_duration_seconds histogram\n");
	hist(f, "podwall_agent_sync_duration_seconds", "type=\"full\"", &sync_full);
	hist(f, "podwall_agent_sync_duration_seconds", "type=\"incremental\"", &sync_incr);
	fprintf(f, "# HELP podwall_agent_sync_failures_total Commits that failed.\n"
		   "# TYPE podwall_agent_sync_failures_total counter\n"
		   "podwall_agent_sync_failures_total %llu\n", (unsigned long long)sync_failures);
	fprintf(f, "# HELP podwall_agent_event_commit_latency_seconds From receiving an API event to its commit.\n"
		   "# TYPE podwall_agent_event_commit_latency_seconds histogram\n");
	hist(f, "podwall_agent_event_commit_latency_seconds", "", &latency);
	fprintf(f, "# HELP podwall_kernel_generation Generation of the committed policy set.\n"
		   "# TYPE podwall_kernel_generation gauge\n"
		   "podwall_kernel_generation %llu\n"
		   "# HELP podwall_kernel_packets_judged_total New connections judged by the kernel.\n"
		   "# TYPE podwall_kernel_packets_judged_total counter\n"
		   "podwall_kernel_packets_judged_total %llu\n"
		   "# HELP podwall_kernel_packets_denied_total New connections denied by the kernel.\n"
		   "# TYPE podwall_kernel_packets_denied_total counter\n"
		   "podwall_kernel_packets_denied_total %llu\n",
		(unsigned long long)kernel_gen, (unsigned long long)kernel_judged,
		(unsigned long long)kernel_denied);
	fprintf(f, "# HELP podwall_agent_ready 1 once the first full sync is committed.\n"
		   "# TYPE podwall_agent_ready gauge\n"
		   "podwall_agent_ready %d\n", ready);
	pthread_mutex_unlock(&lock);
	fclose(f);
	return buf;
}
