// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * List, then watch. libcurl in blocking mode, one easy handle per request;
 * a progress callback aborts transfers when the store is stopping. A list
 * page is buffered whole (its size is bounded by the page size); a watch
 * stream is parsed as it arrives.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "backoff.h"
#include "log.h"
#include "metrics.h"
#include "reflector.h"
#include "watchstream.h"

#define MAX_PAGE_BYTES	(256u << 20)	/* a sanity bound on one list page */

struct xfer {
	struct agent_reflector *r;
	CURL *curl;
	long code;
	char *buf;		/* list body, or an error body of a watch */
	size_t len;
	/* watch only */
	struct agent_watchstream ws;
	char *rv;		/* last resourceVersion seen */
	int expired;		/* got an ERROR event with 410 */
	int bad;		/* stream was malformed */
	unsigned long events;
	char err[256];
};

static const char *kname(const struct agent_reflector *r)
{
	return agent_kinds[r->kind].resource;
}

static int progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct xfer *x = p;

	(void)dt; (void)dn; (void)ut; (void)un;
	return agent_store_stopping(x->r->store);
}

static int append(struct xfer *x, const char *data, size_t n)
{
	char *b;

	if (x->len + n > MAX_PAGE_BYTES)
		return -1;
	b = realloc(x->buf, x->len + n + 1);
	if (!b)
		return -1;
	memcpy(b + x->len, data, n);
	x->buf = b;
	x->len += n;
	b[x->len] = 0;
	return 0;
}

static size_t list_write(char *data, size_t sz, size_t nm, void *p)
{
	return append(p, data, sz * nm) ? 0 : sz * nm;
}

static void set_rv(struct xfer *x, const char *rv)
{
	if (!rv || !*rv)
		return;
	free(x->rv);
	x->rv = strdup(rv);
}

static int on_event(json_object *ev, void *p)
{
	struct xfer *x = p;
	struct agent_reflector *r = x->r;
	json_object *t, *obj;
	const char *type;
	char key[512], err[256];

	if (!json_object_object_get_ex(ev, "type", &t) ||
	    !json_object_object_get_ex(ev, "object", &obj) ||
	    !json_object_is_type(obj, json_type_object)) {
		log_warn("%s: watch event without type or object, ignored", kname(r));
		json_object_put(ev);
		return 0;
	}
	type = json_object_get_string(t);
	if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED") || !strcmp(type, "DELETED")) {
		json_object *s = agent_object_strip(r->kind, obj, key, sizeof(key), err, sizeof(err));

		if (!s) {
			log_warn("%s: %s event ignored: %s", kname(r), type, err);
		} else {
			set_rv(x, agent_object_rv(obj));
			log_debug("%s: %s %s rv=%s", kname(r), type, key, x->rv ? x->rv : "?");
			if (type[0] == 'D') {
				json_object_put(s);
				agent_store_delete(r->store, r->kind, key);
			} else {
				agent_store_put(r->store, r->kind, key, s);
			}
			agent_metrics_event(r->kind);
			x->events++;
		}
	} else if (!strcmp(type, "BOOKMARK")) {
		set_rv(x, agent_object_rv(obj));
		log_debug("%s: bookmark rv=%s", kname(r), x->rv ? x->rv : "?");
	} else if (!strcmp(type, "ERROR")) {
		json_object *code = NULL, *msg = NULL;

		json_object_object_get_ex(obj, "code", &code);
		json_object_object_get_ex(obj, "message", &msg);
		if (json_object_get_int(code) == 410)
			x->expired = 1;
		else
			x->bad = 1;
		log_info("%s: watch ERROR event %d: %s", kname(r), json_object_get_int(code),
			 msg ? json_object_get_string(msg) : "(no message)");
		json_object_put(ev);
		return 1;	/* the server ends the stream after an ERROR */
	} else {
		log_warn("%s: unknown watch event type \"%s\", ignored", kname(r), type);
	}
	json_object_put(ev);
	return 0;
}

