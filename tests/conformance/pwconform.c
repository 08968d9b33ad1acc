// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pwconform: plays conformance scenarios (tests/conformance/FORMAT.md,
 * with the project extensions) through the compiler and the shared
 * matcher, in-process. Each step is compiled once and its probes judged
 * with pw_match() over the compiled table, exactly as the kernel would.
 *
 *   pwconform [-q] FILE|DIR...           judge, print failures, sum up
 *   pwconform --emit OUTDIR FILE...      also write, per step, what a guest
 *                                        needs to replay it with packets:
 *     OUTDIR[/<scenario>]/step-N.json    the compiled set (model JSON)
 *     OUTDIR[/<scenario>]/step-N.pods    "NS/NAME IP[,IP...] PORT/PROTO[,...]"
 *     OUTDIR[/<scenario>]/step-N.hostnet "NS/NAME IP PORT/PROTO[,...]" of the
 *                                        running hostNetwork pods
 *     OUTDIR[/<scenario>]/step-N.probes  "ID FROM TO_IP PORT PROTO EXPECT"
 *                                        FROM is NS/NAME or @node, EXPECT
 *                                        allow or deny
 *     OUTDIR[/<scenario>]/node-ips       the node addresses, one a line
 *   (the <scenario> level only when several scenarios are given).
 *
 * Exit status: 0 all probes passed, 1 some failed, 2 a scenario could not
 * be read or compiled.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include "compiler.h"
#include "model.h"

struct run {
	const char *emit;
	bool multi;
	bool quiet;
	unsigned long passed, failed, errors;
};

struct scen {
	const char *file;
	const char *name;
	json_object *pods;		/* "ns/name" -> pod object (format form) */
	struct pw_addr node[PODWALL_MAX_ADDRS_PER_EP];
	uint32_t nr_node;
	struct pw_compiler *c;
	char outdir[4096];
};

__attribute__((format(printf, 2, 3)))
static int bad(struct scen *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", s->file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (o && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, k, &v);
	return v;
}

static const char *get_str(json_object *o, const char *k)
{
	json_object *v = get(o, k);

	return v && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

static json_object *get_arr(json_object *o, const char *k)
{
	json_object *v = get(o, k);

	return v && json_object_is_type(v, json_type_array) ? v : NULL;
}

/* The scenario's pod form as a Pod object for the compiler's parser. */
static json_object *pod_to_api(json_object *p)
{
	json_object *api = json_object_new_object();
	json_object *meta = json_object_new_object();
	json_object *spec = json_object_new_object();
	json_object *status = json_object_new_object();
	json_object *ctr = json_object_new_object();
	json_object *ctrs = json_object_new_array();
	json_object *cports = json_object_new_array();
	json_object *ips = json_object_new_array();
	json_object *v, *arr;
	const char *s;
	size_t i;

	json_object_object_add(api, "kind", json_object_new_string("Pod"));
	json_object_object_add(meta, "namespace", json_object_get(get(p, "namespace")));
	json_object_object_add(meta, "name", json_object_get(get(p, "name")));
	if ((v = get(p, "labels")))
		json_object_object_add(meta, "labels", json_object_get(v));
	json_object_object_add(api, "metadata", meta);
	if ((v = get(p, "host_network")))
		json_object_object_add(spec, "hostNetwork", json_object_get(v));
	arr = get_arr(p, "ports");
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *pt = json_object_array_get_idx(arr, i);
		json_object *cp = json_object_new_object();

		if ((v = get(pt, "name")))
			json_object_object_add(cp, "name", json_object_get(v));
		if ((v = get(pt, "port")))
			json_object_object_add(cp, "containerPort", json_object_get(v));
		if ((v = get(pt, "protocol")))
			json_object_object_add(cp, "protocol", json_object_get(v));
		json_object_array_add(cports, cp);
	}
	json_object_object_add(ctr, "ports", cports);
	json_object_array_add(ctrs, ctr);
	json_object_object_add(spec, "containers", ctrs);
	json_object_object_add(api, "spec", spec);
	if ((s = get_str(p, "ip"))) {
		v = json_object_new_object();
		json_object_object_add(v, "ip", json_object_new_string(s));
		json_object_array_add(ips, v);
	}
	arr = get_arr(p, "ips");
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		v = json_object_new_object();
		json_object_object_add(v, "ip", json_object_get(json_object_array_get_idx(arr, i)));
		json_object_array_add(ips, v);
	}
	json_object_object_add(status, "podIPs", ips);
	json_object_object_add(status, "phase",
			       json_object_new_string(get_str(p, "phase") ?
						      get_str(p, "phase") : "Running"));
	json_object_object_add(api, "status", status);
	return api;
}

