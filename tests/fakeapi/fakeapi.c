// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fakeapi: a small Kubernetes API server for testing podwall-agent. It
 * serves Pods, Namespaces and NetworkPolicies the way the real API server
 * does on the wire: paginated lists (limit/continue, resourceVersion in
 * the list metadata), chunked watch streams with one JSON event per line,
 * bookmarks, 410 Gone for resourceVersions older than the compaction
 * point, bearer-token auth, optional TLS, optionally with a required client
 * certificate (--client-ca). Tests drive it through control endpoints under
 * /fake/ (no auth):
 *
 *   POST /fake/apply    body: an object; create or replace it (ADDED/MODIFIED)
 *   POST /fake/delete   body: {"kind":K,"namespace":N,"name":M} (DELETED)
 *   POST /fake/fail     body: {"resource":"pods"|"*","verb":"list"|"watch"|"*",
 *                              "code":410|429|500|0,"retryAfter":S,"count":N}
 *                       the next N matching requests fail; code 0 closes
 *                       the connection without an answer
 *   POST /fake/drop     every open watch is cut mid-stream
 *   POST /fake/expire   compacts history to now: open watches get an ERROR
 *                       event with a 410 Status, older versions get 410
 *   GET  /fake/stats    request counters as JSON
 *
 * Every request is logged as one line on stderr. One thread per
 * connection; one mutex guards all state, one condition variable wakes
 * the watch streams.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <json-c/json.h>
#include <microhttpd.h>

enum kind { K_POD, K_NS, K_NETPOL, NR_KINDS };

static const struct {
	const char *kind;	/* "kind" of an object */
	const char *list_kind;
	const char *api_version;
	const char *path;	/* cluster-wide collection path */
	const char *resource;
	bool namespaced;
} kinds[NR_KINDS] = {
	[K_POD] = { "Pod", "PodList", "v1", "/api/v1/pods", "pods", true },
	[K_NS] = { "Namespace", "NamespaceList", "v1", "/api/v1/namespaces",
		   "namespaces", false },
	[K_NETPOL] = { "NetworkPolicy", "NetworkPolicyList", "networking.k8s.io/v1",
		       "/apis/networking.k8s.io/v1/networkpolicies",
		       "networkpolicies", true },
};

struct event {
	uint64_t rv;
	char *line;		/* the serialised event, newline-terminated */
};

struct store {
	json_object *objs;	/* "ns/name" -> object */
	struct event *ev;
	size_t nr_ev, cap_ev;
	unsigned int nr_list, nr_pages, nr_watch;
};

struct fault {
	int kind;		/* -1 = any */
	int verb;		/* 0 any, 1 list, 2 watch */
	int code;
	int retry_after;
	int count;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static struct store stores[NR_KINDS];
static uint64_t cur_rv = 1000;
static uint64_t compacted_rv;		/* watches from below this get 410 */
static unsigned int drop_gen, expire_gen;
static struct fault faults[32];
static unsigned int nr_faults, nr_401, nr_faults_hit;
static const char *token;
static bool client_ca;			/* a verified client certificate is required */
static int bookmark_ms = 1000;
static size_t split;			/* max bytes per chunk, 0 = no limit */
static volatile sig_atomic_t stop;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%ld.%03ld fakeapi: ", (long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int strcmp_p(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int kind_by_name(const char *k)
{
	for (int i = 0; i < NR_KINDS; i++)
		if (k && (!strcmp(k, kinds[i].kind) || !strcmp(k, kinds[i].resource)))
			return i;
	return -1;
}

static const char *str_at(json_object *o, const char *a, const char *b)
{
	json_object *x;

	if (!json_object_object_get_ex(o, a, &x))
		return NULL;
	if (b && !json_object_object_get_ex(x, b, &x))
		return NULL;
	return json_object_is_type(x, json_type_string) ? json_object_get_string(x) : NULL;
}

static void key_of(int k, json_object *o, char *buf, size_t len)
{
	const char *ns = str_at(o, "metadata", "namespace");
	const char *name = str_at(o, "metadata", "name");

	snprintf(buf, len, "%s/%s", kinds[k].namespaced && ns ? ns : "", name ? name : "");
}

/* Called with lock held. */
static void record(int k, const char *type, json_object *obj)
{
	struct store *s = &stores[k];
	json_object *ev = json_object_new_object();
	const char *text;

	json_object_object_add(ev, "type", json_object_new_string(type));
	json_object_object_add(ev, "object", json_object_get(obj));
	text = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);
	if (s->nr_ev == s->cap_ev) {
		s->cap_ev = s->cap_ev ? 2 * s->cap_ev : 64;
		s->ev = realloc(s->ev, s->cap_ev * sizeof(*s->ev));
		if (!s->ev)
			abort();
	}
	s->ev[s->nr_ev].rv = cur_rv;
	if (asprintf(&s->ev[s->nr_ev].line, "%s\n", text) < 0)
		abort();
	s->nr_ev++;
	json_object_put(ev);
	pthread_cond_broadcast(&cond);
}

