/* check_rows.c - `check`'s rows: each table read once, by one query that
 * finds the rows breaking what schema.sql declares or says in words, and
 * C that says what each of those rows breaks. */
#include "check.h"
#include "blob.h"
#include "util.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What typeof() says of a value of declared type `decl`; NULL: any. */
static const char *type_name(const char *decl)
{
	static const char *const names[] = { "integer", "text", "blob", "real" };
	size_t i;

	for (i = 0; decl && i < sizeof(names) / sizeof(names[0]); i++)
		if (!sqlite3_stricmp(decl, names[i]))
			return names[i];
	return NULL;
}

/* SQLITE_INTEGER ... for a name of type_name(); 0 for NULL. */
static int type_code(const char *type)
{
	return !type ? 0 : !strcmp(type, "integer") ? SQLITE_INTEGER
		: !strcmp(type, "text") ? SQLITE_TEXT
		: !strcmp(type, "blob") ? SQLITE_BLOB : SQLITE_FLOAT;
}

static const char *const ref_tables[NREFS] = { "hosts", "snapshots", "blobs" };

/* The table a column refers to (REF_*), by schema.sql's naming; -1: none. */
static int ref_target(const char *table, const char *col)
{
	size_t n = strlen(col);
	int t = -1;

	if (n > 5 && !strcmp(col + n - 5, "_blob"))
		t = REF_BLOBS;
	else if (!strcmp(col, "snapshot_id"))
		t = REF_SNAPSHOTS;
	else if (!strcmp(col, "host_id"))
		t = REF_HOSTS;
	return t >= 0 && strcmp(table, ref_tables[t]) ? t : -1;
}

/* Counts and sizes, which are never below 0 (uid: -1 is stored as NULL).
 * blobs.raw_size is not here: schema.sql's CHECK says it. */
static const char *const non_negative[] = {
	"snapshots.page_size", "snapshots.procs_seen", "snapshots.procs_captured",
	"snapshots.procs_skipped", "snapshots.bytes_read", "skips.count",
	"meminfo.value", "processes.pid", "processes.ppid",
	"processes.start_time", "processes.uid", "processes.threads",
	"processes.nmaps", "processes.size_kb", "processes.rss_kb",
	"processes.pss_kb", "processes.uss_kb", "processes.shared_kb",
	"processes.swap_kb", "processes.swap_pss_kb", "processes.anon_kb",
	"processes.locked_kb", "skipped_pids.pid", "processes.nspid",
	"processes.pidns", "cgroups.current_bytes", "cgroups.max_bytes",
	"cgroups.high_bytes", "cgroups.swap_bytes", "cgroups.anon_bytes",
	"cgroups.file_bytes", "cgroups.kernel_bytes", "cgroups.sock_bytes",
	"cgroups.oom", "cgroups.oom_kill",
};

static int is_non_negative(const char *table, const char *col)
{
	size_t i, n = strlen(table);

	for (i = 0; i < sizeof(non_negative) / sizeof(non_negative[0]); i++)
		if (!strncmp(non_negative[i], table, n) &&
		    non_negative[i][n] == '.' && !strcmp(non_negative[i] + n + 1, col))
			return 1;
	return 0;
}

/* --- references: the ids of each table, in memory ------------------------ */

/* The widest span of ids kept as bits: 16 MiB of them. */
#define ID_BITS_MAX ((uint64_t)1 << 27)

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Read the ids of table t into c->ids[t]. */
static void load_ids(struct check *c, int t)
{
	struct id_set *s = &c->ids[t];
	sqlite3_stmt *q = NULL;
	char *sql = sqlite3_mprintf("SELECT id FROM \"%w\"", ref_tables[t]);
	size_t alloc = 0;
	int rc = SQLITE_ERROR;

	s->all_int = 1;
	if (sql && sqlite3_prepare_v2(c->st.db, sql, -1, &q, NULL) == SQLITE_OK)
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			if (sqlite3_column_type(q, 0) != SQLITE_INTEGER) {
				s->all_int = 0;
				continue;
			}
			if (s->n == alloc) {
				alloc = alloc ? 2 * alloc : 1024;
				s->id = xreallocarray(s->id, alloc, sizeof(*s->id));
			}
			s->id[s->n++] = sqlite3_column_int64(q, 0);
		}
	if (rc != SQLITE_DONE)
		sql_problem(c, "read ids");
	sqlite3_finalize(q);
	sqlite3_free(sql);
	if (s->n)
		qsort(s->id, s->n, sizeof(*s->id), cmp_i64);
	/* ids are mostly 1..n: a bit each is a load, not a search */
	if (s->n && (uint64_t)s->id[s->n - 1] - (uint64_t)s->id[0] < ID_BITS_MAX) {
		size_t i;

		s->span = (uint64_t)s->id[s->n - 1] - (uint64_t)s->id[0] + 1;
		s->bits = xcalloc((s->span + 63) / 64, sizeof(*s->bits));
		for (i = 0; i < s->n; i++) {
			uint64_t k = (uint64_t)s->id[i] - (uint64_t)s->id[0];

			s->bits[k / 64] |= UINT64_C(1) << (k % 64);
		}
	}
	sql = sqlite3_mprintf("SELECT 1 FROM \"%w\" WHERE id = ?1", ref_tables[t]);
	if (!sql || sqlite3_prepare_v2(c->st.db, sql, -1, &s->probe, NULL))
		sql_problem(c, "read ids");
	sqlite3_free(sql);
}