static size_t watch_write(char *data, size_t sz, size_t nm, void *p)
{
	struct xfer *x = p;
	size_t n = sz * nm;
	int ret;

	if (!x->code)
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->code);
	if (x->code != 200)
		return append(x, data, n > 4096 ? 4096 : n) ? 0 : n;
	ret = agent_watchstream_feed(&x->ws, data, n, on_event, x, x->err, sizeof(x->err));
	if (ret < 0) {
		x->bad = 1;
		return 0;
	}
	return ret ? 0 : n;	/* ERROR event: stop reading */
}

static size_t header(char *data, size_t sz, size_t nm, void *p)
{
	long *retry_after = p;
	size_t n = sz * nm;

	if (n > 12 && !strncasecmp(data, "Retry-After:", 12))
		*retry_after = strtol(data + 12, NULL, 10);
	return n;
}

/* Outcome of one request, for the retry policy. */
enum result { OK, RELIST, RETRY, STOP };

static enum result classify(struct agent_reflector *r, CURLcode cc, long code,
			    long retry_after, struct agent_backoff *bo, const char *what,
			    const char *body, uint32_t *delay_ms)
{
	enum agent_restart_reason why;

	if (agent_store_stopping(r->store))
		return STOP;
	*delay_ms = agent_backoff_next(bo);
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && code != 200)) {
		why = cc == CURLE_PARTIAL_FILE || cc == CURLE_RECV_ERROR ||
		      cc == CURLE_GOT_NOTHING || cc == CURLE_COULDNT_CONNECT ||
		      cc == CURLE_SEND_ERROR || cc == CURLE_OPERATION_TIMEDOUT ?
		      RESTART_DISCONNECT : RESTART_ERROR;
		log_warn("%s: %s failed: %s; retrying in %u ms", kname(r), what,
			 curl_easy_strerror(cc), *delay_ms);
	} else if (code == 410) {
		agent_metrics_restart(r->kind, RESTART_EXPIRED);
		log_info("%s: %s: 410 Gone, relisting", kname(r), what);
		return RELIST;
	} else if (code == 429) {
		why = RESTART_THROTTLED;
		if (retry_after > 0 && (uint64_t)retry_after * 1000 > *delay_ms)
			*delay_ms = (uint32_t)(retry_after > 3600 ? 3600 : retry_after) * 1000;
		log_warn("%s: %s: 429 Too Many Requests; retrying in %u ms", kname(r), what,
			 *delay_ms);
	} else if (code == 401 || code == 403) {
		why = RESTART_UNAUTHORIZED;
		agent_kube_token_invalidate(r->kube);
		log_err("%s: %s: %ld %s: check the token and RBAC (get/list/watch %s); retrying in %u ms",
			kname(r), what, code, code == 401 ? "Unauthorized" : "Forbidden",
			kname(r), *delay_ms);
	} else if (code >= 500) {
		why = RESTART_SERVER_ERROR;
		log_warn("%s: %s: server error %ld; retrying in %u ms", kname(r), what, code,
			 *delay_ms);
	} else {
		why = RESTART_ERROR;
		log_err("%s: %s: unexpected HTTP %ld: %.200s; retrying in %u ms", kname(r), what,
			code, body ? body : "", *delay_ms);
	}
	agent_metrics_restart(r->kind, why);
	return RETRY;
}

