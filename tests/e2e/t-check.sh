# t-check.sh - check: ok on clean files (captured, merged), one line per
# problem naming the table, the row or blob and the cause on damaged ones,
# also on rows that break what schema.sql's constraints promise in tables
# that declare none; a hostile schema refused by every command; usage and
# open errors.
. "$ROOT/tests/e2e/lib.sh"

cap() { expect_exit 0 "$CAPTURE" -q "$@"; }
cap -o a.db --proc "$ROOT/samples/real/proc" --host alpha -l r1
cap -o a.db --proc "$ROOT/samples/edge/proc" --host alpha -l e1
cap -o b.db --proc "$ROOT/samples/old/proc" --host beta --maps-only
expect_exit 0 "$ANALYZE" merge -q m.db a.db b.db

# --- clean files --------------------------------------------------------------
# the figures, counted apart by sqlite3
q() { sqlite3 "$1" "$2"; }
for f in a.db b.db m.db; do
	expect_exit 0 "$ANALYZE" check "$f"
	printf '%s: ok: %s snapshots, %s processes, %s blobs (%s bytes of text) checked\n' \
		"$f" "$(q $f 'SELECT count(*) FROM snapshots')" \
		"$(q $f 'SELECT count(*) FROM processes')" \
		"$(q $f 'SELECT count(*) FROM blobs')" \
		"$(q $f 'SELECT sum(raw_size) FROM blobs')" >want
	expect_cmp want out
	[ ! -s err ] || fail "check wrote to stderr: $(cat err)"
done
expect_exit 0 "$ANALYZE" check -q m.db
[ ! -s out ] && [ ! -s err ] || fail "check -q is not quiet: $(cat out err)"
# check prints one line, not rows: an output option is a usage error
expect_exit 2 "$ANALYZE" --json check --quiet a.db
expect_grep "^mapsnap-analyze: check does not take --json$" err
[ ! -s out ] || fail "--json check printed: $(cat out)"

# --- usage -----------------------------------------------------------------
expect_exit 0 "$ANALYZE" check --help
expect_grep '^usage: mapsnap-analyze .*check \[-q | --quiet\] FILE$' out
expect_exit 2 "$ANALYZE" check
expect_grep "check takes one FILE" err
expect_exit 2 "$ANALYZE" check a.db b.db
expect_exit 2 "$ANALYZE" check --bogus a.db
expect_grep "try 'mapsnap-analyze --help'" err
"$ANALYZE" --help | grep -q '^  check \[-q\] FILE$' || fail "--help does not list check"

# --- files that do not open --------------------------------------------------
expect_exit 1 "$ANALYZE" check nope.db
echo "mapsnap-analyze: cannot open 'nope.db': No such file or directory" >want
expect_cmp want err
echo 'not a database' >text.db
expect_exit 1 "$ANALYZE" check text.db
expect_grep "^mapsnap-analyze: .*'text.db'.*not a database" err

# --- damages: exact messages -------------------------------------------------
# damage SQL: a.db's copy x.db with SQL applied (CHECK constraints off, as
# a hostile writer has them)
damage() {
	cp a.db x.db
	python3 - "$1" <<'EOF' || fail "cannot damage x.db"
import sqlite3, sys
db = sqlite3.connect("x.db", isolation_level=None)
db.execute("PRAGMA ignore_check_constraints = ON")
db.executescript(sys.argv[1])
EOF
}
# The ids the messages name
text4188=$(q a.db "SELECT text_blob FROM processes WHERE pid = 4188 AND snapshot_id = 1")
stat4190=$(q a.db "SELECT stat_blob FROM processes WHERE pid = 4190 AND snapshot_id = 1")
nblobs=$(q a.db "SELECT count(*) FROM blobs")
summary() {	# N: the closing line for N problems
	local s=s
	[ "$1" -eq 1 ] && s=
	echo "mapsnap-analyze: 'x.db': $1 problem$s found (2 snapshots, 9 processes, $nblobs blobs checked)"
}