static int has_int(const struct id_set *s, int64_t id)
{
	uint64_t k = (uint64_t)id - (uint64_t)(s->n ? s->id[0] : 0);

	if (s->bits)
		return k < s->span && (s->bits[k / 64] >> (k % 64) & 1);
	return s->n && bsearch(&id, s->id, s->n, sizeof(id), cmp_i64) != NULL;
}

/*
 * Is there a row of table t whose id equals v, as SQLite's `id = v`
 * has it? A number that is an integer is searched in memory; anything
 * else, when the table's ids are all integers, is none of them (numeric
 * affinity turned what text could be a number); else the file decides.
 */
static int has_id(struct check *c, int t, sqlite3_value *v)
{
	struct id_set *s = &c->ids[t];
	int type = sqlite3_value_numeric_type(v), r;
	double d;

	if (type == SQLITE_INTEGER && s->all_int)
		return has_int(s, sqlite3_value_int64(v));
	if (type == SQLITE_FLOAT && s->all_int) {
		d = sqlite3_value_double(v);
		return d >= -9.2e18 && d <= 9.2e18 && d == (double)(int64_t)d &&
		       has_int(s, (int64_t)d);
	}
	if (s->all_int || !s->probe)
		return 0;
	sqlite3_bind_value(s->probe, 1, v);
	r = sqlite3_step(s->probe) == SQLITE_ROW;
	sqlite3_reset(s->probe);
	return r;
}

/* check_has(T, V): has_id, for SQL. */
static void sql_has(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_int(ctx, has_id(sqlite3_user_data(ctx),
				       sqlite3_value_int(argv[0]), argv[1]));
}

/* --- each process's figures against its text ----------------------------- */

/*
 * check judges the stored values themselves, their types and NULLs,
 * which lib/rows.h's readers map to unknowns; so it reads processes raw.
 * The columns of that read, named once: TC_* is each one's position.
 */
static const char *const total_cols[] = {
	"text_kind", "text_blob", "rollup_blob", "nmaps", "size_kb", "rss_kb",
	"pss_kb", "uss_kb", "shared_kb", "swap_kb", "swap_pss_kb", "anon_kb",
	"locked_kb",
};
enum { TC_KIND, TC_TEXT, TC_ROLLUP, TC_NMAPS, TC_SIZE, TC_USAGE,
       NTC = sizeof(total_cols) / sizeof(total_cols[0]) };

/* The values of those columns in one row, as types and numbers. */
struct totals_in {
	char kind[8];		/* text_kind as text, cut (longer never
				   equals a kind); "" when NULL */
	int type[NTC];		/* SQLITE_INTEGER, ... */
	int64_t v[NTC];
};

/* text_kind into in->kind, cut. */
static void kind_copy(struct totals_in *in, const char *k)
{
	size_t n = strnlen(k, sizeof(in->kind) - 1);

	memcpy(in->kind, k, n);
	in->kind[n] = '\0';
}

/* The sums of blob `id`, when it parsed or was read: NULL when it could
 * not be read (a problem said so already) or there is no such blob. */
