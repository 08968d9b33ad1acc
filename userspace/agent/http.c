// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include "http.h"
#include "log.h"
#include "metrics.h"

static double stale_after;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int code, char *body,
			     const char *ctype)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", ctype);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *data, size_t *data_size, void **con_cls)
{
	(void)cls; (void)version; (void)data; (void)data_size; (void)con_cls;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, 405, strdup("method not allowed\n"), "text/plain");
	if (!strcmp(url, "/healthz")) {
		double age = agent_metrics_since_tick();
		char *s;

		if (asprintf(&s, "%s: last loop tick %.1f s ago\n",
			     age < stale_after ? "ok" : "stale", age) < 0)
			return MHD_NO;
		return reply(c, age < stale_after ? 200 : 503, s, "text/plain");
	}
	if (!strcmp(url, "/readyz")) {
		int ok = agent_metrics_ready();

		return reply(c, ok ? 200 : 503,
			     strdup(ok ? "ok: first full sync committed\n"
				       : "not ready: no full sync committed yet, or the kernel module is missing or incompatible\n"),
			     "text/plain");
	}
	if (!strcmp(url, "/metrics")) {
		char *s = agent_metrics_render();

		if (!s)
			return MHD_NO;
		return reply(c, 200, s, "text/plain; version=0.0.4");
	}
	return reply(c, 404, strdup("not found: try /healthz, /readyz, /metrics\n"), "text/plain");
}

struct MHD_Daemon *agent_http_start(const char *listen, double stale_after_s,
				    char *err, size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	char host[128];
	int port;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d;

	stale_after = stale_after_s;
	if (sscanf(listen, "[%127[^]]]:%d", host, &port) == 2) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			port = -1;
		flags |= MHD_USE_IPv6;
	} else if (sscanf(listen, "%127[^:]:%d", host, &port) == 2) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			port = -1;
	} else {
		port = -1;
	}
	if (port < 0 || port > 65535) {
		snprintf(err, errlen, "--listen %s: expected ADDR:PORT or [ADDR6]:PORT", listen);
		return NULL;
	}
	d = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL,
			     MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_END);
	if (!d)
		snprintf(err, errlen, "--listen %s: cannot listen (address in use?)", listen);
	return d;
}

void agent_http_stop(struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
}
