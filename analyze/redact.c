/* redact.c - what `redact` rewrites in a snapshot's strings and texts, as
 * pure functions of (pointer, length): paths, arguments, names, options. */
#include "redact.h"
#include "blob.h"
#include "cgpath.h"
#include "smaps.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const default_keep[] = {
	"/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/opt",
};

/*
 * The key without a salt. Fixed, and so public: anyone can hash a guess
 * ("alice") and look for its token; --salt is the answer to that.
 */
static const uint8_t fixed_key[16] = "mapsnap-redact-1";

#define DELETED " (deleted)"
#define DELETED_LEN (sizeof(DELETED) - 1)

void redactor_init(struct redactor *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	memcpy(r->key, fixed_key, sizeof(r->key));
	for (i = 0; i < sizeof(default_keep) / sizeof(default_keep[0]); i++)
		redactor_keep(r, default_keep[i]);
}

void redactor_release(struct redactor *r)
{
	size_t i;

	for (i = 0; i < r->nkeep; i++)
		free(r->keep[i]);
	free(r->keep);
	memset(r, 0, sizeof(*r));
}

int redactor_keep(struct redactor *r, const char *prefix)
{
	size_t n = strlen(prefix);

	if (prefix[0] != '/')
		return -1;
	/* "/home/alice/" is "/home/alice"; "/" becomes "", which keeps all */
	while (n && prefix[n - 1] == '/')
		n--;
	r->keep = xreallocarray(r->keep, r->nkeep + 1, sizeof(*r->keep));
	r->keep[r->nkeep++] = xmemdup(prefix, n);
	return 0;
}

void redactor_salt(struct redactor *r, const char *salt, size_t n)
{
	struct blob_hash h;

	/* XXH3-128 spreads any salt over the 128 key bits; the secrecy is
	 * the salt's, the hash only shapes it */
	blob_hash(salt, n, &h);
	memcpy(r->key, h.b, sizeof(r->key));
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sipround(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32);
}

uint64_t siphash24(const uint8_t key[16], const void *p, size_t n)
{
	const uint8_t *s = p;
	uint64_t k0 = le64(key), k1 = le64(key + 8), m, v[4];
	uint8_t last[8] = { 0 };
	size_t i;

	v[0] = k0 ^ 0x736f6d6570736575ULL;
	v[1] = k1 ^ 0x646f72616e646f6dULL;
	v[2] = k0 ^ 0x6c7967656e657261ULL;
	v[3] = k1 ^ 0x7465646279746573ULL;
	for (i = 0; i + 8 <= n; i += 8) {
		m = le64(s + i);
		v[3] ^= m;
		sipround(v);
		sipround(v);
		v[0] ^= m;
	}
	memcpy(last, s + i, n - i);
	m = le64(last) | (uint64_t)n << 56;
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

int redact_token(const struct redactor *r, const char *s, size_t n,
		 struct buf *out)
{
	uint64_t h;

	if (!n)
		return 0;
	h = siphash24(r->key, s, n);
	return buf_addf(out, "%s%016" PRIx64, s[0] == '/' ? REDACT_PATH_PREFIX
			: REDACT_PREFIX, h);
}

static int starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(s, prefix, k);
}

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return 0;
	return 1;
}

/* "." or ".." as a component, or an empty one: a path that may not be
 * where its prefix says ("/usr/../home/alice"). */
static int has_odd_component(const char *s, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		if (s[i++] != '/')
			continue;
		for (j = i; j < n && s[j] != '/'; j++)
			;
		if (j == i || (j - i == 1 && s[i] == '.') ||
		    (j - i == 2 && s[i] == '.' && s[i + 1] == '.'))
			return 1;
		i = j;
	}
	return 0;
}

static int kept_path(const struct redactor *r, const char *s, size_t n)
{
	size_t i, k;

	if (has_odd_component(s, n))
		return 0;
	for (i = 0; i < r->nkeep; i++) {
		k = strlen(r->keep[i]);
		if (n >= k && !memcmp(s, r->keep[i], k) && (n == k || s[k] == '/'))
			return 1;
	}
	return 0;
}