static const struct blob_sum *find_sum(const struct check *c, int64_t id)
{
	size_t lo = 0, hi = c->nsums;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->sums[mid].id == id)
			return c->sums[mid].parsed >= 0 ? &c->sums[mid] : NULL;
		if (c->sums[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* One figure against the sum it must equal; a problem of `who` if set. */
static int differs(struct check *c, const struct totals_in *in, int col,
		   uint64_t want, const char *who)
{
	if (in->type[col] != SQLITE_INTEGER || (uint64_t)in->v[col] == want)
		return 0;
	if (who)
		problem(c, "%s: %s is %lld but its text sums to %llu", who,
			total_cols[col], (long long)in->v[col],
			(unsigned long long)want);
	return 1;
}

/*
 * The figures of a process row are summed from its text at capture
 * (from its smaps_rollup text with --rollup): they must still be, or the
 * row points at another text than its own, or a figure changed. Returns
 * how many differ; with `who`, each is a problem of that row.
 */
static int totals_diff(struct check *c, const struct totals_in *in,
		       const char *who)
{
	const struct blob_sum *text, *use;
	int rollup = !strcmp(in->kind, "rollup"), n = 0, i;
	uint64_t v[8];

	if (in->type[TC_TEXT] != SQLITE_INTEGER ||
	    !(text = use = find_sum(c, in->v[TC_TEXT])))
		return 0;	/* none, or already a problem */
	if (!text->parsed) {
		if (in->v[TC_NMAPS] == 0)
			return 0;
		if (who)
			problem(c, "%s: its text is not maps or smaps, yet nmaps"
				" is %lld", who, (long long)in->v[TC_NMAPS]);
		return 1;
	}
	n += differs(c, in, TC_NMAPS, rollup ? 0 : text->t.nmaps, who);
	n += differs(c, in, TC_SIZE, rollup ? 0 : text->t.size, who);
	if (in->type[TC_ROLLUP] != SQLITE_NULL)
		use = in->type[TC_ROLLUP] == SQLITE_INTEGER
			? find_sum(c, in->v[TC_ROLLUP]) : NULL;
	else if (!rollup && strcmp(in->kind, "smaps"))
		use = NULL;	/* maps only: no usage figures */
	if (!use || use->parsed != 1)
		return n;
	v[0] = use->t.rss, v[1] = use->t.pss, v[2] = use->t.uss;
	v[3] = use->t.shared, v[4] = use->t.swap, v[5] = use->t.swap_pss;
	v[6] = use->t.anonymous, v[7] = use->t.locked;
	for (i = 0; i < 8; i++)
		n += differs(c, in, TC_USAGE + i, v[i], who);
	return n;
}

/* --- CHECKs, read from schema.sql's own text ------------------------------- */

/* p past spaces and comments of SQL text. */
static const char *skip_blank(const char *p)
{
	for (;;) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			p = e ? e + 2 : p + strlen(p);
		} else {
			return p;
		}
	}
}

static int is_word_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '$';
}

/* The end of the SQL token at p: a quoted string or name, a run of word
 * characters, or one character. */
static const char *token_end(const char *p)
{
	char close = *p == '[' ? ']' : *p;

	if (*p && strchr("'\"`[", *p)) {
		for (p++; *p; p++) {
			if (*p != close)
				continue;
			if (close != ']' && p[1] == close)
				p++;	/* a doubled quote stands for itself */
			else
				return p + 1;
		}
		return p;
	}
	if (!is_word_char(*p))
		return *p ? p + 1 : p;
	while (is_word_char(*p))
		p++;
	return p;
}

static int token_is(const char *p, const char *end, const char *word)
{
	return (size_t)(end - p) == strlen(word) &&
	       !sqlite3_strnicmp(p, word, (int)(end - p));
}

/* Does the token start a table constraint, not a column definition? */
static int starts_constraint(const char *p, const char *end)
{
	return token_is(p, end, "CONSTRAINT") || token_is(p, end, "PRIMARY") ||
	       token_is(p, end, "UNIQUE") || token_is(p, end, "CHECK") ||
	       token_is(p, end, "FOREIGN");
}

/* Values a CHECK of one column is known to pass, at most: a column's
 * values repeat (text_kind, text_reused), so a scan asks SQLite to run
 * the CHECK for a new value only, not for every row. */
#define CHECK_KNOWN 8

/* One CHECK of a table: its expression, and the column whose definition
 * holds it (NULL: a table constraint). */
struct table_check {
	char *col, *expr;
	int solo;		/* it names no other column of the table */
	sqlite3_value *good[CHECK_KNOWN];	/* values that passed it */
	int ngood;
};

