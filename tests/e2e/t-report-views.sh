# t-report-views.sh - report's pictures and sections against the commands
# and the trees they come from: memory by kind and by library equal
# showmap's and libs --per-process's figures; the containers section
# holds, for samples/k8s and samples/docker, the figures of the frozen
# tree (tests/helpers/cgroup-oracle), with a chart of the charges when
# there is history, and a note when there are no cgroup figures; the
# leak suspects come in growth -r's order; sizes are KiB, MiB, GiB.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples
ORACLE=$ROOT/tests/helpers/cgroup-oracle

# page.py FILE: the page's containers rows, bar tooltips, suspects
cat >page.py <<'PY'
import html.parser, json, re, sys

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.section = self.figure = None
        self.cell = self.title = None
        self.rows, self.tips, self.suspects, self.figures = [], [], [], []
        self.charts = 0
        self.h3 = None
        self.notes = []
        self.texts = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id")
        elif tag == "figure":
            self.figure = a.get("class")
            self.figures.append((self.section, self.figure))
        elif tag == "table" and a.get("class") == "cgroups":
            self.rows.append(None)
        elif tag == "tr" and self.section == "containers":
            self.row = []
        elif tag == "td" and self.section == "containers":
            self.cell = [a.get("title"), ""]
        elif tag == "title":
            self.title = ""
        elif tag == "h3" and self.section == "growth":
            self.h3 = ""
        elif tag == "p" and a.get("class") == "none":
            self.notes.append((self.section, ""))

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.section == "containers" and getattr(self, "row", None):
            self.rows.append(self.row)
            self.row = None
        elif tag == "title" and self.title is not None:
            if self.section == "memory-kinds":
                self.tips.append((self.figure, self.title))
            self.title = None
        elif tag == "h3" and self.h3 is not None:
            self.suspects.append([self.h3.split()[0], None])
            self.h3 = None
        elif tag == "figure":
            self.figure = None

    def handle_data(self, d):
        if self.cell is not None:
            self.cell[1] += d
        if self.title is not None:
            self.title += d
        if self.h3 is not None:
            self.h3 += d
        if self.section == "growth":
            m = re.match(r"(\S+) grows by", d)
            if m and self.suspects and self.suspects[-1][1] is None:
                self.suspects[-1][1] = m.group(1)
        self.texts.append(d)

p = Page()
p.feed(open(sys.argv[1], encoding="utf-8").read())
json.dump({"rows": [r for r in p.rows if r], "tips": p.tips,
           "suspects": p.suspects, "figures": p.figures,
           "texts": p.texts}, open(sys.argv[2], "w"))
PY

# --- the containers of a Kubernetes node and of a docker host -----------
for s in k8s docker; do
	expect_exit 0 "$CAPTURE" -q -o $s.db --proc "$S/$s/proc" --sys "$S/$s/sys"
	expect_exit 0 "$ANALYZE" report $s.db --html $s.html
	python3 page.py $s.html $s.json || fail "cannot read $s.html"
	"$ORACLE" "$S/$s" cgroups >$s.want || fail "the oracle failed on $s"
	python3 - $s.json $s.want <<'PY' || fail "$s: the containers section"
import csv, json, sys
page = json.load(open(sys.argv[1]))
want = {r["cgroup"]: r for r in csv.DictReader(open(sys.argv[2]))
        if int(r["procs"]) > 0}
rows = page["rows"]
assert [r[0][0] for r in rows] == sorted(want, key=[r[0][0] for r in rows].index), rows
assert {r[0][0] for r in rows} == set(want), ({r[0][0] for r in rows}, set(want))
def kib(cell):
    """A size cell: the exact KiB of its tooltip, or '' when none."""
    t, text = cell
    if text.strip() in ("-", "none"):
        return ""
    assert t.endswith(" KiB"), cell
    return t[:-4]
for r in rows:
    w = want[r[0][0]]
    got = dict(zip(["charge", "limit", "headroom", "anon", "file", "kernel"],
                   [kib(c) for c in r[1:7]]))
    got["oom_kill"] = r[7][1].replace("-", "")
    got["procs"] = r[8][1]
    got["pss"] = kib(r[9])
    for k, v in got.items():
        assert v == w[k], (r[0][0], k, v, w[k])
