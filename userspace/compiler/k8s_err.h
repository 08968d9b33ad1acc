/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Error text for the object parsers: one message, truncated to the buffer. */
#ifndef PODWALL_K8S_ERR_H
#define PODWALL_K8S_ERR_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

__attribute__((format(printf, 3, 4)))
static inline int pw_k8s_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A member of @o by name, NULL if absent or JSON null. */
static inline json_object *pw_k8s_get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* A string member, NULL if absent or not a string. */
static inline const char *pw_k8s_get_str(json_object *o, const char *key)
{
	json_object *v = pw_k8s_get(o, key);

	return v && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

#endif /* PODWALL_K8S_ERR_H */
