# t-output.sh - the output options every table command shares: totals
# (-t), percentages of MemTotal (-p), --limit, --sort, and --host, checked
# against sums and quotients computed here from the CSV and meminfo.
. "$ROOT/tests/e2e/lib.sh"

# Two hosts in one file: the real sample as 'alpha', the edge one as 'beta'.
expect_exit 0 "$CAPTURE" -q -o db --proc "$ROOT/samples/real/proc" --host alpha -l a1
expect_exit 0 "$CAPTURE" -q -o db --proc "$ROOT/samples/edge/proc" --host beta -l b1
expect_exit 0 "$CAPTURE" -q -o db --proc "$ROOT/samples/real/proc" --host alpha -l a2

# pids of a sample tree's processes that have a memory map
sample_pids() {
	for d in "$ROOT/samples/$1/proc"/[0-9]*; do
		[ -s "$d/smaps" ] && basename "$d"
	done | sort -n | tr '\n' ' '
}

# --host picks that host's latest snapshot; list --host only its rows
expect_exit 0 "$ANALYZE" --csv ps db --host alpha
got=$(tail -n +2 out | cut -d, -f1 | sort -n | tr '\n' ' ')
[ "$got" = "$(sample_pids real)" ] || fail "ps --host alpha shows pids '$got'"
expect_exit 0 "$ANALYZE" --csv ps db --host beta
got=$(tail -n +2 out | cut -d, -f1 | sort -n | tr '\n' ' ')
[ "$got" = "$(sample_pids edge)" ] || fail "ps --host beta shows pids '$got'"
expect_exit 0 "$ANALYZE" --csv list db --host alpha
[ "$(tail -n +2 out | cut -d, -f5 | tr -d '\r' | tr '\n' ' ')" = "a1 a2 " ] ||
	fail "list --host alpha: $(cat out)"
expect_exit 1 "$ANALYZE" ps db --host gamma
expect_grep "no host 'gamma' in the file \\(its hosts: 'alpha', 'beta'\\)" err
expect_exit 1 "$ANALYZE" ps db --host beta --snapshot @a1
expect_exit 0 "$ANALYZE" ps db --host beta --snapshot @b1
expect_exit 0 "$ANALYZE" maps db --host alpha "$(sample_pids real | cut -d' ' -f1)"
expect_exit 1 "$ANALYZE" maps db --host beta "$(sample_pids real | cut -d' ' -f1)"

# -t: one more row whose sizes are the sums of the others, whose pid
# column counts them and whose user column counts distinct users
for host in alpha beta; do
	"$ANALYZE" --csv ps db --host $host >plain.csv || fail "ps"
	"$ANALYZE" --csv -t ps db --host $host >totals.csv || fail "ps -t"
	python3 - plain.csv totals.csv <<'EOF' || fail "ps -t on $host"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
tot = list(csv.DictReader(open(sys.argv[2], newline='')))
assert tot[:-1] == rows, "the rows before the totals changed"
t = tot[-1]
assert t["command"] == "total", t
assert int(t["pid"]) == len(rows), (t["pid"], len(rows))
assert int(t["user"]) == len({r["user"] for r in rows}), t["user"]
for c in ("swap", "uss", "pss", "rss", "vss", "maps"):
    want = sum(int(r[c]) for r in rows)
    assert int(t[c]) == want, (c, t[c], want)
EOF
done

# -t after --limit totals the rows shown; the table view rules it off
"$ANALYZE" --csv --limit 2 -t -r ps db --host alpha >lim.csv || fail "ps --limit -t"
python3 - lim.csv <<'EOF' || fail "--limit 2 -t"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
assert len(rows) == 3, len(rows)
assert int(rows[0]["pss"]) >= int(rows[1]["pss"]), "-r is not descending"
assert int(rows[2]["pss"]) == int(rows[0]["pss"]) + int(rows[1]["pss"])
EOF
expect_exit 0 "$ANALYZE" ps db --host alpha -t
[ "$(tail -n 2 out | head -n 1 | tr -d -- -)" = "" ] || fail "no rule above the totals: $(cat out)"
expect_grep '^ +[0-9]+ 1 +total ' out

# -t in JSON is one more object, and the document stays valid
expect_exit 0 "$ANALYZE" --json -t ps db --host beta
python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert rows[-1]["command"] == "total"
assert rows[-1]["rss"] == sum(r["rss"] for r in rows[:-1])
' out || fail "ps --json -t"

# -p: 100 * value / MemTotal with two decimals, swap / SwapTotal; "N/A"
# in a table when SwapTotal is 0 (as smem prints it), empty in CSV
for s in real:alpha edge:beta; do
	sample=${s%:*} host=${s#*:}
	mem=$(awk '/^MemTotal:/ { print $2 }' "$ROOT/samples/$sample/proc/meminfo")
	swp=$(awk '/^SwapTotal:/ { print $2 }' "$ROOT/samples/$sample/proc/meminfo")
	"$ANALYZE" --csv ps db --host $host >kb.csv || fail "ps"
	"$ANALYZE" --csv -p ps db --host $host >pct.csv || fail "ps -p"
	python3 - kb.csv pct.csv "$mem" "$swp" <<'EOF' || fail "ps -p on $sample"
import csv, sys
kb = list(csv.DictReader(open(sys.argv[1], newline='')))
pct = list(csv.DictReader(open(sys.argv[2], newline='')))
mem, swp = int(sys.argv[3]), int(sys.argv[4])
assert len(kb) == len(pct) and kb
for k, p in zip(kb, pct):
    assert k["pid"] == p["pid"] and k["maps"] == p["maps"]
    for c in ("uss", "pss", "rss", "vss"):
        assert p[c] == "%.2f" % (100.0 * int(k[c]) / mem), (c, p[c], k[c])
    want = "%.2f" % (100.0 * int(k["swap"]) / swp) if swp else ""
    assert p["swap"] == want, ("swap", p["swap"], want)
EOF
done
expect_exit 0 "$ANALYZE" -p ps db --host alpha
expect_grep '^ *[0-9]+ root .* N/A +[0-9]+\.[0-9]{2}% ' out

# a snapshot without meminfo cannot give percentages: exit 1, said why
printf '00400000-00401000 r-xp 00000000 00:00 0 \n' >one.maps
expect_exit 0 "$CAPTURE" -q -o imp.db --import one.maps --pid 42
expect_exit 0 "$ANALYZE" ps imp.db
expect_exit 1 "$ANALYZE" ps imp.db -p
expect_grep "imp.db.*no MemTotal" err
expect_exit 2 "$ANALYZE" list db -p
expect_exit 2 "$ANALYZE" ps db --sort nosuchcolumn
expect_grep "no column 'nosuchcolumn'" err
exit 0
