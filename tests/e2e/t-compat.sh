# t-compat.sh - the files of every earlier format step (tests/compat/)
# read the same with this build; a capture into one upgrades it, losing
# nothing; and a build one step ahead (make future: a column, a table and
# an index more) and this one read each other's files.
. "$ROOT/tests/e2e/lib.sh"

FUT=$BUILD/future
[ -x "$FUT/mapsnap-analyze" ] && [ -x "$FUT/mapsnap-capture" ] ||
	fail "no build one format step ahead: run 'make future'"
# the formats of the two builds ("1.1"), their minors, the release
format_of() { "$1/mapsnap-analyze" --version | sed 's/.*(format \(.*\))$/\1/'; }
NOW=$(format_of "$BUILD") NEXT=$(format_of "$FUT")
REL=$("$ANALYZE" --version | sed 's/^mapsnap-analyze \([^ ]*\) .*/\1/')
[ "${NOW%.*}" = "${NEXT%.*}" ] && [ "${NEXT#*.}" -eq $((${NOW#*.} + 1)) ] ||
	fail "the future build ($NEXT) is not one minor after this one ($NOW)"
minor_row() { [ "${1#*.}" -eq 0 ] || echo "${1#*.}"; }

# same_outputs GOLDEN OUT [EXCLUDE]: the command outputs equal the goldens
same_outputs() {
	if ! diff -r ${3:+-x "$3"} "$1" "$2" >"$T/diff"; then
		head -60 "$T/diff" >&2
		fail "$2 differs from $1"
	fi
}

# rows DB [SQL]: every row of every table of DB, one line each, quoted
# (blobs in hex), sorted; with SQL, the row lists that SQL names (made
# by cols_sql on the file before its upgrade, so only its old columns)
cols_sql() {
	sqlite3 "$1" "SELECT 'SELECT ''' || m.name || '|'' || ' ||
		group_concat('quote(\"' || p.name || '\")', ' || ''|'' || ') ||
		' FROM \"' || m.name || '\";' FROM sqlite_schema AS m,
		pragma_table_info(m.name) AS p WHERE m.type = 'table'
		GROUP BY m.name ORDER BY m.name"
}
# (but the format's minor, which an upgrade raises: checked below)
rows() { sqlite3 -readonly "$1" <"$2" | grep -v "^meta|'format_minor'|" |
	LC_ALL=C sort; }

n=0
for d in "$ROOT"/tests/compat/*/; do
	step=$(basename "$d")
	# 1. this build prints what the build of that step printed
	"$ROOT/tests/compat/run-commands" "$d" "$T/now/$step" ||
		fail "run-commands failed on $d"
	same_outputs "$d/golden" "$T/now/$step"
	# and so does the build one step ahead, but for redact, which has
	# no rule for its new column and refuses to copy it, as it must
	BUILD=$FUT "$ROOT/tests/compat/run-commands" "$d" "$T/fut/$step" ||
		fail "run-commands (future) failed on $d"
	same_outputs "$d/golden" "$T/fut/$step" redact
	grep -q "does not know whether processes.future_kb may hold a secret" \
		"$T/fut/$step/samples/redact" || fail "future redact did not refuse"

	for db in "$d"/*.db; do
		name=$(basename "$db" .db)
		for b in "$BUILD" "$FUT"; do
			# 2. a capture into a copy upgrades it to b's format
			rm -rf "$T/u" && mkdir -p "$T/u"
			cp "$db" "$T/u/$name.db"
			cols_sql "$T/u/$name.db" >"$T/cols.sql"
			rows "$T/u/$name.db" "$T/cols.sql" >"$T/before"
			expect_exit 0 "$b/mapsnap-capture" -q -o "$T/u/$name.db" \
				--proc "$ROOT/samples/edge/proc" --host upgraded
			rows "$T/u/$name.db" "$T/cols.sql" >"$T/after"
			LC_ALL=C comm -23 "$T/before" "$T/after" >"$T/lost"
			[ ! -s "$T/lost" ] || { head "$T/lost" >&2
				fail "$b: rows of $step/$name.db changed or lost"; }
			expect_exit 0 "$b/mapsnap-analyze" check "$T/u/$name.db"
			minor=$(sqlite3 "$T/u/$name.db" "SELECT value FROM meta
				WHERE key = 'format_minor'")
			[ "$minor" = "$(minor_row "$([ "$b" = "$FUT" ] && echo "$NEXT" || echo "$NOW")")" ] ||
				fail "$b: $name.db upgraded to minor '$minor'"
			# 3. its old snapshots still show as they did, with
			# either build, whichever upgraded it
			grep -E '^(ps|libs|pmap|pmap-x|pmap-X|pmap-d|maps|smaps|showmap)-[0-9]' \
				"$d/$name.commands" >"$T/u/$name.commands" || continue
			for r in "$BUILD" "$FUT"; do
				rm -rf "$T/o"
				BUILD=$r "$ROOT/tests/compat/run-commands" "$T/u" "$T/o" ||
					fail "run-commands failed on the upgraded $name.db"
				for f in "$T/o/$name"/*; do
					expect_cmp "$d/golden/$name/$(basename "$f")" "$f"
					n=$((n + 1))
				done
			done
		done
		# 4. this build reads a file of the next minor, but writes
		# nothing into it, nor from it: that would lose its new column
		expect_exit 1 "$BUILD/mapsnap-capture" -q -o "$T/u/$name.db" \
			--proc "$ROOT/samples/edge/proc"
		expect_grep "has format ${NEXT//./\\.}, newer than this mapsnap \($REL\) writes \(${NOW//./\\.}\)" \
			"$T/err"
		expect_exit 1 "$BUILD/mapsnap-analyze" merge -q "$T/m.db" "$T/u/$name.db"
		expect_grep "cannot merge .*: it has format ${NEXT//./\\.}, newer than" "$T/err"
		[ ! -e "$T/m.db" ] || fail "a refused merge left its OUT"
		expect_exit 1 "$BUILD/mapsnap-analyze" redact -q "$T/u/$name.db" "$T/r.db"
		expect_grep "cannot redact .*: it has format ${NEXT//./\\.}, newer than" "$T/err"
	done
done
[ "$n" -ge 100 ] || fail "only $n outputs of upgraded files compared"

# the upgraded layout is the one a new file gets: tables, columns (names,
# types, constraints, defaults, keys, in order) and indexes
layout() {
	sqlite3 "$1" "SELECT m.type, m.name, m.tbl_name, p.cid, p.name, p.type,
		p.\"notnull\", p.dflt_value, p.pk FROM sqlite_schema AS m
		LEFT JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table'
		UNION ALL SELECT type, name, tbl_name, sql, 0, 0, 0, 0, 0
		FROM sqlite_schema WHERE type = 'index' ORDER BY 1, 2, 4"
}
cp "$ROOT/tests/compat/1.0/samples.db" up.db
for f in new.db up.db; do
	"$FUT/mapsnap-capture" -q -o $f --proc "$ROOT/samples/edge/proc" ||
		fail "the future build cannot capture into $f"
done
layout new.db >want
layout up.db >got
expect_cmp want got

# 5. what an older file lacks reads as NULL, in SQL too
db=$ROOT/tests/compat/1.0/samples.db
expect_exit 0 "$FUT/mapsnap-analyze" --csv sql "$db" \
	"SELECT count(*), count(future_kb) FROM processes"
printf 'count(*),count(future_kb)\r\n17,0\r\n' >want
expect_cmp want "$T/out"
expect_exit 0 "$FUT/mapsnap-analyze" --csv sql "$db" "SELECT count(*) FROM future"
printf 'count(*)\r\n0\r\n' >want
expect_cmp want "$T/out"

# 6. a file claiming a newer minor: its additions are ignored if they
# are plain tables, columns and indexes, and refused if they can run code
# (a newer minor has every step of this one: x.db is upgraded first)
cp "$db" x.db
expect_exit 0 "$CAPTURE" -q -o x.db --proc "$ROOT/samples/edge/proc"
sqlite3 x.db "INSERT OR REPLACE INTO meta VALUES ('format_minor', '70');
	CREATE TABLE later (snapshot_id INTEGER, note TEXT);
	CREATE INDEX later_by_note ON later (note);
	ALTER TABLE processes ADD COLUMN later_kb INTEGER;
	UPDATE processes SET later_kb = 1"
expect_exit 0 "$ANALYZE" ps x.db --snapshot 1
sed 1,2d "$ROOT/tests/compat/1.0/golden/samples/ps-1" >want
expect_cmp want "$T/out"
expect_exit 0 "$ANALYZE" check x.db
expect_exit 1 "$CAPTURE" -q -o x.db --proc "$ROOT/samples/edge/proc"
expect_grep "'x.db' has format 1\.70, newer than this mapsnap \($REL\) writes \(${NOW//./\\.}\): upgrade mapsnap" "$T/err"
sqlite3 x.db "CREATE VIEW later_view AS SELECT * FROM later"
expect_exit 1 "$ANALYZE" ps x.db
expect_grep "its schema has view 'later_view', which mapsnap does not make" "$T/err"
sqlite3 x.db "DROP VIEW later_view; CREATE INDEX later_abs ON later (abs(snapshot_id))"
expect_exit 1 "$ANALYZE" ps x.db
expect_grep "its index 'later_abs' is on an expression, which mapsnap does not make" "$T/err"
sqlite3 x.db "DROP INDEX later_abs; CREATE INDEX later_some ON later (note) WHERE note > ''"
expect_exit 1 "$ANALYZE" ps x.db
expect_grep "its index 'later_some' is partial, which mapsnap does not make" "$T/err"
cp "$db" x.db
sqlite3 x.db "INSERT INTO meta VALUES ('format_minor', 'soon')"
expect_exit 1 "$ANALYZE" list x.db
echo "mapsnap-analyze: 'x.db' is damaged: its format_minor is 'soon', not a number" >want
expect_cmp want "$T/err"
# a file of this minor holds only what this build makes
cp "$db" x.db
sqlite3 x.db "CREATE TABLE later (note TEXT)"
expect_exit 1 "$ANALYZE" list x.db
expect_grep "its schema has table 'later', which mapsnap does not make" "$T/err"
# and a newer major is refused, naming both versions
cp "$db" x.db
sqlite3 x.db "PRAGMA user_version = 2"
expect_exit 1 "$ANALYZE" list x.db
echo "mapsnap-analyze: 'x.db' has format 2, newer than this mapsnap ($REL) reads ($NOW): upgrade mapsnap" >want
expect_cmp want "$T/err"
exit 0