static int put_pod(struct scen *s, json_object *p)
{
	const char *ns = get_str(p, "namespace"), *name = get_str(p, "name");
	json_object *api;
	char key[512], err[512];
	int ret;

	if (!ns || !name)
		return bad(s, "pod without namespace or name: %s",
			   json_object_to_json_string(p));
	api = pod_to_api(p);
	ret = pw_compiler_add_object(s->c, api, "Pod", err, sizeof(err));
	json_object_put(api);
	if (ret)
		return bad(s, "pod %s/%s: %s", ns, name, ret == -EINVAL ? err : strerror(-ret));
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	json_object_object_add(s->pods, key, json_object_get(p));
	return 0;
}

static int put_ns(struct scen *s, const char *name, json_object *labels)
{
	struct pw_k8s_ns *ns;
	json_object *l;
	char err[512];

	if (pw_k8s_labels_parse(labels, "labels", &l, err, sizeof(err)))
		return bad(s, "namespace %s: %s", name, err);
	ns = pw_k8s_ns_new(name, l);
	json_object_put(l);
	if (!ns)
		return -ENOMEM;
	return pw_compiler_put_ns(s->c, ns);
}

/* The address of a pod endpoint of a probe: to_ip, or of @family, or first. */
static int pod_addr(struct scen *s, const char *ref, int family,
		    struct pw_addr *out)
{
	json_object *p = get(s->pods, ref), *arr;
	const char *ip = get_str(p, "ip");
	struct pw_addr a;
	size_t i;

	if (!p)
		return bad(s, "probe names unknown pod %s", ref);
	if (ip && !pw_addr_parse(ip, &a) && (!family || a.family == family)) {
		*out = a;
		return 0;
	}
	arr = get_arr(p, "ips");
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		const char *x = json_object_get_string(json_object_array_get_idx(arr, i));

		if (x && !pw_addr_parse(x, &a) && (!family || a.family == family)) {
			*out = a;
			return 0;
		}
	}
	return bad(s, "pod %s has no %s address", ref,
		   family == PW_FAMILY_INET6 ? "IPv6" : family ? "IPv4" : "IP");
}

struct probe {
	const char *from, *to;
	struct pw_tuple t;
	bool expect;
	bool self;
	const char *proto;
};

static int probe_parse(struct scen *s, json_object *pr, size_t idx,
		       struct probe *p)
{
	const char *to_ip = get_str(pr, "to_ip");
	json_object *port = get(pr, "port"), *exp = get(pr, "expect");
	uint8_t proto;
	int64_t n;
	int ret;

	memset(p, 0, sizeof(*p));
	p->from = get_str(pr, "from");
	p->to = get_str(pr, "to");
	p->proto = get_str(pr, "protocol") ? get_str(pr, "protocol") : "TCP";
	if (!p->from || (!p->to && !to_ip))
		return bad(s, "probe %zu: needs \"from\" and \"to\" or \"to_ip\"", idx);
	if (!port || !json_object_is_type(port, json_type_int) ||
	    (n = json_object_get_int64(port)) < 0 || n > 65535)
		return bad(s, "probe %zu: \"port\" must be 0..65535", idx);
	if (!exp || !json_object_is_type(exp, json_type_boolean))
		return bad(s, "probe %zu: \"expect\" must be true or false", idx);
	if (pw_proto_parse(p->proto, &proto))
		return bad(s, "probe %zu: protocol \"%s\" is not TCP, UDP or SCTP", idx, p->proto);
	p->expect = json_object_get_boolean(exp);
	p->t.proto = proto;
	p->t.dport = (uint16_t)n;
	p->t.sport = 40000;
	if (to_ip) {
		if (pw_addr_parse(to_ip, &p->t.dst) ||
		    p->t.dst.plen != (p->t.dst.family == PW_FAMILY_INET ? 32 : 128))
			return bad(s, "probe %zu: \"to_ip\" %s is not an address", idx, to_ip);
	} else {
		ret = pod_addr(s, p->to, 0, &p->t.dst);
		if (ret)
			return ret;
	}
	if (!strcmp(p->from, "@node")) {
		uint32_t i;

		for (i = 0; i < s->nr_node; i++)
			if (s->node[i].family == p->t.dst.family)
				break;
		if (i == s->nr_node)
			return bad(s, "probe %zu: from @node but no node address of that family", idx);
		p->t.src = s->node[i];
		p->t.src.plen = p->t.src.family == PW_FAMILY_INET ? 32 : 128;
		return 0;
	}
	p->self = p->to && !strcmp(p->from, p->to);
	return pod_addr(s, p->from, p->t.dst.family, &p->t.src);
}

