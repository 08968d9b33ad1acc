// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * podwall-agent: watches Pods, Namespaces and NetworkPolicies and keeps
 * this node's podwall.ko in sync. See docs/agent.md.
 */
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include "http.h"
#include "kube.h"
#include "log.h"
#include "manifests.h"
#include "metrics.h"
#include "reflector.h"
#include "sink.h"
#include "store.h"
#include "sync.h"

struct opts {
	const char *kubeconfig;
	const char *sa_dir;
	const char *node;
	const char *sink_json;
	const char *listen;
	const char *manifests;
	bool once;
	bool dry_run;
	struct agent_reflector_cfg rcfg;
	struct agent_sync_cfg scfg;
	struct agent_node nodeinfo;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: podwall-agent [options]\n"
		"  --kubeconfig FILE     API server from a kubeconfig (default: in-cluster service account)\n"
		"  --node NAME           this node (default: $NODE_NAME, else the hostname)\n"
		"  --node-addr IP        a node address, repeatable (default: every local address)\n"
		"  --sink-json FILE      append each commit as a JSON line to FILE instead of the kernel\n"
		"  --dry-run             same as --sink-json /dev/stdout\n"
		"  --manifests PATH      read objects from a YAML/JSON file or directory, reload on change\n"
		"  --once                exit after the first full commit\n"
		"  --listen ADDR:PORT    health and metrics endpoint (default 127.0.0.1:9402, \"none\" to disable)\n"
		"  --coalesce-ms N       batch changes for N ms before committing (default 50)\n"
		"  --page-size N         list page size (default 500)\n"
		"  --watch-timeout S     watch timeoutSeconds (default 300, jittered)\n"
		"  --backoff-base-ms N   first reconnect delay (default 500)\n"
		"  --backoff-max-ms N    longest reconnect delay (default 30000)\n"
		"  --log-level LEVEL     error, warn, info (default) or debug\n"
		"  --help\n");
}

static int add_addr(struct agent_node *n, const char *a)
{
	char **v = realloc(n->addrs, (n->nr_addrs + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	n->addrs = v;
	v[n->nr_addrs] = strdup(a);
	return v[n->nr_addrs++] ? 0 : -ENOMEM;
}

/* Every address on a non-loopback interface that is up. */
static int detect_addrs(struct agent_node *n)
{
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		char buf[INET6_ADDRSTRLEN];
		const void *a;

		if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			a = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		else
			continue;
		if (i->ifa_addr->sa_family == AF_INET6 &&
		    IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)a))
			continue;
		inet_ntop(i->ifa_addr->sa_family, a, buf, sizeof(buf));
		add_addr(n, buf);
	}
	freeifaddrs(ifa);
	return 0;
}

static unsigned long num(const char *opt, const char *v, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (!*v || *end || n < min || n > max) {
		fprintf(stderr, "podwall-agent: --%s %s: expected a number in %lu..%lu\n", opt, v,
			min, max);
		exit(1);
	}
	return n;
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "kubeconfig", required_argument, NULL, 'k' },
		{ "sa-dir", required_argument, NULL, 'S' },
		{ "node", required_argument, NULL, 'n' },
		{ "node-addr", required_argument, NULL, 'a' },
		{ "sink-json", required_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "once", no_argument, NULL, '1' },
		{ "listen", required_argument, NULL, 'l' },
		{ "manifests", required_argument, NULL, 'm' },
		{ "coalesce-ms", required_argument, NULL, 'c' },
		{ "page-size", required_argument, NULL, 'p' },
		{ "watch-timeout", required_argument, NULL, 't' },
		{ "backoff-base-ms", required_argument, NULL, 'b' },
		{ "backoff-max-ms", required_argument, NULL, 'B' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, lvl;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'k': o->kubeconfig = optarg; break;
		case 'S': o->sa_dir = optarg; break;
		case 'n': o->node = optarg; break;
		case 'a': {
			unsigned char buf[16];

			if (inet_pton(AF_INET, optarg, buf) != 1 &&
			    inet_pton(AF_INET6, optarg, buf) != 1) {
				fprintf(stderr, "podwall-agent: --node-addr %s: not an IP address\n",
					optarg);
				exit(1);
			}
			if (add_addr(&o->nodeinfo, optarg))
				exit(2);
			break;
		}
		case 'j': o->sink_json = optarg; break;
		case 'd': o->dry_run = true; break;
		case '1': o->once = true; break;
		case 'l': o->listen = optarg; break;
		case 'm': o->manifests = optarg; break;
		case 'c': o->scfg.coalesce_ms = num("coalesce-ms", optarg, 0, 60000); break;
		case 'p': o->rcfg.page_size = num("page-size", optarg, 1, 100000); break;
		case 't': o->rcfg.watch_timeout_s = num("watch-timeout", optarg, 1, 86400); break;
		case 'b': o->rcfg.backoff_base_ms = num("backoff-base-ms", optarg, 1, 600000); break;
		case 'B': o->rcfg.backoff_max_ms = num("backoff-max-ms", optarg, 1, 3600000); break;
		case 'L':
			lvl = agent_log_parse_level(optarg);
			if (lvl < 0) {
				fprintf(stderr, "podwall-agent: --log-level %s: expected error, warn, info or debug\n",
					optarg);
				exit(1);
			}
			agent_log_level = lvl;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(1);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "podwall-agent: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		exit(1);
	}
}

