/* cgpath.h - what a process's cgroup paths say: the paths of
 * /proc/PID/cgroup, and the systemd unit, slice, container and pod they name.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/. Pure functions of
 * (pointer, length): the capture derives a process's identity with them,
 * the analyzer pairs, filters and redacts with the same rules.
 */
#ifndef MAPSNAP_CGPATH_H
#define MAPSNAP_CGPATH_H

#include <stddef.h>

#include "buf.h"

/* The longest path kept: the kernel's PATH_MAX. A longer one is refused. */
#define CG_PATH_MAX 4096

/*
 * The two paths of a /proc/PID/cgroup text (proc.rst, cgroups(7)): the
 * unified hierarchy's ("0::PATH", cgroup v2) and that of the v1 hierarchy
 * holding the memory controller ("N:...memory...:PATH"), on a v1 or
 * hybrid host. Each NUL-terminated, as the kernel printed it (a
 * " (deleted)" suffix kept); "" when the text has no such line.
 */
struct cg_paths {
	char v2[CG_PATH_MAX];
	char memory[CG_PATH_MAX];
};

/* Parse the text into *out. 0, or -1 (nothing printed) when a line is
 * not "ID:CONTROLLERS:PATH", or a path is not absolute or too long. */
int cg_parse_proc(const char *text, size_t len, struct cg_paths *out);

/*
 * May path (a cgroup path as /proc/PID/cgroup prints it) be looked up
 * under a cgroup mount? Absolute, no empty, "." or ".." component (a
 * process outside the reader's cgroup namespace shows "/../x"; a hostile
 * frozen tree may say anything), no " (deleted)" suffix, no control
 * character. 1 or 0.
 */
int cg_path_readable(const char *path, size_t n);

/* The parent of a readable path ("/a/b" -> "/a", "/a" -> "/"): its
 * length; 0 for "/" itself, which has none. */
size_t cg_parent_len(const char *path, size_t n);

/* Container runtimes a path can name. */
enum cg_runtime {
	CG_RT_NONE, CG_RT_DOCKER, CG_RT_CONTAINERD, CG_RT_CRIO, CG_RT_PODMAN,
	CG_RT_LXC, CG_RT_NSPAWN, CG_RT_MACHINE, CG_RT_KUBERNETES,
};
/* "docker", "containerd", "cri-o", ...; NULL for CG_RT_NONE. */
const char *cg_runtime_name(enum cg_runtime rt);

#define CG_NAME_MAX 256

/*
 * The identity a path says, each field "" when it says nothing of it:
 * - unit: the deepest systemd unit (.service, .scope, .socket, .mount,
 *   .swap); user_unit when a user manager (user@UID.service) runs it;
 * - slice: the deepest .slice;
 * - runtime and id: a container runtime's cgroup (docker-ID.scope,
 *   /docker/ID, cri-containerd-ID.scope, crio-ID.scope, libpod-ID.scope,
 *   nerdctl-ID.scope, a container under a Kubernetes pod);
 * - pod: a Kubernetes pod UID, from kubepods-QOS-podUID.slice (its '_'
 *   back to '-') or /kubepods/QOS/podUID;
 * - name: a container or machine name where the path says one
 *   (systemd-nspawn@NAME.service, machine-NAME.scope, /lxc/NAME,
 *   lxc.payload.NAME).
 * A field longer than CG_NAME_MAX - 1 bytes is left "".
 */
struct cg_ident {
	char unit[CG_NAME_MAX];
	char slice[CG_NAME_MAX];
	int user_unit;
	enum cg_runtime runtime;
	char id[CG_NAME_MAX];
	char pod[CG_NAME_MAX];
	char name[CG_NAME_MAX];
};

void cg_ident(const char *path, size_t n, struct cg_ident *out);

/*
 * The path with each container id replaced by "*": what stays when a
 * container restarts under a new id (its unit's kind, its pod, its name),
 * for pairing across snapshots. Appended to out; 0 or -1 (over its cap).
 */
int cg_stable_key(const char *path, size_t n, struct buf *out);

/*
 * Append path to out with every part that may be private replaced by
 * what fn appends for it: container ids, pod UIDs, container and machine
 * names, the units and slices a user manager runs (but its app.slice,
 * background.slice, session.slice and init.scope), and any component no
 * rule knows. Kept: the system manager's slices and units, user-UID.slice,
 * user@UID.service, the words docker, kubepods, burstable and the like,
 * the "docker-" and ".scope" around an id, "." and "..", a " (deleted)"
 * suffix. So cg_ident reads the same structure from the result. fn
 * returns 0 or -1; so does this (-1: fn's, or out's cap).
 */
typedef int (*cg_hide_fn)(void *ctx, const char *s, size_t n, struct buf *out);
int cg_rewrite(const char *path, size_t n, cg_hide_fn fn, void *ctx,
	       struct buf *out);

#endif
