#!/usr/bin/env bash
# t-export.sh - export: every --what in CSV and JSON lines, read back by
# python and held against list, ps and the smaps text itself; scope and
# filters; libs --all-hosts against the exported mappings; --proc-tree
# read by smem -S and by mapsnap-capture; a corrupt blob; usage errors.
. "$ROOT/tests/e2e/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed to parse the output"
command -v smem >/dev/null || fail "smem is needed: scripts/install-deps installs it"

# two hosts, three snapshots: host a twice (real, then edge), host b once
"$CAPTURE" -q -o db --proc "$ROOT/samples/real/proc" --host a || fail "capture a"
"$CAPTURE" -q -o db --proc "$ROOT/samples/edge/proc" --host b -l bee || fail "capture b"
"$CAPTURE" -q -o db --proc "$ROOT/samples/edge/proc" --host a || fail "capture a 2"

cat > "$T/x.py" <<'PY'
import csv, json, re, subprocess, sys, os

ANALYZE = os.environ["ANALYZE"]
sys.dont_write_bytecode = True	# nothing written into the source tree
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "helpers"))
from smaps_fields import FIELDS
INTS = {"snapshot_id", "time_us", "pid", "ppid", "start_time", "uid",
        "threads", "maps", "vss", "rss", "pss", "uss", "shared", "swap",
        "swappss", "anonymous", "locked", "inode", "page_size", "seen",
        "processes", "skipped", "pids", "count", "avgpss", "nspid", "pidns",
        "oom_score_adj"} | set(FIELDS)

def die(msg):
    sys.exit(msg)

