# t-growth.sh - growth on a tree that leaks by a known amount: the leaking
# process and its leaking region are flagged with the exact figures, the
# processes that wobble, stay or come and go are not; --field,
# --confidence, --min-growth, the window, every output format, the exit
# status, a corrupt blob, wild figures, a maps-only capture.
. "$ROOT/tests/e2e/lib.sh"

# six snapshots of tests/helpers/make-growth's box, 30 minutes apart
python3 "$ROOT/tests/helpers/make-growth" tree 6 || fail "make-growth"
for k in 0 1 2 3 4 5; do
	expect_exit 0 "$CAPTURE" -q --proc tree/step$k/proc --host box -o db
done
half_hourly db

# leaky (pid 100) alone: its heap's 1024 kB a step is anonymous, 2048 kB
# an hour; wobbly rises and falls, steady never moves, newbie and goner
# do not move while they are there. Six values rising at every step are
# 99.57 % (Mann-Kendall: S = 15, z = 14 / sqrt(28.33)).
expect_exit 3 "$ANALYZE" --csv growth db
python3 - out <<'EOF' || fail "growth --csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
cols = list(csv.reader(open(sys.argv[1], newline='')))[0]
assert cols == ("pid,command,field,per_hour,growth,confidence,from,to,first,"
                "last,snapshots,time_left,host").split(","), cols
assert len(rows) == 1, rows
r = rows[0]
assert (r["pid"], r["command"], r["field"]) == ("100", "/usr/bin/leaky --run", "anon+swap"), r
# anonymous: heap 2048, the private data of the program and libc 8 + 16,
# the unnamed region 256, the stack 20
assert (int(r["from"]), int(r["to"]), int(r["growth"])) == (2348, 7468, 5120), r
assert int(r["per_hour"]) == 2048 and r["confidence"] == "99.57", r
assert (r["first"], r["last"]) == ("2023-11-14T22:13:20.000000Z",
                                   "2023-11-15T00:43:20.000000Z"), r
assert r["snapshots"] == "6" and r["host"] == "box", r
assert r["time_left"] == "", r		# the tree's meminfo has no MemAvailable
EOF

# --mappings: the region that explains it is the heap, all of it
expect_exit 3 "$ANALYZE" --csv growth db --mappings
python3 - out <<'EOF' || fail "growth --mappings --csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
assert len(rows) == 1, rows
r = rows[0]
assert list(r) == ("pid,command,field,map,perms,offset,range,from,to,growth,"
                   "share,maps_from,maps_to,host").split(","), list(r)
assert (r["pid"], r["field"], r["map"], r["perms"], r["offset"]) == \
    ("100", "anon+swap", "[heap]", "", ""), r
assert (int(r["from"]), int(r["to"]), int(r["growth"])) == (2048, 7168, 5120), r
assert (r["share"], r["maps_from"], r["maps_to"]) == ("100.00", "1", "1"), r
lo, hi = (int(x, 16) for x in r["range"].split("-"))
assert hi - lo == (2048 + 5 * 1024 + 1024) * 1024, r["range"]
EOF

# JSON: the same, as numbers
expect_exit 3 "$ANALYZE" growth db --json
python3 - out <<'EOF' || fail "growth --json"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [(r["pid"], r["field"], r["growth"], r["per_hour"], r["confidence"],
         r["time_left"]) for r in rows] == \
    [(100, "anon+swap", 5120, 2048, 99.57, None)], rows
EOF

# the table view: the suspects, then the regions under a heading
expect_exit 3 "$ANALYZE" growth db
expect_grep '^PID COMMAND +FIELD +PER_HOUR +GROWTH +CONFIDENCE +FROM +TO +FIRST +LAST +SNAPSHOTS +TIME_LEFT +HOST$' out
expect_grep '^100 /usr/bin/leaky --run anon\+swap +2048 +5120 +99.57 2348 7468 2023-11-14 22:13:20 UTC 2023-11-15 00:43:20 UTC +6 +- box$' out
expect_grep '^regions they grow in \(each one.s part of the growth\):$' out
expect_grep '^100 /usr/bin/leaky --run anon\+swap \[heap\] +- +- +[0-9a-f]+-[0-9a-f]+ 2048 7168 +5120 100.00 +1 +1 box$' out
grep -Eq '^(200|300|400|500) ' out && fail "a process that does not leak flagged: $(cat out)"
# -H shows the suspects' sizes as sizes
expect_exit 3 "$ANALYZE" growth db -H
expect_grep '^100 /usr/bin/leaky --run anon\+swap +2.0M +5.0M ' out

# --field: pss and rss see it too (and libextra's 32 kB in them)
expect_exit 3 "$ANALYZE" --csv growth db --field pss
expect_grep '^100,/usr/bin/leaky --run,pss,2064,5160,99.57,2608,7768,' out
expect_exit 3 "$ANALYZE" --csv growth db --field rss --mappings
expect_grep '^100,/usr/bin/leaky --run,rss,\[heap\],,,[0-9a-f]+-[0-9a-f]+,2048,7168,5106,98.97,1,1,box' out
# nothing leaks swap, threads or mappings: no suspect, exit 0
for f in swap threads maps; do
	expect_exit 0 "$ANALYZE" --csv growth db --field $f
	[ "$(wc -l <out)" -eq 1 ] || fail "--field $f: $(cat out)"
