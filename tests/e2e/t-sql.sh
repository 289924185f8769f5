#!/usr/bin/env bash
# t-sql.sh - `sql` and the mappings table: every row against a python parse
# of the text, sums against ps/libs, pushdown, read-only safety, bound
# parameters, output formats, and build/mapsnap.so in the stock sqlite3.
. "$ROOT/tests/e2e/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed to parse the text"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed: scripts/install-deps installs it"
EXT=$BUILD/mapsnap.so
[ -f "$EXT" ] || fail "$EXT is missing: make all builds it"

# rows.py JSON TEXTDIR: the mappings rows (sql --json, all columns) equal a
# parse of each process's text (TEXTDIR/PID, from `smaps` or `maps`).
cat > "$T/rows.py" <<'PY'
import json, os, re, sys

sys.dont_write_bytecode = True	# nothing written into the source tree
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "helpers"))
from smaps_fields import FIELDS
COLS = ["snapshot_id", "pid", "start", "end", "perm", "offset", "dev",
        "inode", "path"] + FIELDS + ["vmflags"]
HEADER = re.compile(rb"^[0-9a-f]+-[0-9a-f]+ ")

def signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v

def parse(pid, snap, text):
    rows = []
    for line in text.split(b"\n"):
        if HEADER.match(line):
            parts = line.split(None, 5)
            start, end = parts[0].split(b"-")
            row = dict.fromkeys(COLS)
            row.update(snapshot_id=snap, pid=pid,
                       start=signed(int(start, 16)), end=signed(int(end, 16)),
                       perm=parts[1].decode(), offset=int(parts[2], 16),
                       dev=parts[3].decode(), inode=int(parts[4]),
                       path=parts[5].decode() if len(parts) > 5 else "")
            rows.append(row)
        elif b":" in line:
            name, value = line.split(b":", 1)
            name = name.decode().lower()
            value = value.strip()
            if name == "vmflags":
                rows[-1]["vmflags"] = value.decode()
            elif name in FIELDS:
                rows[-1][name] = int(value.split()[0])
    return rows

got = json.load(open(sys.argv[1]))
snap = got[0]["snapshot_id"] if got else 0
want = []
for name in sorted(os.listdir(sys.argv[2]), key=int):
    want += parse(int(name), snap, open(os.path.join(sys.argv[2], name), "rb").read())
if [list(r) for r in got[:1]] != [COLS][:len(got[:1])]:
    sys.exit("columns: %s" % list(got[0]))
if len(got) != len(want):
    sys.exit("%d rows, the texts have %d mappings" % (len(got), len(want)))
for g, w in zip(got, want):
    if g != w:
        diff = {k: (g[k], w[k]) for k in COLS if g[k] != w[k]}
        sys.exit("pid %s %x: %s (got, text)" % (w["pid"], w["start"], diff))
print(len(got))
PY

# check_rows FILE KIND: every mapping of the latest snapshot of FILE, in
# the table's own order, against the text `KIND` (smaps or maps) prints.
check_rows() {
	local f=$1 kind=$2 snap pid
	snap=$("$ANALYZE" --csv sql "$f" "SELECT max(id) FROM snapshots" | tail -n 1 | tr -d '\r')
	rm -rf "$T/text" && mkdir "$T/text"
	for pid in $("$ANALYZE" --csv sql "$f" "SELECT pid FROM processes
			WHERE snapshot_id = ?1 AND text_blob IS NOT NULL" "$snap" |
		     tail -n +2 | tr -d '\r'); do
		"$ANALYZE" "$kind" "$f" --snapshot "$snap" "$pid" >"$T/text/$pid" ||
			fail "$kind $f $pid"
	done
	expect_exit 0 "$ANALYZE" --json sql "$f" \
		"SELECT * FROM mappings WHERE snapshot_id = ?1" "$snap"
	cp "$T/out" "$T/rows.json"
	python3 "$T/rows.py" "$T/rows.json" "$T/text" >"$T/n" ||
		fail "mappings of $f differ from its $kind text"
	[ "$(cat "$T/n")" -gt 20 ] || fail "only $(cat "$T/n") rows in $f"
}

