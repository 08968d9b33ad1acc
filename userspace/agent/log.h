/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Leveled logging to stderr, one line per event of note. The level is set
 * once at start-up before any thread runs; agent_log() is thread-safe
 * (one fprintf per line).
 */
#ifndef AGENT_LOG_H
#define AGENT_LOG_H

enum agent_log_level { LVL_ERR, LVL_WARN, LVL_INFO, LVL_DEBUG };

extern enum agent_log_level agent_log_level;

int agent_log_parse_level(const char *s);	/* level or -1 */
void agent_log(enum agent_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	agent_log(LVL_ERR, __VA_ARGS__)
#define log_warn(...)	agent_log(LVL_WARN, __VA_ARGS__)
#define log_info(...)	agent_log(LVL_INFO, __VA_ARGS__)
#define log_debug(...)	agent_log(LVL_DEBUG, __VA_ARGS__)

#endif /* AGENT_LOG_H */
