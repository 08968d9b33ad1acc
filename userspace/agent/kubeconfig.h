/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Where the API server is and how to authenticate: from a kubeconfig file
 * (YAML: the current context's cluster and user) or from the in-cluster
 * service account. The struct owns every string it points to; it is
 * filled once at start-up and read-only afterwards (the bearer token, which
 * changes, lives in struct agent_kube).
 */
#ifndef AGENT_KUBECONFIG_H
#define AGENT_KUBECONFIG_H

#include <stddef.h>

#define AGENT_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* A PEM blob given either as a file or inline (the *-data fields). */
struct agent_pem {
	char *file;
	char *data;
	size_t len;
};

struct agent_kubeconfig {
	char *server;		/* https://host:port, no trailing slash */
	struct agent_pem ca;
	struct agent_pem cert;
	struct agent_pem key;
	char *token;		/* static token, or NULL */
	char *token_file;	/* re-read periodically, or NULL */
	int insecure;		/* insecure-skip-tls-verify */
};

/* On error returns -errno or -EINVAL with a message naming the field. */
int agent_kubeconfig_load(struct agent_kubeconfig *kc, const char *path,
			  char *err, size_t errlen);
int agent_kubeconfig_parse(struct agent_kubeconfig *kc, const char *text,
			   size_t len, const char *basedir, char *err,
			   size_t errlen);
/* In-cluster: KUBERNETES_SERVICE_HOST/PORT plus the files in sa_dir. */
int agent_kubeconfig_incluster(struct agent_kubeconfig *kc, const char *sa_dir,
			       char *err, size_t errlen);
void agent_kubeconfig_free(struct agent_kubeconfig *kc);

/* Decodes base64 (RFC 4648, padding optional); returns length or -EINVAL. */
long agent_base64_decode(const char *in, char *out, size_t outlen);

#endif /* AGENT_KUBECONFIG_H */