static void set_rv(json_object *obj, uint64_t rv)
{
	json_object *md;
	char buf[32];

	if (!json_object_object_get_ex(obj, "metadata", &md)) {
		md = json_object_new_object();
		json_object_object_add(obj, "metadata", md);
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, rv);
	json_object_object_add(md, "resourceVersion", json_object_new_string(buf));
}

/* Takes ownership of obj. Called with lock held. */
static int apply(json_object *obj, bool quiet)
{
	int k = kind_by_name(str_at(obj, "kind", NULL));
	char key[512];
	json_object *old;
	bool existed;

	if (k < 0 || !str_at(obj, "metadata", "name")) {
		json_object_put(obj);
		return -EINVAL;
	}
	key_of(k, obj, key, sizeof(key));
	existed = json_object_object_get_ex(stores[k].objs, key, &old);
	set_rv(obj, ++cur_rv);
	json_object_object_add(stores[k].objs, key, obj);
	if (!quiet)
		record(k, existed ? "MODIFIED" : "ADDED", obj);
	return 0;
}

static int delete(json_object *req)
{
	int k = kind_by_name(str_at(req, "kind", NULL));
	const char *ns = str_at(req, "namespace", NULL);
	const char *name = str_at(req, "name", NULL);
	json_object *old;
	char key[512];

	if (k < 0 || !name)
		return -EINVAL;
	snprintf(key, sizeof(key), "%s/%s", kinds[k].namespaced && ns ? ns : "", name);
	if (!json_object_object_get_ex(stores[k].objs, key, &old))
		return -ENOENT;
	json_object_get(old);
	json_object_object_del(stores[k].objs, key);
	set_rv(old, ++cur_rv);
	record(k, "DELETED", old);
	json_object_put(old);
	return 0;
}

static int load_file(const char *path)
{
	json_object *o = json_object_from_file(path), *items;
	int err = 0;

	if (!o) {
		logf_("%s: %s", path, json_util_get_last_err());
		return -EINVAL;
	}
	if (json_object_object_get_ex(o, "items", &items) &&
	    json_object_is_type(items, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(items) && !err; i++)
			err = apply(json_object_get(json_object_array_get_idx(items, i)), true);
		json_object_put(o);
	} else {
		err = apply(o, true);
	}
	if (err)
		logf_("%s: objects need a known kind and metadata.name", path);
	return err;
}

