/* test_sink.c - table-driven tests of the output sink: every kind of cell
 * in every format (NULLs, CSV quoting, JSON escapes), and whole documents. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"

/* One call on a sink. */
enum op { C_NULL, C_INT, C_TEXT, C_TIME, C_KB, C_RULE, C_END, C_STOP };

struct call {
	enum op op;
	int64_t v, base;	/* C_INT, C_TIME, C_KB: the value; base: -p's */
	const char *s;		/* C_TEXT: n bytes, NULs allowed */
	size_t n;
};

#define TEXT(lit) { C_TEXT, 0, 0, lit, sizeof(lit) - 1 }
#define END { C_END, 0, 0, NULL, 0 }
#define STOP { C_STOP, 0, 0, NULL, 0 }

enum { HUMAN = 1, PERCENT = 2 };

/* Run calls on a sink of format over cols; what it wrote, caller frees. */
static char *run(enum out_format format, int flags,
		 const struct sink_col *cols, size_t ncols,
		 const struct call *calls, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	struct sink s;

	assert_non_null(f);
	sink_init(&s, format, f, cols, ncols);
	s.human = flags & HUMAN;
	s.percent = (flags & PERCENT) != 0;
	for (; calls->op != C_STOP; calls++) {
		switch (calls->op) {
		case C_NULL: sink_null(&s); break;
		case C_INT: sink_int(&s, calls->v); break;
		case C_TEXT: sink_text(&s, calls->s, calls->n); break;
		case C_TIME: sink_time(&s, calls->v); break;
		case C_KB: sink_kb(&s, calls->v, calls->base); break;
		case C_RULE: sink_rule(&s); break;
		case C_END: sink_end_row(&s); break;
		case C_STOP: break;
		}
	}
	sink_finish(&s);
	sink_release(&s);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void expect_bytes(const char *what, const char *got, size_t got_len,
			 const char *want, size_t want_len)
{
	if (got_len != want_len || memcmp(got, want, want_len))
		fail_msg("%s: got [%.*s] (%zu bytes), want [%.*s] (%zu bytes)",
			 what, (int)got_len, got, got_len, (int)want_len, want,
			 want_len);
}

/*
 * One cell in a one-column text table, in each format: the table's cell,
 * the CSV field, and the JSON value (the same in a JSON array and in
 * JSON lines). The cell is framed here: "V\n%s\n", "v\r\n%s\r\n", ...
 */
static const struct {
	struct call c;
	int flags;
	const char *table, *csv, *json;
	size_t csv_len;		/* when the field holds a NUL; else 0 */
} cells[] = {
	{ { C_NULL, 0, 0, NULL, 0 }, 0, "-", "", "null", 0 },
	{ { C_INT, 42, 0, NULL, 0 }, 0, "42", "42", "42", 0 },
	{ { C_INT, -7, 0, NULL, 0 }, 0, "-7", "-7", "-7", 0 },
	{ { C_INT, INT64_MIN, 0, NULL, 0 }, 0, "-9223372036854775808",
	  "-9223372036854775808", "-9223372036854775808", 0 },
	{ TEXT(""), 0, "", "", "\"\"", 0 },
	{ TEXT("plain"), 0, "plain", "plain", "\"plain\"", 0 },
	{ TEXT("a,b"), 0, "a,b", "\"a,b\"", "\"a,b\"", 0 },
	{ TEXT("say \"hi\""), 0, "say \"hi\"", "\"say \"\"hi\"\"\"",
	  "\"say \\\"hi\\\"\"", 0 },
	{ TEXT("two\r\nlines"), 0, "two??lines", "\"two\r\nlines\"",
	  "\"two\\u000d\\u000alines\"", 0 },
	{ TEXT("cr\ronly"), 0, "cr?only", "\"cr\ronly\"", "\"cr\\u000donly\"", 0 },
	{ TEXT("tab\there"), 0, "tab?here", "tab\there", "\"tab\\u0009here\"", 0 },
	{ TEXT("esc\x1b[31m"), 0, "esc?[31m", "esc\x1b[31m",
	  "\"esc\\u001b[31m\"", 0 },
	{ TEXT("del\x7f"), 0, "del?", "del\x7f", "\"del\\u007f\"", 0 },
	{ TEXT("back\\slash"), 0, "back\\slash", "back\\slash",
	  "\"back\\\\slash\"", 0 },
	{ TEXT("a\0b"), 0, "a", "a\0b", "\"a\\u0000b\"", 3 },
	{ TEXT("caf\xc3\xa9"), 0, "caf\xc3\xa9", "caf\xc3\xa9",
	  "\"caf\xc3\xa9\"", 0 },
	{ TEXT("\xf0\x9f\x98\x80"), 0, "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80",
	  "\"\xf0\x9f\x98\x80\"", 0 },
	/* a byte that is not UTF-8 is '?' to the table: 0x9b alone is CSI
	 * to a terminal of 8-bit characters */
	{ TEXT("x\xffy"), 0, "x?y", "x\xffy", "\"x\\ufffdy\"", 0 },
	{ TEXT("cut\xc3"), 0, "cut?", "cut\xc3", "\"cut\\ufffd\"", 0 },
	{ TEXT("\xc0\xaf"), 0, "??", "\xc0\xaf", "\"\\ufffd\\ufffd\"", 0 },
	{ TEXT("\xed\xa0\x80"), 0, "???", "\xed\xa0\x80",
	  "\"\\ufffd\\ufffd\\ufffd\"", 0 },
	{ TEXT("\xf4\x90\x80\x80"), 0, "????", "\xf4\x90\x80\x80",
	  "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", 0 },
	{ TEXT("csi\x9b""31m"), 0, "csi?31m", "csi\x9b""31m",
	  "\"csi\\ufffd31m\"", 0 },
	/* C1 (U+009B is CSI too, U+0085 a newline) and the bidirectional
	 * controls (U+202E turns what follows around) */
	{ TEXT("csi\xc2\x9b""31m"), 0, "csi?31m", "csi\xc2\x9b""31m",
	  "\"csi\xc2\x9b""31m\"", 0 },
	{ TEXT("nel\xc2\x85"), 0, "nel?", "nel\xc2\x85", "\"nel\xc2\x85\"", 0 },
	{ TEXT("\xe2\x80\xaetxt.exe"), 0, "?txt.exe", "\xe2\x80\xaetxt.exe",
	  "\"\xe2\x80\xaetxt.exe\"", 0 },
	{ TEXT("nbsp\xc2\xa0"), 0, "nbsp\xc2\xa0", "nbsp\xc2\xa0",
	  "\"nbsp\xc2\xa0\"", 0 },
	{ { C_TIME, 0, 0, NULL, 0 }, 0, "1970-01-01 00:00:00 UTC",
	  "1970-01-01T00:00:00.000000Z", "\"1970-01-01T00:00:00.000000Z\"", 0 },
	{ { C_TIME, INT64_C(1700000000123456), 0, NULL, 0 }, 0,
	  "2023-11-14 22:13:20 UTC", "2023-11-14T22:13:20.123456Z",
	  "\"2023-11-14T22:13:20.123456Z\"", 0 },
	{ { C_KB, 1536, 0, NULL, 0 }, 0, "1536", "1536", "1536", 0 },
	{ { C_KB, 1536, 0, NULL, 0 }, HUMAN, "1.5M", "1.5M", "1536", 0 },
	{ { C_KB, 0, 0, NULL, 0 }, HUMAN, "0", "0", "0", 0 },
	{ { C_KB, 512, 0, NULL, 0 }, HUMAN, "512.0K", "512.0K", "512", 0 },
	{ { C_KB, INT64_C(3) << 40, 0, NULL, 0 }, HUMAN, "3.0P", "3.0P",
	  "3298534883328", 0 },
	{ { C_KB, 50, 200, NULL, 0 }, PERCENT, "25.00%", "25.00", "25.00", 0 },
	{ { C_KB, 50, 0, NULL, 0 }, PERCENT, "N/A", "", "null", 0 },
	{ { C_KB, 1536, 2048, NULL, 0 }, HUMAN | PERCENT, "1.5M", "1.5M",
	  "75.00", 0 },
};

/* Cell i of cells[] alone in a table of format, against want. */
static void check_cell(size_t i, enum out_format format, const char *want,
		       size_t n)
{
	static const struct sink_col col[] = { { "v", 0, 0 } };
	const struct call calls[] = { cells[i].c, END, STOP };
	char what[64];
	size_t len;
	char *got = run(format, cells[i].flags, col, 1, calls, &len);

	snprintf(what, sizeof(what), "cell %zu in format %d", i, (int)format);
	expect_bytes(what, got, len, want, n);
	free(got);
}

static void test_cells(void **state)
{
	char want[256];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		n = cells[i].csv_len ? cells[i].csv_len : strlen(cells[i].csv);
		memcpy(want, "v\r\n", 3);
		memcpy(want + 3, cells[i].csv, n);
		memcpy(want + 3 + n, "\r\n", 2);
		check_cell(i, OUT_CSV, want, n + 5);
		n = (size_t)snprintf(want, sizeof(want), "V\n%s\n", cells[i].table);
		check_cell(i, OUT_TABLE, want, n);
		n = (size_t)snprintf(want, sizeof(want), "[\n {\"v\": %s}\n]\n",
				     cells[i].json);
		check_cell(i, OUT_JSON, want, n);
		n = (size_t)snprintf(want, sizeof(want), "{\"v\": %s}\n",
				     cells[i].json);
		check_cell(i, OUT_JSONL, want, n);
	}
}

