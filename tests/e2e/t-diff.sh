#!/usr/bin/env bash
# t-diff.sh - diff over time and across hosts. A box whose "leaky" heap
# grows by a known amount per snapshot (tests/helpers/make-growth): the
# deltas per process equal smem's figures read from the trees, per step
# and over the whole run, and the heap's own delta and address range show
# the growth; then matching (pid reuse within a boot, --by across hosts),
# --threshold, filters, -t, CSV and JSON, a corrupt blob, usage errors.
. "$ROOT/tests/e2e/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed to read the CSV"
command -v smem >/dev/null || fail "smem is needed: scripts/install-deps installs it"

steps=6
python3 "$ROOT/tests/helpers/make-growth" "$T/g" $steps ||
	fail "make-growth failed"
for k in $(seq 0 $((steps - 1))); do
	expect_exit 0 "$CAPTURE" -q --proc "$T/g/step$k/proc" --host box -o g.db
done

# smem's per-process figures of one tree: "pid rss pss uss swap" lines.
smem_of() {
	smem -S "$1" -c "pid rss pss uss swap" -H | awk '{ print $1, $2, $3, $4, $5 }' |
		sort -n
}

# d.py: checks on diff's CSV, each against figures computed elsewhere.
cat > "$T/d.py" <<'PY'
import csv, json, sys

def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, strict=True))

def smem(path):
    out = {}
    for line in open(path):
        pid, rss, pss, uss, swap = map(int, line.split())
        out[pid] = {"rss": rss, "pss": pss, "uss": uss, "swap": swap}
    return out

def num(v):
    return None if v == "" else int(v)

def procs(csvf, smem_from, smem_to, pid_to=None):
    """Every process row against smem's figures of both trees; statuses
    from which tree has the pid; the order by |pss_delta|, largest first."""
    a, b = smem(smem_from), smem(smem_to)
    pid_to = dict(p.split(":") for p in pid_to.split(",")) if pid_to else {}
    got = rows(csvf)
    seen = set()
    for r in got:
        pid, pf = int(r["pid"]), num(r["pid_from"])
        st = r["status"]
        want = "gone" if pid not in b or st == "gone" else \
            "changed" if pf is not None else "new"
        if st != want:
            sys.exit("pid %d: status %s, expected %s" % (pid, st, want))
        for x in ("rss", "pss", "uss", "swap"):
            f = a[pf][x] if pf is not None else None
            t = b[pid][x] if st != "gone" else None
            if num(r[x + "_from"]) != f or num(r[x + "_to"]) != t:
                sys.exit("pid %d %s: %s -> %s, smem says %s -> %s" %
                         (pid, x, r[x + "_from"], r[x + "_to"], f, t))
            if num(r[x + "_delta"]) != (t or 0) - (f or 0):
                sys.exit("pid %d %s_delta %s" % (pid, x, r[x + "_delta"]))
        seen.add(("from", pf) if pf is not None else ("to", pid))
        if st != "gone":
            seen.add(("to", pid))
    # every process that changed is there, and only those
    for pid in a:
        mate = int(pid_to.get(str(pid), pid))
        if ("from", pid) not in seen and mate in b and a[pid] != b[mate]:
            sys.exit("pid %d changed but is not listed" % pid)
    d = [abs(int(r["pss_delta"])) for r in got]
    if d != sorted(d, reverse=True):
        sys.exit("not sorted by |pss_delta|: %s" % d)
    print(len(got))

def heap(csvf, pid, pss, size, grow):
    """The [heap] row of pid: its pss/size deltas and a range whose end
    moved up by exactly `grow` kB."""
    for r in rows(csvf):
        if int(r["pid"]) == int(pid) and r["map"] == "[heap]":
            if int(r["pss_delta"]) != int(pss) or int(r["size_delta"]) != int(size):
                sys.exit("heap: pss_delta %s size_delta %s" % (r["pss_delta"], r["size_delta"]))
            lo0, hi0 = (int(x, 16) for x in r["range_from"].split("-"))
            lo1, hi1 = (int(x, 16) for x in r["range_to"].split("-"))
            if lo0 != lo1 or hi1 - hi0 != int(grow) * 1024:
                sys.exit("heap range %s -> %s" % (r["range_from"], r["range_to"]))
            return
    sys.exit("no [heap] row for pid %s" % pid)

