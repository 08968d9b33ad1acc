/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The API server client: prepares libcurl handles for a request (URL, TLS
 * trust, client certificate, bearer token). Shared by the reflector
 * threads; the token is re-read from its file every minute and after a 401,
 * under the struct's mutex. The kubeconfig is read-only after start-up.
 */
#ifndef AGENT_KUBE_H
#define AGENT_KUBE_H

#include <pthread.h>
#include <time.h>
#include <curl/curl.h>
#include "kubeconfig.h"

#define AGENT_TOKEN_REREAD_S 60

struct agent_kube {
	struct agent_kubeconfig kc;
	pthread_mutex_t lock;
	char *token;		/* current bearer token, under lock */
	time_t token_read;	/* when token_file was last read, under lock */
};

int agent_kube_init(struct agent_kube *k, char *err, size_t errlen);
void agent_kube_free(struct agent_kube *k);

/*
 * Sets the URL (server + path_query), TLS and auth options on @c. *hdrs
 * receives a header list the caller frees with curl_slist_free_all() after
 * the transfer.
 */
int agent_kube_prepare(struct agent_kube *k, CURL *c, const char *path_query,
		       struct curl_slist **hdrs);

/* After a 401: re-read the token file now. */
void agent_kube_token_invalidate(struct agent_kube *k);

#endif /* AGENT_KUBE_H */