/* Whole documents: headers, several rows, none, the table's layout. */
static const struct sink_col two[] = { { "id", 1, 0 }, { "a,b", 0, 0 } };
static const struct sink_col wide[] = {
	{ "n", 1, 0 }, { "name", 0, 6 }, { "note", 0, 0 },
};
static const struct sink_col hostile[] = { { "x\x01y", 0, 0 } };

static const struct call none[] = { STOP };
static const struct call rows2[] = {
	{ C_INT, 1, 0, NULL, 0 }, TEXT("x"), END,
	{ C_INT, 22, 0, NULL, 0 }, { C_NULL, 0, 0, NULL, 0 }, END, STOP,
};
static const struct call rows3[] = {
	{ C_INT, 5, 0, NULL, 0 }, TEXT("abcdefghij"), TEXT("x"), END,
	{ C_INT, 123, 0, NULL, 0 }, TEXT("ab"), { C_NULL, 0, 0, NULL, 0 }, END,
	{ C_RULE, 0, 0, NULL, 0 },
	{ C_INT, 128, 0, NULL, 0 }, TEXT("total"), TEXT("y"), END, STOP,
};
static const struct call row1[] = { TEXT("v"), END, STOP };
/* a cut counts characters and never splits one; widths count them too */
static const struct call rows_utf8[] = {
	{ C_INT, 1, 0, NULL, 0 }, TEXT("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
	TEXT("x"), END,
	{ C_INT, 2, 0, NULL, 0 }, TEXT("\xe2\x82\xac""5"), TEXT("y"), END, STOP,
};

static const struct {
	enum out_format format;
	const struct sink_col *cols;
	size_t ncols;
	const struct call *calls;
	const char *want;
} docs[] = {
	{ OUT_TABLE, two, 2, none, "ID A,B\n" },
	{ OUT_CSV, two, 2, none, "id,\"a,b\"\r\n" },
	{ OUT_JSON, two, 2, none, "[]\n" },
	{ OUT_JSONL, two, 2, none, "" },
	{ OUT_TABLE, two, 2, rows2, "ID A,B\n 1 x\n22 -\n" },
	{ OUT_CSV, two, 2, rows2, "id,\"a,b\"\r\n1,x\r\n22,\r\n" },
	{ OUT_JSON, two, 2, rows2,
	  "[\n {\"id\": 1, \"a,b\": \"x\"},\n {\"id\": 22, \"a,b\": null}\n]\n" },
	{ OUT_JSONL, two, 2, rows2,
	  "{\"id\": 1, \"a,b\": \"x\"}\n{\"id\": 22, \"a,b\": null}\n" },
	/* figures right, text left, the last column unpadded, a cut at the
	 * column's width, a rule as wide as the table over the last row */
	{ OUT_TABLE, wide, 3, rows3,
	  "  N NAME   NOTE\n"
	  "  5 abc... x\n"
	  "123 ab     -\n"
	  "---------------\n"
	  "128 total  y\n" },
	/* the rule and the width are the table's: CSV carries it all */
	{ OUT_CSV, wide, 3, rows3,
	  "n,name,note\r\n5,abcdefghij,x\r\n123,ab,\r\n128,total,y\r\n" },
	{ OUT_TABLE, wide, 3, rows_utf8,
	  "N NAME   NOTE\n"
	  "1 \xc3\xa9\xc3\xa9\xc3\xa9... x\n"
	  "2 \xe2\x82\xac""5     y\n" },
	/* a header cannot drive the terminal either */
	{ OUT_TABLE, hostile, 1, row1, "X?Y\nv\n" },
	{ OUT_JSON, hostile, 1, row1, "[\n {\"x\\u0001y\": \"v\"}\n]\n" },
};

static void test_documents(void **state)
{
	char what[32];
	size_t i, len;
	char *got;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		snprintf(what, sizeof(what), "document %zu", i);
		got = run(docs[i].format, 0, docs[i].cols, docs[i].ncols,
			  docs[i].calls, &len);
		expect_bytes(what, got, len, docs[i].want, strlen(docs[i].want));
		free(got);
	}
}