static const char *const reasons[] = {
	[PODWALL_REASON_NO_POLICY] = "no policy",
	[PODWALL_REASON_NOT_ENDPOINT] = "no endpoint",
	[PODWALL_REASON_NODE] = "from node",
	[PODWALL_REASON_SELF] = "self",
	[PODWALL_REASON_ALLOWED] = "allowed",
	[PODWALL_REASON_DENIED_EGRESS] = "denied on egress",
	[PODWALL_REASON_DENIED_INGRESS] = "denied on ingress",
	[PODWALL_REASON_DENIED_BOTH] = "denied on egress and ingress",
};

static FILE *emit_open(struct scen *s, int step, const char *ext)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/step-%d.%s", s->outdir, step, ext);
	return fopen(path, "w");
}

static void emit_pods(struct scen *s, FILE *f, FILE *hostnet)
{
	json_object_object_foreach(s->pods, key, p) {
		json_object *arr = get_arr(p, "ips"), *ports = get_arr(p, "ports");
		const char *ip = get_str(p, "ip"), *phase = get_str(p, "phase");
		json_object *hn = get(p, "host_network");
		bool first = true;
		size_t i;

		if (phase && strcmp(phase, "Running"))
			continue;	/* not an endpoint: the guest runs no server */
		/* A hostNetwork pod is a node address, not a pod: listed apart. */
		if (hn && json_object_get_boolean(hn)) {
			fprintf(hostnet, "%s %s ", key, ip ? ip : "-");
			first = true;
			for (i = 0; ports && i < json_object_array_length(ports); i++) {
				json_object *pt = json_object_array_get_idx(ports, i);

				fprintf(hostnet, "%s%d/%s", first ? "" : ",",
					json_object_get_int(get(pt, "port")),
					get_str(pt, "protocol") ?: "TCP");
				first = false;
			}
			fputs(first ? "-\n" : "\n", hostnet);
			continue;
		}
		fprintf(f, "%s ", key);
		if (ip) {
			fputs(ip, f);
			first = false;
		}
		for (i = 0; arr && i < json_object_array_length(arr); i++) {
			const char *x = json_object_get_string(json_object_array_get_idx(arr, i));

			if (ip && !strcmp(ip, x))
				continue;
			fprintf(f, "%s%s", first ? "" : ",", x);
			first = false;
		}
		if (first)
			fputc('-', f);
		fputc(' ', f);
		first = true;
		for (i = 0; ports && i < json_object_array_length(ports); i++) {
			json_object *pt = json_object_array_get_idx(ports, i);

			fprintf(f, "%s%d/%s", first ? "" : ",",
				json_object_get_int(get(pt, "port")),
				get_str(pt, "protocol") ? get_str(pt, "protocol") : "TCP");
			first = false;
		}
		fputs(first ? "-\n" : "\n", f);
	}
}