def maprow(csvf, pid, name, status, pss_delta):
    for r in rows(csvf):
        if int(r["pid"]) == int(pid) and r["map"] == name:
            if r["status"] != status or num(r["pss_delta"]) != int(pss_delta):
                sys.exit("%s: %s %s" % (name, r["status"], r["pss_delta"]))
            return
    sys.exit("no row for %s of %s" % (name, pid))

def nomap(csvf, name):
    if any(r["map"] == name for r in rows(csvf)):
        sys.exit("%s is listed" % name)

def same_json(csvf, jsonf):
    c, j = rows(csvf), json.load(open(jsonf))
    if len(c) != len(j):
        sys.exit("csv %d rows, json %d" % (len(c), len(j)))
    for x, y in zip(c, j):
        for k, v in x.items():
            w = y[k]
            if (v == "" and w is not None) or (v != "" and str(w) != v):
                sys.exit("%s: csv %r json %r" % (k, v, w))

globals()[sys.argv[1]](*sys.argv[2:])
PY
check() { python3 "$T/d.py" "$@" >"$T/pyout" 2>&1 || { cat "$T/pyout" >&2; fail "$*"; }; }

for k in $(seq 0 $((steps - 1))); do
	smem_of "$T/g/step$k" >"$T/smem$k"
	[ -s "$T/smem$k" ] || fail "smem read nothing from step$k"
done

# first to latest, the default: every process against smem
expect_exit 0 "$ANALYZE" --csv diff g.db
cp "$T/out" all.csv
check procs all.csv "$T/smem0" "$T/smem5"
[ "$(cat "$T/pyout")" -eq 4 ] || fail "expected 4 rows (leaky, wobbly, newbie, goner)"
expect_grep '^100,/usr/bin/leaky --run,changed,' all.csv
expect_grep '^400,/usr/bin/newbie --run,new,' all.csv
expect_grep '^500,/usr/bin/goner --run,gone,' all.csv
grep -q '^300,' all.csv && fail "steady did not change but is listed"

# every step: the heap grew by 1024 kB, its range by 1 MiB; libextra is
# new at step 3
for k in $(seq 1 $((steps - 1))); do
	expect_exit 0 "$ANALYZE" --csv diff g.db --from $k --to $((k + 1))
	check procs "$T/out" "$T/smem$((k - 1))" "$T/smem$k"
	expect_exit 0 "$ANALYZE" --csv diff g.db --from $k --to $((k + 1)) --pid 100
	cp "$T/out" step.csv
	check heap step.csv 100 1024 1024 1024
	if [ $k -eq 3 ]; then
		check maprow step.csv 100 /usr/lib/x86_64-linux-gnu/libextra.so.1 new 32
	else
		check nomap step.csv /usr/lib/x86_64-linux-gnu/libextra.so.1
	fi
done
# over the run: 5 steps of 1024
expect_exit 0 "$ANALYZE" --csv diff g.db --pid 100
check heap "$T/out" 100 5120 5120 5120
check maprow "$T/out" 100 /usr/lib/x86_64-linux-gnu/libextra.so.1 new 32
# libc did not change: not listed
check nomap "$T/out" /usr/lib/x86_64-linux-gnu/libc.so.6

# the table view: processes, then the mappings of those that changed most
expect_exit 0 "$ANALYZE" diff g.db
expect_grep '^PID +COMMAND +STATUS +RSS_FROM' "$T/out"
expect_grep '^\(1 process unchanged\)$' "$T/out"
expect_grep '^mappings of the processes that changed most' "$T/out"
expect_grep '^100 .*\[heap\] .* changed .* 55b901000000-55b901300000 +55b901000000-55b901800000$' "$T/out"
# --mappings: every pair, here wobbly's heap too
expect_exit 0 "$ANALYZE" --csv diff g.db --mappings
check heap "$T/out" 200 4096 4096 4096

# JSON: the same rows as the CSV
expect_exit 0 "$ANALYZE" --json diff g.db
check same_json all.csv "$T/out"
expect_exit 0 "$ANALYZE" --json diff g.db --pid 100
cp "$T/out" m.json
expect_exit 0 "$ANALYZE" --csv diff g.db --pid 100
check same_json "$T/out" m.json