damage "UPDATE blobs SET hash = zeroblob(16) WHERE id = $text4188;
	UPDATE blobs SET raw_size = raw_size + 1 WHERE id = $stat4190"
expect_exit 1 "$ANALYZE" check x.db
{
	echo "mapsnap-analyze: 'x.db': blob $stat4190 inflates to $(q a.db "SELECT raw_size FROM blobs WHERE id = $stat4190") bytes, not the $(($(q a.db "SELECT raw_size FROM blobs WHERE id = $stat4190") + 1)) stored"
	echo "mapsnap-analyze: 'x.db': blob $text4188 does not match its hash"
	summary 2
} | sort >want
sort err >got
expect_cmp want got
[ ! -s out ] || fail "check printed ok on a damaged file"
# the other commands name the blob too, and show the rest
expect_exit 1 "$ANALYZE" libs x.db --snapshot @r1
expect_grep "^mapsnap-analyze: 'x.db': blob $text4188 does not match its hash$" err
expect_grep '/usr/lib' out
expect_exit 0 "$ANALYZE" ps x.db --snapshot @r1

damage "DELETE FROM hosts; UPDATE processes SET text_blob = 4242 WHERE pid = 4190;
	DELETE FROM processes WHERE pid = 1200; UPDATE skips SET count = 7;
	UPDATE processes SET text_kind = 'bogus', rss_kb = -3 WHERE pid = 4192;
	UPDATE processes SET pss_kb = '12kB' WHERE pid = 4193;
	DELETE FROM meta WHERE key = 'format'"
expect_exit 1 "$ANALYZE" check x.db
sed 's/^/mapsnap-analyze: '\''x.db'\'': /' >want <<'EOF'
snapshots (id 1): host_id 1 is not in hosts
snapshots (id 2): host_id 1 is not in hosts
processes (snapshot_id 1, pid 4190): text_blob 4242 is not in blobs
processes (snapshot_id 1, pid 4192): rss_kb is -3, below 0
processes (snapshot_id 1, pid 4192): text_kind 'bogus' fails CHECK (text_kind IN ('smaps', 'maps', 'rollup'))
processes (snapshot_id 1, pid 4193): pss_kb is text, not integer
snapshots (id 2): procs_captured is 4 but it has 3 processes
snapshots (id 2): procs_skipped is 1 but its skips add up to 7
meta: format is not 'mapsnap'
EOF
echo "mapsnap-analyze: 'x.db': 9 problems found (2 snapshots, 8 processes, $nblobs blobs checked)" >>want
expect_cmp want err

# a row that points at another valid text, or whose figure changed: the
# figures are summed from the text at capture, and must still be
damage "UPDATE processes SET text_blob = stat_blob WHERE pid = 4188;
	UPDATE processes SET pss_kb = pss_kb + 1 WHERE pid = 1200"
expect_exit 1 "$ANALYZE" check x.db
{
	echo "mapsnap-analyze: 'x.db': processes (snapshot_id 1, pid 4188): its text is not maps or smaps, yet nmaps is $(q a.db 'SELECT nmaps FROM processes WHERE pid = 4188')"
	echo "mapsnap-analyze: 'x.db': processes (snapshot_id 2, pid 1200): pss_kb is $(($(q a.db 'SELECT pss_kb FROM processes WHERE pid = 1200') + 1)) but its text sums to $(q a.db 'SELECT pss_kb FROM processes WHERE pid = 1200')"
	summary 2
} >want
expect_cmp want err
# maps-only, --rollup and --import rows have figures of their own kinds
sleep 300 & sp=$!
trap 'kill $sp 2>/dev/null; rm -rf "$T"' EXIT
cap -o r.db --host live --rollup $sp
cap -o r.db --import "$ROOT/samples/real/proc/4188/smaps" --pid 7
expect_exit 0 "$ANALYZE" check -q r.db
expect_exit 0 "$ANALYZE" check -q b.db

