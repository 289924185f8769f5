# t-growth.sh - growth: on a tree that leaks by a known amount, the
# leaking process and its leaking mapping are flagged with the exact
# figures, the processes that wobble, stay or come and go are not;
# --min-steps, --field, --mappings, every output format, a corrupt blob.
. "$ROOT/tests/e2e/lib.sh"

# six snapshots of tests/helpers/make-growth's box, 30 minutes apart
python3 "$ROOT/tests/helpers/make-growth" tree 6 || fail "make-growth"
for k in 0 1 2 3 4 5; do
	expect_exit 0 "$CAPTURE" -q --proc tree/step$k/proc --host box -o db
done
half_hourly db

# leaky (pid 100) alone: 5 steps over 2.5 hours, 5 * 1024 kB of heap and
# the 32 kB of libextra; wobbly never rises twice in a row, steady never
# moves, newbie and goner do not move while they are there
expect_exit 0 "$ANALYZE" --csv growth db
python3 - out <<'EOF' || fail "growth --csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
cols = list(csv.reader(open(sys.argv[1], newline='')))[0]
assert cols[:2] == ["pid", "command"], cols
assert cols == "pid,command,field,steps,from,to,growth,per_hour,first,last,host".split(","), cols
assert len(rows) == 1, rows
r = rows[0]
assert (r["pid"], r["command"], r["field"]) == ("100", "/usr/bin/leaky --run", "pss"), r
assert int(r["steps"]) == 5, r
assert (int(r["from"]), int(r["to"]), int(r["growth"])) == (2612, 7764, 5152), r
assert 5152 == 5 * 1024 + 32
assert int(r["per_hour"]) == round(5152 / 2.5), r
assert r["first"] == "2023-11-14T22:13:20.000000Z", r
assert r["last"] == "2023-11-15T00:43:20.000000Z", r
assert r["host"] == "box", r
EOF

# --mappings: the region that grew inside it is the heap, by 1024 kB a
# step; libextra appeared and stayed, the rest never moved
expect_exit 0 "$ANALYZE" --csv growth db --mappings
python3 - out <<'EOF' || fail "growth --mappings --csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
assert len(rows) == 1, rows
r = rows[0]
assert list(r) == ("pid,command,map,perms,offset,range,field,steps,from,to,"
                   "growth,per_hour,first,last,host").split(","), list(r)
assert (r["pid"], r["map"], r["field"]) == ("100", "[heap]", "pss"), r
assert (r["perms"], r["offset"]) == ("", ""), r
assert int(r["steps"]) == 5, r
assert (int(r["from"]), int(r["to"]), int(r["growth"])) == (2048, 7168, 5120), r
assert int(r["per_hour"]) == 2048, r
lo, hi = (int(x, 16) for x in r["range"].split("-"))
assert hi - lo == (2048 + 5 * 1024 + 1024) * 1024, r["range"]
EOF

# JSON: the same, as numbers
expect_exit 0 "$ANALYZE" growth db --json
python3 - out <<'EOF' || fail "growth --json"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [(r["pid"], r["steps"], r["growth"], r["per_hour"]) for r in rows] == \
    [(100, 5, 5152, 2061)], rows
EOF
expect_exit 0 "$ANALYZE" --json growth db --mappings
python3 - out <<'EOF' || fail "growth --mappings --json"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [(r["pid"], r["map"], r["perms"], r["growth"]) for r in rows] == \
    [(100, "[heap]", None, 5120)], rows
EOF

# the table view: the processes, then the mappings under a heading
expect_exit 0 "$ANALYZE" growth db
expect_grep '^PID COMMAND +FIELD +STEPS +FROM +TO +GROWTH +PER_HOUR +FIRST +LAST +HOST$' out
expect_grep '^100 /usr/bin/leaky --run pss +5 2612 7764 +5152 +2061 2023-11-14 22:13:20 2023-11-15 00:43:20 box$' out
expect_grep '^mappings whose pss grew at every step \(3 steps or more\):$' out
expect_grep '^100 /usr/bin/leaky --run \[heap\] .* pss +5 2048 7168 +5120 +2048 ' out
[ "$(grep -c '^100 ' out)" -eq 2 ] || fail "growth shows more than leaky: $(cat out)"
grep -Eq '^(200|300|400|500) ' out && fail "a steady process flagged: $(cat out)"

# --min-steps N needs N rises in a row (N + 1 snapshots): leaky has 5
for n in 2 5; do
	expect_exit 0 "$ANALYZE" --csv growth db --min-steps $n
	[ "$(tail -n +2 out | cut -d, -f1 | tr -d '\r' | tr '\n' ' ')" = "100 " ] ||
		fail "--min-steps $n: $(cat out)"