static int load(const char *path)
{
	struct stat st;
	struct dirent **ents;
	int n, err = 0;

	if (stat(path, &st)) {
		logf_("%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(path);
	n = scandir(path, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(ents[i]->d_name);
		char *p;

		if (!err && l > 5 && !strcmp(ents[i]->d_name + l - 5, ".json")) {
			if (asprintf(&p, "%s/%s", path, ents[i]->d_name) < 0)
				abort();
			err = load_file(p);
			free(p);
		}
		free(ents[i]);
	}
	free(ents);
	return err;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned int code,
				 const char *body, const char *ctype,
				 const char *retry_after)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
					    MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", ctype);
	if (retry_after)
		MHD_add_response_header(r, "Retry-After", retry_after);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static char *status_json(int code, const char *reason, const char *msg)
{
	char *s;

	if (asprintf(&s, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
		     "\"status\":\"Failure\",\"message\":\"%s\",\"reason\":\"%s\",\"code\":%d}",
		     msg, reason, code) < 0)
		abort();
	return s;
}

static enum MHD_Result send_status(struct MHD_Connection *c, int code,
				   const char *reason, const char *msg,
				   const char *retry_after)
{
	char *s = status_json(code, reason, msg);
	enum MHD_Result ret = send_text(c, code, s, "application/json", retry_after);

	free(s);
	return ret;
}

static enum MHD_Result list(struct MHD_Connection *c, int k)
{
	const char *limit_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	const char *cont = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "continue");
	long limit = limit_s ? strtol(limit_s, NULL, 10) : 0;
	uint64_t list_rv, off = 0;
	json_object *res, *items, *md;
	size_t i = 0, n = 0;
	char buf[64], *body;
	enum MHD_Result ret;

	pthread_mutex_lock(&lock);
	list_rv = cur_rv;
	if (cont && *cont) {
		if (sscanf(cont, "%" SCNu64 ".%" SCNu64, &list_rv, &off) != 2) {
			pthread_mutex_unlock(&lock);
			return send_status(c, 400, "BadRequest", "invalid continue token", NULL);
		}
		if (list_rv < compacted_rv) {
			pthread_mutex_unlock(&lock);
			return send_status(c, 410, "Expired",
					   "The provided continue parameter is too old", NULL);
		}
	}
	stores[k].nr_pages++;
	if (!cont)
		stores[k].nr_list++;
	res = json_object_new_object();
	items = json_object_new_array();
	md = json_object_new_object();
	json_object_object_add(res, "kind", json_object_new_string(kinds[k].list_kind));
	json_object_object_add(res, "apiVersion", json_object_new_string(kinds[k].api_version));
	json_object_object_add(res, "metadata", md);
	snprintf(buf, sizeof(buf), "%" PRIu64, list_rv);
	json_object_object_add(md, "resourceVersion", json_object_new_string(buf));
	/* json-c keeps insertion order; sort keys for stable pages. */
	{
		size_t cnt = json_object_object_length(stores[k].objs), j = 0;
		const char **keys = calloc(cnt + 1, sizeof(*keys));

		json_object_object_foreach(stores[k].objs, key, val) {
			(void)val;
			keys[j++] = key;
		}
		qsort(keys, cnt, sizeof(*keys), strcmp_p);
		for (i = off; i < cnt && (limit <= 0 || n < (size_t)limit); i++, n++) {
			json_object *o;

			json_object_object_get_ex(stores[k].objs, keys[i], &o);
			json_object_array_add(items, json_object_get(o));
		}
		if (i < cnt) {
			snprintf(buf, sizeof(buf), "%" PRIu64 ".%zu", list_rv, i);
			json_object_object_add(md, "continue", json_object_new_string(buf));
		}
		free(keys);
	}
	json_object_object_add(res, "items", items);
	/* json-c reference counts are not atomic: serialise and drop under the lock. */
	body = strdup(json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN));
	json_object_put(res);
	pthread_mutex_unlock(&lock);
	logf_("LIST %s limit=%ld continue=%s items=%zu rv=%" PRIu64, kinds[k].resource,
	      limit, cont ? cont : "-", n, list_rv);
	ret = send_text(c, 200, body, "application/json", NULL);
	free(body);
	return ret;
}

struct watch {
	int k;
	uint64_t rv;		/* last version sent */
	size_t next;		/* next event index in the store */
	unsigned int drop_gen, expire_gen;
	bool bookmarks;
	struct timespec deadline, next_bookmark;
	char *pending;
	size_t pending_len, pending_off;
	bool ending;
};

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

static void ts_add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000;
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

static void watch_queue(struct watch *w, const char *text)
{
	size_t l = strlen(text);

	w->pending = realloc(w->pending, w->pending_len + l);
	if (!w->pending)
		abort();
	memcpy(w->pending + w->pending_len, text, l);
	w->pending_len += l;
}