static void sleep_ms(struct agent_reflector *r, uint32_t ms)
{
	struct timespec ts;

	/* In 100 ms steps so a stop is noticed quickly. */
	while (ms && !agent_store_stopping(r->store)) {
		uint32_t step = ms > 100 ? 100 : ms;

		ts.tv_sec = 0;
		ts.tv_nsec = step * 1000000L;
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

static CURL *request(struct agent_reflector *r, struct xfer *x, const char *pq,
		     struct curl_slist **hdrs, long *retry_after)
{
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	agent_kube_prepare(r->kube, c, pq, hdrs);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, retry_after);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	x->curl = c;
	return c;
}

/* Lists every page; on success moves the objects into the store and sets *rv. */
static enum result list(struct agent_reflector *r, struct agent_backoff *bo, char **rv,
			uint32_t *delay_ms)
{
	json_object *map = json_object_new_object();
	char *cont = NULL, pq[2048];
	unsigned int pages = 0;
	size_t total = 0;

	free(*rv);
	*rv = NULL;
	for (;;) {
		struct xfer x = { .r = r };
		struct curl_slist *hdrs = NULL;
		long retry_after = 0;
		json_object *res, *md, *items, *v;
		CURLcode cc;
		CURL *c;
		char *esc = NULL;

		if (cont) {
			esc = curl_easy_escape(NULL, cont, 0);
			snprintf(pq, sizeof(pq), "%s?limit=%u&continue=%s",
				 agent_kinds[r->kind].path, r->cfg->page_size, esc);
			curl_free(esc);
		} else {
			snprintf(pq, sizeof(pq), "%s?limit=%u", agent_kinds[r->kind].path,
				 r->cfg->page_size);
		}
		c = request(r, &x, pq, &hdrs, &retry_after);
		if (!c)
			abort();
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, list_write);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
		cc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x.code);
		curl_easy_cleanup(c);
		curl_slist_free_all(hdrs);
		if (cc != CURLE_OK || x.code != 200) {
			enum result res2 = classify(r, cc, x.code, retry_after, bo, "list",
						    x.buf, delay_ms);

			free(x.buf);
			free(cont);
			json_object_put(map);
			/* A 410 mid-list means the continue token expired: start over. */
			return res2 == RELIST ? RETRY : res2;
		}
		res = x.buf ? json_tokener_parse(x.buf) : NULL;
		free(x.buf);
		if (!res || !json_object_object_get_ex(res, "items", &items) ||
		    !json_object_is_type(items, json_type_array) ||
		    !json_object_object_get_ex(res, "metadata", &md)) {
			json_object_put(res);
			free(cont);
			json_object_put(map);
			*delay_ms = agent_backoff_next(bo);
			agent_metrics_restart(r->kind, RESTART_ERROR);
			log_err("%s: list: response is not a list (no items or metadata); retrying in %u ms",
				kname(r), *delay_ms);
			return RETRY;
		}
		if (!*rv && json_object_object_get_ex(md, "resourceVersion", &v))
			*rv = strdup(json_object_get_string(v));
		for (size_t i = 0; i < json_object_array_length(items); i++) {
			char key[512], err[256];
			json_object *s = agent_object_strip(r->kind, json_object_array_get_idx(items, i),
							    key, sizeof(key), err, sizeof(err));

			if (!s) {
				log_warn("%s: list item ignored: %s", kname(r), err);
				continue;
			}
			json_object_object_add(map, key, s);
			total++;
		}
		pages++;
		free(cont);
		cont = NULL;
		if (json_object_object_get_ex(md, "continue", &v) &&
		    json_object_is_type(v, json_type_string) && *json_object_get_string(v))
			cont = strdup(json_object_get_string(v));
		json_object_put(res);
		if (!cont)
			break;
	}
	if (!*rv) {
		json_object_put(map);
		*delay_ms = agent_backoff_next(bo);
		log_err("%s: list: metadata.resourceVersion missing; retrying in %u ms", kname(r),
			*delay_ms);
		return RETRY;
	}
	log_info("%s: listed %zu objects in %u pages at resourceVersion %s", kname(r), total,
		 pages, *rv);
	agent_store_replace(r->store, r->kind, map);
	agent_metrics_objects(r->kind, total);
	return OK;
}

