# t-timeline.sh - timeline: one row per snapshot per process with the
# exact figures of a tree that leaks by a known amount, in every output
# format; the sparklines; the SVG chart (well-formed, one line and one
# legend entry per process, hostile names escaped); the error paths.
. "$ROOT/tests/e2e/lib.sh"

# six snapshots of tests/helpers/make-growth's box, 30 minutes apart
python3 "$ROOT/tests/helpers/make-growth" tree 6 || fail "make-growth"
for k in 0 1 2 3 4 5; do
	expect_exit 0 "$CAPTURE" -q --proc tree/step$k/proc --host box -l step$k -o db
done
half_hourly db

# --pid 100: leaky's Pss rises by 1024 kB a step, by 1056 at step 3 (its
# heap, plus the 32 kB of libextra it maps from then on)
expect_exit 0 "$ANALYZE" --csv timeline db --pid 100
python3 - out <<'EOF' || fail "timeline --pid 100 --csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
want_cols = "time,snapshot,label,pid,command,rss,pss,uss,swap,vss,host"
assert list(rows[0].keys()) == want_cols.split(","), list(rows[0].keys())
assert len(rows) == 6, len(rows)
pss = [int(r["pss"]) for r in rows]
assert pss == [2612, 3636, 4660, 5716, 6740, 7764], pss
assert [b - a for a, b in zip(pss, pss[1:])] == [1024, 1024, 1056, 1024, 1024]
assert [int(r["rss"]) for r in rows] == [3212, 4236, 5260, 6316, 7340, 8364]
assert [int(r["uss"]) for r in rows] == [2412, 3436, 4460, 5516, 6540, 7564]
assert [int(r["vss"]) for r in rows] == [6364, 7388, 8412, 9564, 10588, 11612]
assert all(r["swap"] == "0" for r in rows)
assert [r["snapshot"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
assert [r["label"] for r in rows] == ["step%d" % k for k in range(6)]
assert [r["time"] for r in rows] == [
    "2023-11-14T22:13:20.000000Z", "2023-11-14T22:43:20.000000Z",
    "2023-11-14T23:13:20.000000Z", "2023-11-14T23:43:20.000000Z",
    "2023-11-15T00:13:20.000000Z", "2023-11-15T00:43:20.000000Z"], rows
assert all(r["pid"] == "100" and r["command"] == "/usr/bin/leaky --run"
           and r["host"] == "box" for r in rows)
EOF

# JSON: the same figures, as numbers
expect_exit 0 "$ANALYZE" timeline db --pid 100 --json
python3 - out <<'EOF' || fail "timeline --json"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["pss"] for r in rows] == [2612, 3636, 4660, 5716, 6740, 7764], rows
assert all(r["pid"] == 100 and r["swap"] == 0 for r in rows)
assert rows[3]["label"] == "step3" and rows[0]["snapshot"] == 1
EOF

# the table, then a sparkline of pss per process with its range
expect_exit 0 "$ANALYZE" timeline db --pid 100
expect_grep '^ +TIME +SNAPSHOT +LABEL +PID +COMMAND +RSS +PSS +USS +SWAP +VSS +HOST$' out
expect_grep '^2023-11-15 00:43:20 UTC +6 step5 +100 /usr/bin/leaky --run +8364 +7764 +7564 +0 +11612 box$' out
expect_grep '^ +100 /usr/bin/leaky --run +pss ▁▂▄▅▇█ min 2612 max 7764 kB$' out
[ "$(grep -c 'min .* max' out)" -eq 1 ] || fail "not one sparkline: $(cat out)"
# --field picks the sparkline's figure; CSV has none
expect_exit 0 "$ANALYZE" timeline db --pid 100 --field rss
expect_grep '^ +100 /usr/bin/leaky --run +rss ▁▂▄▅▇█ min 3212 max 8364 kB$' out
expect_exit 0 "$ANALYZE" timeline db --pid 100 --csv
grep -q 'min .* max' out && fail "a sparkline in CSV output"
# any field growth judges; counts have no unit (libextra came at step 3)
expect_exit 0 "$ANALYZE" timeline db --pid 100 --field anon+swap
expect_grep '^ +100 /usr/bin/leaky --run +anon\+swap ▁▂▄▅▇█ min 2348 max 7468 kB$' out
expect_exit 0 "$ANALYZE" timeline db --pid 100 --field maps
expect_grep '^ +100 /usr/bin/leaky --run +maps ▁▁▁███ min 7 max 8$' out
# the window: the snapshots of the last hour
expect_exit 0 "$ANALYZE" --csv timeline db --pid 100 --since 1h
[ "$(cut -d, -f2 out | tr -d '\r' | tr '\n' ' ')" = "snapshot 4 5 6 " ] ||
	fail "--since 1h: $(cat out)"
expect_exit 0 "$ANALYZE" --csv timeline db --pid 100 --since 2023-11-14T22:30Z \
	--until '2023-11-14 23:30'
[ "$(cut -d, -f2 out | tr -d '\r' | tr '\n' ' ')" = "snapshot 2 3 " ] ||
	fail "--since/--until: $(cat out)"
# a window with no snapshot: no row (exit 0, as any filter)
expect_exit 0 "$ANALYZE" --csv timeline db --pid 100 --since 2030-01-01
[ "$(wc -l <out)" = 1 ] || fail "--since 2030: $(cat out)"

# --match over several processes: each one's rows, oldest first; a
# process that came late or left early has the snapshots it was in
expect_exit 0 "$ANALYZE" --csv timeline db --match 'leaky|wobbly|goner|newbie'
python3 - out <<'EOF' || fail "timeline --match"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
by = {}
for r in rows:
    by.setdefault(int(r["pid"]), []).append(r)
assert sorted(by) == [100, 200, 400, 500], sorted(by)
assert [int(r["pid"]) for r in rows] == sorted(int(r["pid"]) for r in rows)
assert [int(r["snapshot"]) for r in by[400]] == [3, 4, 5, 6]
assert [int(r["snapshot"]) for r in by[500]] == [1, 2]
assert [int(r["rss"]) for r in by[200]] == [3212, 5260, 4236, 6284, 5260, 7308]
for p, rs in by.items():
    t = [r["time"] for r in rs]
    assert t == sorted(t), (p, t)
EOF
expect_exit 0 "$ANALYZE" timeline db --match 'leaky|wobbly|goner|newbie'
[ "$(grep -c ' pss [▁▂▃▄▅▆▇█]* min ' out)" -eq 4 ] || fail "not four sparklines: $(cat out)"
grep -q '/usr/bin/steady' out && fail "--match shows steady"

# the shared output options: --sort, -r, --limit
expect_exit 0 "$ANALYZE" --csv --sort pss -r --limit 2 timeline db --pid 100
[ "$(tail -n +2 out | cut -d, -f7 | tr -d '\r' | tr '\n' ' ')" = "7764 6740 " ] ||
	fail "--sort pss -r --limit 2: $(cat out)"

# a pid reused in another boot is another process: its own series
cp db boots.db
python3 "$ROOT/tests/helpers/make-growth" reboot 1 00000000-1111-2222-3333-444444444444 ||
	fail "make-growth"
expect_exit 0 "$CAPTURE" -q --proc reboot/step0/proc --host box -o boots.db
expect_exit 0 "$ANALYZE" timeline boots.db --pid 100
[ "$(grep -c ' pss .* min ' out)" -eq 2 ] || fail "a rebooted pid 100 joined the old one: $(cat out)"
expect_grep ' pss ▁▂▄▅▇█ min 2612 max 7764 kB$' out
expect_grep ' pss ▄ min 2612 max 2612 kB$' out

# --svg: a well-formed SVG, one line and one legend entry per process,
# axes labelled with times and sizes
expect_exit 0 "$ANALYZE" timeline db --match 'leaky|wobbly|steady' --svg chart.svg
[ -s chart.svg ] || fail "no chart.svg"
python3 - chart.svg <<'EOF' || fail "the SVG chart"
import sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == NS + "svg", root.tag
w, h = root.get("width"), root.get("height")
assert root.get("viewBox") == "0 0 %s %s" % (w, h), (root.get("viewBox"), w, h)
def group(cls):
    g = [e for e in root.iter(NS + "g") if e.get("class") == cls]
    assert len(g) == 1, cls
    return [t.text for t in g[0].iter(NS + "text")]
paths = [p for p in root.iter(NS + "path")]
assert len(paths) == 3, len(paths)
assert len({p.get("stroke") for p in paths}) == 3, "colours repeat"
for p in paths:
    d = p.get("d")
    assert d.startswith("M") and d.count("L") == 5, d
legend = group("legend")
assert legend == ["/usr/bin/leaky --run", "/usr/bin/wobbly --run",
                  "/usr/bin/steady --run"], legend
ys = group("y-axis")
assert ys and all(t.endswith((" KiB", " MiB", " GiB")) for t in ys), ys
assert ys == ["2 MiB", "4 MiB", "6 MiB", "8 MiB"], ys
xs = group("x-axis")
assert "23:00" in xs and "2023-11-15" in xs, xs
texts = [t.text or "" for t in root.iter(NS + "text")]
assert any(t == "time, 2023-11-14 22:13:20 UTC to 2023-11-15 00:43:20 UTC" for t in texts), texts
assert any(t == "pss of processes matching 'leaky|wobbly|steady'" for t in texts), texts
titles = [t.text for t in root.iter(NS + "title")]
assert "100 /usr/bin/leaky --run: 7764 KiB at 2023-11-15 00:43:20 UTC" in titles
EOF
# --field rss charts rss
expect_exit 0 "$ANALYZE" timeline db --pid 100 --field rss --svg rss.svg
grep -q '100 /usr/bin/leaky --run: 8364 KiB at 2023-11-15 00:43:20 UTC' rss.svg ||
	fail "--field rss did not chart rss"
grep -q ': 7764 KiB' rss.svg && fail "--field rss charted pss"
# a count is charted as a count: no kB on its axis or its dots
expect_exit 0 "$ANALYZE" timeline db --pid 100 --field threads --svg threads.svg
grep -q '>1</text>' threads.svg || fail "--field threads: no plain tick"
grep -q 'KiB' threads.svg && fail "--field threads charted KiB"

# a name from a hostile file: < & " ' in comm and cmdline, a byte that is
# not UTF-8 and a control character; the SVG stays well-formed
for k in 0 1; do
	cp -r tree/step$k evil$k
	printf 'ev<&"il\n' >evil$k/proc/100/comm
	sed -i 's/(leaky)/(ev<\&"il)/' evil$k/proc/100/stat	# the comm read
	printf '/bin/x<y&z"'"'"'\377\001</text>\0-r\0' >evil$k/proc/100/cmdline
	expect_exit 0 "$CAPTURE" -q --proc evil$k/proc --host box -o evil.db
done
expect_exit 0 "$ANALYZE" timeline evil.db --match 'ev<&' --svg evil.svg
python3 - evil.svg <<'EOF' || fail "a hostile name broke the SVG"
import sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
legend = [e for e in root.iter(NS + "g") if e.get("class") == "legend"][0]
names = [t.text for t in legend.iter(NS + "text")]
want = "/bin/x<y&z\"'\ufffd\ufffd</text> -r"
assert names == [want], names
paths = list(root.iter(NS + "path"))
assert len(paths) == 1 and paths[0].find(NS + "title").text == "100 " + want
EOF
grep -q '</text> -r' evil.svg && fail "the name is not escaped"
# the sparkline's name as the table shows it: no byte a terminal acts on
expect_exit 0 "$ANALYZE" timeline evil.db --pid 100
python3 - out <<'EOF' || fail "the sparkline shows a hostile name as it is"
import sys
text = open(sys.argv[1], "rb").read().decode("utf-8")    # strict: no stray byte
spark = [l for l in text.splitlines() if " pss " in l and "min" in l]
assert len(spark) == 1 and "/bin/x<y&z\"'??</text> -r pss" in spark[0], spark
EOF
expect_exit 0 "$ANALYZE" --json timeline evil.db --pid 100
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r) == 2 and r[0]["command"] == "/bin/x<y&z\"\x27\ufffd\u0001</text> -r", r
' out || fail "--json with a hostile name"