done

# --confidence: six points cannot say 99.9 %; --min-growth: 5120 kB is
# over 5000 and under 6000
expect_exit 0 "$ANALYZE" --csv growth db --confidence 99.9
[ "$(wc -l <out)" -eq 1 ] || fail "--confidence 99.9: $(cat out)"
expect_exit 3 "$ANALYZE" --csv growth db --confidence 95
expect_exit 3 "$ANALYZE" --csv growth db --min-growth 5000
expect_exit 0 "$ANALYZE" --csv growth db --min-growth 6000
expect_exit 0 "$ANALYZE" growth db --min-growth 6000
[ "$(wc -l <out)" -eq 1 ] || fail "no suspect, table view: $(cat out)"

# the window: the last 3 snapshots are too few to say; 2.5 hours back
# from the latest is all six
expect_exit 0 "$ANALYZE" --csv growth db --since 1h
expect_exit 3 "$ANALYZE" --csv growth db --since 2h30m
expect_exit 0 "$ANALYZE" --csv growth db --until 2023-11-14T23:30Z
expect_exit 3 "$ANALYZE" --csv growth db --until '2023-11-15 00:43:20'
# filters narrow the processes
expect_exit 0 "$ANALYZE" --csv growth db --match wobbly
expect_exit 3 "$ANALYZE" --csv growth db --pid 100 --pid 300
[ "$(wc -l <out)" -eq 2 ] || fail "--pid 100 --pid 300: $(cat out)"

# a blob that cannot be inflated: named, the rest still shown, exit 1.
# Leaky's last text is its own; the region is read from the others.
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
expect_grep '^100 /usr/bin/leaky --run anon\+swap +2048 +5120 ' out
expect_grep '^100 /usr/bin/leaky --run anon\+swap \[heap\] ' out
expect_exit 1 "$ANALYZE" --csv growth bad.db --mappings
expect_grep "blob $blob" err
# the suspects alone need no text: found, exit 3
expect_exit 3 "$ANALYZE" --csv growth bad.db

# figures from a stranger's file may be anything: no overflow, no crash
cp db wild.db
python3 - wild.db <<'EOF' || fail "cannot write wild figures"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE processes SET anon_kb = -9223372036854775807"
           " WHERE pid = 100 AND snapshot_id = 1")
db.execute("UPDATE processes SET anon_kb = 9223372036854775807, swap_kb ="
           " 9223372036854775807 WHERE pid = 100 AND snapshot_id = 6")
db.execute("UPDATE processes SET threads = 9223372036854775807 WHERE pid = 200")
db.execute("UPDATE snapshots SET time_us = -9223372036854775807 WHERE id = 1")
db.commit()
EOF
"$ANALYZE" --csv growth wild.db >out 2>err
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "wild figures: exit $rc: $(cat err)"
expect_exit 0 "$ANALYZE" timeline wild.db --pid 100 --svg wild.svg
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' wild.svg ||
	fail "wild figures broke the SVG"

# a maps-only capture knows no anon+swap: growth judges vss, and says so
for k in 0 1 2 3 4 5; do
	expect_exit 0 "$CAPTURE" -q --maps-only --proc tree/step$k/proc --host box -o maps.db
done
half_hourly maps.db
expect_exit 3 "$ANALYZE" --csv growth maps.db
expect_grep 'without anon\+swap figures .*judged on vss' err
# its heap's 1024 kB a step, and libextra's 128 kB from step 3
expect_grep '^100,/usr/bin/leaky --run,vss,2112,5280,' out
expect_exit 3 "$ANALYZE" --csv growth maps.db --mappings
expect_grep '^100,/usr/bin/leaky --run,vss,\[heap\],' out

# usage errors and files that are not there
expect_exit 2 "$ANALYZE" growth db --min-steps 2
expect_exit 2 "$ANALYZE" growth db --confidence 100
expect_exit 2 "$ANALYZE" growth db --confidence 50
expect_exit 2 "$ANALYZE" growth db --confidence x
expect_exit 2 "$ANALYZE" growth db --min-growth 0
expect_exit 2 "$ANALYZE" growth db --min-growth -5
expect_exit 2 "$ANALYZE" growth db --field size
expect_exit 2 "$ANALYZE" growth db --since yesterday
expect_exit 2 "$ANALYZE" growth
expect_exit 2 "$ANALYZE" growth db db
expect_exit 2 "$ANALYZE" growth db --bogus
expect_exit 1 "$ANALYZE" growth nosuch.db
expect_exit 0 "$ANALYZE" growth --help
expect_grep '^usage: .*growth FILE \[--field FIELD\] \[--confidence PCT\]' out
exit 0