static ssize_t watch_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct watch *w = cls;
	struct timespec now;
	size_t n;

	(void)pos;
	pthread_mutex_lock(&lock);
	while (w->pending_off == w->pending_len) {
		struct store *s = &stores[w->k];

		free(w->pending);
		w->pending = NULL;
		w->pending_len = w->pending_off = 0;
		if (w->ending || stop) {
			pthread_mutex_unlock(&lock);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (w->drop_gen != drop_gen) {
			pthread_mutex_unlock(&lock);
			logf_("WATCH %s dropped", kinds[w->k].resource);
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		if (w->expire_gen != expire_gen) {
			char *st = status_json(410, "Expired", "too old resource version");
			char *ev;

			if (asprintf(&ev, "{\"type\":\"ERROR\",\"object\":%s}\n", st) < 0)
				abort();
			watch_queue(w, ev);
			free(ev);
			free(st);
			w->ending = true;
			logf_("WATCH %s expired", kinds[w->k].resource);
			break;
		}
		while (w->next < s->nr_ev) {
			if (s->ev[w->next].rv > w->rv) {
				watch_queue(w, s->ev[w->next].line);
				w->rv = s->ev[w->next].rv;
			}
			w->next++;
		}
		if (w->pending_len)
			break;
		clock_gettime(CLOCK_REALTIME, &now);
		if (ts_cmp(&now, &w->deadline) >= 0) {
			w->ending = true;
			continue;
		}
		if (w->bookmarks && ts_cmp(&now, &w->next_bookmark) >= 0) {
			char *ev;

			if (asprintf(&ev, "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"%s\","
				     "\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":\"%"
				     PRIu64 "\"}}}\n", kinds[w->k].kind, kinds[w->k].api_version,
				     cur_rv > w->rv ? cur_rv : w->rv) < 0)
				abort();
			watch_queue(w, ev);
			free(ev);
			w->next_bookmark = now;
			ts_add_ms(&w->next_bookmark, bookmark_ms);
			break;
		}
		{
			struct timespec until = now;

			ts_add_ms(&until, 100);
			pthread_cond_timedwait(&cond, &lock, &until);
		}
	}
	pthread_mutex_unlock(&lock);
	n = w->pending_len - w->pending_off;
	if (n > max)
		n = max;
	if (split && n > split)
		n = split;
	memcpy(buf, w->pending + w->pending_off, n);
	w->pending_off += n;
	return n;
}

static void watch_free(void *cls)
{
	struct watch *w = cls;

	logf_("WATCH %s closed at rv=%" PRIu64, kinds[w->k].resource, w->rv);
	free(w->pending);
	free(w);
}

static enum MHD_Result watch(struct MHD_Connection *c, int k)
{
	const char *rv_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "resourceVersion");
	const char *to_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "timeoutSeconds");
	const char *bm = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "allowWatchBookmarks");
	struct watch *w = calloc(1, sizeof(*w));
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *end = NULL;

	w->k = k;
	w->bookmarks = bm && !strcmp(bm, "true");
	pthread_mutex_lock(&lock);
	stores[k].nr_watch++;
	w->rv = rv_s && *rv_s ? strtoull(rv_s, &end, 10) : 0;
	if (end && *end) {
		pthread_mutex_unlock(&lock);
		free(w);
		return send_status(c, 400, "BadRequest", "invalid resourceVersion", NULL);
	}
	if (!w->rv || w->rv == 0)
		w->rv = cur_rv;
	w->drop_gen = drop_gen;
	w->expire_gen = expire_gen;
	if (w->rv < compacted_rv)
		w->expire_gen = expire_gen - 1;	/* send the 410 ERROR event first */
	pthread_mutex_unlock(&lock);
	clock_gettime(CLOCK_REALTIME, &w->deadline);
	w->next_bookmark = w->deadline;
	ts_add_ms(&w->next_bookmark, bookmark_ms);
	ts_add_ms(&w->deadline, 1000L * (to_s ? atol(to_s) : 1800));
	logf_("WATCH %s from rv=%" PRIu64 " bookmarks=%d", kinds[k].resource, w->rv,
	      w->bookmarks);
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, watch_read, w,
					      watch_free);
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

/* Returns the fault to inject for this request, or NULL. Lock held. */
static struct fault *fault_match(int k, int verb)
{
	for (unsigned int i = 0; i < nr_faults; i++) {
		struct fault *f = &faults[i];

		if (f->count > 0 && (f->kind < 0 || f->kind == k) &&
		    (!f->verb || f->verb == verb)) {
			f->count--;
			nr_faults_hit++;
			return f;
		}
	}
	return NULL;
}