static int play_step(struct run *r, struct scen *s, json_object *step, int n)
{
	json_object *arr, *probes;
	struct pw_table *table = NULL;
	struct pw_model m;
	FILE *pf = NULL;
	char err[512];
	size_t i;
	int ret;

	if (!json_object_is_type(step, json_type_object))
		return bad(s, "step %d: must be an object", n);
	arr = get_arr(step, "delete");
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *d = json_object_array_get_idx(arr, i);
		const char *ns = get_str(d, "namespace"), *name = get_str(d, "name");

		if (!ns || !name)
			return bad(s, "step %d: delete[%zu]: needs namespace and name", n, i);
		pw_compiler_del_policy(s->c, ns, name);	/* absent is fine */
	}
	arr = get_arr(step, "apply");
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		const char *kind = get_str(o, "kind");

		ret = pw_compiler_add_object(s->c, o, kind ? kind : "NetworkPolicy",
					     err, sizeof(err));
		if (ret == -EINVAL)
			fprintf(stderr, "%s: step %d: apply[%zu]: invalid, left out (the API server would refuse it): %s\n",
				s->file, n, i, err);
		else if (ret < 0)
			return bad(s, "step %d: apply[%zu]: %s", n, i, strerror(-ret));
	}
	arr = get_arr(step, "relabel_namespaces");
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		const char *name = get_str(o, "name");

		if (!name)
			return bad(s, "step %d: relabel_namespaces[%zu]: needs name", n, i);
		ret = put_ns(s, name, get(o, "labels"));
		if (ret)
			return ret;
	}
	arr = get_arr(step, "relabel_pods");
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i), *p, *np;
		char key[512];

		snprintf(key, sizeof(key), "%s/%s", get_str(o, "namespace") ?: "",
			 get_str(o, "name") ?: "");
		p = get(s->pods, key);
		if (!p)
			return bad(s, "step %d: relabel_pods[%zu]: no pod %s", n, i, key);
		/* A copy with the new label map replacing the old. */
		np = NULL;
		json_object_deep_copy(p, &np, NULL);
		json_object_object_add(np, "labels", json_object_get(get(o, "labels")));
		ret = put_pod(s, np);
		json_object_put(np);
		if (ret)
			return ret;
	}
	arr = get_arr(step, "delete_pods");
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		char key[512];

		snprintf(key, sizeof(key), "%s/%s", get_str(o, "namespace") ?: "",
			 get_str(o, "name") ?: "");
		if (pw_compiler_del_pod(s->c, get_str(o, "namespace") ?: "",
					get_str(o, "name") ?: ""))
			return bad(s, "step %d: delete_pods[%zu]: no pod %s", n, i, key);
		json_object_object_del(s->pods, key);
	}
	arr = get_arr(step, "add_pods");
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		ret = put_pod(s, json_object_array_get_idx(arr, i));
		if (ret)
			return ret;
	}

	ret = pw_compiler_compile(s->c, &m);
	if (ret)
		return bad(s, "step %d: compile failed: %s", n, strerror(-ret));
	ret = pw_model_table(&m, &table);
	if (ret) {
		pw_model_free(&m);
		return bad(s, "step %d: the compiled set does not load: %s", n, strerror(-ret));
	}
	if (r->emit) {
		FILE *f = emit_open(s, n, "json"), *pods = emit_open(s, n, "pods");
		FILE *hn = emit_open(s, n, "hostnet");

		pf = emit_open(s, n, "probes");
		if (!f || !pods || !hn || !pf) {
			if (f)
				fclose(f);
			if (pods)
				fclose(pods);
			if (hn)
				fclose(hn);
			if (pf)
				fclose(pf);
			pw_model_table_free(table);
			pw_model_free(&m);
			return bad(s, "cannot write to %s: %s", s->outdir, strerror(errno));
		}
		pw_model_write_json(&m, f);
		emit_pods(s, pods, hn);
		fclose(f);
		fclose(pods);
		fclose(hn);
	}
	probes = get_arr(step, "probes");
	for (i = 0; probes && i < json_object_array_length(probes); i++) {
		struct probe p;
		struct pw_verdict v;
		char to[64];
		bool got;

		ret = probe_parse(s, json_object_array_get_idx(probes, i), i, &p);
		if (ret) {
			r->failed++;
			continue;
		}
		if (p.self) {
			got = true;
			v.reason = PODWALL_REASON_SELF;
		} else {
			pw_match(table, &p.t, &v);
			got = v.allow;
		}
		pw_addr_format(&p.t.dst, to, sizeof(to));
		if (pf)
			fprintf(pf, "%zu %s %s %u %s %s\n", i, p.from, to, p.t.dport,
				p.proto, p.expect ? "allow" : "deny");
		if (got == p.expect) {
			r->passed++;
			continue;
		}
		r->failed++;
		printf("FAIL %s: step %d: %s -> %s (%s) %u/%s: expected %s, got %s (%s)\n",
		       s->name, n, p.from, p.to ? p.to : to, to, p.t.dport, p.proto,
		       p.expect ? "allow" : "deny", got ? "allow" : "deny",
		       v.reason < __PODWALL_REASON_MAX && reasons[v.reason] ?
		       reasons[v.reason] : "?");
	}
	if (pf)
		fclose(pf);
	pw_model_table_free(table);
	pw_model_free(&m);
	return 0;
}

