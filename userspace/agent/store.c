// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store.h"

int agent_store_init(struct agent_store *s)
{
	pthread_condattr_t ca;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->tail = &s->head;
	for (int k = 0; k < AGENT_NR_KINDS; k++)
		s->objs[k] = json_object_new_object();
	return 0;
}

void agent_store_free(struct agent_store *s)
{
	agent_store_ops_free(s->head);
	for (int k = 0; k < AGENT_NR_KINDS; k++)
		json_object_put(s->objs[k]);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
}

static void push(struct agent_store *s, enum agent_kind k, const char *key,
		 json_object *obj)
{
	struct agent_op *op = calloc(1, sizeof(*op));

	if (!op || (key && !(op->key = strdup(key))))
		abort();	/* out of memory: let the DaemonSet restart us */
	op->kind = k;
	op->obj = obj;
	clock_gettime(CLOCK_MONOTONIC, &op->received);
	pthread_mutex_lock(&s->lock);
	*s->tail = op;
	s->tail = &op->next;
	if (!key)
		s->synced |= 1u << k;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void agent_store_put(struct agent_store *s, enum agent_kind k, const char *key,
		     json_object *obj)
{
	push(s, k, key, obj);
}

void agent_store_delete(struct agent_store *s, enum agent_kind k, const char *key)
{
	push(s, k, key, NULL);
}

void agent_store_replace(struct agent_store *s, enum agent_kind k, json_object *map)
{
	push(s, k, NULL, map);
}

void agent_store_stop(struct agent_store *s)
{
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

bool agent_store_stopping(struct agent_store *s)
{
	bool stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

struct agent_op *agent_store_take(struct agent_store *s, const struct timespec *deadline,
				  unsigned int *synced)
{
	struct agent_op *ops;

	pthread_mutex_lock(&s->lock);
	while (!s->head && !s->stop) {
		if (!deadline) {
			pthread_cond_wait(&s->cond, &s->lock);
		} else if (pthread_cond_timedwait(&s->cond, &s->lock, deadline) == ETIMEDOUT) {
			break;
		}
	}
	ops = s->head;
	s->head = NULL;
	s->tail = &s->head;
	*synced = s->synced;
	pthread_mutex_unlock(&s->lock);
	return ops;
}

void agent_store_ops_free(struct agent_op *ops)
{
	while (ops) {
		struct agent_op *next = ops->next;

		free(ops->key);
		json_object_put(ops->obj);
		free(ops);
		ops = next;
	}
}

void agent_store_changes_free(struct agent_change *changes, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(changes[i].key);
		json_object_put(changes[i].old);
	}
	free(changes);
}

struct changes {
	struct agent_change *v;
	size_t nr, cap;
	json_object *index[AGENT_NR_KINDS];	/* key -> position + 1 */
};

static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Records that @key of kind k is now @obj (NULL = gone). */
static int note(struct agent_store *s, struct changes *c, enum agent_kind k,
		const char *key, json_object *obj, const struct timespec *when)
{
	json_object *old = NULL, *pos;
	struct agent_change *ch;

	json_object_object_get_ex(s->objs[k], key, &old);
	if (!old && !obj)
		return 0;
	if (old && obj && json_object_equal(old, obj))
		return 0;
	if (json_object_object_get_ex(c->index[k], key, &pos)) {
		ch = &c->v[json_object_get_int(pos) - 1];
		if (ts_before(when, &ch->received))
			ch->received = *when;
	} else {
		if (c->nr == c->cap) {
			struct agent_change *v;

			c->cap = c->cap ? 2 * c->cap : 16;
			v = realloc(c->v, c->cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			c->v = v;
		}
		ch = &c->v[c->nr++];
		memset(ch, 0, sizeof(*ch));
		ch->kind = k;
		ch->old = old ? json_object_get(old) : NULL;
		ch->received = *when;
		json_object_object_add(c->index[k], key, json_object_new_int((int)c->nr));
	}
	if (obj)
		json_object_object_add(s->objs[k], key, json_object_get(obj));
	else
		json_object_object_del(s->objs[k], key);
	return 0;
}

int agent_store_apply(struct agent_store *s, struct agent_op *ops,
		      struct agent_change **changes, size_t *nr)
{
	struct changes c = { 0 };
	int ret = 0;

	for (int k = 0; k < AGENT_NR_KINDS; k++)
		c.index[k] = json_object_new_object();
	for (struct agent_op *op = ops; op && !ret; op = op->next) {
		if (op->key) {
			ret = note(s, &c, op->kind, op->key, op->obj, &op->received);
			continue;
		}
		/* A replace: every cached key missing from the new list is deleted. */
		{
			size_t n = json_object_object_length(s->objs[op->kind]), i = 0;
			char **gone = calloc(n + 1, sizeof(*gone));

			if (!gone) {
				ret = -ENOMEM;
				break;
			}
			json_object_object_foreach(s->objs[op->kind], key, val) {
				(void)val;
				if (!json_object_object_get_ex(op->obj, key, NULL))
					gone[i++] = strdup(key);
			}
			for (size_t j = 0; j < i; j++) {
				if (!ret)
					ret = note(s, &c, op->kind, gone[j], NULL, &op->received);
				free(gone[j]);
			}
			free(gone);
			json_object_object_foreach(op->obj, key2, val2) {
				if (!ret)
					ret = note(s, &c, op->kind, key2, val2, &op->received);
			}
		}
	}
	/* Point each change at its key and final object; drop no-ops. */
	for (int k = 0; k < AGENT_NR_KINDS; k++) {
		json_object_object_foreach(c.index[k], key, pos) {
			struct agent_change *ch = &c.v[json_object_get_int(pos) - 1];
			json_object *cur = NULL;

			json_object_object_get_ex(s->objs[k], key, &cur);
			ch->obj = cur;
			ch->key = strdup(key);
			if (!ch->key)
				ret = -ENOMEM;
		}
	}
	for (int k = 0; k < AGENT_NR_KINDS; k++)
		json_object_put(c.index[k]);
	{
		size_t j = 0;

		for (size_t i = 0; i < c.nr; i++) {
			struct agent_change *ch = &c.v[i];

			if ((!ch->old && !ch->obj) ||
			    (ch->old && ch->obj && json_object_equal(ch->old, ch->obj))) {
				free(ch->key);
				json_object_put(ch->old);
				continue;
			}
			c.v[j++] = *ch;
		}
		c.nr = j;
	}
	*changes = c.v;
	*nr = c.nr;
	return ret;
}
