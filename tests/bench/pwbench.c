// SPDX-License-Identifier: GPL-2.0
/*
 * pwbench: the guest side of the podwall data-plane benchmarks.
 *
 *   pwbench json [GEN]            the synthetic set (benchgen.h) as the JSON
 *                                 `podwallctl restore` reads
 *   pwbench nft [GEN] [--linear N]
 *                                 the same admission in nftables: table ip
 *                                 pwbench, a prerouting base chain at
 *                                 podwall's hook (dstnat + 1) that accepts
 *                                 established/related, admits set 1 on TCP 80
 *                                 (a hash set, or N linear rules with the
 *                                 client's last) and drops the rest
 *   pwbench time CMD ARGS...      runs CMD; prints "time NS user NS sys NS"
 *                                 (guest ns; user/sys are tick-sampled)
 *   pwbench update KIND[,KIND...] COUNT [GEN]
 *                                 loads the set (REPLACE, timed), then per
 *                                 KIND COUNT incremental commits, alternately
 *                                 doing and undoing the change (COUNT 0: only
 *                                 the load):
 *                                   rule   one rule's port changes (NEW_RULE)
 *                                   elems  one pod IP joins/leaves a peer set
 *                                          (SET_ADD_ELEMS / SET_DEL_ELEMS)
 *                                   ep     one pod of this node comes/goes
 *                                          (NEW_ENDPOINT / DEL_ENDPOINT)
 *                                   delta-rule, delta-pod
 *                                          the rule change, and a pod IP
 *                                          joining a peer set, through
 *                                          pw_nl_apply_delta() (what the
 *                                          agent does)
 *                                 prints "load NS user NS sys NS", per phase
 *                                 "KIND PHASE COUNT MEAN MIN MAX" and
 *                                 "KIND cpu COUNT user MEAN sys MEAN", in
 *                                 guest ns (user/sys are tick-sampled)
 *
 * GEN are the benchgen options (--eps --peers --sets --set-size --rules
 * --server-rules --server --client). Exit 1 on any error, with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/nl_attr.h"
#include "benchgen.h"

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* CPU time of @who in guest ns: user and system (tick-sampled). */
static void cpu_ns(int who, unsigned long long *user, unsigned long long *sys)
{
	struct rusage ru;

	getrusage(who, &ru);
	*user = ru.ru_utime.tv_sec * 1000000000ULL + ru.ru_utime.tv_usec * 1000ULL;
	*sys = ru.ru_stime.tv_sec * 1000000000ULL + ru.ru_stime.tv_usec * 1000ULL;
}

static int gen_args(struct benchgen *g, int argc, char **argv, int from,
		    uint32_t *linear)
{
	int i, ret;

	for (i = from; i < argc; i++) {
		if (linear && !strcmp(argv[i], "--linear") && i + 1 < argc) {
			*linear = strtoul(argv[++i], NULL, 10);
			continue;
		}
		ret = benchgen_arg(g, argc, argv, &i);
		if (ret == 1)
			continue;
		if (!ret)
			fprintf(stderr, "pwbench: unknown argument '%s'\n", argv[i]);
		return -1;
	}
	return 0;
}

static void put_ip(FILE *f, const struct pw_addr *a)
{
	char buf[64];

	fputs(pw_addr_format(a, buf, sizeof(buf)), f);
}