static int play(struct run *r, const char *file)
{
	struct scen s = { .file = file };
	json_object *root = json_object_from_file(file), *v, *steps;
	int ret = 0;
	size_t i;

	if (!root) {
		fprintf(stderr, "%s: cannot read: %s\n", file, json_util_get_last_err());
		return -EINVAL;
	}
	s.name = get_str(root, "name") ? get_str(root, "name") : file;
	s.pods = json_object_new_object();
	s.c = pw_compiler_new();
	if (!s.c || !s.pods) {
		ret = -ENOMEM;
		goto out;
	}
	if (r->emit) {
		char *copy = strdup(file), *base;

		base = copy ? basename(copy) : "scenario";
		if (r->multi)
			snprintf(s.outdir, sizeof(s.outdir), "%s/%.*s", r->emit,
				 (int)(strlen(base) > 5 && !strcmp(base + strlen(base) - 5, ".json") ?
				       strlen(base) - 5 : strlen(base)), base);
		else
			snprintf(s.outdir, sizeof(s.outdir), "%s", r->emit);
		free(copy);
		mkdir(r->emit, 0755);
		mkdir(s.outdir, 0755);
	}
	v = get_arr(root, "node_ips");
	for (i = 0; v && i < json_object_array_length(v); i++) {
		const char *x = json_object_get_string(json_object_array_get_idx(v, i));

		if (s.nr_node == PODWALL_MAX_ADDRS_PER_EP || !x ||
		    pw_addr_parse(x, &s.node[s.nr_node])) {
			ret = bad(&s, "node_ips[%zu]: not an address (at most %d)", i,
				  PODWALL_MAX_ADDRS_PER_EP);
			goto out;
		}
		s.nr_node++;
	}
	if (s.nr_node) {
		ret = pw_compiler_set_node_addrs(s.c, s.node, s.nr_node);
		if (ret)
			goto out;
		if (r->emit) {
			char path[4200];
			FILE *f;

			snprintf(path, sizeof(path), "%s/node-ips", s.outdir);
			f = fopen(path, "w");
			for (i = 0; f && i < json_object_array_length(v); i++)
				fprintf(f, "%s\n", json_object_get_string(json_object_array_get_idx(v, i)));
			if (f)
				fclose(f);
		}
	}
	v = get(root, "namespaces");
	if (v && json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, name, labels) {
			ret = put_ns(&s, name, labels);
			if (ret)
				goto out;
		}
	}
	v = get_arr(root, "pods");
	for (i = 0; v && i < json_object_array_length(v); i++) {
		ret = put_pod(&s, json_object_array_get_idx(v, i));
		if (ret)
			goto out;
	}
	steps = get_arr(root, "steps");
	if (!steps) {
		ret = bad(&s, "no \"steps\" list");
		goto out;
	}
	for (i = 0; i < json_object_array_length(steps); i++) {
		ret = play_step(r, &s, json_object_array_get_idx(steps, i), (int)i);
		if (ret)
			goto out;
	}
out:
	pw_compiler_free(s.c);
	json_object_put(s.pods);
	json_object_put(root);
	if (ret)
		r->errors++;
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_path(const char *path, char ***files, size_t *n)
{
	struct stat st;
	char **nf;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;

		if (!d) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			return -errno;
		}
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			char sub[4096];

			if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			add_path(sub, files, n);
		}
		closedir(d);
		return 0;
	}
	nf = realloc(*files, (*n + 1) * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	*files = nf;
	nf[(*n)++] = strdup(path);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pwconform [-q] [--emit DIR] FILE|DIR...\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "emit", required_argument, NULL, 'e' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run r = { 0 };
	char **files = NULL;
	size_t nf = 0, i;
	int opt;

	while ((opt = getopt_long(argc, argv, "e:qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'e':
			r.emit = optarg;
			break;
		case 'q':
			r.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	for (; optind < argc; optind++)
		if (add_path(argv[optind], &files, &nf))
			r.errors++;
	if (nf > 1)
		qsort(files, nf, sizeof(*files), cmp_str);
	r.multi = nf > 1;
	for (i = 0; i < nf; i++) {
		play(&r, files[i]);
		free(files[i]);
	}
	free(files);
	if (r.errors)
		printf("%lu scenario(s) could not be played\n", r.errors);
	printf("%lu passed, %lu failed\n", r.passed, r.failed + r.errors);
	return r.errors ? 2 : r.failed ? 1 : 0;
}