/* Watches from *rv until the stream ends; updates *rv as events arrive. */
static enum result watch(struct agent_reflector *r, struct agent_backoff *bo, char **rv,
			 uint32_t *delay_ms)
{
	struct xfer x = { .r = r, .rv = *rv };
	struct agent_backoff jit;
	struct curl_slist *hdrs = NULL;
	unsigned int to = r->cfg->watch_timeout_s;
	long retry_after = 0;
	char pq[1024], *esc;
	enum result res;
	CURLcode cc;
	CURL *c;

	/* Spread reconnects of many nodes: timeoutSeconds in [T, 1.2 T]. */
	agent_backoff_init(&jit, UINT32_MAX, UINT32_MAX, bo->seed ^ (uint32_t)time(NULL));
	to += agent_backoff_next(&jit) % (to / 5 + 1);
	esc = curl_easy_escape(NULL, *rv, 0);
	snprintf(pq, sizeof(pq), "%s?watch=1&allowWatchBookmarks=true&resourceVersion=%s&timeoutSeconds=%u",
		 agent_kinds[r->kind].path, esc, to);
	curl_free(esc);
	if (agent_watchstream_init(&x.ws))
		abort();
	c = request(r, &x, pq, &hdrs, &retry_after);
	if (!c)
		abort();
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, watch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)to + 60);
	log_debug("%s: watching from resourceVersion %s", kname(r), *rv);
	cc = curl_easy_perform(c);
	if (!x.code)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x.code);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	*rv = x.rv;
	if (x.events)
		agent_backoff_reset(bo);
	if (agent_store_stopping(r->store)) {
		res = STOP;
	} else if (x.expired) {
		agent_metrics_restart(r->kind, RESTART_EXPIRED);
		log_info("%s: watch expired (410), relisting", kname(r));
		res = RELIST;
	} else if (x.bad) {
		*delay_ms = agent_backoff_next(bo);
		agent_metrics_restart(r->kind, RESTART_ERROR);
		log_warn("%s: watch stream broken%s%s; rewatching in %u ms", kname(r),
			 x.err[0] ? ": " : "", x.err, *delay_ms);
		res = RETRY;
	} else if (cc == CURLE_OK && x.code == 200) {
		if (agent_watchstream_partial(&x.ws)) {
			*delay_ms = agent_backoff_next(bo);
			agent_metrics_restart(r->kind, RESTART_DISCONNECT);
			log_warn("%s: watch ended mid-event; rewatching in %u ms", kname(r), *delay_ms);
			res = RETRY;
		} else {
			agent_metrics_restart(r->kind, RESTART_TIMEOUT);
			log_debug("%s: watch ended after %lu events, rewatching", kname(r), x.events);
			*delay_ms = 0;
			res = RETRY;
		}
	} else {
		res = classify(r, cc, x.code, retry_after, bo, "watch", x.buf, delay_ms);
	}
	free(x.buf);
	agent_watchstream_free(&x.ws);
	return res;
}

static void *run(void *p)
{
	struct agent_reflector *r = p;
	struct agent_backoff bo;
	char *rv = NULL;
	bool listed = false;

	agent_backoff_init(&bo, r->cfg->backoff_base_ms, r->cfg->backoff_max_ms,
			   (uint32_t)time(NULL) ^ (uint32_t)getpid() ^ (r->kind * 7919u));
	for (;;) {
		uint32_t delay = 0;
		enum result res;

		if (!listed) {
			res = list(r, &bo, &rv, &delay);
			if (res == OK) {
				listed = true;
				agent_backoff_reset(&bo);
				continue;
			}
		} else {
			res = watch(r, &bo, &rv, &delay);
			if (res == RELIST) {
				listed = false;
				continue;
			}
		}
		if (res == STOP)
			break;
		sleep_ms(r, delay);
		if (agent_store_stopping(r->store))
			break;
	}
	free(rv);
	log_debug("%s: reflector stopped", kname(r));
	return NULL;
}

int agent_reflector_start(struct agent_reflector *r)
{
	return -pthread_create(&r->thread, NULL, run, r);
}

void agent_reflector_join(struct agent_reflector *r)
{
	pthread_join(r->thread, NULL);
}
