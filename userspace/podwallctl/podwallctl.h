/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * podwallctl: the subcommands, the one printing path (text or JSON, chosen
 * by -j), and the helpers every subcommand shares. Single-threaded; the
 * printer's state is global and owned by main().
 */
#ifndef PODWALLCTL_H
#define PODWALLCTL_H

#include <json-c/json.h>
#include <stdint.h>
#include "nl.h"

#define PODWALLCTL_VERSION	"0.1.0"

/* Exit statuses: `test` uses 0 allowed, 1 denied, 2 error. */
#define EXIT_OK		0
#define EXIT_USAGE	1
#define EXIT_SYSTEM	2

/* Live subcommands. */
int status_main(int argc, char **argv);
int show_main(int argc, char **argv);
int stats_main(int argc, char **argv);
int test_main(int argc, char **argv);
int monitor_main(int argc, char **argv);
int save_main(int argc, char **argv);
int restore_main(int argc, char **argv);
int flush_main(int argc, char **argv);
int version_main(int argc, char **argv);
/* Offline subcommands (simulate.c, matrix.c, compile.c). */
int simulate_main(int argc, char **argv);
int matrix_main(int argc, char **argv);
int compile_main(int argc, char **argv);

/* Set by -j/--json: every print_* emits JSON members instead of text. */
extern int ctl_json;
/* The running subcommand, for messages ("podwallctl: restore: ..."). */
extern const char *ctl_cmd;

/* "podwallctl: <cmd>: <message>" on stderr; returns @code. */
int ctl_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses only -j and -h; returns optind or -1 after a usage message. */
int ctl_simple_opts(int argc, char **argv, const char *usage);
/* Opens the netlink handle; prints the reason and returns EXIT_SYSTEM. */
int ctl_open(struct pw_nl **nl);
/* "NS/POD" (resolved through the live endpoints) or an address. */
int ctl_resolve(struct pw_nl *nl, const struct pw_model *live, const char *text,
		int family, struct pw_addr *out);

/*
 * The printer, after iproute2's print_*(PRINT_ANY, ...): each field is
 * printed once, as text with @fmt (skipped if NULL) or as JSON member @key
 * (skipped if NULL). Objects and arrays nest; print_end() writes the JSON
 * document (one line) to stdout.
 */
void print_begin(void);
void print_end(void);
void print_obj_open(const char *key);
void print_obj_close(void);
void print_arr_open(const char *key);
void print_arr_close(void);
void print_string(const char *key, const char *fmt, const char *val);
void print_u64(const char *key, const char *fmt, uint64_t val);
void print_bool(const char *key, const char *fmt, int val);
void print_addr(const char *key, const char *fmt, const struct pw_addr *a);
void print_ids(const char *key, const char *fmt, const uint32_t *ids, uint32_t n);
/* Text only / JSON only. */
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_json(const char *key, json_object *val);	/* takes @val */
/* Colour for a word in text on a terminal: "\033[32m" etc., or "". */
const char *print_color(int good);
const char *print_reset(void);

#endif /* PODWALLCTL_H */