PY
done
# the figures README.md of samples/k8s names: the app container
python3 - k8s.json <<'PY' || fail "k8s: the app container"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
app = [r for r in rows if r[0][0].endswith("cri-containerd-" + "b2c3" * 16 + ".scope")]
assert len(app) == 1, rows
r = app[0]
assert [c[0] for c in r[1:4]] == ["391528 KiB", "393216 KiB", "1688 KiB"], r
assert r[7][1] == "2" and r[8][1] == "2" and r[9][0] == "228496 KiB", r
assert r[10][1] == "gunicorn", r
PY
# one snapshot: no chart of charges; two: one, of the largest leaves
python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))["figures"]
assert ("containers", "charges") not in [tuple(x) for x in f], f
' k8s.json || fail "a chart of charges from one snapshot"
expect_exit 0 "$CAPTURE" -q -o k8s.db --proc "$S/k8s/proc" --sys "$S/k8s/sys"
expect_exit 0 "$ANALYZE" report k8s.db --html k8s2.html
python3 page.py k8s2.html k8s2.json || fail "cannot read k8s2.html"
python3 - k8s2.json <<'PY' || fail "k8s: the chart of charges"
import json, sys
p = json.load(open(sys.argv[1]))
assert ["containers", "charges"] in p["figures"], p["figures"]
assert "Charge of the 8 cgroups that hold processes" in p["texts"], p["texts"]
PY
grep -q 'cri-containerd-b2c3b2c3b2c3b2c3…' k8s2.html || fail "no legend entry for the app container"

# no cgroup figures: a file of format 1.0, a frozen tree without --sys
cp "$ROOT/tests/compat/1.0/history.db" old.db
expect_exit 0 "$CAPTURE" -q -o nosys.db --proc "$S/k8s/proc"
for f in old nosys; do
	expect_exit 0 "$ANALYZE" report $f.db --html $f.html
	[ "$(sed -n '/<section id="containers">/,/<\/section>/p' $f.html |
		grep -c 'No cgroup figures in this snapshot')" -ge 1 ] ||
		fail "$f: no note that the snapshot has no cgroup figures"
	grep -q '<table class=cgroups>' $f.html && fail "$f: a cgroups table"
done

# --- memory by kind and by library: showmap's and libs' figures ----------
python3 - k8s.json k8s.db "$ANALYZE" <<'PY' || fail "the kinds and libraries"
import csv, io, json, re, subprocess, sys
page, db, analyze = sys.argv[1], sys.argv[2], sys.argv[3]
tips = json.load(open(page))["tips"]
def run(*args):
    out = subprocess.run([analyze, "--csv", *args], capture_output=True,
                         text=True, check=True).stdout
    return list(csv.DictReader(io.StringIO(out)))
def kind(name):
    """The kinds, from proc.rst's names, written apart from mapkind.c."""
    if name in ("", "<anonymous>") or name.startswith("[anon"):
        return "anonymous"
    if name == "[heap]":
        return "heap"
    if name.startswith("[stack"):
        return "stack"
    if not name.startswith("/"):
        return "kernel"
    if re.match(r"/(dev/shm/|SYSV|memfd:|dev/zero)", name):
        return "shared memory"
    if re.search(r"\.so($|[. ])", name.rsplit("/", 1)[-1]):
        return "libraries"
    return "other files"
kinds, libs = {}, {}
for fig, t in tips:
    if t in ("PSS by kind of mapping", "PSS of the libraries"):
        continue	# the charts' own titles
    m = re.match(r"(\d+) .*: (.+) (\d+) KiB \([0-9.]+ %\)$", t)
    assert m, t
    (kinds if fig == "kinds" else libs)[(m.group(1), m.group(2))] = int(m.group(3))