/* Names the kernel gives to what has no path of its own. */
static int kernel_path(const char *s, size_t n)
{
	return (n == 9 && !memcmp(s, "/dev/zero", 9)) ||
	       (n == 14 && !memcmp(s, "/anon_hugepage", 14)) ||
	       (n == 13 && starts(s, n, "/SYSV") && is_hex(s + 5, 8));
}

int redact_path(const struct redactor *r, const char *s, size_t n,
		struct buf *out)
{
	size_t pn = n;
	int deleted = 0;

	if (n >= DELETED_LEN && !memcmp(s + n - DELETED_LEN, DELETED, DELETED_LEN)) {
		pn = n - DELETED_LEN;
		deleted = 1;
	}
	if (starts(s, pn, "/memfd:") && r->names) {
		if (buf_add(out, s, 7) < 0 || redact_token(r, s + 7, pn - 7, out) < 0)
			return -1;
	} else if (pn == 0 || starts(s, pn, "/memfd:") || kernel_path(s, pn) ||
		   kept_path(r, s, pn)) {
		return buf_add(out, s, n);
	} else if (redact_token(r, s, pn, out) < 0) {
		return -1;
	}
	return deleted ? buf_add(out, DELETED, DELETED_LEN) : 0;
}

int redact_map_name(const struct redactor *r, const char *s, size_t n,
		    struct buf *out)
{
	size_t k = starts(s, n, "[anon:") ? 6 : starts(s, n, "[anon_shmem:") ? 12 : 0;

	if (!n)
		return 0;
	if (s[0] == '/')
		return redact_path(r, s, n, out);
	if (k && s[n - 1] == ']') {
		if (!r->names)
			return buf_add(out, s, n);
		if (buf_add(out, s, k) < 0 ||
		    redact_token(r, s + k, n - k - 1, out) < 0)
			return -1;
		return buf_addch(out, ']');
	}
	/* [heap], [stack], [vdso], [rollup]...: the kernel's own words */
	if ((s[0] == '[' && s[n - 1] == ']' && !k) || starts(s, n, "anon_inode:"))
		return buf_add(out, s, n);
	return redact_token(r, s, n, out);
}

int redact_user(const struct redactor *r, const char *s, size_t n,
		struct buf *out)
{
	if (n == 4 && !memcmp(s, "root", 4))
		return buf_add(out, s, n);
	return redact_token(r, s, n, out);
}

int redact_comm(const struct redactor *r, const char *s, size_t n,
		struct buf *out)
{
	return r->names ? redact_token(r, s, n, out) : buf_add(out, s, n);
}

int redact_label(const struct redactor *r, const char *s, size_t n,
		 struct buf *out)
{
	return r->labels ? buf_add(out, s, n) : redact_token(r, s, n, out);
}

/* An option's value, or any word: a path by the path rule, else a token. */
static int redact_value(const struct redactor *r, const char *s, size_t n,
			struct buf *out)
{
	return n && s[0] == '/' ? redact_path(r, s, n, out)
		: redact_token(r, s, n, out);
}