# no process matched: an empty table, exit 0 (t-exit.sh); errors: a
# host the file lacks, usage, an SVG that cannot be written
expect_exit 0 "$ANALYZE" timeline db --match nosuchprocess
expect_exit 1 "$ANALYZE" timeline db --pid 100 --host nosuchhost
expect_exit 2 "$ANALYZE" timeline db
expect_grep "needs --pid PID or --match REGEX" err
expect_exit 2 "$ANALYZE" timeline --pid 100
expect_exit 2 "$ANALYZE" timeline db db --pid 100
expect_exit 2 "$ANALYZE" timeline db --pid 100 --field size
expect_exit 2 "$ANALYZE" timeline db --pid 100 --since noon
expect_exit 2 "$ANALYZE" timeline db --pid nope
expect_exit 2 "$ANALYZE" timeline db --match '('
expect_exit 2 "$ANALYZE" timeline db --pid 100 --bogus
expect_exit 1 "$ANALYZE" timeline nosuch.db --pid 100
expect_exit 1 "$ANALYZE" timeline db --pid 100 --svg nodir/chart.svg
expect_grep "cannot write 'nodir/chart.svg'" err
[ -s out ] && fail "a table printed though --svg failed"
if [ -w /dev/full ]; then
	expect_exit 1 "$ANALYZE" timeline db --pid 100 --svg /dev/full
	expect_grep "cannot write '/dev/full'" err
fi
expect_exit 0 "$ANALYZE" timeline --help
expect_grep '^usage: .*timeline FILE \(--pid PID \| --match REGEX \| --cgroups\)' out
exit 0
