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
#include <time.h>

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
		/* fts3_tokenizer(name) returns a library address (Debian
		 * builds SQLite with SQLITE_ENABLE_FTS3_TOKENIZER) */
		return a2 && (!strcasecmp(a2, "load_extension") ||
			      !strcasecmp(a2, "fts3_tokenizer")) ? SQLITE_DENY
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

/* What one run of `sql` may take, unless told otherwise: a recursive
 * CTE would otherwise run, and grow, until the machine gave out. */
#define SQL_TIMEOUT_DEFAULT 120		/* seconds */
#define SQL_MEMORY_DEFAULT 1024		/* MiB */
#define SQL_PROGRESS_STEPS 10000	/* VM steps between clock reads */

struct sql_args {
	const char *file, *sql;
	char **params;
	int nparams;
	double timeout;		/* seconds; 0: none */
	uint64_t max_memory;	/* bytes: SQLite's heap, and the rows kept
				   for the output; 0: none */
	struct timespec deadline;
	int timed_out;
};

/* The progress handler: stop the statement once past the deadline. */
static int past_deadline(void *arg)
{
	struct sql_args *a = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > a->deadline.tv_sec ||
	    (now.tv_sec == a->deadline.tv_sec && now.tv_nsec >= a->deadline.tv_nsec))
		a->timed_out = 1;
	return a->timed_out;
}

/* Arm the limits of a on the connection. */
static void set_limits(sqlite3 *db, struct sql_args *a)
{
	double whole;

	if (a->max_memory)
		sqlite3_hard_heap_limit64((sqlite3_int64)a->max_memory);
	if (a->timeout <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &a->deadline);
	whole = (double)(time_t)a->timeout;
	a->deadline.tv_sec += (time_t)whole;
	a->deadline.tv_nsec += (long)((a->timeout - whole) * 1e9);
	if (a->deadline.tv_nsec >= 1000000000L) {
		a->deadline.tv_sec++;
		a->deadline.tv_nsec -= 1000000000L;
	}
	sqlite3_progress_handler(db, SQL_PROGRESS_STEPS, past_deadline, a);
}

/* The error of a query that stopped: a limit named, else SQLite's. -1. */
static int query_error(struct store *st, const struct sql_args *a)
{
	int rc = sqlite3_errcode(st->db) & 0xff;

	if (a->timed_out)
		return error("cannot query '%s': it ran for longer than %g s"
			     " (--timeout)", st->path, a->timeout);
	if (rc == SQLITE_NOMEM && a->max_memory)
		return error("cannot query '%s': it needs more than %llu MiB"
			     " (--max-memory)", st->path,
			     (unsigned long long)(a->max_memory >> 20));
	return store_error(st, "query");
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
		   struct col *cols, const struct sql_args *a)
{
	size_t ncols = t->ncols, r, c;
	int *all_int = xcalloc(ncols ? ncols : 1, sizeof(*all_int));
	uint64_t held = 0;
	int rc;

	for (c = 0; c < ncols; c++)
		all_int[c] = 1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		/* the rows are kept for the output: they count too */
		held += ncols * sizeof(struct cell);
		for (c = 0; c < ncols; c++)
			held += 2 * (uint64_t)sqlite3_column_bytes(q, (int)c) + 1;
		if (a->max_memory && held > a->max_memory) {
			free(all_int);
			return error("cannot query '%s': its rows take more than"
				     " %llu MiB (--max-memory)", st->path,
				     (unsigned long long)(a->max_memory >> 20));
		}
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
		return query_error(st, a);
	return 0;
}

static int help(void)
{
	return command_help(&cmd_sql);
}

/* The value of option `name` at argv[*i] ("--name V" or "--name=V"),
 * *i moved past it; NULL when argv[*i] is not that option; "" when its
 * value is missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	return *i + 1 < argc ? argv[++*i] : "";
}

/* A limit's value: seconds (fractions allowed) or MiB, 0 for none. */
static int parse_limit(const char *v, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	return end == v || *end || errno || !(*out >= 0) || *out > max ? -1 : 0;
}

