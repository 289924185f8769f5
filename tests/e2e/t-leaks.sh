# t-leaks.sh - the leak detector on seeded histories of known patterns
# (tests/helpers/make-leaks: every leak shape the README lists, and what
# only moves), at three scales, three noise levels and two lengths: every
# leak is flagged on its fields, with its region, and nothing else is.
# Prints the precision and recall per pattern, then asserts them.
. "$ROOT/tests/e2e/lib.sh"

# seed, snapshots, scale, noise: each level of each factor twice
histories="1 24 0.25 0.1
2 24 1 0.5
3 24 8 1.0
4 48 0.25 1.0
5 48 1 0.1
6 48 8 0.5"

while read -r seed n k nu; do
	python3 "$ROOT/tests/helpers/make-leaks" "h$seed" "$seed" "$n" "$k" "$nu" ||
		fail "make-leaks $seed"
	for ((i = 0; i < n; i++)); do
		expect_exit 0 "$CAPTURE" -q --proc "h$seed/step$i/proc" \
			--host "h$seed" -o db
	done
done <<<"$histories"
# the generator's times, host by host, snapshots in the order taken
python3 - db <<'EOF' || fail "cannot set the snapshot times"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (host,) in db.execute("SELECT hostname FROM hosts").fetchall():
    times = [int(l) for l in open(host + "/times")]
    ids = [r[0] for r in db.execute("SELECT s.id FROM snapshots AS s JOIN"
           " hosts AS h ON h.id = s.host_id WHERE h.hostname = ? ORDER BY"
           " s.id", (host,))]
    assert len(ids) == len(times), (host, len(ids))
    for i, t in zip(ids, times):
        db.execute("UPDATE snapshots SET time_us = ? WHERE id = ?", (t, i))
db.commit()
EOF

# suspects found: exit 3, distinct from errors, for cron and CI
expect_exit 3 "$ANALYZE" --csv growth db
cp out suspects.csv
expect_exit 3 "$ANALYZE" --csv growth db --mappings
cp out regions.csv
python3 - <<'EOF' || fail "the leak detector missed a leak or flagged a non-leak"
import collections, csv
truth = {}
for h in range(1, 7):
    for line in open("h%d/truth" % h):
        pid, name, leak, fields = line.split()
        truth[("h%d" % h, pid)] = (name, leak == "1",
                                   set() if fields == "-" else set(fields.split(",")))
flagged = collections.defaultdict(set)
for r in csv.DictReader(open("suspects.csv", newline="")):
    flagged[(r["host"], r["pid"])].add(r["field"])
    assert float(r["confidence"]) >= 99, r
    assert int(r["growth"]) > 0 and int(r["per_hour"]) > 0, r
stats = collections.defaultdict(lambda: [0, 0, 0])	# tp, fp, fn
wrong = []
for key, (name, leak, fields) in sorted(truth.items()):
    got = flagged.get(key, set())
    s = stats[name]
    if leak and got:
        s[0] += 1
    elif got:
        s[1] += 1
    elif leak:
        s[2] += 1
    if got != fields:
        wrong.append("%s pid %s (%s): flagged on %s, expected %s" %
                     (key[0], key[1], name, sorted(got) or "nothing",
                      sorted(fields) or "nothing"))
for key in flagged:
    assert key in truth, key
tp = sum(s[0] for s in stats.values())
fp = sum(s[1] for s in stats.values())
fn = sum(s[2] for s in stats.values())
print("%-10s %5s %5s %5s" % ("pattern", "flag", "miss", "false"))
for name in dict.fromkeys(n for n, _, _ in truth.values()):
    s = stats[name]
    print("%-10s %5d %5d %5d" % (name, s[0], s[2], s[1]))
precision = tp / (tp + fp) if tp + fp else 0
recall = tp / (tp + fn) if tp + fn else 0
print("precision %.3f (%d of %d flagged are leaks), recall %.3f (%d of %d"
      " leaks flagged)" % (precision, tp, tp + fp, recall, tp, tp + fn))
for w in wrong:
    print("WRONG: " + w)
assert precision == 1 and recall == 1 and not wrong
EOF

# each leak is explained by its region: the heap for memory, the files
# mapped for the mapping leak, the stacks and their guards for threads
python3 - <<'EOF' || fail "a leak's region is not the leaking one"
import csv, collections
names = {}
for h in range(1, 7):
    for line in open("h%d/truth" % h):
        pid, name, _, _ = line.split()
        names[("h%d" % h, pid)] = name
top = {}
for r in csv.DictReader(open("regions.csv", newline="")):
    top.setdefault((r["host"], r["pid"], r["field"]), r)
for (host, pid, field), r in top.items():
    name = names[(host, pid)]
    if field == "anon+swap":
        assert r["map"] == "[heap]" and float(r["share"]) > 90, r
    elif name == "mappings":
        assert r["map"] == "/var/lib/mappings/*", r
        assert int(r["maps_to"]) - int(r["maps_from"]) > 40, r
    else:
        assert (name, field, r["map"]) == ("threads", "maps", "<anonymous>"), r
        assert int(r["maps_to"]) - int(r["maps_from"]) == 54, r
assert len(top) == 6 * 9, len(top)
EOF

# the table view: memory suspects, then counts, then regions; the time
# until MemAvailable is gone (here over 20 days at every rate)
expect_exit 3 "$ANALYZE" growth db --host h2
expect_grep '^ *PID COMMAND +FIELD +PER_HOUR +GROWTH +CONFIDENCE +FROM +TO +FIRST +LAST +SNAPSHOTS +TIME_LEFT +HOST$' out
expect_grep '^ *102 /usr/bin/stepwise --serve +anon\+swap .* [0-9]+d [0-9]{2}h h2$' out
expect_grep '^threads and mappings that grow:$' out
expect_grep '^ *107 /usr/bin/threads --serve +threads +[0-9]+ +27 ' out
expect_grep '^regions they grow in' out
# the suspects' order is the rate's, in every view and in report
expect_exit 3 "$ANALYZE" --csv growth db --host h2 -r
cp out rate.csv
python3 - out <<'EOF' || fail "growth is not sorted by rate"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
rates = [int(r["per_hour"]) for r in rows]
assert rates == sorted(rates, reverse=True), rates
EOF

# report: the same suspects in the same order, fastest first, each with a
# chart of its field and the fitted trend dashed over it
expect_exit 0 "$ANALYZE" report db --host h2 --html r.html
python3 - r.html rate.csv <<'EOF' || fail "report's suspects are not growth's"
import csv, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
sec = page[page.index('<section id="growth">'):]
sec = sec[:sec.index("</section>")]
shown = re.findall(r"<h3>(\d+) ", sec)
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
assert shown == [r["pid"] for r in rows], (shown, [r["pid"] for r in rows])
assert sec.count('class="trend"') == len(rows), sec.count('class="trend"')
assert sec.count("stroke-dasharray") == len(rows)
assert "[heap]" in sec and "/var/lib/mappings/*" in sec
assert "per hour</b> (confidence 99.99 %)" in sec
assert "MemAvailable" in sec and " days." in sec
EOF
exit 0
