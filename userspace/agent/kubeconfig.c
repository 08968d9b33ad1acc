// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kubeconfig parsing with libyaml's document API: the file is small, so it
 * is loaded whole and walked by key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "kubeconfig.h"

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    !strcmp((const char *)k->data.scalar.value, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Finds the entry named @name in a list of {name: ..., <field>: {...}}. */
static yaml_node_t *named(yaml_document_t *doc, const char *list, const char *field,
			  const char *name)
{
	yaml_node_t *l = map_get(doc, yaml_document_get_root_node(doc), list);
	yaml_node_item_t *it;

	if (!l || l->type != YAML_SEQUENCE_NODE)
		return NULL;
	for (it = l->data.sequence.items.start; it < l->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(doc, *it);
		const char *n = scalar(map_get(doc, e, "name"));

		if (n && !strcmp(n, name))
			return map_get(doc, e, field);
	}
	return NULL;
}

long agent_base64_decode(const char *in, char *out, size_t outlen)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned int acc = 0, bits = 0;
	size_t n = 0;

	for (; *in; in++) {
		const char *p;

		if (*in == '=' || *in == '\n' || *in == '\r' || *in == ' ')
			continue;
		p = strchr(tab, *in);
		if (!p)
			return -EINVAL;
		acc = (acc << 6) | (unsigned int)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == outlen)
				return -EINVAL;
			out[n++] = (char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return (long)n;
}

static char *path_join(const char *basedir, const char *p)
{
	char *s;

	if (p[0] == '/' || !basedir)
		return strdup(p);
	if (asprintf(&s, "%s/%s", basedir, p) < 0)
		return NULL;
	return s;
}

/* Reads "<field>" (a path) or "<field>-data" (base64) into a PEM blob. */
static int get_pem(yaml_document_t *doc, yaml_node_t *map, const char *field,
		   const char *basedir, struct agent_pem *pem, const char *obj,
		   char *err, size_t errlen)
{
	char dfield[64];
	const char *file = scalar(map_get(doc, map, field)), *data;

	snprintf(dfield, sizeof(dfield), "%s-data", field);
	data = scalar(map_get(doc, map, dfield));
	if (data) {
		size_t cap = strlen(data);
		long n;

		pem->data = malloc(cap + 1);
		if (!pem->data)
			return -ENOMEM;
		n = agent_base64_decode(data, pem->data, cap);
		if (n <= 0) {
			snprintf(err, errlen, "kubeconfig: %s.%s: not valid base64", obj, dfield);
			return -EINVAL;
		}
		pem->data[n] = 0;
		pem->len = (size_t)n;
	} else if (file) {
		pem->file = path_join(basedir, file);
		if (!pem->file)
			return -ENOMEM;
	}
	return 0;
}

int agent_kubeconfig_parse(struct agent_kubeconfig *kc, const char *text,
			   size_t len, const char *basedir, char *err,
			   size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *cluster, *user;
	const char *ctx_name, *cl_name, *us_name, *server, *s;
	int ret = -EINVAL;

	memset(kc, 0, sizeof(*kc));
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "kubeconfig: YAML error at line %zu: %s",
			 parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "unknown");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "kubeconfig: not a mapping");
		goto out;
	}
	ctx_name = scalar(map_get(&doc, root, "current-context"));
	if (!ctx_name || !*ctx_name) {
		snprintf(err, errlen, "kubeconfig: current-context is not set");
		goto out;
	}
	{
		yaml_node_t *ctx = named(&doc, "contexts", "context", ctx_name);

		if (!ctx) {
			snprintf(err, errlen, "kubeconfig: context \"%s\" not found in contexts",
				 ctx_name);
			goto out;
		}
		cl_name = scalar(map_get(&doc, ctx, "cluster"));
		us_name = scalar(map_get(&doc, ctx, "user"));
	}
	if (!cl_name) {
		snprintf(err, errlen, "kubeconfig: context \"%s\": cluster is not set", ctx_name);
		goto out;
	}
	cluster = named(&doc, "clusters", "cluster", cl_name);
	if (!cluster) {
		snprintf(err, errlen, "kubeconfig: cluster \"%s\" not found in clusters", cl_name);
		goto out;
	}
	server = scalar(map_get(&doc, cluster, "server"));
	if (!server || (strncmp(server, "https://", 8) && strncmp(server, "http://", 7))) {
		snprintf(err, errlen, "kubeconfig: cluster \"%s\".server: missing or not an http(s) URL",
			 cl_name);
		goto out;
	}
	kc->server = strdup(server);
	if (!kc->server) {
		ret = -ENOMEM;
		goto out;
	}
	while (strlen(kc->server) > 8 && kc->server[strlen(kc->server) - 1] == '/')
		kc->server[strlen(kc->server) - 1] = 0;
	s = scalar(map_get(&doc, cluster, "insecure-skip-tls-verify"));
	kc->insecure = s && !strcmp(s, "true");
	if ((ret = get_pem(&doc, cluster, "certificate-authority", basedir, &kc->ca,
			   "cluster", err, errlen)))
		goto out;
	user = us_name ? named(&doc, "users", "user", us_name) : NULL;
	if (us_name && !user) {
		snprintf(err, errlen, "kubeconfig: user \"%s\" not found in users", us_name);
		ret = -EINVAL;
		goto out;
	}
	if (user) {
		if ((ret = get_pem(&doc, user, "client-certificate", basedir, &kc->cert,
				   "user", err, errlen)) ||
		    (ret = get_pem(&doc, user, "client-key", basedir, &kc->key, "user",
				   err, errlen)))
			goto out;
		if (!!(kc->cert.file || kc->cert.data) != !!(kc->key.file || kc->key.data)) {
			snprintf(err, errlen,
				 "kubeconfig: user \"%s\": client-certificate and client-key go together",
				 us_name);
			ret = -EINVAL;
			goto out;
		}
		s = scalar(map_get(&doc, user, "token"));
		if (s && !(kc->token = strdup(s))) {
			ret = -ENOMEM;
			goto out;
		}
		s = scalar(map_get(&doc, user, "tokenFile"));
		if (s && !(kc->token_file = path_join(basedir, s))) {
			ret = -ENOMEM;
			goto out;
		}
		if (map_get(&doc, user, "exec") || map_get(&doc, user, "auth-provider")) {
			snprintf(err, errlen, "kubeconfig: user \"%s\": exec and auth-provider are not supported",
				 us_name);
			ret = -EINVAL;
			goto out;
		}
	}
	ret = 0;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (ret)
		agent_kubeconfig_free(kc);
	return ret;
}