struct table_checks {
	struct table_check *v;
	size_t n;
};

static void checks_release(struct table_checks *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->v[i].col);
		free(k->v[i].expr);
		while (k->v[i].ngood > 0)
			sqlite3_value_free(k->v[i].good[--k->v[i].ngood]);
	}
	free(k->v);
	memset(k, 0, sizeof(*k));
}

/* The CHECK whose parenthesised expression follows p, added to k for
 * column `col` (NULL: the table). Returns the end of its ")". */
static const char *add_check(struct table_checks *k, const char *col,
			     const char *p)
{
	const char *open = skip_blank(p), *close;
	int depth = 0;

	assert(*open == '(');	/* SQLite ran schema.sql */
	for (close = open; *close; close = skip_blank(token_end(close)))
		if (*close == '(')
			depth++;
		else if (*close == ')' && --depth == 0)
			break;
	k->v = xreallocarray(k->v, k->n + 1, sizeof(*k->v));
	memset(&k->v[k->n], 0, sizeof(k->v[k->n]));
	k->v[k->n].col = col ? xstrdup(col) : NULL;
	k->v[k->n].expr = xmemdup(open + 1, (size_t)(close - open - 1));
	k->n++;
	return *close ? close + 1 : close;
}

/*
 * The CHECKs of one CREATE TABLE text of the reference. SQLite lists no
 * CHECK constraint, so they are read from that text: schema.sql's own,
 * compiled in (no stranger's text is parsed here). Each CHECK at the
 * depth of the column list, with the column whose definition holds it,
 * so that a CHECK added to schema.sql is checked with no change here.
 */
static void table_checks(const char *sql, struct table_checks *k)
{
	const char *p, *end;
	char *col = NULL;
	int depth = 0, starts = 0;	/* starts: a definition begins */

	for (p = skip_blank(sql); *p; p = skip_blank(end)) {
		end = token_end(p);
		if (*p == '(' || *p == ')') {
			depth += *p == '(' ? 1 : -1;
			starts = depth == 1 && *p == '(';
		} else if (depth != 1) {
			continue;
		} else if (*p == ',') {
			starts = 1;
		} else if (token_is(p, end, "CHECK")) {
			end = add_check(k, starts ? NULL : col, end);
			starts = 0;
		} else if (starts) {
			free(col);
			col = starts_constraint(p, end) || !is_word_char(*p) ? NULL
				: xmemdup(p, (size_t)(end - p));
			starts = 0;
		}
	}
	free(col);
}

/* --- one query per table ------------------------------------------------ */

/* A column of the reference, as the scan checks it. */
struct col_rule {
	char *name;
	const char *type;	/* what typeof() must say, or NULL: any */
	int code;		/* that as SQLITE_INTEGER..., or 0: any */
	int notnull;		/* NOT NULL, or in the primary key */
	int target;		/* REF_*, or -1 */
	int nonneg;
};

/* Per column, the scan selects its value, typeof(), quote() and whether
 * the row it refers to is there (1 when it refers to none). */
#define COL_FIELDS 4

struct table_rules {
	const char *table;
	char *who;		/* names a row (key_sql's name) */
	struct col_rule *col;
	size_t ncol;
	struct table_checks checks;
	int tc[NTC];		/* processes: where total_cols are, else -1 */
};

static void rules_release(struct table_rules *t)
{
	size_t i;

	for (i = 0; i < t->ncol; i++)
		free(t->col[i].name);
	free(t->col);
	sqlite3_free(t->who);
	checks_release(&t->checks);
}

/* Does expression e name a column of t other than `col`? */
static int names_other(const struct table_rules *t, const char *e,
		       const char *col)
{
	const char *p, *end;
	size_t i, n;

	for (p = skip_blank(e); *p; p = skip_blank(end)) {
		end = token_end(p);
		n = (size_t)(end - p);
		if (*p == '"' && n >= 2) {	/* a quoted name */
			p++;
			n -= 2;
		}
		for (i = 0; i < t->ncol; i++)
			if (strlen(t->col[i].name) == n &&
			    !sqlite3_strnicmp(p, t->col[i].name, (int)n) &&
			    sqlite3_stricmp(t->col[i].name, col))
				return 1;
	}
	return 0;
}