def read_csv(path):
    raw = open(path, "rb").read()
    if raw and (not raw.endswith(b"\r\n") or raw.count(b"\n") != raw.count(b"\r\n")):
        die("%s: records do not all end in CRLF" % path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    head, out = rows[0], []
    for n, r in enumerate(rows[1:], 2):
        if len(r) != len(head):
            die("%s line %d: %d fields, header has %d" % (path, n, len(r), len(head)))
        out.append({k: (None if v == "" and k in INTS else int(v) if k in INTS else v)
                    for k, v in zip(head, r)})
    return head, out

def read_jsonl(path):
    out = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.endswith("\n") or "\n" in line[:-1]:
            die("%s line %d: not one object per line" % (path, n))
        out.append(json.loads(line))
    return out

def both(stem):
    """The CSV and the JSON lines of one export: the same rows."""
    head, c = read_csv(stem + ".csv")
    j = read_jsonl(stem + ".jsonl")
    if len(c) != len(j):
        die("%s: %d CSV rows, %d JSON lines" % (stem, len(c), len(j)))
    for n, (a, b) in enumerate(zip(c, j)):
        if list(b.keys()) != head:
            die("%s: JSON line %d keys %s, CSV header %s" % (stem, n + 1, list(b), head))
        for k in head:	# CSV cannot tell "" from NULL in text columns
            if a[k] != b[k] and not (b[k] is None and a[k] == ""):
                die("%s row %d: %s CSV %r JSON %r" % (stem, n + 1, k, a[k], b[k]))
    return head, c

def run(*args):
    return subprocess.run([ANALYZE] + list(args), check=True,
                          stdout=subprocess.PIPE).stdout

def ps(snap, *filt):
    _, rows = read_csv_bytes(run("--csv", "ps", "db", "--snapshot", snap, *filt))
    return {r["pid"]: r for r in rows}

def read_csv_bytes(b):
    open("tmp.csv", "wb").write(b)
    return read_csv("tmp.csv")

def parse_smaps(text):
    """The smaps text, as rows of the mappings export (python's reading)."""
    rows, cur = [], None
    hdr = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) "
                     r"([0-9a-f]+:[0-9a-f]+) (\d+)(?: +(.*))?$")
    for line in text.decode().split("\n"):
        m = hdr.match(line)
        if m:
            cur = {"start": m[1], "end": m[2], "perm": m[3], "offset": m[4],
                   "dev": m[5], "inode": int(m[6]), "path": m[7] or ""}
            rows.append(cur)
        elif ":" in line and cur is not None:
            k, v = line.split(":", 1)
            k = k.lower()
            if k in FIELDS:
                cur[k] = int(v.split()[0])
    for r in rows:
        r.setdefault("size", (int(r["end"], 16) - int(r["start"], 16)) // 1024)
        for k in FIELDS:
            r.setdefault(k, None)
    return rows

def check_snapshots(stem):
    head, rows = both(stem)
    _, lst = read_csv_bytes(run("--csv", "list", "db"))
    if len(rows) != len(lst):
        die("snapshots: %d rows, list has %d" % (len(rows), len(lst)))
    for a, b in zip(rows, lst):
        for k, kk in (("snapshot", "uuid"), ("host", "host"), ("label", "label"),
                      ("processes", "processes"), ("rss", "rss"), ("pss", "pss"),
                      ("uss", "uss"), ("swap", "swap"), ("snapshot_id", "id")):
            if str(a[k]) != str(b[kk]):
                die("snapshots %s: %s %r, list %r" % (a["snapshot"], k, a[k], b[kk]))
        if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", a["time"]):
            die("snapshots: time %r is not ISO 8601 UTC" % a["time"])
        if b["time"] != a["time"]:
            die("snapshots: time %s, list %s" % (a["time"], b["time"]))
    print(len(rows))

def check_processes(stem, *filt):
    head, rows = both(stem)
    snaps = sorted({(r["time_us"], r["snapshot"]) for r in rows})
    n = 0
    for _, s in snaps:
        want = ps(s, *filt)
        got = {r["pid"]: r for r in rows if r["snapshot"] == s}
        if set(want) != set(got):
            die("processes %s: pids %s, ps has %s" % (s, sorted(got), sorted(want)))
        for pid, w in want.items():
            g = dict(got[pid])
            if not g["user"] and g["uid"] is not None:	# ps shows the uid
                g["user"] = str(g["uid"])
            for k in ("user", "command", "swap", "uss", "pss", "rss", "vss", "maps"):
                if g[k] != w[k]:
                    die("processes %s pid %d: %s %r, ps %r" % (s, pid, k, g[k], w[k]))
        n += len(got)
    print(n)

def check_mappings(stem, *filt):
    head, rows = both(stem)
    want_head = ["snapshot_id", "pid", "start", "end", "perm", "offset", "dev",
                 "inode", "path"] + FIELDS
    if [h for h in head if h in want_head] != want_head:
        die("mappings: header %s" % ",".join(head))
    by = {}
    for r in rows:
        by.setdefault((r["snapshot"], r["pid"]), []).append(r)
    snaps = sorted({(r["time_us"], r["snapshot"]) for r in rows})
    for _, s in snaps:
        want = ps(s, *filt)
        pids = {p for (ss, p) in by if ss == s}
        if pids != set(want):
            die("mappings %s: pids %s, ps has %s" % (s, sorted(pids), sorted(want)))
        for pid, w in want.items():
            got = by[(s, pid)]
            sums = {"pss": "pss", "rss": "rss", "swap": "swap", "size": "vss"}
            for k, kk in sums.items():
                v = sum(r[k] or 0 for r in got)
                if v != w[kk]:
                    die("mappings %s pid %d: sum of %s %d, ps %s %d" % (s, pid, k, v, kk, w[kk]))
            uss = sum((r["private_clean"] or 0) + (r["private_dirty"] or 0) for r in got)
            if uss != w["uss"] or len(got) != w["maps"]:
                die("mappings %s pid %d: uss %d maps %d, ps %d %d" % (s, pid, uss, len(got), w["uss"], w["maps"]))
            text = parse_smaps(run("smaps", "db", "--snapshot", s, str(pid)))
            if len(text) != len(got):
                die("mappings %s pid %d: %d rows, smaps text %d" % (s, pid, len(got), len(text)))
            for a, b in zip(got, text):
                for k, v in b.items():
                    if a[k] != v:
                        die("mappings %s pid %d %s: %s %r, smaps text %r" % (s, pid, a["start"], k, a[k], v))
    print(len(rows))

def libs_all_hosts(stem, libs):
    """libs --all-hosts: the mappings of each host's latest snapshot, summed."""
    _, rows = read_csv(stem + ".csv")
    latest = {}
    for r in rows:
        latest[r["host"]] = max(latest.get(r["host"], (0, "")), (r["time_us"], r["snapshot"]))
    keep = {v[1] for v in latest.values()}
    acc = {}
    for r in rows:
        if r["snapshot"] not in keep:
            continue
        a = acc.setdefault(r["path"] or "<anonymous>", {"pss": 0, "rss": 0, "count": 0, "procs": set()})
        a["pss"] += r["pss"]; a["rss"] += r["rss"]; a["count"] += 1
        a["procs"].add((r["snapshot"], r["pid"]))
    _, got = read_csv(libs)
    g = {r["map"]: r for r in got}
    if set(g) != set(acc):
        die("libs --all-hosts: maps differ: %s" % sorted(set(g) ^ set(acc)))
    for k, a in acc.items():
        if (g[k]["pss"], g[k]["rss"], g[k]["count"], g[k]["pids"]) != (a["pss"], a["rss"], a["count"], len(a["procs"])):
            die("libs --all-hosts %s: %r, exported mappings %r" % (k, g[k], a))
    print(len(acc))

globals()[sys.argv[1]](*sys.argv[2:])
PY
x() { ANALYZE="$ANALYZE" python3 "$T/x.py" "$@" || fail "x.py $*"; }

# export STEM ARGS...: the CSV and the JSON lines of one export
export_both() {
	local stem=$1
	shift
	"$ANALYZE" export db "$@" > "$stem.csv" || fail "export $* (csv)"
	"$ANALYZE" --json export db "$@" > "$stem.jsonl" || fail "export $* (json)"
}

# every snapshot by default
export_both s --what snapshots
[ "$(x check_snapshots s)" = 3 ] || fail "export --what snapshots: not 3 rows"
export_both p --what processes
x check_processes p > /dev/null
export_both m --what mappings
n=$(x check_mappings m)
[ "$n" -gt 900 ] || fail "export --what mappings: only $n rows"
# --csv is the default, and may stand anywhere
"$ANALYZE" export db --what processes --csv > p2.csv || fail "export --csv"
expect_cmp p.csv p2.csv
grep -q '^{"host": "a", "machine_id": "", "snapshot": "' p.jsonl ||
	fail "a JSON line does not start with the keys"

# scope: one snapshot; one host (all its snapshots); filters
export_both m1 --what mappings --snapshot @bee
[ "$(x check_mappings m1)" -gt 0 ] || fail "--snapshot @bee: no rows"
[ "$(cut -d, -f1 m1.csv | sort -u | tr '\n' ' ')" = "b host " ] ||
	fail "--snapshot @bee: rows of other hosts"
export_both pa --what processes --host a
[ "$(cut -d, -f3 pa.csv | sort -u | wc -l)" = 3 ] || fail "--host a: not 2 snapshots"
! grep -q '^b,' pa.csv || fail "--host a: rows of host b"
export_both pm --what processes --match mapper --snapshot first
x check_processes pm --match mapper > /dev/null
[ "$(wc -l < pm.csv)" = 3 ] || fail "--match mapper: not 2 processes"
export_both mp --what mappings --pid 4193 --pid 1200
x check_mappings mp --pid 4193 --pid 1200 > /dev/null
[ "$(cut -d, -f8 mp.csv | sort -u | tr '\n' ' ')" = "1200 4193 pid " ] ||
	fail "--pid 4193 --pid 1200: other pids"
expect_exit 0 "$ANALYZE" export db --what processes --user nobody-at-all
[ "$(wc -l < out)" = 1 ] || fail "--user nobody-at-all: rows"

# libs --all-hosts sums the latest snapshot of every host, as the exported
# mappings of those snapshots do
"$ANALYZE" --csv libs db --all-hosts > lah.csv || fail "libs --all-hosts"
[ "$(x libs_all_hosts m lah.csv)" -gt 10 ] || fail "libs --all-hosts: few maps"
expect_exit 2 "$ANALYZE" libs db --all-hosts --snapshot first
expect_exit 2 "$ANALYZE" libs db --all-hosts --host a
expect_exit 2 "$ANALYZE" -p libs db --all-hosts

# --proc-tree: smem -S reads it as it reads the sample it came from, and
# a capture of it gives back the same figures
expect_exit 0 "$ANALYZE" export db --proc-tree tree --snapshot first
smem -S tree -c "pid swap uss pss rss" -H > smem-tree.txt || fail "smem -S tree"
smem -S "$ROOT/samples/real" -c "pid swap uss pss rss" -H > smem-real.txt || fail "smem"
sort smem-real.txt > a.txt; sort smem-tree.txt > b.txt
expect_cmp a.txt b.txt
"$ANALYZE" --csv ps db --snapshot first | python3 -c '
import csv, sys
for r in csv.DictReader(sys.stdin):
    print(r["pid"], r["swap"], r["uss"], r["pss"], r["rss"])' | sort > ps.txt
awk '{print $1, $2, $3, $4, $5}' smem-tree.txt | sort > smem.txt
expect_cmp ps.txt smem.txt
cmp "$ROOT/samples/real/proc/4188/smaps" tree/proc/4188/smaps || fail "smaps differs"
cmp "$ROOT/samples/real/proc/4188/maps" tree/proc/4188/maps || fail "maps differs"
cmp "$ROOT/samples/real/proc/4188/status" tree/proc/4188/status || fail "status differs"
"$CAPTURE" -q -o back.db --proc tree/proc --host a || fail "capture of the tree"
"$ANALYZE" --csv ps back.db > back.csv
"$ANALYZE" --csv ps db --snapshot first > first.csv
expect_cmp first.csv back.csv
expect_exit 1 "$ANALYZE" export db --proc-tree tree
expect_grep "^mapsnap-analyze: cannot create 'tree/proc': File exists$" err
expect_exit 0 "$ANALYZE" export db --proc-tree tree2 --match "^sleep" --snapshot first
[ "$(cd tree2/proc && ls -d [0-9]*)" = 4193 ] || fail "--proc-tree --match: other pids"

# a corrupt blob is named by id; every other row is still exported, exit 1
cp db bad.db
blob=$(sqlite3 bad.db "SELECT text_blob FROM processes WHERE pid = 4193")
sqlite3 bad.db "UPDATE blobs SET data = zeroblob(length(data)) WHERE id = $blob" ||
	fail "cannot corrupt bad.db"
expect_exit 1 "$ANALYZE" export bad.db --what mappings
expect_grep "^mapsnap-analyze: 'bad.db': blob $blob " err
[ "$(wc -l < err)" = 1 ] || fail "more than one message for one bad blob"
grep -v ',4193,' m.csv > want.csv
expect_cmp want.csv out
expect_exit 0 "$ANALYZE" export bad.db --what processes	# no text read
expect_exit 1 "$ANALYZE" export bad.db --proc-tree badtree --snapshot first
expect_grep "blob $blob" err
[ -f badtree/proc/4188/smaps ] && [ ! -e badtree/proc/4193/smaps ] ||
	fail "--proc-tree: the others not written, or the bad one written"

# usage errors, bad files, a full disk
expect_exit 2 "$ANALYZE" export db
expect_grep "needs --what or --proc-tree" err
expect_exit 2 "$ANALYZE" export db --what libs
expect_grep "bad --what 'libs'" err
expect_exit 2 "$ANALYZE" export db db --what processes
expect_exit 2 "$ANALYZE" export db --what snapshots --pid 1
expect_exit 2 "$ANALYZE" export db --what processes --proc-tree x
expect_exit 2 "$ANALYZE" --json export db --proc-tree x
expect_exit 2 "$ANALYZE" export db --what processes --pid x
expect_exit 1 "$ANALYZE" export db --what processes --snapshot 99
expect_exit 1 "$ANALYZE" export missing.db --what processes
expect_grep "missing.db" err
echo "not a database" > junk.db
expect_exit 1 "$ANALYZE" export junk.db --what mappings
expect_grep "junk.db" err
expect_exit 2 "$ANALYZE" export db --what mappings --output-does-not-exist
"$ANALYZE" export db --what mappings > /dev/full 2> err && fail "/dev/full: exit 0"
expect_grep "mapsnap-analyze: .*(No space left on device|write)" err
expect_exit 0 "$ANALYZE" export --help
expect_grep "export FILE --what snapshots\|processes\|mappings" out
exit 0