# --- what schema.sql's constraints promise, in a file that declares none -----
# A stranger's file may lack the keys, UNIQUE, NOT NULL and CHECKs (the
# opener asks for the tables and columns only): check finds the rows that
# break them. lax SQL: x.db is a.db without them, with SQL applied.
lax() {
	python3 "$ROOT/tests/helpers/make-damaged" --lax a.db x.db "$1" ||
		fail "cannot make a lax x.db"
}
lax ""
expect_exit 0 "$ANALYZE" check -q x.db
expect_exit 0 "$ANALYZE" ps x.db --snapshot @r1
# ... but no writer adds to it: its rows would break them unseen
cp x.db lax.db
expect_exit 1 "$CAPTURE" -q -o lax.db --proc "$ROOT/samples/edge/proc"
expect_grep "^mapsnap-capture: cannot write to 'lax.db': it lacks what mapsnap's writers rely on, index .*: write to a new file$" err
expect_exit 1 "$ANALYZE" merge -q lax.db b.db
expect_grep "^mapsnap-analyze: cannot write to 'lax.db': it lacks what mapsnap's writers rely on" err
cmp -s x.db lax.db || fail "a refused writer changed the lax file"
sqlite3 x.db "CREATE INDEX snapshots_by_time ON snapshots (host_id, time_us)"
expect_exit 1 "$CAPTURE" -q -o x.db --proc "$ROOT/samples/edge/proc"
expect_grep "it lacks what mapsnap's writers rely on, index sqlite_autoindex_" err
# broken SQL LINE...: check fails on lax x.db with SQL, with these lines
broken() {
	local sql=$1 s=s
	shift
	[ $# -eq 1 ] && s=
	lax "$sql"
	expect_exit 1 "$ANALYZE" check x.db
	printf "mapsnap-analyze: 'x.db': %s\n" "$@" >want
	sed '$d' err >got
	expect_cmp want got
	expect_grep "^mapsnap-analyze: 'x.db': $# problem$s found \\(" err
	[ ! -s out ] || fail "check printed ok on a damaged file"
}
# every unique key: UNIQUE columns, composite and rowid primary keys
broken "UPDATE snapshots SET uuid = (SELECT min(uuid) FROM snapshots)" \
	"snapshots (uuid '$(q a.db 'SELECT min(uuid) FROM snapshots')'): 2 rows have this key, which must be unique"
hash4188=$(q a.db "SELECT hex(hash) FROM blobs WHERE id = $text4188")
broken "INSERT INTO blobs SELECT 1000, hash, raw_size, codec, data FROM blobs
	WHERE id = $text4188" \
	"blobs (hash X'$hash4188'): 2 rows have this key, which must be unique"
broken "INSERT INTO hosts SELECT 2, hostname, machine_id FROM hosts" \
	"hosts (hostname 'alpha', machine_id ''): 2 rows have this key, which must be unique"
broken "INSERT INTO processes SELECT * FROM processes WHERE snapshot_id = 1 AND pid = 4188;
	UPDATE snapshots SET procs_captured = procs_captured + 1 WHERE id = 1" \
	"processes (snapshot_id 1, pid 4188): 2 rows have this key, which must be unique"
broken "INSERT INTO skips SELECT snapshot_id, reason, 0 FROM skips WHERE snapshot_id = 2" \
	"skips (snapshot_id 2, reason 'kernel'): 2 rows have this key, which must be unique"
broken "INSERT INTO meminfo SELECT * FROM meminfo WHERE snapshot_id = 1 AND name = 'MemFree'" \
	"meminfo (snapshot_id 1, name 'MemFree'): 2 rows have this key, which must be unique"
broken "INSERT INTO meta VALUES ('format', 'mapsnap')" \
	"meta (key 'format'): 2 rows have this key, which must be unique"
broken "INSERT INTO snapshots SELECT * FROM snapshots WHERE id = 1;
	UPDATE snapshots SET uuid = '00000000' || substr(uuid, 9) WHERE rowid = last_insert_rowid()" \
	"snapshots (id 1): 2 rows have this key, which must be unique"
# NULL in a key, which schema.sql never allows, or in a NOT NULL column
broken "INSERT INTO hosts VALUES (NULL, 'ghost', '')" \
	"hosts (id NULL): id is null, not integer"
broken "UPDATE processes SET text_kind = NULL WHERE pid = 4190" \
	"processes (snapshot_id 1, pid 4190): text_kind is null, not text"
# a snapshot without an id: its rows lose it, and every rule names it
lax "UPDATE snapshots SET id = NULL WHERE id = 2"
expect_exit 1 "$ANALYZE" check x.db
expect_grep "^mapsnap-analyze: 'x.db': snapshots \(id NULL\): id is null, not integer$" err
expect_grep "^mapsnap-analyze: 'x.db': processes \(snapshot_id 2, pid 1200\): snapshot_id 2 is not in snapshots$" err
expect_grep "^mapsnap-analyze: 'x.db': snapshots \(id NULL\): procs_captured is 4 but it has 0 processes$" err
! grep -q 'a row with no key' err || fail "check names a row by nothing: $(cat err)"
# every CHECK; the blob's reader says first what it makes of the same row
broken "UPDATE blobs SET hash = substr(hash, 1, 15) WHERE id = $text4188" \
	"blob $text4188 has no valid codec or hash" \
	"blobs (id $text4188): hash X'${hash4188:0:30}' fails CHECK (length(hash) = 16)"
broken "UPDATE blobs SET raw_size = -1 WHERE id = $stat4190" \
	"blob $stat4190 claims an absurd size (-1 bytes)" \
	"blobs (id $stat4190): raw_size -1 fails CHECK (raw_size >= 0)"
broken "UPDATE blobs SET codec = 'lz4' WHERE id = $stat4190" \
	"blob $stat4190 has unknown codec 'lz4'" \
	"blobs (id $stat4190): codec 'lz4' fails CHECK (codec IN ('raw', 'zlib'))"
broken "UPDATE snapshots SET source = 'perf' WHERE id = 2" \
	"snapshots (id 2): source 'perf' fails CHECK (source IN ('smaps', 'maps', 'rollup'))"
# a uuid of another form: `--snapshot UUID` cannot find it, and merge takes
# a copy in the other form for another snapshot
damage "UPDATE snapshots SET uuid = upper(uuid) WHERE id = 2"
expect_exit 1 "$ANALYZE" check x.db
expect_grep "^mapsnap-analyze: 'x.db': snapshots \(id 2\): uuid '$(q x.db 'SELECT uuid FROM snapshots WHERE id = 2')' is not a UUID in lowercase with hyphens$" err

# --- hostile schemas: refused before any row is read, by every command --------
damage "CREATE VIEW evil AS SELECT load_extension('/nonexistent/evil.so')"
for cmd in "check x.db" "list x.db" "ps x.db" "sql x.db SELECT 1"; do
	expect_exit 1 "$ANALYZE" $cmd
	echo "mapsnap-analyze: cannot open 'x.db': its schema has view 'evil', which mapsnap does not make" >want
	expect_cmp want err
done
damage "CREATE TRIGGER evil AFTER INSERT ON hosts BEGIN SELECT 1; END"
expect_exit 1 "$ANALYZE" check x.db
expect_grep "its schema has trigger 'evil', which mapsnap does not make" err
damage "ALTER TABLE hosts ADD COLUMN evil AS (abs(id))"
expect_exit 1 "$ANALYZE" check x.db
expect_grep "its column hosts.evil is generated, which mapsnap does not make" err
damage "DROP INDEX snapshots_by_time; CREATE INDEX snapshots_by_time ON snapshots (abs(time_us))"
expect_exit 1 "$ANALYZE" check x.db
expect_grep "its index 'snapshots_by_time' is not the one mapsnap makes" err
damage "CREATE INDEX evil ON hosts (abs(id))"
expect_exit 1 "$ANALYZE" check x.db
expect_grep "its schema has index 'evil', which mapsnap does not make" err
# SQLite's own statistics are no threat
damage "ANALYZE"
expect_exit 0 "$ANALYZE" check x.db