static int is_option_name(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(s[i] == '-' || s[i] == '_' || (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return n > 0;
}

int redact_arg(const struct redactor *r, const char *s, size_t n, int argv0,
	       struct buf *out)
{
	const char *eq;

	if (!n)
		return 0;
	if (argv0) {
		if (s[0] == '/')
			return redact_path(r, s, n, out);
		if (!r->names && !memchr(s, '/', n) && !memchr(s, ' ', n) &&
		    !memchr(s, '\t', n))
			return buf_add(out, s, n);
		return redact_token(r, s, n, out);
	}
	/*
	 * "-v" and "--verbose" are kept, they say what a program was asked to
	 * do; "-pSECRET" (mysql's password) is not one letter, so it goes.
	 */
	if ((n == 1 && s[0] == '-') || (n == 2 && s[0] == '-' &&
					is_option_name(s + 1, 1)))
		return buf_add(out, s, n);
	if (n > 2 && s[0] == '-' && s[1] == '-') {
		eq = memchr(s, '=', n);
		if (!eq && is_option_name(s + 2, n - 2))
			return buf_add(out, s, n);
		if (eq && is_option_name(s + 2, (size_t)(eq - s) - 2)) {
			eq++;
			if (buf_add(out, s, (size_t)(eq - s)) < 0)
				return -1;
			return redact_value(r, eq, n - (size_t)(eq - s), out);
		}
	}
	return redact_value(r, s, n, out);
}

int redact_cmdline(const struct redactor *r, const char *s, size_t n,
		   struct buf *out)
{
	const char *p = s, *end = s + n, *nul;
	int argv0 = 1;

	while (p < end) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (redact_arg(r, p, (size_t)((nul ? nul : end) - p), argv0,
			       out) < 0)
			return -1;
		if (!nul)
			break;
		if (buf_addch(out, '\0') < 0)
			return -1;
		p = nul + 1;
		argv0 = 0;
	}
	return 0;
}

/* What mapsnap-capture's options take, for redact_options. */
enum arg_kind { ARG_NONE, ARG_NUMBER, ARG_PRIVATE, ARG_USER, ARG_LABEL,
		ARG_COMM };

struct capture_opt {
	const char *name;
	char letter;
	enum arg_kind arg;
};

static const struct capture_opt capture_opts[] = {
	{ "output", 'o', ARG_PRIVATE }, { "pid", 'p', ARG_NUMBER },
	{ "match", 'm', ARG_PRIVATE }, { "user", 'u', ARG_USER },
	{ "label", 'l', ARG_LABEL }, { "interval", 'i', ARG_NUMBER },
	{ "count", 'n', ARG_NUMBER }, { "keep", 0, ARG_NUMBER },
	{ "maps-only", 0, ARG_NONE }, { "rollup", 0, ARG_NONE },
	{ "import", 0, ARG_PRIVATE }, { "comm", 0, ARG_COMM },
	{ "nice", 0, ARG_NONE }, { "proc", 0, ARG_PRIVATE },
	{ "host", 0, ARG_PRIVATE }, { "level", 0, ARG_NUMBER },
	{ "quiet", 'q', ARG_NONE }, { "verbose", 'v', ARG_NONE },
	{ "help", 'h', ARG_NONE }, { "version", 'V', ARG_NONE },
};
#define NCAPTURE_OPTS (sizeof(capture_opts) / sizeof(capture_opts[0]))

/* The long option (s, n) names, as getopt_long reads it: exactly, or
 * by an unambiguous abbreviation. NULL: not one of capture's. */
static const struct capture_opt *long_opt(const char *s, size_t n)
{
	const struct capture_opt *found = NULL;
	size_t i;

	for (i = 0; i < NCAPTURE_OPTS; i++) {
		if (strncmp(capture_opts[i].name, s, n))
			continue;
		if (!capture_opts[i].name[n])
			return &capture_opts[i];
		if (found)
			return NULL;
		found = &capture_opts[i];
	}
	return n ? found : NULL;
}

static const struct capture_opt *short_opt(char c)
{
	size_t i;

	for (i = 0; c && i < NCAPTURE_OPTS; i++)
		if (capture_opts[i].letter == c)
			return &capture_opts[i];
	return NULL;
}

static int is_number(const char *s, size_t n)
{
	size_t i, dots = 0;

	for (i = 0; i < n; i++)
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > dots && dots <= 1;
}

static int redact_opt_value(const struct redactor *r, enum arg_kind kind,
			    const char *s, size_t n, struct buf *out)
{
	switch (kind) {
	case ARG_NUMBER:
		if (is_number(s, n))
			return buf_add(out, s, n);
		break;
	case ARG_USER:
		return redact_user(r, s, n, out);
	case ARG_LABEL:
		return redact_label(r, s, n, out);
	case ARG_COMM:
		return redact_comm(r, s, n, out);
	default:
		break;
	}
	return redact_value(r, s, n, out);
}

/* One word of the options; *pending: what the next word is the value of. */
static int redact_option_word(const struct redactor *r, const char *s,
			      size_t n, enum arg_kind *pending, int *positional,
			      struct buf *out)
{
	const struct capture_opt *o;
	const char *eq;
	size_t i;

	if (*pending != ARG_NONE) {
		enum arg_kind kind = *pending;

		*pending = ARG_NONE;
		return redact_opt_value(r, kind, s, n, out);
	}
	if (*positional || n < 2 || s[0] != '-')
		/* a bare word is a PID; anything else is redacted */
		return redact_opt_value(r, ARG_NUMBER, s, n, out);
	if (n == 2 && s[1] == '-') {
		*positional = 1;
		return buf_add(out, s, n);
	}
	if (s[1] == '-') {
		eq = memchr(s, '=', n);
		o = long_opt(s + 2, (size_t)((eq ? eq : s + n) - s) - 2);
		if (!o)
			return redact_value(r, s, n, out);
		if (!eq) {
			*pending = o->arg;
			return buf_add(out, s, n);
		}
		eq++;
		if (buf_add(out, s, (size_t)(eq - s)) < 0)
			return -1;
		return redact_opt_value(r, o->arg, eq, n - (size_t)(eq - s), out);
	}
	/* "-qv", "-l", "-lTEXT": letters up to the first that takes a value */
	for (i = 1; i < n; i++) {
		o = short_opt(s[i]);
		if (!o)
			return redact_value(r, s, n, out);
		if (o->arg == ARG_NONE)
			continue;
		if (buf_add(out, s, i + 1) < 0)
			return -1;
		if (i + 1 == n) {
			*pending = o->arg;
			return 0;
		}
		return redact_opt_value(r, o->arg, s + i + 1, n - i - 1, out);
	}
	return buf_add(out, s, n);
}

int redact_options(const struct redactor *r, const char *s, size_t n,
		   struct buf *out)
{
	enum arg_kind pending = ARG_NONE;
	const char *p = s, *end = s + n, *sp;
	int positional = 0;

	while (p < end) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if (!sp)
			sp = end;
		if (redact_option_word(r, p, (size_t)(sp - p), &pending,
				       &positional, out) < 0)
			return -1;
		if (sp == end)
			break;
		if (buf_addch(out, ' ') < 0)
			return -1;
		p = sp + 1;
	}
	return 0;
}

