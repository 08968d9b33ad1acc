// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kube.h"
#include "log.h"

static char *read_token(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getdelim(&buf, &cap, 0, f);
	fclose(f);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return buf;
}

int agent_kube_init(struct agent_kube *k, char *err, size_t errlen)
{
	pthread_mutex_init(&k->lock, NULL);
	k->token = NULL;
	k->token_read = 0;
	if (k->kc.token_file) {
		k->token = read_token(k->kc.token_file);
		if (!k->token) {
			snprintf(err, errlen, "token file %s: %s", k->kc.token_file,
				 errno ? strerror(errno) : "empty");
			return -EINVAL;
		}
		k->token_read = time(NULL);
	}
	return 0;
}

void agent_kube_free(struct agent_kube *k)
{
	free(k->token);
	agent_kubeconfig_free(&k->kc);
	pthread_mutex_destroy(&k->lock);
}

void agent_kube_token_invalidate(struct agent_kube *k)
{
	pthread_mutex_lock(&k->lock);
	k->token_read = 0;
	pthread_mutex_unlock(&k->lock);
}

static void set_pem(CURL *c, const struct agent_pem *p, CURLoption file_opt,
		    CURLoption blob_opt)
{
	if (p->data) {
		struct curl_blob blob = { .data = p->data, .len = p->len,
					  .flags = CURL_BLOB_COPY };

		curl_easy_setopt(c, blob_opt, &blob);
	} else if (p->file) {
		curl_easy_setopt(c, file_opt, p->file);
	}
}

int agent_kube_prepare(struct agent_kube *k, CURL *c, const char *path_query,
		       struct curl_slist **hdrs)
{
	char *url, *auth = NULL;
	const char *tok;

	if (asprintf(&url, "%s%s", k->kc.server, path_query) < 0)
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_URL, url);
	free(url);
	set_pem(c, &k->kc.ca, CURLOPT_CAINFO, CURLOPT_CAINFO_BLOB);
	set_pem(c, &k->kc.cert, CURLOPT_SSLCERT, CURLOPT_SSLCERT_BLOB);
	set_pem(c, &k->kc.key, CURLOPT_SSLKEY, CURLOPT_SSLKEY_BLOB);
	if (k->kc.insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(c, CURLOPT_USERAGENT, "podwall-agent");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);

	*hdrs = curl_slist_append(NULL, "Accept: application/json");
	pthread_mutex_lock(&k->lock);
	if (k->kc.token_file && time(NULL) - k->token_read >= AGENT_TOKEN_REREAD_S) {
		char *t = read_token(k->kc.token_file);

		/* Keep the old token if the file is briefly missing during rotation. */
		if (t) {
			free(k->token);
			k->token = t;
			k->token_read = time(NULL);
		} else {
			log_warn("token file %s unreadable, keeping the previous token",
				 k->kc.token_file);
		}
	}
	tok = k->token ? k->token : k->kc.token;
	if (tok && asprintf(&auth, "Authorization: Bearer %s", tok) < 0)
		auth = NULL;
	pthread_mutex_unlock(&k->lock);
	if (auth) {
		*hdrs = curl_slist_append(*hdrs, auth);
		free(auth);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hdrs);
	return 0;
}
