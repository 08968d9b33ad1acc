/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The operations endpoint (libmicrohttpd, its own thread): /healthz,
 * /readyz, /metrics. Reads only metrics.h state, which locks.
 */
#ifndef AGENT_HTTP_H
#define AGENT_HTTP_H

struct MHD_Daemon;

/* @listen is "ADDR:PORT" (IPv4, or [IPv6]:PORT). */
struct MHD_Daemon *agent_http_start(const char *listen, double stale_after_s,
				    char *err, size_t errlen);
void agent_http_stop(struct MHD_Daemon *d);

#endif /* AGENT_HTTP_H */