int redact_maps(const struct redactor *r, const char *text, size_t n,
		struct buf *out, char *err, size_t errlen)
{
	struct smaps_parser ps;
	struct smaps_map m;
	const char *done = text;
	int rc;

	smaps_parser_init(&ps, text, n);
	while ((rc = smaps_next(&ps, &m)) == 1) {
		/* everything up to the name as it was: the padding too, so
		 * the name column stays where pmap and the parser look */
		if (buf_add(out, done, (size_t)(m.name - done)) < 0 ||
		    redact_map_name(r, m.name, m.name_len, out) < 0)
			goto full;
		done = m.name + m.name_len;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", ps.err);
		return -1;
	}
	if (buf_add(out, done, (size_t)(text + n - done)) == 0)
		return 0;
full:
	snprintf(err, errlen, "the redacted text is too large");
	return -1;
}

int redact_stat(const struct redactor *r, const char *text, size_t n,
		struct buf *out)
{
	const char *open = memchr(text, '(', n), *close = NULL, *p;

	for (p = text + n; open && p > open; p--)
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	if (!r->names || !close)
		return buf_add(out, text, n);
	if (buf_add(out, text, (size_t)(open + 1 - text)) < 0 ||
	    redact_comm(r, open + 1, (size_t)(close - open - 1), out) < 0)
		return -1;
	return buf_add(out, close, (size_t)(text + n - close));
}

int redact_status(const struct redactor *r, const char *text, size_t n,
		  struct buf *out)
{
	const char *p = text, *end = text + n, *nl, *v;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (r->names && starts(p, (size_t)(nl - p), "Name:")) {
			for (v = p + 5; v < nl && (*v == '\t' || *v == ' '); v++)
				;
			if (buf_add(out, p, (size_t)(v - p)) < 0 ||
			    redact_comm(r, v, (size_t)(nl - v), out) < 0)
				return -1;
		} else if (buf_add(out, p, (size_t)(nl - p)) < 0) {
			return -1;
		}
		if (nl == end)
			break;
		if (buf_addch(out, '\n') < 0)
			return -1;
		p = nl + 1;
	}
	return 0;
}

/* cg_rewrite's hook: a private part becomes its token. */
static int hide_part(void *ctx, const char *s, size_t n, struct buf *out)
{
	return redact_token(ctx, s, n, out);
}

int redact_cgroup(const struct redactor *r, const char *s, size_t n,
		  struct buf *out)
{
	return cg_rewrite(s, n, hide_part, (void *)r, out);
}
