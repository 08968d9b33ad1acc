// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The one printing path: every field goes through a print_* helper that
 * writes either its human form or a JSON member (built with json-c).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "podwallctl.h"

int ctl_json;

/* Callers pass literal formats; each helper checks its own value type. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#define DEPTH 8

static json_object *stack[DEPTH];
static int top = -1;

/* Adds @val under @key to the innermost object or array. */
static void add(const char *key, json_object *val)
{
	json_object *cur;

	if (top < 0) {
		json_object_put(val);
		return;
	}
	cur = stack[top];
	if (json_object_is_type(cur, json_type_array))
		json_object_array_add(cur, val);
	else if (key)
		json_object_object_add(cur, key, val);
	else
		json_object_put(val);
}

static void push(const char *key, json_object *val)
{
	add(key, json_object_get(val));
	if (top + 1 < DEPTH)
		stack[++top] = val;
	json_object_put(val);
}

void print_begin(void)
{
	if (!ctl_json)
		return;
	top = -1;
	stack[++top] = json_object_new_object();
}

void print_end(void)
{
	if (!ctl_json || top < 0)
		return;
	puts(json_object_to_json_string_ext(stack[0], JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(stack[0]);
	top = -1;
	fflush(stdout);
}

void print_obj_open(const char *key)
{
	if (ctl_json)
		push(key, json_object_new_object());
}

void print_arr_open(const char *key)
{
	if (ctl_json)
		push(key, json_object_new_array());
}

void print_obj_close(void)
{
	if (ctl_json && top > 0)
		top--;
}

void print_arr_close(void)
{
	print_obj_close();
}

void print_string(const char *key, const char *fmt, const char *val)
{
	if (ctl_json)
		add(key, json_object_new_string(val ? val : ""));
	else if (fmt)
		printf(fmt, val ? val : "");
}

void print_u64(const char *key, const char *fmt, uint64_t val)
{
	if (ctl_json)
		add(key, json_object_new_int64((int64_t)val));
	else if (fmt)
		printf(fmt, (unsigned long long)val);
}

void print_bool(const char *key, const char *fmt, int val)
{
	if (ctl_json)
		add(key, json_object_new_boolean(val));
	else if (fmt)
		printf(fmt, val ? "yes" : "no");
}

void print_addr(const char *key, const char *fmt, const struct pw_addr *a)
{
	char buf[64];

	print_string(key, fmt, pw_addr_format(a, buf, sizeof(buf)));
}

void print_ids(const char *key, const char *fmt, const uint32_t *ids, uint32_t n)
{
	char buf[256];
	size_t pos = 0;
	uint32_t i;

	if (ctl_json) {
		json_object *arr = json_object_new_array();

		for (i = 0; i < n; i++)
			json_object_array_add(arr, json_object_new_int64(ids[i]));
		add(key, arr);
		return;
	}
	if (!fmt)
		return;
	buf[0] = 0;
	for (i = 0; i < n && pos + 16 < sizeof(buf); i++)
		pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, "%s%u",
					i ? "," : "", ids[i]);
	if (i < n)
		snprintf(buf + pos, sizeof(buf) - pos, ",...");
	printf(fmt, n ? buf : "-");
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (ctl_json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void print_json(const char *key, json_object *val)
{
	if (ctl_json)
		add(key, val);
	else
		json_object_put(val);
}

static int use_color(void)
{
	static int cached = -1;

	if (cached < 0)
		cached = !ctl_json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	return cached;
}

const char *print_color(int good)
{
	if (!use_color())
		return "";
	return good ? "\033[32m" : "\033[31m";
}

const char *print_reset(void)
{
	return use_color() ? "\033[0m" : "";
}