int agent_kubeconfig_load(struct agent_kubeconfig *kc, const char *path,
			  char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, *dir, *slash;
	size_t cap = 0;
	ssize_t n;
	int ret;

	if (!f) {
		snprintf(err, errlen, "kubeconfig %s: %s", path, strerror(errno));
		return -errno;
	}
	n = getdelim(&text, &cap, 0, f);
	fclose(f);
	if (n < 0) {
		free(text);
		snprintf(err, errlen, "kubeconfig %s: empty or unreadable", path);
		return -EINVAL;
	}
	dir = strdup(path);
	slash = dir ? strrchr(dir, '/') : NULL;
	if (slash)
		*slash = 0;
	ret = agent_kubeconfig_parse(kc, text, (size_t)n, slash ? dir : ".", err, errlen);
	free(dir);
	free(text);
	return ret;
}

int agent_kubeconfig_incluster(struct agent_kubeconfig *kc, const char *sa_dir,
			       char *err, size_t errlen)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");

	memset(kc, 0, sizeof(*kc));
	if (!host || !*host || !port || !*port) {
		snprintf(err, errlen,
			 "in-cluster: KUBERNETES_SERVICE_HOST/PORT are not set (use --kubeconfig outside a pod)");
		return -EINVAL;
	}
	if (asprintf(&kc->server, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s",
		     host, port) < 0 ||
	    asprintf(&kc->ca.file, "%s/ca.crt", sa_dir) < 0 ||
	    asprintf(&kc->token_file, "%s/token", sa_dir) < 0) {
		agent_kubeconfig_free(kc);
		return -ENOMEM;
	}
	return 0;
}

static void pem_free(struct agent_pem *p)
{
	free(p->file);
	free(p->data);
}

void agent_kubeconfig_free(struct agent_kubeconfig *kc)
{
	free(kc->server);
	pem_free(&kc->ca);
	pem_free(&kc->cert);
	pem_free(&kc->key);
	free(kc->token);
	free(kc->token_file);
	memset(kc, 0, sizeof(*kc));
}