/* Are a and b the same value: type and bytes, not only equal in SQL? */
static int same_value(sqlite3_value *a, sqlite3_value *b)
{
	int t = sqlite3_value_type(a);
	int64_t x, y;
	double d, e;

	if (t != sqlite3_value_type(b))
		return 0;
	switch (t) {
	case SQLITE_INTEGER:
		x = sqlite3_value_int64(a), y = sqlite3_value_int64(b);
		return x == y;
	case SQLITE_FLOAT:
		d = sqlite3_value_double(a), e = sqlite3_value_double(b);
		return !memcmp(&d, &e, sizeof(d));
	case SQLITE_NULL:
		return 1;
	}
	return sqlite3_value_bytes(a) == sqlite3_value_bytes(b) &&
	       !memcmp(sqlite3_value_blob(a), sqlite3_value_blob(b),
		       (size_t)sqlite3_value_bytes(a));
}

/* check_known(J, V): 1 when CHECK J of the table scanned passed for
 * this very value before. */
static void sql_known(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct check *c = sqlite3_user_data(ctx);
	const struct table_check *k = &c->scan->checks.v[sqlite3_value_int(argv[0])];
	int i, r = 0;

	(void)argc;
	for (i = 0; i < k->ngood && !r; i++)
		r = same_value(k->good[i], argv[1]);
	sqlite3_result_int(ctx, r);
}

/* check_learn(J, V, BROKEN): BROKEN, the CHECK run by SQLite; a value
 * that passes (0 or NULL) is kept for check_known. */
static void sql_learn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct check *c = sqlite3_user_data(ctx);
	struct table_check *k = &c->scan->checks.v[sqlite3_value_int(argv[0])];

	(void)argc;
	if ((sqlite3_value_type(argv[2]) == SQLITE_NULL ||
	     !sqlite3_value_int(argv[2])) && k->ngood < CHECK_KNOWN &&
	    (k->good[k->ngood] = sqlite3_value_dup(argv[1])))
		k->ngood++;
	sqlite3_result_value(ctx, argv[2]);
}

/* The rules of `table` from the reference (its CREATE TABLE text sql). */
static void rules_make(struct check *c, const char *table, const char *sql,
		       struct table_rules *t)
{
	sqlite3_stmt *q = NULL;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->table = table;
	t->who = row_name(c, table);
	table_checks(sql, &t->checks);
	sqlite3_prepare_v2(c->ref, "SELECT name, type, \"notnull\" OR pk > 0"
			   " FROM pragma_table_info(?1) ORDER BY cid", -1, &q, NULL);
	sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct col_rule *r;

		t->col = xreallocarray(t->col, t->ncol + 1, sizeof(*t->col));
		r = &t->col[t->ncol++];
		r->name = xstrdup((const char *)sqlite3_column_text(q, 0));
		r->type = type_name((const char *)sqlite3_column_text(q, 1));
		r->code = type_code(r->type);
		r->notnull = sqlite3_column_int(q, 2);
		r->target = ref_target(table, r->name);
		r->nonneg = is_non_negative(table, r->name);
	}
	sqlite3_finalize(q);
	for (i = 0; i < t->checks.n; i++) {
		struct table_check *k = &t->checks.v[i];

		k->solo = k->col && !names_other(t, k->expr, k->col);
	}
	for (i = 0; i < NTC; i++) {
		size_t j;

		t->tc[i] = -1;
		for (j = 0; !strcmp(table, "processes") && j < t->ncol; j++)
			if (!strcmp(t->col[j].name, total_cols[i]))
				t->tc[i] = (int)j;
	}
}

/* Does the scan compare each row's figures with its text's sums? */
static int has_totals(const struct table_rules *t)
{
	size_t i;

	for (i = 0; i < NTC; i++)
		if (t->tc[i] < 0)
			return 0;
	return 1;
}

/* Does value v break rule r: its type, NULL, range or reference? */
static int breaks(struct check *c, const struct col_rule *r, sqlite3_value *v)
{
	int type = sqlite3_value_type(v);

	if (type == SQLITE_NULL)
		return r->notnull;
	if (r->code && type != r->code)
		return 1;
	if (r->nonneg && ((type == SQLITE_INTEGER && sqlite3_value_int64(v) < 0) ||
			  (type == SQLITE_FLOAT && sqlite3_value_double(v) < 0)))
		return 1;
	return r->target >= 0 && !has_id(c, r->target, v);
}

