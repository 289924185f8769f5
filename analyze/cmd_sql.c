/* cmd_sql.c - `sql`: one read-only SQL query over a mapsnap file, with the
 * mappings table; an authorizer keeps it from writing or reaching out. */
#include "analyze.h"
#include "util.h"
#include "vtab_mappings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Pragmas that only report, whatever their argument (a table's name). */
static const char *const pragmas_arg[] = {
	"table_info", "table_xinfo", "table_list", "index_info", "index_xinfo",
	"index_list", "foreign_key_list", "foreign_key_check",
	"integrity_check", "quick_check", NULL,
};
/* Pragmas that report when asked without an argument (with one, they set). */
static const char *const pragmas_plain[] = {
	"user_version", "application_id", "schema_version", "data_version",
	"page_size", "page_count", "freelist_count", "encoding",
	"compile_options", "function_list", "module_list", "pragma_list",
	"collation_list", "database_list", NULL,
};

static int in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcasecmp(*list, name))
			return 1;
	return 0;
}

/*
 * Reading is all a query may do: no write of any kind (temp included),
 * no ATTACH or DETACH (another file), no transaction, no pragma that sets
 * something, no load_extension(). The file is read-only and query_only
 * too; this makes the refusal clear and early, at prepare time.
 */
static int authorize(void *arg, int action, const char *a1, const char *a2,
		     const char *db, const char *trigger)
{
	(void)arg; (void)db; (void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_FUNCTION:
		return a2 && !strcasecmp(a2, "load_extension") ? SQLITE_DENY
			: SQLITE_OK;
	case SQLITE_PRAGMA:
		return a1 && (in_list(pragmas_arg, a1) ||
			      (!a2 && in_list(pragmas_plain, a1)))
			? SQLITE_OK : SQLITE_DENY;
	}
	return SQLITE_DENY;
}

/*
 * A file older than this build is queried as if it had this build's
 * layout: what its format predates reads as NULL (views in TEMP, made
 * before the authorizer is on; the file itself stays read-only). 0 or -1.
 */
static int add_compat_views(struct store *st)
{
	char *views = format_compat_views(&st->format);
	int r = -1;

	if (!views)
		return error("out of memory");
	if (!*views ||
	    (store_exec(st, "PRAGMA query_only = OFF", "query") == 0 &&
	     store_exec(st, views, "add this format's tables to") == 0 &&
	     store_exec(st, "PRAGMA query_only = ON", "query") == 0))
		r = 0;
	sqlite3_free(views);
	return r;
}

/*
 * Bind a parameter: a canonical decimal integer ("42", "-7", not "007")
 * as an integer, so that it equals the integers stored; anything else as
 * text. Bound, never pasted into the SQL.
 */
static void bind_arg(sqlite3_stmt *q, int i, const char *arg)
{
	const char *d = arg + (arg[0] == '-');
	long long v;
	char *end;

	if (*d >= '0' && *d <= '9' && (d[0] != '0' || !d[1])) {
		errno = 0;
		v = strtoll(arg, &end, 10);
		if (!*end && errno != ERANGE) {
			sqlite3_bind_int64(q, i, v);
			return;
		}
	}
	sqlite3_bind_text(q, i, arg, -1, SQLITE_STATIC);
}

/*
 * Prepare the one statement of `sql`: more than one, none, or one that
 * could change anything are refused. 0, or -1 (printed).
 */
static int prepare_one(struct store *st, const char *sql, sqlite3_stmt **q)
{
	sqlite3_stmt *next = NULL;
	const char *tail = NULL;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, q, &tail);
	if (rc == SQLITE_AUTH)
		return error("cannot query '%s': %s (sql only reads: no writes,"
			     " ATTACH, DETACH, transactions, pragmas that set"
			     " or load_extension)", st->path,
			     sqlite3_errmsg(st->db));
	if (rc != SQLITE_OK)
		return store_error(st, "query");
	if (!*q)
		return error("cannot query '%s': no SQL statement given",
			     st->path);
	/* whitespace and comments may follow; another statement may not */
	rc = sqlite3_prepare_v2(st->db, tail, -1, &next, NULL);
	sqlite3_finalize(next);
	if (rc != SQLITE_OK || next)
		return error("cannot query '%s': more than one SQL statement"
			     " (sql runs exactly one)", st->path);
	/* VACUUM INTO and PRAGMA journal_mode pass the authorizer */
	if (!sqlite3_stmt_readonly(*q))
		return error("cannot query '%s': the statement would write"
			     " (sql only reads)", st->path);
	return 0;
}

/* A blob's bytes in hex digits, for a cell. */
static void set_hex(struct table *t, size_t r, size_t c, const void *p,
		    size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;
	char *s = xreallocarray(NULL, n + 1, 2);
	size_t i;

	for (i = 0; i < n; i++) {
		s[2 * i] = digits[b[i] >> 4];
		s[2 * i + 1] = digits[b[i] & 15];
	}
	table_set_text(t, r, c, s, 2 * n);
	free(s);
}

/*
 * Step q to the end, a row of t per result row. A column whose every
 * value is an integer (or NULL) is an integer column; in any other, the
 * integers become text too. 0, or -1 (printed).
 */
static int collect(struct store *st, sqlite3_stmt *q, struct table *t,
		   struct col *cols)
{
	size_t ncols = t->ncols, r, c;
	int *all_int = xcalloc(ncols ? ncols : 1, sizeof(*all_int));
	int rc;