static int cmd_nft(const struct benchgen *g, uint32_t linear)
{
	struct pw_addr a;
	uint32_t i;

	printf("table ip pwbench {\n");
	if (!linear) {
		printf("\tset peers {\n\t\ttype ipv4_addr\n\t\telements = {");
		for (i = 0; i + 1 < g->peers; i++) {
			benchgen_pool_addr(i, &a);
			printf(!i ? "\n\t\t\t" : i % 8 ? ", " : ",\n\t\t\t");
			put_ip(stdout, &a);
		}
		printf("%s", g->peers > 1 ? ",\n\t\t\t" : "\n\t\t\t");
		put_ip(stdout, &g->client);
		printf("\n\t\t}\n\t}\n");
	}
	printf("\tchain pre {\n\t\ttype filter hook prerouting priority dstnat + 1; policy accept;\n");
	printf("\t\tct state established,related accept\n");
	if (linear) {
		for (i = 0; i + 1 < linear; i++) {
			benchgen_pool_addr(i, &a);
			printf("\t\tip saddr ");
			put_ip(stdout, &a);
			printf(" tcp dport 80 accept\n");
		}
		printf("\t\tip saddr ");
		put_ip(stdout, &g->client);
		printf(" tcp dport 80 accept\n");
	} else {
		printf("\t\tip saddr @peers tcp dport 80 accept\n");
	}
	printf("\t\tdrop\n\t}\n}\n");
	return fflush(stdout) ? 1 : 0;
}