# --threshold, filters, -t
expect_exit 0 "$ANALYZE" --csv diff g.db --threshold 4000
[ "$(sed 1d "$T/out" | cut -d, -f1 | sort | tr '\n' ' ')" = "100 200 " ] ||
	fail "--threshold 4000: $(cat "$T/out")"
expect_exit 0 "$ANALYZE" --csv diff g.db --match 'leaky|goner'
[ "$(sed 1d "$T/out" | cut -d, -f1 | tr '\n' ' ')" = "100 500 " ] ||
	fail "--match: $(cat "$T/out")"
expect_exit 0 "$ANALYZE" -t diff g.db
expect_grep '^ *4 +total +- +9636 +18884 +9248 +7836 +17084 +9248 ' "$T/out"

# within one boot a process is (pid, start time): a pid reused by another
# process is one gone and one new
cp -r "$T/g/step5" "$T/reuse"
awk '{ $22 = 99999; print }' "$T/g/step5/proc/300/stat" >"$T/reuse/proc/300/stat"
cp g.db reuse.db
expect_exit 0 "$CAPTURE" -q --proc "$T/reuse/proc" --host box -o reuse.db
expect_exit 0 "$ANALYZE" --csv diff reuse.db --from 6 --to 7
[ "$(sed 1d "$T/out" | cut -d, -f1,3 | sort | tr '\n' ' ')" = "300,gone 300,new " ] ||
	fail "pid reuse: $(cat "$T/out")"

# across hosts (another boot): matched by comm, or by --by; leaky has
# another pid there
python3 "$ROOT/tests/helpers/make-growth" "$T/h" $steps \
	0badc0de-0000-4000-8000-000000000002 || fail "make-growth failed"
mv "$T/h/step5/proc/100" "$T/h/step5/proc/1100"
sed -i 's/^100 /1100 /' "$T/h/step5/proc/1100/stat"
expect_exit 0 "$CAPTURE" -q --proc "$T/h/step5/proc" --host other -o other.db
expect_exit 0 "$ANALYZE" --csv diff g.db other.db --from first
cp "$T/out" cross.csv
smem_of "$T/h/step5" >"$T/smemh"
check procs cross.csv "$T/smem0" "$T/smemh" 100:1100
expect_grep '^1100,/usr/bin/leaky --run,changed,3212,8364,5152,.*,100.?$' cross.csv
expect_exit 0 "$ANALYZE" --csv diff g.db other.db --from first --by pid
expect_grep '^1100,/usr/bin/leaky --run,new,' "$T/out"
expect_grep '^100,/usr/bin/leaky --run,gone,' "$T/out"
expect_exit 0 "$ANALYZE" --csv diff g.db other.db --from first --by exe
expect_grep '^1100,/usr/bin/leaky --run,changed,' "$T/out"
expect_exit 0 "$ANALYZE" --csv diff g.db other.db --from first --by cmdline --pid 1100 --pid 100
check heap "$T/out" 1100 5120 5120 5120
# the latest of both: the same texts, nothing to show
expect_exit 0 "$ANALYZE" --csv diff g.db other.db --by pid --pid 200
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "equal snapshots differ: $(cat "$T/out")"

# a corrupt text: named by its blob id, the other rows still there
cp g.db bad.db
blob=$(sqlite3 bad.db "SELECT text_blob FROM processes WHERE pid = 100 AND snapshot_id = 6")
sqlite3 bad.db "UPDATE blobs SET data = zeroblob(length(data)) WHERE id = $blob"
expect_exit 1 "$ANALYZE" --csv diff bad.db --mappings
expect_grep "blob $blob" "$T/err"
check heap "$T/out" 200 4096 4096 4096

# usage errors and bad files
expect_exit 2 "$ANALYZE" diff
expect_exit 2 "$ANALYZE" diff g.db g.db g.db
expect_exit 2 "$ANALYZE" diff g.db --by size
expect_exit 2 "$ANALYZE" diff g.db --threshold lots
expect_exit 1 "$ANALYZE" diff g.db --from 99
expect_grep "g.db" "$T/err"
expect_exit 1 "$ANALYZE" diff g.db missing.db
expect_grep "missing.db" "$T/err"
expect_exit 0 "$ANALYZE" diff --help
expect_grep '^usage: .*diff FILE \[FILE2\]' "$T/out"
exit 0
