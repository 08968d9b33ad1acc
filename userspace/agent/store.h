/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The object store between the reflectors and the sync loop. Reflector
 * threads push operations (an object put or deleted, or a whole kind
 * replaced after a list) into a queue under store->lock; ownership of the
 * json-c objects moves with the operation (json-c reference counts are not
 * atomic, so an object is never shared between threads). The sync thread
 * alone owns the cache (objs[]) and turns queued operations into a list of
 * effective changes.
 */
#ifndef AGENT_STORE_H
#define AGENT_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <json-c/json.h>
#include "objects.h"

struct agent_op {
	struct agent_op *next;
	enum agent_kind kind;
	char *key;		/* NULL for a replace */
	json_object *obj;	/* put: the object; delete: NULL; replace: key -> object map */
	struct timespec received;	/* CLOCK_MONOTONIC */
};

/* One effective change, after coalescing; obj is borrowed from the cache, old is owned. */
struct agent_change {
	enum agent_kind kind;
	char *key;		/* owned */
	json_object *obj;	/* NULL: deleted */
	json_object *old;	/* previous object, NULL if new */
	struct timespec received;	/* earliest receipt among its ops */
};

struct agent_store {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* signalled on push and on stop */
	struct agent_op *head, **tail;	/* under lock */
	unsigned int synced;		/* bit per kind listed at least once, under lock */
	bool stop;			/* under lock */
	json_object *objs[AGENT_NR_KINDS];	/* the cache: sync thread only */
};

int agent_store_init(struct agent_store *s);
void agent_store_free(struct agent_store *s);

/* Reflector side: ownership of obj/map moves to the store. */
void agent_store_put(struct agent_store *s, enum agent_kind k, const char *key,
		     json_object *obj);
void agent_store_delete(struct agent_store *s, enum agent_kind k, const char *key);
void agent_store_replace(struct agent_store *s, enum agent_kind k, json_object *map);
void agent_store_stop(struct agent_store *s);
bool agent_store_stopping(struct agent_store *s);

/*
 * Sync side: waits until an op is queued, stop is set or the deadline
 * passes (NULL: no deadline); returns the queued ops (caller frees with
 * agent_store_ops_free()) and the synced mask.
 */
struct agent_op *agent_store_take(struct agent_store *s, const struct timespec *deadline,
				  unsigned int *synced);
/*
 * Applies ops to the cache and returns the effective changes (an object
 * put twice is one change; a put equal to the cached object is none).
 * Each change's obj is borrowed from the cache (valid until the next
 * apply); free the list with agent_store_changes_free().
 */
int agent_store_apply(struct agent_store *s, struct agent_op *ops,
		      struct agent_change **changes, size_t *nr);
void agent_store_changes_free(struct agent_change *changes, size_t nr);
void agent_store_ops_free(struct agent_op *ops);

#endif /* AGENT_STORE_H */