static int cmd_time(char **argv)
{
	unsigned long long t0 = now_ns(), user, sys;
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("pwbench: fork");
		return 1;
	}
	if (!pid) {
		execvp(argv[0], argv);
		fprintf(stderr, "pwbench: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("pwbench: waitpid");
		return 1;
	}
	t0 = now_ns() - t0;
	cpu_ns(RUSAGE_CHILDREN, &user, &sys);
	printf("time %llu user %llu sys %llu\n", t0, user, sys);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Per-phase timings of the incremental commits. */
struct stat3 {
	unsigned long long sum, min, max;
	unsigned long n;
};

static void stat_add(struct stat3 *s, unsigned long long v)
{
	if (!s->n || v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	s->sum += v;
	s->n++;
}

static void stat_print(const char *kind, const char *phase,
		       const struct stat3 *s)
{
	if (s->n)
		printf("%s %s %lu %llu %llu %llu\n", kind, phase, s->n,
		       s->sum / s->n, s->min, s->max);
}

static int fail(struct pw_nl *nl, const char *what, int ret)
{
	fprintf(stderr, "pwbench: %s: %s (%s)\n", what, pw_nl_error(nl),
		strerror(-ret));
	return 1;
}

/* One change of @kind inside an open transaction; @undo reverts it. */
static int change(struct pw_nl *nl, const struct pw_model *m,
		  const char *kind, int undo)
{
	struct pw_model_rule r;
	struct pw_port_range port;
	struct pw_model_ep e;
	struct pw_addr a;
	struct nl_msg *msg;
	int fam = pw_nl_family(nl), ret;

	if (!strcmp(kind, "rule")) {
		/* The last rule: on another endpoint when there is one. */
		r = m->rules[m->nr_rules - 1];
		port = r.ports[0];
		port.first = port.last = undo ? port.first : 65000;
		r.ports = &port;
		msg = pw_nl_msg_new(fam, PODWALL_CMD_NEW_RULE,
				    NLM_F_REQUEST | NLM_F_ACK, 256);
		ret = msg ? pw_nl_put_rule(msg, &r) : -ENOMEM;
	} else if (!strcmp(kind, "elems")) {
		/* A pod address not yet in set 2 joins it. */
		benchgen_pool_addr((1U << 22) - 1, &a);
		msg = pw_nl_msg_new(fam, undo ? PODWALL_CMD_SET_DEL_ELEMS :
					PODWALL_CMD_SET_ADD_ELEMS,
				    NLM_F_REQUEST | NLM_F_ACK, 128);
		ret = msg ? nla_put_u32(msg, PODWALL_A_SET_ID,
					m->nr_sets > 1 ? 2 : 1) : -ENOMEM;
		if (!ret)
			ret = pw_nl_put_prefixes(msg, PODWALL_A_PREFIXES, &a, 1);
	} else {
		/* A new pod on this node, a copy of endpoint 2 (or 1). */
		e = m->eps[m->nr_eps > 1 ? 1 : 0];
		e.id = m->nr_eps + 1;
		e.name = "pod-new";
		a = e.addrs[0];
		a.a[1] = 251;
		e.addrs = &a;
		msg = pw_nl_msg_new(fam, undo ? PODWALL_CMD_DEL_ENDPOINT :
					PODWALL_CMD_NEW_ENDPOINT,
				    NLM_F_REQUEST | NLM_F_ACK, 4096 +
				    8 * (size_t)e.nr_rules[PODWALL_DIR_INGRESS]);
		if (!msg)
			ret = -ENOMEM;
		else if (undo)
			ret = nla_put_u32(msg, PODWALL_A_ENDPOINT_ID, e.id);
		else
			ret = pw_nl_put_ep(msg, &e);
	}
	if (ret) {
		if (msg)
			nlmsg_free(msg);
		fprintf(stderr, "pwbench: %s: building the message: %s\n",
			kind, strerror(ret < 0 ? -ret : ENOMEM));
		return ret < 0 ? ret : -ENOMEM;
	}
	return pw_nl_send_raw(nl, msg);
}

static int modified(const struct benchgen *g, const char *kind,
		    struct pw_model *m)
{
	struct pw_model_set *s;
	struct pw_addr *p;
	int ret = benchgen_model(g, m);

	if (ret)
		return ret;
	if (!strcmp(kind, "delta-rule")) {
		m->rules[m->nr_rules - 1].ports[0].first = 65000;
		m->rules[m->nr_rules - 1].ports[0].last = 65000;
		return 0;
	}
	s = &m->sets[m->nr_sets > 1 ? 1 : 0];
	p = realloc(s->prefixes, (s->nr_prefixes + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->prefixes = p;
	benchgen_pool_addr((1U << 22) - 1, &p[s->nr_prefixes++]);
	return 0;
}

static int known_kind(const char *kind)
{
	static const char *const kinds[] = {
		"rule", "elems", "ep", "delta-rule", "delta-pod",
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i]))
			return 1;
	return 0;
}

/* @count commits of @kind on the loaded model @m; prints the phases. */
static int run_kind(struct pw_nl *nl, const struct benchgen *g,
		    const struct pw_model *m, const char *kind,
		    unsigned long count)
{
	struct stat3 st[4] = { { 0 } };
	struct pw_model m2;
	struct pw_model_delta fwd, back;
	unsigned long long t0, t1, t2, u0, s0, u1, s1;
	int delta = !strncmp(kind, "delta-", 6), ret = 1;
	unsigned long i;

	pw_model_init(&m2);
	memset(&fwd, 0, sizeof(fwd));
	memset(&back, 0, sizeof(back));
	if (delta && (modified(g, kind, &m2) || pw_model_diff(m, &m2, &fwd) ||
		      pw_model_diff(&m2, m, &back))) {
		fprintf(stderr, "pwbench: %s: cannot build the delta\n", kind);
		goto out;
	}
	cpu_ns(RUSAGE_SELF, &u0, &s0);
	for (i = 0; i < count; i++) {
		int undo = i & 1;

		t0 = now_ns();
		if (delta) {
			ret = pw_nl_apply_delta(nl, undo ? &m2 : m,
						undo ? m : &m2,
						undo ? &back : &fwd, 0, NULL);
			if (ret) {
				ret = fail(nl, kind, ret);
				goto out;
			}
			stat_add(&st[3], now_ns() - t0);
			continue;
		}
		ret = pw_nl_txn_begin(nl, 0, 0, NULL);
		t1 = now_ns();
		if (!ret)
			ret = change(nl, m, kind, undo);
		t2 = now_ns();
		if (!ret)
			ret = pw_nl_txn_commit(nl, 0, NULL);
		if (ret) {
			ret = fail(nl, kind, ret);
			pw_nl_txn_abort(nl);
			goto out;
		}
		stat_add(&st[0], t1 - t0);
		stat_add(&st[1], t2 - t1);
		stat_add(&st[2], now_ns() - t2);
		stat_add(&st[3], now_ns() - t0);
	}
	cpu_ns(RUSAGE_SELF, &u1, &s1);
	/* An odd count leaves the change live: undo it untimed. */
	if (count & 1) {
		if (delta)
			ret = pw_nl_apply_delta(nl, &m2, m, &back, 0, NULL);
		else if (!(ret = pw_nl_txn_begin(nl, 0, 0, NULL)) &&
			 !(ret = change(nl, m, kind, 1)))
			ret = pw_nl_txn_commit(nl, 0, NULL);
		if (ret) {
			ret = fail(nl, kind, ret);
			goto out;
		}
	}
	stat_print(kind, "begin", &st[0]);
	stat_print(kind, "change", &st[1]);
	stat_print(kind, "commit", &st[2]);
	stat_print(kind, "total", &st[3]);
	if (count)
		printf("%s cpu %lu user %llu sys %llu\n", kind, count,
		       (u1 - u0) / count, (s1 - s0) / count);
	ret = 0;
out:
	pw_model_delta_free(&fwd);
	pw_model_delta_free(&back);
	pw_model_free(&m2);
	return ret;
}

/* @kinds: comma-separated; the set is loaded once for all of them. */
static int cmd_update(const struct benchgen *g, const char *kinds,
		      unsigned long count)
{
	char *list = strdup(kinds), *kind, *save = NULL;
	unsigned long long t0, u0, s0, u1, s1;
	struct pw_model m;
	struct pw_nl *nl;
	char err[256];
	int ret = 1;

	if (!list)
		return 1;
	for (kind = strtok_r(list, ",", &save); kind;
	     kind = strtok_r(NULL, ",", &save))
		if (!known_kind(kind)) {
			fprintf(stderr, "pwbench: update: unknown kind '%s'\n",
				kind);
			free(list);
			return 1;
		}
	strcpy(list, kinds);
	if (benchgen_model(g, &m)) {
		free(list);
		return 1;
	}
	if (pw_nl_open(&nl, err, sizeof(err))) {
		fprintf(stderr, "pwbench: %s\n", err);
		goto out;
	}
	cpu_ns(RUSAGE_SELF, &u0, &s0);
	t0 = now_ns();
	ret = pw_nl_load(nl, &m, 1, NULL);
	if (ret) {
		ret = fail(nl, "load", ret);
		goto close;
	}
	t0 = now_ns() - t0;
	cpu_ns(RUSAGE_SELF, &u1, &s1);
	printf("load %llu user %llu sys %llu\n", t0, u1 - u0, s1 - s0);
	for (kind = strtok_r(list, ",", &save); kind && !ret;
	     kind = strtok_r(NULL, ",", &save))
		ret = run_kind(nl, g, &m, kind, count);
close:
	pw_nl_close(nl);
out:
	pw_model_free(&m);
	free(list);
	return ret;
}

static int usage(void)
{
	fprintf(stderr, "usage: pwbench json|nft [GEN] | time CMD... | update KIND COUNT [GEN]\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct benchgen g;
	struct pw_model m;
	uint32_t linear = 0;
	int ret;

	benchgen_defaults(&g);
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "time"))
		return argc > 2 ? cmd_time(argv + 2) : usage();
	if (!strcmp(argv[1], "update")) {
		if (argc < 4 || gen_args(&g, argc, argv, 4, NULL))
			return usage();
		return cmd_update(&g, argv[2], strtoul(argv[3], NULL, 10));
	}
	if (!strcmp(argv[1], "nft"))
		return gen_args(&g, argc, argv, 2, &linear) ? usage() :
			cmd_nft(&g, linear);
	if (strcmp(argv[1], "json") || gen_args(&g, argc, argv, 2, NULL))
		return usage();
	if (benchgen_model(&g, &m))
		return 1;
	ret = pw_model_write_json(&m, stdout);
	pw_model_free(&m);
	return ret || fflush(stdout) ? 1 : 0;
}
