# t-leakers.sh - growth on real processes, captured live: a C program
# leaking malloc'd blocks (tests/helpers/leaker), a python3 leak under a
# garbage collector's sawtooth and the same sawtooth without the leak
# (tests/helpers/pyleak), a thread leak (tests/helpers/threader) and an
# idle sleep. Each leak is found at its known rate with the right region,
# checked against pmap and ps on the stopped process; nothing else is.
. "$ROOT/tests/e2e/lib.sh"
H=$BUILD/tests
for f in leaker threader; do
	[ -x "$H/$f" ] || fail "no $H/$f: run make check"
done
pids=
# SIGKILL: a process left stopped for pmap would hold a SIGTERM forever
trap 'kill -KILL $pids 2>/dev/null; rm -rf "$T"' EXIT

# capture DB PID INTERVAL COUNT: COUNT snapshots, then one more of the
# process stopped, for pmap and ps to see what the file holds
capture() {
	expect_exit 0 "$CAPTURE" -q -o "$1" -i "$3" -n "$4" -p "$2"
	kill -STOP "$2"
	expect_exit 0 "$CAPTURE" -q -o "$1" -p "$2"
}

# the C leak: 1024 kB a second, 16 snapshots 0.25 s apart
"$H/leaker" 1024 & P1=$!
pids="$pids $P1"
sleep 0.3
capture c.db $P1 0.25 16
pmap -X $P1 >pmap.out || fail "pmap -X $P1"
expect_exit 3 "$ANALYZE" --csv growth c.db
python3 - out <<'EOF' || fail "the C leak: $(cat out)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [r["field"] for r in rows] == ["anon+swap"], rows
rate = int(rows[0]["per_hour"]) / 3600
assert 0.8 * 1024 < rate < 1.2 * 1024, rate	# kB a second
assert int(rows[0]["snapshots"]) >= 8, rows
EOF
expect_exit 3 "$ANALYZE" --csv growth c.db --mappings
python3 - out pmap.out <<'EOF' || fail "the C leak's region: $(cat out)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows[0]["map"] == "[heap]" and float(rows[0]["share"]) > 90, rows
# pmap -X of the stopped process: its heap's Anonymous, as the last text
head = open(sys.argv[2]).read().split("\n")[1].split()
heap = [l.split() for l in open(sys.argv[2]) if l.rstrip().endswith("[heap]")]
assert len(heap) == 1, heap
anon = int(heap[0][head.index("Anonymous")])
assert int(rows[0]["to"]) == anon, (rows[0]["to"], anon)
EOF
kill -CONT $P1

# python3: 600 kB a second kept, 100 kB of garbage every tenth of a
# second freed by gc.collect() every 1.5 s: +6 MB in 20 snapshots
python3 "$ROOT/tests/helpers/pyleak" leak 600 < <(sleep 60) >py.out & P2=$!
pids="$pids $P2"
until grep -q ready py.out; do sleep 0.1; done
capture py.db $P2 0.5 20
expect_exit 3 "$ANALYZE" --csv growth py.db
python3 - out <<'EOF' || fail "the python leak: $(cat out)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [r["field"] for r in rows] == ["anon+swap"], rows
rate = int(rows[0]["per_hour"]) / 3600
assert 0.7 * 600 < rate < 1.3 * 600, rate
EOF
# it does saw: anon+swap falls at least four times
expect_exit 0 "$ANALYZE" sql py.db "SELECT anon_kb + swap_kb FROM processes
	ORDER BY snapshot_id"
[ "$(awk 'NR > 2 && $1 < prev { n++ } { prev = $1 } END { print n + 0 }' out)" -ge 4 ] ||
	fail "pyleak made no sawtooth: $(tr '\n' ' ' <out)"
expect_exit 3 "$ANALYZE" --csv growth py.db --mappings
expect_grep '^[0-9]+,[^,]*,anon\+swap,\[heap\],' out

# the same sawtooth without the leak, and a sleep: not suspects
python3 "$ROOT/tests/helpers/pyleak" cache < <(sleep 60) >pc.out & P3=$!
sleep 60 & P4=$!
pids="$pids $P3 $P4"
until grep -q ready pc.out; do sleep 0.1; done
expect_exit 0 "$CAPTURE" -q -o quiet.db -i 0.5 -n 20 -p $P3 -p $P4
expect_exit 0 "$ANALYZE" --csv growth quiet.db
[ "$(wc -l <out)" -eq 1 ] || fail "a process that only saws was flagged: $(cat out)"

# a thread a fifth of a second: threads and mappings grow, no heap
"$H/threader" 200 >th.out & P5=$!
pids="$pids $P5"
until grep -q ready th.out; do sleep 0.05; done
capture th.db $P5 0.25 16
nlwp=$(ps -o nlwp= -p $P5 | tr -d ' ')
expect_exit 3 "$ANALYZE" --csv growth th.db
python3 - out "$nlwp" <<'EOF' || fail "the thread leak: $(cat out)"
import csv, sys
rows = {r["field"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
assert set(rows) == {"threads", "maps"}, rows
# the fitted end within two threads of what ps sees
assert abs(int(rows["threads"]["to"]) - int(sys.argv[2])) <= 2, rows
rate = int(rows["threads"]["per_hour"]) / 3600
assert 3.5 < rate < 6, rate			# five a second
EOF
expect_exit 3 "$ANALYZE" --csv growth th.db --mappings
python3 - out "$nlwp" <<'EOF' || fail "the thread leak's mappings: $(cat out)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [(r["field"], r["map"]) for r in rows] == [("maps", "<anonymous>")], rows
# a stack and a guard page a thread
new = int(rows[0]["maps_to"]) - int(rows[0]["maps_from"])
assert new >= 2 * 10 and new % 2 == 0, rows
EOF
exit 0
