// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The kernel sink: compiles and commits through libpodwall's netlink
 * client. The first commit (and any after a failure) is one REPLACE
 * transaction with the whole set; afterwards only the delta between the
 * last committed model and the new one is sent. Until the first commit the
 * kernel is never touched, so it keeps enforcing what it had (fail-static).
 *
 * One model is kept and the compiler updates it in place with the delta;
 * the versions it replaces come back separately (@was), as the delta
 * sends a changed set as its difference from the live one. That is all
 * pw_nl_apply_delta() reads of the old model: the objects the delta names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "compile.h"
#include "log.h"
#include "metrics.h"
#include "nl.h"
#include "sink.h"

struct kernel_sink {
	struct agent_sink base;
	struct agent_compile ac;
	struct pw_nl *nl;		/* NULL until the module answers */
	struct pw_model model;		/* the compiler's output, updated in place */
	uint64_t gen;			/* the generation it became */
	bool have_live;			/* the kernel holds @model as of @gen */
	bool warned;
};

/* Opens the netlink handle if needed; logs once while the module is missing. */
static int ensure_open(struct kernel_sink *ks)
{
	char err[256];
	int ret;

	if (ks->nl)
		return 0;
	ret = pw_nl_open(&ks->nl, err, sizeof(err));
	if (ret) {
		ks->nl = NULL;
		if (!ks->warned)
			log_err("kernel: %s", err);
		ks->warned = true;
		return ret;
	}
	ks->warned = false;
	return 0;
}

/* The kernel no longer holds what we last committed: replace it all next time. */
static void forget_live(struct kernel_sink *ks)
{
	if (ks->have_live) {
		ks->have_live = false;
		ks->base.resync = true;
	}
}

static void drop_handle(struct kernel_sink *ks)
{
	/* Closing the socket also drops any open candidate in the kernel. */
	pw_nl_close(ks->nl);
	ks->nl = NULL;
	/* The module may be reloaded before we reconnect: assume nothing. */
	forget_live(ks);
}

static int stage(struct agent_sink *s, const struct agent_change *c)
{
	return agent_compile_stage(&((struct kernel_sink *)s)->ac, c);
}

static int commit(struct agent_sink *s, const struct agent_commit *c)
{
	struct kernel_sink *ks = (struct kernel_sink *)s;
	bool full = c->full || !ks->have_live;
	struct pw_model_delta d = { 0 };
	struct pw_model was;
	struct pw_model *m = &ks->model;
	uint64_t gen = 0;
	int ret;

	pw_model_init(&was);
	ret = agent_compile_model(&ks->ac, m, full ? NULL : &d, full ? NULL : &was);
	if (ret) {
		log_err("kernel: compile failed: %s", strerror(-ret));
		/* The model may have been emptied: no delta can follow it. */
		forget_live(ks);
		return ret;
	}
	ret = ensure_open(ks);
	if (!ret && full) {
		ret = pw_nl_load(ks->nl, m, 1, &gen);
	} else if (!ret) {
		ret = pw_nl_apply_delta(ks->nl, &was, m, &d, ks->gen, &gen);
		if (ret == -ESTALE) {
			/* Someone else committed: our delta's base is gone. */
			log_warn("kernel: %s; sending a full snapshot",
				 pw_nl_error(ks->nl));
			ret = pw_nl_load(ks->nl, m, 1, &gen);
		}
	}
	pw_model_delta_free(&d);
	pw_model_free(&was);
	if (ret && ks->nl) {
		log_err("kernel: %s commit failed: %s", c->full ? "replace" : "incremental",
			pw_nl_error(ks->nl));
		drop_handle(ks);
	}
	if (ret) {
		forget_live(ks);
		return ret;
	}
	ks->gen = gen;
	ks->have_live = true;
	ks->base.resync = false;
	log_info("kernel: generation %llu: %u endpoints, %u policies, %u rules, %u sets",
		 (unsigned long long)gen, m->nr_eps, m->nr_policies, m->nr_rules, m->nr_sets);
	return 0;
}

static bool check(struct agent_sink *s)
{
	struct kernel_sink *ks = (struct kernel_sink *)s;
	struct pw_nl_info info;
	struct pw_nl_stats st;

	if (ensure_open(ks))
		return false;
	if (pw_nl_info(ks->nl, &info)) {
		log_err("kernel: %s", pw_nl_error(ks->nl));
		drop_handle(ks);
		return false;
	}
	if (ks->have_live && info.generation != ks->gen) {
		log_warn("kernel: generation %llu is not ours (%llu): the set was replaced or flushed by someone else; sending a full snapshot",
			 (unsigned long long)info.generation, (unsigned long long)ks->gen);
		forget_live(ks);
	}
	if (!pw_nl_stats(ks->nl, &st)) {
		agent_metrics_kernel(info.generation, st.global.judged,
				     st.global.denied_ingress + st.global.denied_egress);
		pw_nl_stats_free(&st);
	} else {
		agent_metrics_kernel(info.generation, 0, 0);
	}
	return true;
}

static void sink_free(struct agent_sink *s)
{
	struct kernel_sink *ks = (struct kernel_sink *)s;

	if (ks->nl)
		pw_nl_close(ks->nl);
	pw_model_free(&ks->model);
	agent_compile_free(&ks->ac);
	free(ks);
}

static const struct agent_sink_ops ops = {
	.name = "kernel",
	.stage = stage,
	.commit = commit,
	.check = check,
	.free = sink_free,
};

struct agent_sink *agent_sink_kernel_new(const struct agent_node *node)
{
	struct kernel_sink *ks = calloc(1, sizeof(*ks));

	if (!ks)
		return NULL;
	if (agent_compile_init(&ks->ac, node)) {
		agent_compile_free(&ks->ac);
		free(ks);
		return NULL;
	}
	pw_model_init(&ks->model);
	ks->base.ops = &ops;
	return &ks->base;
}
