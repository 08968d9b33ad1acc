// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include "k8s.h"
#include "log.h"
#include "manifests.h"

#define DEBOUNCE_MS 100

struct load {
	json_object *maps[AGENT_NR_KINDS];
	const char *file;
	unsigned int nr;
};

static int one(json_object *obj, const char *kind, void *p)
{
	struct load *l = p;
	int k = agent_kind_from_name(kind);
	char key[512], err[256];
	json_object *s;

	if (k < 0)
		return 0;	/* other kinds are not ours */
	s = agent_object_strip(k, obj, key, sizeof(key), err, sizeof(err));
	if (!s) {
		log_warn("%s: %s, ignored", l->file, err);
		return 0;
	}
	if (json_object_object_get_ex(l->maps[k], key, NULL))
		log_warn("%s: %s %s defined again; the last definition wins", l->file,
			 agent_kinds[k].kind, key);
	json_object_object_add(l->maps[k], key, s);
	l->nr++;
	return 0;
}

static int wanted(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' &&
	       ((n > 5 && !strcmp(name + n - 5, ".yaml")) ||
		(n > 4 && !strcmp(name + n - 4, ".yml")) ||
		(n > 5 && !strcmp(name + n - 5, ".json")));
}

static int load_file(struct load *l, const char *path, char *err, size_t errlen)
{
	l->file = path;
	return pw_k8s_load_file(path, one, l, err, errlen);
}

/* Loads the whole path; on success pushes one replace per kind. */
static int load(struct agent_manifests *m, char *err, size_t errlen)
{
	struct load l = { .nr = 0 };
	struct stat st;
	int ret = 0;

	for (int k = 0; k < AGENT_NR_KINDS; k++)
		l.maps[k] = json_object_new_object();
	if (stat(m->path, &st)) {
		snprintf(err, errlen, "%s: %s", m->path, strerror(errno));
		ret = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		struct dirent **ents;
		int n = scandir(m->path, &ents, NULL, alphasort);

		if (n < 0) {
			snprintf(err, errlen, "%s: %s", m->path, strerror(errno));
			ret = -errno;
		}
		for (int i = 0; i < n; i++) {
			char p[PATH_MAX];

			if (!ret && wanted(ents[i]->d_name)) {
				snprintf(p, sizeof(p), "%s/%s", m->path, ents[i]->d_name);
				ret = load_file(&l, p, err, errlen);
			}
			free(ents[i]);
		}
		if (n >= 0)
			free(ents);
	} else {
		ret = load_file(&l, m->path, err, errlen);
	}
	if (ret) {
		for (int k = 0; k < AGENT_NR_KINDS; k++)
			json_object_put(l.maps[k]);
		return ret;
	}
	log_info("manifests %s: %u objects", m->path, l.nr);
	for (int k = 0; k < AGENT_NR_KINDS; k++)
		agent_store_replace(m->store, k, l.maps[k]);
	return 0;
}

static void *run(void *p)
{
	struct agent_manifests *m = p;
	struct stat st;
	char dir[PATH_MAX], err[512];
	int fd, wd;

	/* Watch the directory (for a file, its parent: editors replace files). */
	snprintf(dir, sizeof(dir), "%s", m->path);
	if (!stat(m->path, &st) && !S_ISDIR(st.st_mode)) {
		char *slash = strrchr(dir, '/');

		if (slash)
			*slash = 0;
		else
			strcpy(dir, ".");
	}
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	wd = fd < 0 ? -1 : inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
					     IN_MOVED_FROM | IN_DELETE | IN_CREATE);
	if (wd < 0) {
		log_err("manifests: cannot watch %s: %s; changes will not be picked up", dir,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (!agent_store_stopping(m->store)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char buf[4096];
		bool changed = false;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		/* Drain, then let a burst of writes settle before reloading. */
		do {
			while (read(fd, buf, sizeof(buf)) > 0)
				changed = true;
		} while (poll(&pfd, 1, DEBOUNCE_MS) > 0);
		if (!changed)
			continue;
		if (load(m, err, sizeof(err)))
			log_err("manifests: %s; keeping the last good set", err);
	}
	close(fd);
	return NULL;
}

int agent_manifests_start(struct agent_manifests *m, char *err, size_t errlen)
{
	int ret = load(m, err, errlen);

	if (ret || !m->watch)
		return ret;
	return -pthread_create(&m->thread, NULL, run, m);
}

void agent_manifests_join(struct agent_manifests *m)
{
	if (m->watch)
		pthread_join(m->thread, NULL);
}
