// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backoff.h"
#include "log.h"
#include "metrics.h"
#include "sync.h"

#define CHECK_INTERVAL_S 5

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void add_ms(struct timespec *t, unsigned int ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static int before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Receipt times of the changes staged since the last commit. */
struct pending {
	struct timespec *t;
	size_t nr, cap;
};

static void pending_add(struct pending *p, const struct timespec *t)
{
	if (p->nr == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->t = realloc(p->t, p->cap * sizeof(*p->t));
		if (!p->t)
			abort();
	}
	p->t[p->nr++] = *t;
}

int agent_sync_run(struct agent_store *st, struct agent_sink *sink,
		   const struct agent_sync_cfg *cfg)
{
	struct pending pend = { 0 };
	struct agent_backoff bo;
	struct timespec batch_deadline = { 0 }, next_check = { 0 }, now;
	bool committed = false, dirty = false, full = true, logged_wait = false;
	uint64_t seq = 0;
	unsigned int synced = 0;
	int ret = 0;

	agent_backoff_init(&bo, 100, 10000, (uint32_t)time(NULL));
	for (;;) {
		struct timespec deadline;
		struct agent_change *changes = NULL;
		struct agent_op *ops;
		size_t nr = 0;

		agent_metrics_tick();
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!before(&now, &next_check)) {
			bool ok = sink->ops->check(sink);

			agent_metrics_set_ready(committed && ok);
			if (committed && sink->resync && !dirty) {
				/* The target lost our set (module reloaded, flushed): resend it. */
				full = true;
				dirty = true;
				batch_deadline = now;
			}
			next_check = now;
			next_check.tv_sec += CHECK_INTERVAL_S;
		}
		deadline = now;
		deadline.tv_sec += 1;
		if (dirty && before(&batch_deadline, &deadline))
			deadline = batch_deadline;
		ops = agent_store_take(st, &deadline, &synced);
		if (ops) {
			if (agent_store_apply(st, ops, &changes, &nr))
				log_err("sync: out of memory applying changes");
			for (size_t i = 0; i < nr; i++) {
				if (sink->ops->stage(sink, &changes[i]))
					full = true;	/* the sink lost track: resend everything */
				pending_add(&pend, &changes[i].received);
				log_debug("sync: %s %s/%s", changes[i].obj ? (changes[i].old ? "update" : "add") : "delete",
					  agent_kinds[changes[i].kind].resource, changes[i].key);
			}
			for (int k = 0; k < AGENT_NR_KINDS; k++)
				agent_metrics_objects(k, json_object_object_length(st->objs[k]));
			agent_store_changes_free(changes, nr);
			agent_store_ops_free(ops);
			if (nr && !dirty) {
				dirty = true;
				clock_gettime(CLOCK_MONOTONIC, &batch_deadline);
				add_ms(&batch_deadline, cfg->coalesce_ms);
			}
		}
		if (agent_store_stopping(st))
			break;
		if ((synced & cfg->kinds) != cfg->kinds) {
			if (!logged_wait && !committed) {
				log_info("sync: waiting for every resource to be listed; the kernel keeps its last committed set");
				logged_wait = true;
			}
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (committed && (!dirty || before(&now, &batch_deadline)))
			continue;
		{
			struct agent_commit c = { .full = full, .seq = seq + 1, .objs = st->objs };
			struct timespec t0;
			int err;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			err = sink->ops->commit(sink, &c);
			agent_metrics_sync(since(&t0), full, !err);
			if (err) {
				unsigned int d = agent_backoff_next(&bo);

				log_err("sync: %s commit failed (%s); retrying in %u ms with a full snapshot",
					full ? "full" : "incremental", strerror(-err), d);
				full = true;
				dirty = true;
				clock_gettime(CLOCK_MONOTONIC, &batch_deadline);
				add_ms(&batch_deadline, d);
				ret = err;
				continue;
			}
			agent_backoff_reset(&bo);
			ret = 0;
			seq++;
			for (size_t i = 0; i < pend.nr; i++)
				agent_metrics_latency(since(&pend.t[i]));
			log_info("sync: commit %llu (%s, %zu changes) in %.1f ms",
				 (unsigned long long)seq, full ? "full snapshot" : "incremental",
				 pend.nr, since(&t0) * 1e3);
			pend.nr = 0;
			full = false;
			dirty = false;
			if (!committed) {
				committed = true;
				next_check.tv_sec = 0;	/* refresh readiness now */
				agent_metrics_set_ready(sink->ops->check(sink));
			}
			if (cfg->once)
				break;
		}
	}
	free(pend.t);
	return committed ? 0 : (ret ? ret : -EINTR);
}