# check_sums FILE: per pid, SUM(pss) and count(*) of mappings equal
# processes.pss_kb and nmaps, and ps's pss and maps; a GROUP BY path
# equals libs.
check_sums() {
	local f=$1
	"$ANALYZE" --csv sql "$f" "SELECT p.pid, p.pss_kb, p.nmaps, m.pss, m.n
		FROM processes p JOIN (SELECT snapshot_id, pid, sum(pss) pss,
		count(*) n FROM mappings GROUP BY snapshot_id, pid) m
		USING (snapshot_id, pid)
		WHERE snapshot_id = (SELECT max(id) FROM snapshots)" >"$T/sums" ||
		fail "sums of $f"
	"$ANALYZE" --csv ps "$f" >"$T/ps" || fail "ps $f"
	python3 - "$T/sums" "$T/ps" <<'PY' || fail "sums of $f differ"
import csv, sys
sums = list(csv.DictReader(open(sys.argv[1], newline="")))
ps = {r["pid"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
if len(sums) < 2 or set(r["pid"] for r in sums) != set(ps):
    sys.exit("pids: %s vs ps %s" % ([r["pid"] for r in sums], sorted(ps)))
for r in sums:
    p = ps[r["pid"]]
    if not (r["pss"] == r["pss_kb"] == p["pss"] and r["n"] == r["nmaps"] == p["maps"]):
        sys.exit("pid %s: %s, ps %s" % (r["pid"], dict(r), dict(p)))
PY
	"$ANALYZE" --csv libs "$f" | sort >"$T/libs.want"
	"$ANALYZE" --csv sql "$f" "SELECT CASE path WHEN '' THEN '<anonymous>'
		ELSE path END AS map, count(DISTINCT pid) AS pids, count(*) AS count,
		sum(pss) / count(DISTINCT pid) AS avgpss, sum(pss) AS pss,
		sum(private_clean + private_dirty) AS uss, sum(rss) AS rss,
		sum(size) AS vss, sum(swap) AS swap FROM mappings
		WHERE snapshot_id = (SELECT max(id) FROM snapshots) GROUP BY map" |
		sort >"$T/libs.got"
	expect_cmp "$T/libs.want" "$T/libs.got"
}

# Real and crafted captures, a maps-only one, and a live one.
"$CAPTURE" -q --proc "$ROOT/samples/real/proc" --host real -o real.db || fail "capture real"
"$CAPTURE" -q --proc "$ROOT/samples/edge/proc" --host edge -o edge.db || fail "capture edge"
"$CAPTURE" -q --maps-only --proc "$ROOT/samples/edge/proc" --host edge -o maps.db ||
	fail "capture --maps-only"
sleep 60 & sleeper=$!
"$CAPTURE" -q -o live.db "$$" "$sleeper" || fail "live capture"
kill "$sleeper"

for f in real.db edge.db live.db; do
	check_rows "$f" smaps
	check_sums "$f"
done
check_rows maps.db maps
expect_exit 0 "$ANALYZE" --csv sql maps.db "SELECT count(*), count(size),
	count(rss), count(vmflags), count(path) FROM mappings"
[ "$(tail -n 1 "$T/out" | tr -d '\r')" = "131,0,0,0,131" ] ||
	fail "a maps text has only the header columns: $(cat "$T/out")"

# Pushdown: with every other process's blob corrupt, a query naming one
# intact process (or a join that passes the pids in) still works, a scan
# fails naming the first bad blob.
cp real.db bad.db
mapfile -t blobs < <(sqlite3 bad.db "SELECT text_blob FROM processes ORDER BY snapshot_id, pid")
mapfile -t pids < <(sqlite3 bad.db "SELECT pid FROM processes ORDER BY snapshot_id, pid")
[ "${#blobs[@]}" -eq 5 ] || fail "expected 5 processes in real.db"
sqlite3 bad.db "UPDATE blobs SET data = zeroblob(length(data)) WHERE id IN
	(${blobs[0]}, ${blobs[2]}, ${blobs[4]})" || fail "corrupt bad.db"
expect_exit 0 "$ANALYZE" --csv sql bad.db "SELECT count(*) FROM mappings
	WHERE snapshot_id = ?1 AND pid = ?2" 1 "${pids[1]}"
want=$(sqlite3 real.db "SELECT nmaps FROM processes WHERE pid = ${pids[1]}")
[ "$(tail -n 1 "$T/out" | tr -d '\r')" = "$want" ] || fail "pushdown: $(cat "$T/out")"
expect_exit 0 "$ANALYZE" --csv sql bad.db "SELECT count(*) FROM processes p
	JOIN mappings m ON m.snapshot_id = p.snapshot_id AND m.pid = p.pid
	WHERE p.text_blob IN (?1, ?2)" "${blobs[1]}" "${blobs[3]}"
want=$(sqlite3 real.db "SELECT sum(nmaps) FROM processes WHERE text_blob IN (${blobs[1]}, ${blobs[3]})")
[ "$(tail -n 1 "$T/out" | tr -d '\r')" = "$want" ] || fail "join pushdown: $(cat "$T/out")"
expect_exit 1 "$ANALYZE" sql bad.db "SELECT count(*) FROM mappings"
expect_grep "^mapsnap-analyze: cannot query 'bad.db': blob ${blobs[0]} .*\(snapshot 1, pid ${pids[0]}\)$" "$T/err"
[ ! -s "$T/out" ] || fail "a failed query printed rows"
expect_exit 0 "$ANALYZE" sql real.db "EXPLAIN QUERY PLAN SELECT * FROM mappings
	WHERE snapshot_id = ?1 AND pid = ?2" 1 4188
expect_grep "SCAN mappings VIRTUAL TABLE INDEX 3:snapshot_id=\? AND pid=\?" "$T/out"
# a stored size over the limit is refused, never inflated
cp real.db big.db
sqlite3 big.db "UPDATE blobs SET raw_size = 1 << 40 WHERE id = ${blobs[1]}"
expect_exit 1 "$ANALYZE" sql big.db "SELECT count(*) FROM mappings WHERE pid = ?1" "${pids[1]}"
expect_grep "^mapsnap-analyze: cannot query 'big.db': blob ${blobs[1]} " "$T/err"

# Read-only: each refused with a message; the file and the directory
# are as they were.
cp edge.db edge.orig
touch "$T/ls.after" && ls -A >"$T/ls.before"
while IFS= read -r q; do
	expect_exit 1 "$ANALYZE" sql edge.db "$q"
	expect_grep "^mapsnap-analyze: cannot query 'edge.db': " "$T/err"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "'$q': more than one line: $(cat "$T/err")"
	cmp -s edge.orig edge.db || fail "'$q' changed the file"
	ls -A >"$T/ls.after"
	expect_cmp "$T/ls.before" "$T/ls.after"
done <<EOF
INSERT INTO meta VALUES ('k', 'v')
UPDATE processes SET pss_kb = 0
DELETE FROM processes
CREATE TABLE t (x)
CREATE TEMP TABLE t (x)
CREATE TEMP VIEW v AS SELECT 1
DROP TABLE meta
ATTACH '$T/x.db' AS x
DETACH main
SELECT load_extension('$EXT')
PRAGMA journal_mode = WAL
PRAGMA query_only = OFF
PRAGMA user_version = 7
VACUUM
VACUUM INTO '$T/y.db'
BEGIN
SELECT 1; SELECT 2
SELECT 1; DELETE FROM processes
SELECT * FROM nosuchtable

EOF
expect_grep "more than one SQL statement" <("$ANALYZE" sql edge.db "SELECT 1; SELECT 2" 2>&1)
# reading pragmas and a trailing ';' or comment are fine
expect_exit 0 "$ANALYZE" --csv sql edge.db "PRAGMA table_info(processes); -- the columns"
expect_grep "^1,pid,INTEGER," "$T/out"

# Parameters are bound, never pasted; integers bind as integers.
expect_exit 0 "$ANALYZE" --csv sql edge.db "SELECT count(*) FROM processes WHERE comm = ?1" "x' OR 1=1 --"
[ "$(tail -n 1 "$T/out" | tr -d '\r')" = 0 ] || fail "a parameter was pasted: $(cat "$T/out")"
expect_exit 0 "$ANALYZE" --csv sql edge.db "SELECT count(*) FROM processes WHERE comm = ?1" server
[ "$(tail -n 1 "$T/out" | tr -d '\r')" = 2 ] || fail "comm = server: $(cat "$T/out")"
expect_exit 0 "$ANALYZE" --csv sql edge.db "SELECT count(*), sum(pss) FROM mappings WHERE pid = ?1" 1300
[ "$(tail -n 1 "$T/out" | tr -d '\r')" = 28,527 ] || fail "pid = 1300: $(cat "$T/out")"
expect_exit 0 "$ANALYZE" --csv sql edge.db "SELECT typeof(?1), typeof(?2), typeof(?3)" -- -7 007 1.5
[ "$(tail -n 1 "$T/out" | tr -d '\r')" = integer,text,text ] || fail "binding: $(cat "$T/out")"
expect_exit 2 "$ANALYZE" sql edge.db "SELECT ?1, ?2" one
expect_grep "takes 2 parameters, 1 given" "$T/err"
expect_exit 2 "$ANALYZE" sql edge.db "SELECT 1" extra
expect_exit 2 "$ANALYZE" sql edge.db
expect_exit 1 "$ANALYZE" sql nosuch.db "SELECT 1"
expect_grep "^mapsnap-analyze: cannot open 'nosuch.db': " "$T/err"
echo "not a database" >junk.db
expect_exit 1 "$ANALYZE" sql junk.db "SELECT 1"
expect_grep "'junk.db'" "$T/err"
"$ANALYZE" sql edge.db "SELECT 1" >/dev/full 2>"$T/err"
[ $? -eq 1 ] || fail "a write error on stdout is not a failure"
expect_grep "^mapsnap-analyze: " "$T/err"
expect_exit 0 "$ANALYZE" sql --help
expect_grep "mappings" "$T/out"
expect_grep "cmdline_text" "$T/out"

# Output: CSV and JSON parse, types follow the values, a table is aligned.
q="SELECT pid, comm, cmdline_text(cmdline) AS cmd, pss_kb / 3.0 AS third,
	cmdline, nmaps FROM processes ORDER BY pid"
expect_exit 0 "$ANALYZE" --csv sql edge.db "$q"
cp "$T/out" out.csv
expect_exit 0 "$ANALYZE" --json sql edge.db "$q"
cp "$T/out" out.json
python3 - out.csv out.json <<'PY' || fail "CSV or JSON of sql"
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
doc = json.load(open(sys.argv[2]))
assert rows[0] == ["pid", "comm", "cmd", "third", "cmdline", "nmaps"], rows[0]
assert [r[0] for r in rows[1:]] == ["1200", "1201", "1300", "1400"], rows
assert rows[3][1] == "a) b (c" and rows[3][2] == "./a) b (c --flag two words ", rows[3]
assert rows[1][2] == '/opt/my app/bin/server --name=edge, "quoted" --config /etc/my app/server.conf -v'
assert bytes.fromhex(rows[4][4]) == b"-bash\0", rows[4]
assert abs(float(rows[1][3]) - 5567 / 3) < 1e-9, rows[1]
assert doc[0]["pid"] == 1200 and doc[0]["nmaps"] == 38, doc[0]
assert isinstance(doc[0]["third"], str) and doc[3]["cmd"] == "-bash", doc
PY
expect_exit 0 "$ANALYZE" sql edge.db "SELECT pid, nmaps, size_kb, pss_kb FROM processes"
[ "$(awk '{ print length($0) }' "$T/out" | sort -u | wc -l)" -eq 1 ] ||
	fail "table not aligned: $(cat "$T/out")"
expect_grep "^ PID NMAPS SIZE_KB PSS_KB$" "$T/out"
expect_exit 0 "$ANALYZE" sql edge.db "SELECT pid, pss_kb FROM processes" --sort pss_kb -r --limit 1
[ "$(tail -n 1 "$T/out")" = "1200   5567" ] || fail "--sort/--limit: $(cat "$T/out")"

# The extension in the stock shell gives the same answers, and the same
# refusal of a corrupt blob.
for f in real.db edge.db live.db; do
	got=$(sqlite3 "$f" ".load $EXT" "SELECT count(*), sum(pss), sum(size) FROM mappings") ||
		fail "sqlite3 .load $EXT on $f"
	want=$("$ANALYZE" --csv sql "$f" "SELECT count(*), sum(pss), sum(size) FROM mappings" |
		tail -n 1 | tr -d '\r' | tr , '|')
	[ -n "$got" ] && [ "$got" = "$want" ] || fail "$f: sqlite3 says '$got', sql '$want'"
done
got=$(sqlite3 edge.db ".load ${EXT%.so}" "SELECT cmdline_text(cmdline) FROM processes WHERE pid = 1400")
[ "$got" = "-bash" ] || fail "cmdline_text in sqlite3: '$got'"
sqlite3 bad.db ".load $EXT" "SELECT count(*) FROM mappings" >"$T/out" 2>"$T/err" &&
	fail "sqlite3 read a corrupt blob"
expect_grep "blob ${blobs[0]} " "$T/err"
exit 0