/*
 * check_row(every column of the table scanned, in order): 1 when the row
 * breaks a rule of a column, or its figures are not its text's; one call
 * per row, where a condition per rule in SQL cost 20 times as much.
 */
static void sql_row(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct check *c = sqlite3_user_data(ctx);
	const struct table_rules *t = c->scan;
	struct totals_in in;
	const unsigned char *k;
	int i, bad = 0;

	assert((size_t)argc == t->ncol);
	for (i = 0; i < argc && !bad; i++)
		bad = breaks(c, &t->col[i], argv[i]);
	if (!bad && has_totals(t)) {
		for (i = 0; i < NTC; i++) {
			in.type[i] = sqlite3_value_type(argv[t->tc[i]]);
			in.v[i] = sqlite3_value_int64(argv[t->tc[i]]);
		}
		k = sqlite3_value_text(argv[t->tc[TC_KIND]]);
		kind_copy(&in, k ? (const char *)k : "");
		bad = totals_diff(c, &in, NULL) > 0;
	}
	sqlite3_result_int(ctx, bad);
}

/*
 * The scan of one table: SELECT what the messages need FROM the table
 * WHERE any rule is broken. Most rows break none, and come no further
 * than SQLite's VM. sqlite3_free() it; NULL when out of memory.
 */
static char *scan_sql(const struct table_rules *t)
{
	sqlite3_str *sel = sqlite3_str_new(NULL), *where = sqlite3_str_new(NULL);
	char *s, *w, *sql;
	size_t i;

	sqlite3_str_appendf(sel, "SELECT %s", t->who);
	sqlite3_str_appendall(where, "check_row(");
	for (i = 0; i < t->ncol; i++) {
		const struct col_rule *r = &t->col[i];

		sqlite3_str_appendf(sel, ", \"%w\", typeof(\"%w\"), quote(\"%w\"), ",
				    r->name, r->name, r->name);
		if (r->target >= 0)
			sqlite3_str_appendf(sel, "check_has(%d, \"%w\")", r->target,
					    r->name);
		else
			sqlite3_str_appendall(sel, "1");
		sqlite3_str_appendf(where, "%s\"%w\"", i ? ", " : "", r->name);
	}
	sqlite3_str_appendall(where, ")");
	for (i = 0; i < t->checks.n; i++) {
		const struct table_check *k = &t->checks.v[i];

		sqlite3_str_appendf(sel, ", NOT (%s)", k->expr);
		if (k->solo)	/* run by SQLite for a value not seen yet */
			sqlite3_str_appendf(where, " OR CASE check_known(%d, \"%w\")"
					    " WHEN 1 THEN 0 ELSE check_learn(%d,"
					    " \"%w\", NOT (%s)) END", (int)i,
					    k->col, (int)i, k->col, k->expr);
		else
			sqlite3_str_appendf(where, " OR NOT (%s)", k->expr);
	}
	s = sqlite3_str_finish(sel);
	w = sqlite3_str_finish(where);
	sql = s && w ? sqlite3_mprintf("%s FROM \"%w\" WHERE %s", s, t->table, w)
		: NULL;
	sqlite3_free(s);
	sqlite3_free(w);
	return sql;
}

/* Is the value at column i below 0, as SQL's `x < 0` has it? */
static int below_zero(sqlite3_stmt *q, int i)
{
	int type = sqlite3_column_type(q, i);

	return (type == SQLITE_INTEGER && sqlite3_column_int64(q, i) < 0) ||
	       (type == SQLITE_FLOAT && sqlite3_column_double(q, i) < 0);
}

static const char *column_str(sqlite3_stmt *q, int i)
{
	const unsigned char *s = sqlite3_column_text(q, i);

	return s ? (const char *)s : "";
}

/* The problems of one column of a row the scan found. */
static void say_column(struct check *c, sqlite3_stmt *q, const char *who,
		       const struct col_rule *r, int at)
{
	const char *type = column_str(q, at + 1), *quoted = column_str(q, at + 2);

	if (r->type && strcmp(type, r->type) && (r->notnull || strcmp(type, "null")))
		problem(c, "%s: %s is %s, not %s", who, r->name, type, r->type);
	else if (!r->type && r->notnull && !strcmp(type, "null"))
		problem(c, "%s: %s is null", who, r->name);
	if (r->target >= 0 && sqlite3_column_type(q, at) != SQLITE_NULL &&
	    !sqlite3_column_int(q, at + 3))
		problem(c, "%s: %s %s is not in %s", who, r->name, quoted,
			ref_tables[r->target]);
	if (r->nonneg && below_zero(q, at))
		problem(c, "%s: %s is %s, below 0", who, r->name, quoted);
}