/* A table with `screen`: the name columns share what the others leave,
 * a short name keeps what it needs, a cut keeps the script's name. */
static void test_screen(void **state)
{
	static const struct sink_col cols[] = {
		{ "pid", 1, 0 }, { "command", 0, SINK_FIT }, { "pss", 1, 0 },
		{ "map", 0, SINK_FIT },
	};
	static const char *const want[] = {
		/* 60 - 3 - 4 - 3 blanks = 50 for the names, 25 each: "map"
		 * needs 22, "command" gets 28 and its cut 24 */
		"PID COMMAND                   PSS MAP\n"
		"  1 python3 ...pyleak.py --x 1234 /usr/lib/libc.so.6\n"
		" 22 sleep 60                    5 /usr/lib/ld-linux.so.2\n",
		/* 30 for the names: 15 each, but SINK_NAME_MIN (20) */
		"PID COMMAND           PSS MAP\n"
		"  1 ...pyleak.py --x 1234 /usr/lib/libc.so.6\n"
		" 22 sleep 60            5 /usr...ld-linux.so.2\n",
	};
	static const size_t screens[] = { 60, 40 };
	size_t i, len;

	(void)state;
	for (i = 0; i < 2; i++) {
		char *out = NULL;
		FILE *f = open_memstream(&out, &len);
		struct sink s;

		assert_non_null(f);
		sink_init(&s, OUT_TABLE, f, cols, 4);
		s.screen = screens[i];
		sink_int(&s, 1);
		sink_text(&s, "/opt/py/bin/python3 /srv/pyleak.py --x", 38);
		sink_int(&s, 1234);
		sink_text(&s, "/usr/lib/libc.so.6", 18);
		sink_end_row(&s);
		sink_int(&s, 22);
		sink_text(&s, "sleep 60", 8);
		sink_int(&s, 5);
		sink_text(&s, "/usr/lib/ld-linux.so.2", 22);
		sink_end_row(&s);
		sink_finish(&s);
		sink_release(&s);
		assert_int_equal(fclose(f), 0);
		expect_bytes("screen", out, len, want[i], strlen(want[i]));
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_screen),
	};

	/* a table shows local time: UTC's here (test_when.c tries zones) */
	if (setenv("TZ", "UTC", 1) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