static enum MHD_Result control(struct MHD_Connection *c, const char *url,
			       const char *body)
{
	json_object *req = body && *body ? json_tokener_parse(body) : NULL;
	int err = 0;

	if (!strcmp(url, "/fake/stats")) {
		json_object *res = json_object_new_object();
		char *s;

		pthread_mutex_lock(&lock);
		for (int k = 0; k < NR_KINDS; k++) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "lists", json_object_new_int(stores[k].nr_list));
			json_object_object_add(o, "pages", json_object_new_int(stores[k].nr_pages));
			json_object_object_add(o, "watches", json_object_new_int(stores[k].nr_watch));
			json_object_object_add(o, "objects",
					       json_object_new_int(json_object_object_length(stores[k].objs)));
			json_object_object_add(res, kinds[k].resource, o);
		}
		json_object_object_add(res, "unauthorized", json_object_new_int(nr_401));
		json_object_object_add(res, "faults", json_object_new_int(nr_faults_hit));
		json_object_object_add(res, "resourceVersion", json_object_new_int64(cur_rv));
		pthread_mutex_unlock(&lock);
		s = strdup(json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN));
		json_object_put(res);
		json_object_put(req);
		{
			enum MHD_Result ret = send_text(c, 200, s, "application/json", NULL);

			free(s);
			return ret;
		}
	}
	pthread_mutex_lock(&lock);
	if (!strcmp(url, "/fake/apply")) {
		err = req ? apply(json_object_get(req), false) : -EINVAL;
	} else if (!strcmp(url, "/fake/delete")) {
		err = req ? delete(req) : -EINVAL;
	} else if (!strcmp(url, "/fake/fail")) {
		struct fault f = { .kind = -1, .count = 1 };
		const char *res = req ? str_at(req, "resource", NULL) : NULL;
		const char *verb = req ? str_at(req, "verb", NULL) : NULL;
		json_object *x;

		if (res && strcmp(res, "*"))
			f.kind = kind_by_name(res);
		if (verb && !strcmp(verb, "list"))
			f.verb = 1;
		else if (verb && !strcmp(verb, "watch"))
			f.verb = 2;
		if (req && json_object_object_get_ex(req, "code", &x))
			f.code = json_object_get_int(x);
		if (req && json_object_object_get_ex(req, "retryAfter", &x))
			f.retry_after = json_object_get_int(x);
		if (req && json_object_object_get_ex(req, "count", &x))
			f.count = json_object_get_int(x);
		if (!req || (res && strcmp(res, "*") && f.kind < 0) ||
		    nr_faults == sizeof(faults) / sizeof(faults[0]))
			err = -EINVAL;
		else
			faults[nr_faults++] = f;
	} else if (!strcmp(url, "/fake/drop")) {
		drop_gen++;
		pthread_cond_broadcast(&cond);
	} else if (!strcmp(url, "/fake/expire")) {
		compacted_rv = cur_rv;
		expire_gen++;
		pthread_cond_broadcast(&cond);
	} else {
		err = -ENOENT;
	}
	json_object_put(req);	/* apply() shares it with the store: drop under the lock */
	pthread_mutex_unlock(&lock);
	logf_("CONTROL %s -> %d", url, err);
	if (err == -ENOENT)
		return send_text(c, 404, "not found\n", "text/plain", NULL);
	if (err)
		return send_text(c, 400, "bad request\n", "text/plain", NULL);
	return send_text(c, 200, "ok\n", "text/plain", NULL);
}

struct upload {
	char *buf;
	size_t len;
};

/*
 * With --client-ca: NULL when the peer presented a certificate that GnuTLS
 * verifies against the client CA (libmicrohttpd asks for one but leaves the
 * verdict to the application), else why the request is refused.
 */