/* Turns SIGTERM/SIGINT into a store stop; the only thread that sees them. */
static void *signals(void *p)
{
	struct agent_store *st = p;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigwait(&set, &sig);
	log_info("signal %d: finishing the commit in progress and exiting; the kernel keeps the committed set",
		 sig);
	agent_store_stop(st);
	return NULL;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.listen = "127.0.0.1:9402",
		.sa_dir = AGENT_SA_DIR,
		.rcfg = { .page_size = 500, .watch_timeout_s = 300,
			  .backoff_base_ms = 500, .backoff_max_ms = 30000 },
		.scfg = { .coalesce_ms = 50,
			  .kinds = (1u << AGENT_NR_KINDS) - 1 },
	};
	struct agent_reflector refl[AGENT_NR_KINDS];
	struct agent_manifests man;
	struct agent_store store;
	struct agent_kube kube = { 0 };
	struct agent_sink *sink = NULL;
	struct MHD_Daemon *http = NULL;
	pthread_t sig_thread;
	char err[512], host[256];
	sigset_t set;
	int ret;

	parse(argc, argv, &o);
	o.scfg.once = o.once;
	if (!o.node)
		o.node = getenv("NODE_NAME");
	if (!o.node || !*o.node) {
		if (gethostname(host, sizeof(host)))
			strcpy(host, "localhost");
		host[sizeof(host) - 1] = 0;
		o.node = host;
	}
	o.nodeinfo.name = o.node;
	if (!o.nodeinfo.nr_addrs && detect_addrs(&o.nodeinfo))
		log_warn("cannot list local addresses: %s; the node set is empty", strerror(errno));
	if (o.dry_run && !o.sink_json)
		o.sink_json = "/dev/stdout";
	sink = o.sink_json ? agent_sink_json_new(o.sink_json, &o.nodeinfo)
			   : agent_sink_kernel_new(&o.nodeinfo);
	if (!sink)
		return 2;

	if (o.manifests)
		ret = 0;
	else if (o.kubeconfig)
		ret = agent_kubeconfig_load(&kube.kc, o.kubeconfig, err, sizeof(err));
	else
		ret = agent_kubeconfig_incluster(&kube.kc, o.sa_dir, err, sizeof(err));
	if (ret || (!o.manifests && agent_kube_init(&kube, err, sizeof(err)))) {
		fprintf(stderr, "podwall-agent: %s\n", err);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		fprintf(stderr, "podwall-agent: cannot initialise libcurl\n");
		return 2;
	}
	/* Block the stop signals everywhere; one thread waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	agent_store_init(&store);
	pthread_create(&sig_thread, NULL, signals, &store);
	pthread_detach(sig_thread);

	agent_metrics_tick();
	if (strcmp(o.listen, "none")) {
		http = agent_http_start(o.listen, 30.0, err, sizeof(err));
		if (!http) {
			fprintf(stderr, "podwall-agent: %s\n", err);
			return 1;
		}
	}
	log_info("podwall-agent starting: node %s, %zu node addresses, source %s, sink %s",
		 o.node, o.nodeinfo.nr_addrs, o.manifests ? o.manifests : kube.kc.server,
		 sink->ops->name);
	if (o.manifests) {
		man = (struct agent_manifests){ .path = o.manifests, .store = &store,
						.watch = !o.once };
		if (agent_manifests_start(&man, err, sizeof(err))) {
			fprintf(stderr, "podwall-agent: %s\n", err);
			return 1;
		}
	}
	for (int k = 0; k < AGENT_NR_KINDS && !o.manifests; k++) {
		refl[k] = (struct agent_reflector){ .kind = k, .cfg = &o.rcfg, .kube = &kube,
						    .store = &store };
		if (agent_reflector_start(&refl[k])) {
			log_err("cannot start the %s reflector", agent_kinds[k].resource);
			return 2;
		}
	}
	ret = agent_sync_run(&store, sink, &o.scfg);
	agent_store_stop(&store);
	for (int k = 0; k < AGENT_NR_KINDS && !o.manifests; k++)
		agent_reflector_join(&refl[k]);
	if (o.manifests)
		agent_manifests_join(&man);
	agent_http_stop(http);
	sink->ops->free(sink);
	agent_store_free(&store);
	agent_kube_free(&kube);
	curl_global_cleanup();
	for (size_t i = 0; i < o.nodeinfo.nr_addrs; i++)
		free(o.nodeinfo.addrs[i]);
	free(o.nodeinfo.addrs);
	if (ret && ret != -EINTR) {
		log_err("exiting without a successful commit: %s", strerror(-ret));
		return 2;
	}
	log_info("stopped");
	return 0;
}