	for (c = 0; c < ncols; c++)
		all_int[c] = 1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		r = table_add_row(t);
		for (c = 0; c < ncols; c++) {
			int type = sqlite3_column_type(q, (int)c);

			if (type == SQLITE_NULL)
				continue;
			if (type == SQLITE_INTEGER) {
				table_set_int(t, r, c, sqlite3_column_int64(q, (int)c));
				continue;
			}
			all_int[c] = 0;
			if (type == SQLITE_BLOB)
				set_hex(t, r, c, sqlite3_column_blob(q, (int)c),
					(size_t)sqlite3_column_bytes(q, (int)c));
			else	/* text, or a real as SQLite writes it */
				table_set_text(t, r, c,
					       (const char *)sqlite3_column_text(q, (int)c),
					       (size_t)sqlite3_column_bytes(q, (int)c));
		}
	}
	for (c = 0; c < ncols; c++) {
		cols[c].kind = all_int[c] ? COL_INT : COL_TEXT;
		cols[c].total = all_int[c] ? TOTAL_SUM : TOTAL_AUTO;
		for (r = 0; !all_int[c] && r < t->nrows; r++) {
			struct cell *cell = &t->cells[r * ncols + c];
			char num[24];

			if (!cell->null && !cell->s) {
				snprintf(num, sizeof(num), "%lld", (long long)cell->i);
				table_set_text(t, r, c, num, strlen(num));
			}
		}
	}
	free(all_int);
	if (rc != SQLITE_DONE)
		return store_error(st, "query");
	return 0;
}

static int help(void)
{
	command_help(&cmd_sql);
	printf("\n"
	       "Run one read-only SQL statement on FILE and print its rows.\n"
	       "PARAMs are bound to ?1, ?2...: a decimal integer as an integer,\n"
	       "anything else as text (put -- before one that starts with '-').\n"
	       "\n"
	       "Tables: snapshots, hosts, processes, meminfo, skips, skipped_pids,\n"
	       "blobs, meta\n"
	       "(schema/README.md), and mappings: one row per mapping of every\n"
	       "stored maps/smaps text, read on demand (snapshot_id = and pid =\n"
	       "read only that process's text). Its columns: snapshot_id, pid,\n"
	       "start, end, perm, offset, dev, inode, path, then one per smaps\n"
	       "field in lower case (size, rss, pss, ..., swappss, locked,\n"
	       "thpeligible, protectionkey; NULL when the text lacks it) and\n"
	       "vmflags. Function: cmdline_text(cmdline), NULs as spaces.\n"
	       "\n"
	       "Writes, ATTACH, DETACH, pragmas that set, load_extension() and a\n"
	       "second statement are refused. Blobs print as hex digits.\n");
	return 0;
}

static int run_sql(int argc, char **argv, const struct out_opts *out)
{
	sqlite3_stmt *q = NULL;
	struct store st = { 0 };
	struct table t = { 0 };
	struct col *cols = NULL;
	char **names = NULL;
	int i, nparams, ncols = 0, ret = 1;

	for (i = 1; i < argc && i <= 2; i++)	/* FILE or SQL; not a PARAM */
		if (!strcmp(argv[i], "--help"))
			return help();
	if (argc < 3)
		return usage_error("sql takes FILE and one SQL statement");
	if (store_open(&st, argv[1], STORE_READ) < 0)
		return 1;
	sqlite3_limit(st.db, SQLITE_LIMIT_ATTACHED, 0);
	/*
	 * Connect the eponymous table before the authorizer is on: declaring
	 * its columns asks for an UPDATE of sqlite_master, which the
	 * authorizer would refuse. It stays connected for the connection.
	 */
	if (mappings_register(st.db) != SQLITE_OK ||
	    sqlite3_prepare_v2(st.db, "SELECT 1 FROM mappings", -1, &q,
			       NULL) != SQLITE_OK) {
		store_error(&st, "add the mappings table to");
		goto out;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (add_compat_views(&st) < 0)
		goto out;
	sqlite3_set_authorizer(st.db, authorize, NULL);
	if (prepare_one(&st, argv[2], &q) < 0)
		goto out;
	nparams = sqlite3_bind_parameter_count(q);
	if (nparams != argc - 3) {
		ret = usage_error("the statement takes %d parameter%s, %d given",
				  nparams, nparams == 1 ? "" : "s", argc - 3);
		goto out;
	}
	for (i = 0; i < nparams; i++)
		bind_arg(q, i + 1, argv[3 + i]);

	ncols = sqlite3_column_count(q);
	cols = xcalloc(ncols ? (size_t)ncols : 1, sizeof(*cols));
	names = xcalloc(ncols ? (size_t)ncols : 1, sizeof(*names));
	for (i = 0; i < ncols; i++) {
		const char *name = sqlite3_column_name(q, i);

		names[i] = xstrdup(name ? name : "?");
		cols[i].name = names[i];
	}
	table_init(&t, cols, (size_t)ncols);
	if (!ncols) {	/* nothing to show; still run it for its errors */
		while (sqlite3_step(q) == SQLITE_ROW)
			;
		ret = sqlite3_reset(q) == SQLITE_OK ? 0 : -store_error(&st, "query");
		goto out;
	}
	if (collect(&st, q, &t, cols) < 0) {
		table_release(&t);
		goto out;
	}
	ret = print_table(&t, out);
out:
	sqlite3_finalize(q);
	store_close(&st);
	for (i = 0; names && i < ncols; i++)
		free(names[i]);
	free(names);
	free(cols);
	return ret;
}

const struct command cmd_sql = {
	"sql", "sql FILE SQL [PARAM...]",
	run_sql, 0, OUTPUT_ALL & ~(OUTPUT_HUMAN | OUTPUT_PERCENT),
};