static const char *client_cert_refusal(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	gnutls_session_t s;
	unsigned int n = 0, status;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return "not a TLS connection";
	s = ci->tls_session;
	if (!gnutls_certificate_get_peers(s, &n) || !n)
		return "no client certificate";
	if (gnutls_certificate_verify_peers2(s, &status) < 0 || status)
		return "client certificate not verified by the client CA";
	return NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *data, size_t *data_size, void **con_cls)
{
	struct upload *up = *con_cls;
	const char *auth, *w, *why;
	struct fault *f;
	int k = -1, verb;

	(void)cls;
	(void)version;
	if (!strncmp(url, "/fake/", 6)) {
		enum MHD_Result ret;

		if (!up) {
			*con_cls = calloc(1, sizeof(*up));
			return MHD_YES;
		}
		if (*data_size) {
			up->buf = realloc(up->buf, up->len + *data_size + 1);
			memcpy(up->buf + up->len, data, *data_size);
			up->len += *data_size;
			up->buf[up->len] = 0;
			*data_size = 0;
			return MHD_YES;
		}
		ret = control(c, url, up->buf);
		free(up->buf);
		free(up);
		*con_cls = NULL;
		return ret;
	}
	if (strcmp(method, "GET"))
		return send_status(c, 405, "MethodNotAllowed", "only GET is served", NULL);
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	why = client_ca ? client_cert_refusal(c) : NULL;
	if (!why && token && (!auth || strncmp(auth, "Bearer ", 7) || strcmp(auth + 7, token)))
		why = "no valid bearer token";
	if (why) {
		pthread_mutex_lock(&lock);
		nr_401++;
		pthread_mutex_unlock(&lock);
		logf_("401 %s: %s", url, why);
		return send_status(c, 401, "Unauthorized", "Unauthorized", NULL);
	}
	for (int i = 0; i < NR_KINDS; i++)
		if (!strcmp(url, kinds[i].path))
			k = i;
	if (k < 0)
		return send_status(c, 404, "NotFound", "the server could not find the requested resource", NULL);
	w = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "watch");
	verb = w && (!strcmp(w, "1") || !strcmp(w, "true")) ? 2 : 1;
	pthread_mutex_lock(&lock);
	f = fault_match(k, verb);
	{
		struct fault copy = f ? *f : (struct fault){ 0 };

		pthread_mutex_unlock(&lock);
		if (f) {
			char ra[16];

			logf_("FAULT %s %s code=%d", verb == 2 ? "WATCH" : "LIST",
			      kinds[k].resource, copy.code);
			snprintf(ra, sizeof(ra), "%d", copy.retry_after);
			switch (copy.code) {
			case 0:
				return MHD_NO;	/* close without an answer */
			case 410:
				return send_status(c, 410, "Expired", "too old resource version", NULL);
			case 429:
				return send_status(c, 429, "TooManyRequests", "rate limited",
						   copy.retry_after ? ra : NULL);
			default:
				return send_status(c, copy.code, "InternalError", "injected failure", NULL);
			}
		}
	}
	return verb == 2 ? watch(c, k) : list(c, k);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, 0, f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fakeapi [--listen ADDR:PORT] [--port-file FILE] [--objects PATH]...\n"
		"               [--token TOKEN] [--tls-cert PEM --tls-key PEM [--client-ca PEM]]\n"
		"               [--bookmark-ms N] [--split N]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "objects", required_argument, NULL, 'o' },
		{ "token", required_argument, NULL, 't' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "client-ca", required_argument, NULL, 'C' },
		{ "bookmark-ms", required_argument, NULL, 'b' },
		{ "split", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char *listen_s = "127.0.0.1:0", *port_file = NULL;
	char *cert = NULL, *key = NULL, *client_ca_pem = NULL, host[64];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_ERROR_LOG;
	pthread_condattr_t ca;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	int opt, port;

	for (int k = 0; k < NR_KINDS; k++)
		stores[k].objs = json_object_new_object();
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'l': listen_s = optarg; break;
		case 'p': port_file = optarg; break;
		case 'o':
			if (load(optarg))
				return 1;
			break;
		case 't': token = optarg; break;
		case 'c':
			cert = slurp(optarg);
			if (!cert) {
				logf_("%s: cannot read", optarg);
				return 1;
			}
			break;
		case 'k':
			key = slurp(optarg);
			if (!key) {
				logf_("%s: cannot read", optarg);
				return 1;
			}
			break;
		case 'C':
			client_ca_pem = slurp(optarg);
			if (!client_ca_pem) {
				logf_("%s: cannot read", optarg);
				return 1;
			}
			client_ca = true;
			break;
		case 'b': bookmark_ms = atoi(optarg); break;
		case 's': split = strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	compacted_rv = cur_rv;	/* loaded objects have no history */
	if (!!cert != !!key || (client_ca && !cert) ||
	    sscanf(listen_s, "%63[^:]:%d", host, &port) != 2 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		usage();
	sa.sin_port = htons(port);
	pthread_condattr_init(&ca);
	pthread_cond_init(&cond, &ca);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (cert)
		flags |= MHD_USE_TLS;
	/* The options after an MHD_OPTION_END are not read. */
	d = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL,
			     MHD_OPTION_SOCK_ADDR, &sa,
			     cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
			     MHD_OPTION_HTTPS_MEM_KEY, key,
			     /* makes it ask clients for a certificate */
			     client_ca ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, client_ca_pem,
			     MHD_OPTION_END);
	if (!d) {
		logf_("cannot start on %s", listen_s);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	port = info ? info->port : port;
	logf_("serving on %s:%d (%s)", host, port,
	      client_ca ? "https, client certificate required" : cert ? "https" : "http");
	if (port_file) {
		FILE *f = fopen(port_file, "w");

		if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f)) {
			logf_("%s: cannot write", port_file);
			return 1;
		}
	}
	while (!stop)
		pause();
	pthread_mutex_lock(&lock);
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	MHD_stop_daemon(d);
	logf_("stopped");
	free(cert);
	free(key);
	free(client_ca_pem);
	return 0;
}