pids = sorted({p for p, _ in kinds}, key=int)
assert len(pids) == 10, pids
for pid in pids:
    want = {}
    for r in run("showmap", db, pid):
        want[kind(r["map"])] = want.get(kind(r["map"]), 0) + int(r["pss"])
    got = {k: v for (p, k), v in kinds.items() if p == pid}
    assert got == {k: v for k, v in want.items() if v}, (pid, got, want)
per = {(r["pid"], r["map"].rsplit("/", 1)[-1]): int(r["pss"])
       for r in run("libs", db, "--per-process", "--snapshot", "1")}
named = [(p, k) for (p, k) in libs if k != "other libraries"]
assert named, libs
for (p, k) in named:
    assert libs[(p, k)] == per[(p, k)], (p, k, libs[(p, k)], per.get((p, k)))
PY

# --- the leak suspects in growth -r's order, sizes then counts ----------
python3 "$ROOT/tests/helpers/make-leaks" h 1 24 1 0.5 >/dev/null || fail "make-leaks"
for ((i = 0; i < 24; i++)); do
	expect_exit 0 "$CAPTURE" -q --proc "h/step$i/proc" --host h -o l.db
done
python3 - l.db h/times <<'PY' || fail "cannot set the snapshot times"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
times = [int(l) for l in open(sys.argv[2])]
ids = [r[0] for r in db.execute("SELECT id FROM snapshots ORDER BY id")]
for i, t in zip(ids, times):
    db.execute("UPDATE snapshots SET time_us = ? WHERE id = ?", (t, i))
# a thread leak faster in threads an hour than a memory leak in kB
db.execute("UPDATE processes SET threads = threads * 1000 WHERE pid = 107")
db.commit()
PY
expect_exit 3 "$ANALYZE" -w -r growth l.db
awk '/^regions they grow in/ { exit }
	$1 ~ /^[0-9]+$/ { for (i = 2; i <= NF; i++)
		if ($i ~ /^(anon\+swap|rss|pss|uss|swap|vss|anon|threads|maps)$/) {
			print $1, $i; next } }' out >growth.order
expect_exit 0 "$ANALYZE" report l.db --html l.html
python3 page.py l.html l.json || fail "cannot read l.html"
python3 -c '
import json, sys
for pid, field in json.load(open(sys.argv[1]))["suspects"]:
    print(pid, field)
' l.json >report.order
[ "$(wc -l <growth.order)" -ge 9 ] || fail "too few suspects: $(cat growth.order)"
expect_cmp growth.order report.order

# --- --top N of the total chart: the hosts of the largest peak ----------
cp "$ROOT/tests/compat/1.0/merged.db" m.db
expect_exit 0 "$ANALYZE" report m.db --html m.html --top 2
want=$(sqlite3 m.db "SELECT hostname FROM (SELECT h.hostname, max(t.pss) AS peak
	FROM hosts AS h JOIN (SELECT s.host_id, sum(p.pss_kb) AS pss FROM snapshots
	AS s JOIN processes AS p ON p.snapshot_id = s.id GROUP BY s.id) AS t
	ON t.host_id = h.id GROUP BY h.id) ORDER BY peak DESC, hostname LIMIT 2" |
	sort | tr '\n' ' ')
n=$(sqlite3 m.db "SELECT count(*) FROM hosts")
python3 - m.html "$want" "$n" <<'PY' || fail "report --top 2: the total chart"
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
hosts = page.split('<section id="hosts">')[1].split("</section>")[0]
svg = hosts.split("<figure>")[1].split("</figure>")[0]
n = int(sys.argv[3])
assert n > 2, n
assert "per host: the 2 of the largest peak of %d (%d left out)" % (n, n - 2) in svg, svg[:600]
legend = re.findall(r'<g class="legend">(.*?)</g>', svg, re.S)[0]
names = re.findall(r"<text[^>]*>([^<]*)</text>", legend)
assert names == sys.argv[2].split(), (names, sys.argv[2])
PY

# --- sizes in binary units ----------------------------------------------
grep -Eq '[0-9] (kB|MB|GB)<' k8s2.html l.html && fail "a size in kB, MB or GB"
grep -q ' MiB<' k8s2.html || fail "no size in MiB"
exit 0
