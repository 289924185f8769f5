/* cgpath.c - the rules that read a cgroup path: each component classified
 * once (classify), and what cg_ident, cg_stable_key and cg_rewrite make of
 * the parts it finds. */
#include "cgpath.h"
#include "util.h"

#include <string.h>

#define DELETED " (deleted)"
#define DELETED_LEN (sizeof(DELETED) - 1)

static int begins(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n >= k && !memcmp(s, pre, k);
}

static int ends(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && !memcmp(s + n - k, suf, k);
}

static int is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && !memcmp(s, word, n);
}

/* An id as runtimes put one in a path: hex digits, or a token redact
 * made of one ("redacted-" and hex): [0-9A-Za-z_-], 1 to 255 bytes. */
static int id_like(const char *s, size_t n)
{
	size_t i;

	if (!n || n >= CG_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* A name a field can hold: 1 to 255 bytes, none a control character. */
static int plain(const char *s, size_t n)
{
	size_t i;

	if (!n || n >= CG_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Does the controller list (c, n) name the memory controller? */
static int has_memory(const char *c, size_t n)
{
	const char *end = c + n, *comma;

	while (c < end) {
		comma = memchr(c, ',', (size_t)(end - c));
		if (is(c, (size_t)((comma ? comma : end) - c), "memory"))
			return 1;
		c = comma ? comma + 1 : end;
	}
	return 0;
}

int cg_parse_proc(const char *text, size_t len, struct cg_paths *out)
{
	const char *p = text, *end = text + len, *nl, *eol, *c1, *c2;
	uint64_t id;
	size_t plen;
	char *dst;

	out->v2[0] = out->memory[0] = '\0';
	for (; p < end; p = nl ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		eol = nl ? nl : end;
		if (eol == p)
			continue;
		c1 = memchr(p, ':', (size_t)(eol - p));
		c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
		if (!c2 || parse_u64(p, (size_t)(c1 - p), 10, &id) < 0)
			return -1;
		plen = (size_t)(eol - c2 - 1);
		if (!plen || c2[1] != '/' || plen >= CG_PATH_MAX ||
		    memchr(c2 + 1, '\0', plen))
			return -1;
		if (id == 0 && c2 == c1 + 1)
			dst = out->v2;
		else if (has_memory(c1 + 1, (size_t)(c2 - c1 - 1)))
			dst = out->memory;
		else
			continue;
		memcpy(dst, c2 + 1, plen);
		dst[plen] = '\0';
	}
	return 0;
}

int cg_path_readable(const char *path, size_t n)
{
	size_t i, start;

	if (!n || path[0] != '/' || n >= CG_PATH_MAX || ends(path, n, DELETED))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
			return 0;
	if (n == 1)
		return 1;
	for (start = 1; start <= n; start = i + 1) {
		for (i = start; i < n && path[i] != '/'; i++)
			;
		if (i == start || is(path + start, i - start, ".") ||
		    is(path + start, i - start, ".."))
			return 0;
	}
	return 1;
}

size_t cg_parent_len(const char *path, size_t n)
{
	size_t i = n;

	if (n <= 1)
		return 0;
	while (i > 0 && path[i - 1] != '/')
		i--;
	return i > 1 ? i - 1 : 1;
}

static const char *const runtime_names[] = {
	NULL, "docker", "containerd", "cri-o", "podman", "lxc", "nspawn",
	"machine", "kubernetes",
};

const char *cg_runtime_name(enum cg_runtime rt)
{
	return (size_t)rt < sizeof(runtime_names) / sizeof(runtime_names[0])
		? runtime_names[rt] : NULL;
}

/* What one component holds. */
enum part_kind {
	P_KEEP,		/* structure: kept whole */
	P_ID,		/* a container id */
	P_POD,		/* a pod UID */
	P_NAME,		/* a container or machine name */
	P_PRIVATE,	/* a user unit's name, or a name no rule knows */
};

struct part {
	enum part_kind kind;
	size_t off, len;	/* the part, within the component */
	enum cg_runtime rt;
	int pod_slice;		/* a pod UID with '-' written as '_' */
};

/* Where the walk is: what the components before said. */
struct walk {
	const char *prev;	/* the component before if kept whole, or NULL */
	size_t prevn;
	int kube;		/* under a kubepods component */
	int pod;		/* the component before was /kubepods/../podUID */
	int user;		/* under a user@UID.service */
};

/* Scopes that runtimes name after a container id: PREFIX-ID.scope. */
static const struct {
	const char *prefix;
	enum cg_runtime rt;
} id_scopes[] = {
	{ "docker-", CG_RT_DOCKER }, { "cri-containerd-", CG_RT_CONTAINERD },
	{ "crio-conmon-", CG_RT_CRIO }, { "crio-", CG_RT_CRIO },
	{ "libpod-conmon-", CG_RT_PODMAN }, { "libpod-", CG_RT_PODMAN },
	{ "nerdctl-", CG_RT_CONTAINERD },
};

/* Names that are structure wherever they stand. */
static const char *const kept_words[] = {
	"docker", "kubepods", "besteffort", "burstable", "lxc", "lxc.payload",
	"lxc.monitor", "libpod_parent", "machine", "system", "user", ".", "..",
};

/* What a user manager makes itself: kept under user@UID.service. */
static const char *const user_kept[] = {
	"app.slice", "background.slice", "session.slice", "init.scope",
};

static int in_list(const char *c, size_t n, const char *const *list,
		   size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (is(c, n, list[i]))
			return 1;
	return 0;
}

/* The unit suffix of a component, or 0: .service, .scope, .slice... */
static size_t unit_suffix(const char *c, size_t n)
{
	static const char *const suffixes[] = {
		".service", ".scope", ".slice", ".socket", ".mount", ".swap",
	};
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (ends(c, n, suffixes[i]) && n > strlen(suffixes[i]))
			return strlen(suffixes[i]);
	return 0;
}

static void set_part(struct part *p, enum part_kind k, size_t off, size_t len,
		     enum cg_runtime rt)
{
	p->kind = k;
	p->off = off;
	p->len = len;
	p->rt = rt;
}

/* A pod's slice: kubepods[-QOS]-podUID.slice. 1 when c is one. */
static int pod_slice(const char *c, size_t n, struct part *p)
{
	size_t k = strlen("kubepods-");

	if (!begins(c, n, "kubepods-") || !ends(c, n, ".slice"))
		return 0;
	if (begins(c + k, n - k, "besteffort-"))
		k += strlen("besteffort-");
	else if (begins(c + k, n - k, "burstable-"))
		k += strlen("burstable-");
	if (n < k + 3 + 6 || !begins(c + k, n - k, "pod") ||
	    !id_like(c + k + 3, n - k - 3 - 6))
		return 0;
	set_part(p, P_POD, k + 3, n - k - 3 - 6, CG_RT_NONE);
	p->pod_slice = 1;
	return 1;
}

/* The wrappers with a runtime's or a machine's name in them. 1 when c
 * is one. */
static int named_unit(const char *c, size_t n, struct part *p)
{
	size_t i, k;

	for (i = 0; ends(c, n, ".scope") &&
	     i < sizeof(id_scopes) / sizeof(id_scopes[0]); i++) {
		k = strlen(id_scopes[i].prefix);
		if (n > k + 6 && begins(c, n, id_scopes[i].prefix) &&
		    id_like(c + k, n - k - 6)) {
			set_part(p, P_ID, k, n - k - 6, id_scopes[i].rt);
			return 1;
		}
	}
	if (begins(c, n, "machine-") && ends(c, n, ".scope") && n > 8 + 6) {
		set_part(p, P_NAME, 8, n - 8 - 6, CG_RT_MACHINE);
		return 1;
	}
	k = strlen("systemd-nspawn@");
	if (begins(c, n, "systemd-nspawn@") && ends(c, n, ".service") &&
	    n > k + 8) {
		set_part(p, P_NAME, k, n - k - 8, CG_RT_NSPAWN);
		return 1;
	}
	return pod_slice(c, n, p);
}

/* The cgroupfs layouts, where the parent says what a child is. */
static int by_parent(const char *c, size_t n, const struct walk *w,
		     struct part *p)
{
	const char *pr = w->prev;
	size_t pn = w->prevn;

	/* every child of a pod's or of docker's directory is a container */
	if (w->kube && begins(c, n, "pod") && id_like(c + 3, n - 3))
		set_part(p, P_POD, 3, n - 3, CG_RT_NONE);
	else if (w->pod && plain(c, n))
		set_part(p, P_ID, 0, n, CG_RT_KUBERNETES);
	else if (pr && is(pr, pn, "docker") && plain(c, n))
		set_part(p, P_ID, 0, n, CG_RT_DOCKER);
	else if (pr && is(pr, pn, "libpod_parent") && begins(c, n, "libpod-") &&
		 id_like(c + 7, n - 7))
		set_part(p, P_ID, 7, n - 7, CG_RT_PODMAN);
	else if (pr && is(pr, pn, "lxc"))
		set_part(p, P_NAME, 0, n, CG_RT_LXC);
	else if (begins(c, n, "lxc.payload.") && n > 12)
		set_part(p, P_NAME, 12, n - 12, CG_RT_LXC);
	else
		return 0;
	return 1;
}

/* Classify component c[n] after the components w has seen. */
static void classify(const char *c, size_t n, const struct walk *w,
		     struct part *p)
{
	size_t suf = unit_suffix(c, n);

	memset(p, 0, sizeof(*p));
	if (!plain(c, n))	/* too long for a name, or a control character */
		set_part(p, P_PRIVATE, 0, n, CG_RT_NONE);
	else if (named_unit(c, n, p) || by_parent(c, n, w, p))
		return;
	else if (w->user && !in_list(c, n, user_kept, sizeof(user_kept) /
				     sizeof(user_kept[0])))
		set_part(p, P_PRIVATE, 0, n - suf, CG_RT_NONE);
	else if (!suf && !in_list(c, n, kept_words, sizeof(kept_words) /
				  sizeof(kept_words[0])))
		set_part(p, P_PRIVATE, 0, n, CG_RT_NONE);
}

/* Move past component c[n], classified as p. What it says of those
 * below comes only from a part kept whole (or a pod's slice): so the path
 * redact makes of it says the same. */
static void step(struct walk *w, const char *c, size_t n, const struct part *p)
{
	int kept = p->kind == P_KEEP || p->pod_slice;

	w->kube |= kept && (is(c, n, "kubepods") || begins(c, n, "kubepods.") ||
			    begins(c, n, "kubepods-"));
	w->user |= kept && begins(c, n, "user@") && ends(c, n, ".service");
	w->pod = p->kind == P_POD && !p->pod_slice;
	w->prev = kept ? c : NULL;	/* a hidden one is no parent's name */
	w->prevn = n;
}

/* The path without a " (deleted)" suffix. */
static size_t live_len(const char *path, size_t n)
{
	return ends(path, n, DELETED) ? n - DELETED_LEN : n;
}

/* Copy s[n] into field f (CG_NAME_MAX), or leave it "" when too long or
 * not a name. */
static void set_field(char *f, const char *s, size_t n)
{
	if (plain(s, n)) {
		memcpy(f, s, n);
		f[n] = '\0';
	}
}

/* What component c[n], classified as p, adds to the identity. */
static void ident_add(struct cg_ident *id, const char *c, size_t n,
		      const struct part *p, const struct walk *w)
{
	size_t suf = unit_suffix(c, n), i;

	/* a suffix inside the part is the part's: redact's token hides it */
	if (p->kind != P_KEEP && p->off + p->len > n - suf)
		suf = 0;
	if (suf && ends(c, n, ".slice"))
		set_field(id->slice, c, n);
	else if (suf) {
		set_field(id->unit, c, n);
		id->user_unit = w->user;
	}
	if (p->kind == P_ID || p->kind == P_NAME) {
		char *f = p->kind == P_ID ? id->id : id->name;

		set_field(f, c + p->off, p->len);
		id->runtime = *f ? p->rt : id->runtime;
	} else if (p->kind == P_POD) {
		set_field(id->pod, c + p->off, p->len);
		for (i = 0; p->pod_slice && id->pod[i]; i++)
			if (id->pod[i] == '_')
				id->pod[i] = '-';
	}
}

void cg_ident(const char *path, size_t n, struct cg_ident *id)
{
	struct walk w = { 0 };
	struct part p;
	size_t i = 0, j;

	memset(id, 0, sizeof(*id));
	n = live_len(path, n);
	while (i < n) {
		if (path[i] == '/') {
			i++;
			continue;
		}
		for (j = i; j < n && path[j] != '/'; j++)
			;
		classify(path + i, j - i, &w, &p);
		ident_add(id, path + i, j - i, &p, &w);
		step(&w, path + i, j - i, &p);
		i = j;
	}
}

/*
 * Append path to out, each part that `hide` selects (by kind) replaced:
 * by "*" when fn is NULL, else by what fn appends. 0 or -1.
 */
static int rewrite(const char *path, size_t n, unsigned hide, cg_hide_fn fn,
		   void *ctx, struct buf *out)
{
	size_t live = live_len(path, n), i = 0, j;
	struct walk w = { 0 };
	struct part p;
	const char *c;

	while (i < live) {
		if (path[i] == '/') {
			if (buf_addch(out, '/') < 0)
				return -1;
			i++;
			continue;
		}
		for (j = i; j < live && path[j] != '/'; j++)
			;
		c = path + i;
		classify(c, j - i, &w, &p);
		if (!(hide >> p.kind & 1) || !p.len) {
			if (buf_add(out, c, j - i) < 0)
				return -1;
		} else if (buf_add(out, c, p.off) < 0 ||
			   (fn ? fn(ctx, c + p.off, p.len, out)
			    : buf_addch(out, '*')) < 0 ||
			   buf_add(out, c + p.off + p.len, j - i - p.off - p.len) < 0)
			return -1;
		step(&w, c, j - i, &p);
		i = j;
	}
	return buf_add(out, path + live, n - live);
}

int cg_stable_key(const char *path, size_t n, struct buf *out)
{
	return rewrite(path, n, 1u << P_ID, NULL, NULL, out);
}

int cg_rewrite(const char *path, size_t n, cg_hide_fn fn, void *ctx,
	       struct buf *out)
{
	return rewrite(path, n, 1u << P_ID | 1u << P_POD | 1u << P_NAME |
		       1u << P_PRIVATE, fn, ctx, out);
}