/* The figures of a row the scan found, as totals_diff reads them. */
static void row_totals(sqlite3_stmt *q, const struct table_rules *t,
		       struct totals_in *in)
{
	int i, at;

	for (i = 0; i < NTC; i++) {
		at = 1 + COL_FIELDS * t->tc[i];
		in->type[i] = sqlite3_column_type(q, at);
		in->v[i] = sqlite3_column_int64(q, at);
	}
	kind_copy(in, column_str(q, 1 + COL_FIELDS * t->tc[TC_KIND]));
}

/* Every problem of one row the scan found, column by column, then its
 * CHECKs, then its figures. */
static void say_row(struct check *c, sqlite3_stmt *q, const struct table_rules *t)
{
	const char *who = sqlite3_column_type(q, 0) == SQLITE_NULL
		? "a row with no key" : column_str(q, 0);
	struct totals_in in;
	size_t i, j;
	int at;

	for (i = 0; i < t->ncol; i++)
		say_column(c, q, who, &t->col[i], 1 + COL_FIELDS * (int)i);
	for (i = 0; i < t->checks.n; i++) {
		const struct table_check *k = &t->checks.v[i];

		at = 1 + COL_FIELDS * (int)t->ncol + (int)i;
		if (sqlite3_column_type(q, at) == SQLITE_NULL ||
		    !sqlite3_column_int(q, at))
			continue;
		for (j = 0; k->col && j < t->ncol && strcmp(k->col, t->col[j].name); j++)
			;
		if (k->col && j < t->ncol)
			problem(c, "%s: %s %s fails CHECK (%s)", who, k->col,
				column_str(q, 3 + COL_FIELDS * (int)j), k->expr);
		else
			problem(c, "%s: fails CHECK (%s)", who, k->expr);
	}
	if (has_totals(t)) {
		row_totals(q, t, &in);
		totals_diff(c, &in, who);
	}
}

static void check_table(struct check *c, const char *table, const char *sql)
{
	struct table_rules t;
	sqlite3_stmt *q = NULL;
	char *scan;
	int rc;

	rules_make(c, table, sql, &t);
	c->scan = &t;
	scan = t.who ? scan_sql(&t) : NULL;
	if (!scan) {
		rows_are_problems(c, NULL, "check rows");
	} else if (sqlite3_prepare_v2(c->st.db, scan, -1, &q, NULL) != SQLITE_OK) {
		sql_problem(c, "check rows");
	} else {
		while ((rc = sqlite3_step(q)) == SQLITE_ROW)
			say_row(c, q, &t);
		if (rc != SQLITE_DONE)
			sql_problem(c, "check rows");
	}
	sqlite3_finalize(q);
	sqlite3_free(scan);
	c->scan = NULL;
	rules_release(&t);
}

void check_tables(struct check *c)
{
	sqlite3_stmt *q = NULL;
	int t;

	for (t = 0; t < NREFS; t++)
		load_ids(c, t);
	if (sqlite3_create_function(c->st.db, "check_has", 2, SQLITE_UTF8 |
				    SQLITE_DETERMINISTIC, c, sql_has, NULL,
				    NULL) != SQLITE_OK ||
	    sqlite3_create_function(c->st.db, "check_row", -1, SQLITE_UTF8, c,
				    sql_row, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(c->st.db, "check_known", 2, SQLITE_UTF8, c,
				    sql_known, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(c->st.db, "check_learn", 3, SQLITE_UTF8, c,
				    sql_learn, NULL, NULL) != SQLITE_OK) {
		sql_problem(c, "check rows");
		return;
	}
	sqlite3_prepare_v2(c->ref, "SELECT name, sql FROM sqlite_schema"
			   " WHERE type = 'table' ORDER BY rowid", -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW)
		check_table(c, (const char *)sqlite3_column_text(q, 0),
			    (const char *)sqlite3_column_text(q, 1));
	sqlite3_finalize(q);
	for (t = 0; t < NREFS; t++) {
		free(c->ids[t].id);
		free(c->ids[t].bits);
		sqlite3_finalize(c->ids[t].probe);
	}
}