done
expect_exit 0 "$ANALYZE" --csv growth db --min-steps 6
[ "$(wc -l <out)" -eq 1 ] || fail "--min-steps 6 flagged something: $(cat out)"
expect_exit 0 "$ANALYZE" growth db --min-steps 6
[ "$(wc -l <out)" -eq 1 ] || fail "--min-steps 6, table view: $(cat out)"
expect_exit 0 "$ANALYZE" --csv growth db --min-steps 6 --mappings
[ "$(wc -l <out)" -eq 1 ] || fail "--min-steps 6 --mappings: $(cat out)"
# one step is enough to catch each of wobbly's rises, three runs of one
expect_exit 0 "$ANALYZE" --csv growth db --min-steps 1
python3 - out <<'EOF' || fail "--min-steps 1"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
w = sorted((r["first"], int(r["growth"])) for r in rows if r["pid"] == "200")
assert [g for _, g in w] == [2048, 2048, 2048], w
assert {r["pid"] for r in rows} == {"100", "200"}, rows
EOF

# --field rss: the same leak seen in Rss; filters narrow the processes
expect_exit 0 "$ANALYZE" --csv growth db --field rss
expect_grep '^100,/usr/bin/leaky --run,rss,5,3212,8364,5152,2061,' out
expect_exit 0 "$ANALYZE" --csv growth db --field rss --mappings
expect_grep '^100,/usr/bin/leaky --run,\[heap\],,,[0-9a-f]+-[0-9a-f]+,rss,5,2048,7168,5120,2048,' out
expect_exit 0 "$ANALYZE" --csv growth db --match wobbly
[ "$(wc -l <out)" -eq 1 ] || fail "--match wobbly flagged: $(cat out)"
expect_exit 0 "$ANALYZE" --csv growth db --pid 100 --pid 300
[ "$(wc -l <out)" -eq 2 ] || fail "--pid 100 --pid 300: $(cat out)"

# a blob that cannot be inflated: named, the rest still shown, exit 1.
# Leaky's last text is its own; without it the heap grew 4 steps.
cp db bad.db
blob=$(python3 - bad.db <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(blob,) = db.execute("SELECT text_blob FROM processes WHERE pid = 100"
                     " AND snapshot_id = 6").fetchone()
assert db.execute("SELECT count(*) FROM processes WHERE text_blob = ?",
                  (blob,)).fetchone()[0] == 1
db.execute("UPDATE blobs SET data = zeroblob(length(data)) WHERE id = ?", (blob,))
db.commit()
print(blob)
EOF
) || fail "cannot corrupt a blob"
expect_exit 1 "$ANALYZE" growth bad.db
expect_grep "blob $blob" err
expect_grep '^100 /usr/bin/leaky --run pss +5 2612 7764 ' out
expect_grep '^100 /usr/bin/leaky --run \[heap\] .* pss +4 2048 6144 +4096 ' out
expect_exit 1 "$ANALYZE" --csv growth bad.db --mappings
expect_grep "blob $blob" err
# the processes alone need no text: nothing to report
expect_exit 0 "$ANALYZE" --csv growth bad.db

# figures from a stranger's file may be anything: no overflow, no crash
cp db wild.db
python3 - wild.db <<'EOF' || fail "cannot write wild figures"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE processes SET pss_kb = -9223372036854775807"
           " WHERE pid = 100 AND snapshot_id = 1")
db.execute("UPDATE processes SET pss_kb = 9223372036854775807"
           " WHERE pid = 100 AND snapshot_id = 6")
db.execute("UPDATE snapshots SET time_us = -9223372036854775807 WHERE id = 1")
db.commit()
EOF
expect_exit 0 "$ANALYZE" --csv growth wild.db
expect_grep '^100,/usr/bin/leaky --run,pss,5,-9223372036854775807,9223372036854775807,9223372036854775807,' out
expect_exit 0 "$ANALYZE" timeline wild.db --pid 100 --svg wild.svg
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' wild.svg ||
	fail "wild figures broke the SVG"

# usage errors and files that are not there
expect_exit 2 "$ANALYZE" growth db --min-steps 0
expect_exit 2 "$ANALYZE" growth db --min-steps x
expect_exit 2 "$ANALYZE" growth db --field size
expect_exit 2 "$ANALYZE" growth
expect_exit 2 "$ANALYZE" growth db db
expect_exit 2 "$ANALYZE" growth db --bogus
expect_exit 1 "$ANALYZE" growth nosuch.db
expect_exit 0 "$ANALYZE" growth --help
expect_grep '^usage: .*growth FILE \[--min-steps N\]' out
exit 0