/*
 * FILE, SQL, the PARAMs and the limits: -1 to go on, else the exit
 * status. The options stand before the SQL; all that follows it is
 * PARAMs, whatever it looks like.
 */
static int parse_args(int argc, char **argv, struct sql_args *a)
{
	const char *v;
	double mib = SQL_MEMORY_DEFAULT;
	int i, npos = 0;

	a->timeout = SQL_TIMEOUT_DEFAULT;
	for (i = 1; i < argc && npos < 2; i++) {
		if (!strcmp(argv[i], "--help"))
			return help();
		if ((v = opt_value(argc, argv, &i, "--timeout"))) {
			if (parse_limit(v, 1e7, &a->timeout) < 0)
				return usage_error("bad --timeout '%s': expected"
						   " seconds, 0 for none", v);
		} else if ((v = opt_value(argc, argv, &i, "--max-memory"))) {
			if (parse_limit(v, 1 << 22, &mib) < 0 || mib != (uint64_t)mib)
				return usage_error("bad --max-memory '%s': expected"
						   " MiB, 0 for none", v);
		} else if (npos++ == 0) {
			a->file = argv[i];
		} else {
			a->sql = argv[i];
		}
	}
	if (npos < 2)
		return usage_error("sql takes FILE and one SQL statement");
	a->max_memory = (uint64_t)mib << 20;
	a->params = argv + i;
	a->nparams = argc - i;
	return -1;
}

/*
 * Open FILE for a query: the mappings table, the columns of this
 * format, then the authorizer, no ATTACH, and the limits; prepare the
 * one statement and bind its PARAMs. 0, -1 (printed) or 2 (usage).
 */
static int open_query(struct store *st, struct sql_args *a, sqlite3_stmt **q)
{
	int n, i;

	if (a->max_memory)
		sqlite3_hard_heap_limit64((sqlite3_int64)a->max_memory);
	if (store_open(st, a->file, STORE_READ) < 0)
		return -1;
	sqlite3_limit(st->db, SQLITE_LIMIT_ATTACHED, 0);
	/*
	 * Connect the eponymous table before the authorizer is on: declaring
	 * its columns asks for an UPDATE of sqlite_master, which the
	 * authorizer would refuse. It stays connected for the connection.
	 */
	if (mappings_register(st->db) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT 1 FROM mappings", -1, q,
			       NULL) != SQLITE_OK)
		return store_error(st, "add the mappings table to");
	sqlite3_finalize(*q);
	*q = NULL;
	if (add_compat_views(st) < 0)
		return -1;
	sqlite3_set_authorizer(st->db, authorize, NULL);
	if (prepare_one(st, a->sql, q) < 0)
		return -1;
	n = sqlite3_bind_parameter_count(*q);
	if (n != a->nparams)
		return usage_error("the statement takes %d parameter%s, %d given",
				   n, n == 1 ? "" : "s", a->nparams);
	for (i = 0; i < n; i++)
		bind_arg(*q, i + 1, a->params[i]);
	set_limits(st->db, a);
	return 0;
}

static int run_sql(int argc, char **argv, const struct out_opts *out)
{
	struct sql_args a = { 0 };
	sqlite3_stmt *q = NULL;
	struct store st = { 0 };
	struct table t = { 0 };
	struct col *cols = NULL;
	char **names = NULL;
	int i, ncols = 0, ret;

	if ((ret = parse_args(argc, argv, &a)) >= 0)
		return ret;
	if ((ret = open_query(&st, &a, &q)) != 0) {
		ret = ret < 0 ? 1 : ret;
		goto out;
	}
	ret = 1;
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
		ret = sqlite3_reset(q) == SQLITE_OK ? 0 : -query_error(&st, &a);
	} else if (collect(&st, q, &t, cols, &a) < 0) {
		table_release(&t);
	} else {
		ret = print_table(&t, out);
	}
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
	"sql", "sql [--timeout SECS] [--max-memory MIB] FILE SQL [PARAM...]",
	run_sql, 0, OUTPUT_ALL & ~(OUTPUT_HUMAN | OUTPUT_PERCENT),
};
