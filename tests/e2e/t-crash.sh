# t-crash.sh - kill -9 at random moments, two writers at once, readers during
# a capture: the file always holds whole snapshots and nothing half-written.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples
RANDOM=4242	# fixed seed: the same kill moments on every run

# A proc tree of N processes: the samples' texts (linked) under new pids
# (stat, which names its own pid, rewritten), so a snapshot takes long
# enough to be cut. One fork per process: bash writes the stat itself.
make_tree() {
	local dir=$1 n=$2 i=0 k pid line
	local srcs=("$S/real/proc/4188" "$S/real/proc/4192" "$S/real/proc/4190"
		    "$S/edge/proc/1200")
	local stats=()
	for k in "${!srcs[@]}"; do
		read -r line <"${srcs[$k]}/stat"
		stats[$k]=${line#* }
	done
	mkdir -p "$dir"
	cp "$S/real/proc/meminfo" "$dir/"
	while [ $i -lt "$n" ]; do
		k=$((i % ${#srcs[@]}))
		pid=$((20000 + i))
		mkdir "$dir/$pid"
		ln -s "${srcs[$k]}"/smaps "${srcs[$k]}"/maps "${srcs[$k]}"/cmdline \
			"${srcs[$k]}"/status "$dir/$pid/"
		printf '%s %s\n' $pid "${stats[$k]}" >"$dir/$pid/stat"
		i=$((i + 1))
	done
}
make_tree tree 120

# whole FILE: every snapshot complete, every blob there, readable.
whole() {
	local f=$1 r
	r=$(sqlite3 "$f" 'PRAGMA integrity_check' "
		SELECT 'snapshot ' || s.id || ': procs_captured ' || s.procs_captured
		  || ', rows ' || count(p.pid)
		FROM snapshots s LEFT JOIN processes p ON p.snapshot_id = s.id
		GROUP BY s.id HAVING s.procs_captured <> count(p.pid);
		SELECT 'snapshot ' || id || ' never finished' FROM snapshots
		WHERE procs_seen = 0;
		SELECT 'pid ' || pid || ' of snapshot ' || snapshot_id
		  || ' names a missing blob' FROM processes WHERE
		(stat_blob IS NOT NULL AND stat_blob NOT IN (SELECT id FROM blobs)) OR
		(status_blob IS NOT NULL AND status_blob NOT IN (SELECT id FROM blobs)) OR
		(text_blob IS NOT NULL AND text_blob NOT IN (SELECT id FROM blobs)) OR
		(rollup_blob IS NOT NULL AND rollup_blob NOT IN (SELECT id FROM blobs));
		SELECT 'snapshot ' || id || ' names a missing meminfo blob'
		FROM snapshots WHERE meminfo_blob IS NOT NULL
		AND meminfo_blob NOT IN (SELECT id FROM blobs);
		SELECT 'empty' WHERE NOT EXISTS (SELECT 1 FROM snapshots)") ||
		fail "$f: sqlite3 cannot read it"
	case $r in
	ok) ;;
	ok?empty) return 0 ;;
	*) fail "$f: $r" ;;
	esac
	"$ANALYZE" list "$f" >/dev/null 2>lerr || fail "list $f: $(cat lerr)"
	"$ANALYZE" ps "$f" >/dev/null 2>lerr || fail "ps $f: $(cat lerr)"
	if [ -n "$CHECK" ]; then
		"$ANALYZE" check "$f" >/dev/null 2>lerr || fail "check $f: $(cat lerr)"
	fi
}
# `check` is used once it exists in this build
CHECK=
"$ANALYZE" check --help >/dev/null 2>&1 && CHECK=yes

# kill_runs N FILE CMD...: N times, start CMD, SIGKILL it after a random
# 0.01 to 0.30 s, and check the file each time.
kill_runs() {
	local n=$1 f=$2 k pid ms
	shift 2
	for k in $(seq "$n"); do
		"$@" -o "$f" >/dev/null 2>>cap.err &
		pid=$!
		ms=$((10 + RANDOM % 290))
		sleep "$(printf '0.%03d' "$ms")"
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
		whole "$f"
	done
}

# --- SIGKILL during -i runs on a frozen tree, and on live processes -------
kill_runs 30 crash.db "$CAPTURE" -q -i 0.05 -n 0 --proc tree
n=$(sqlite3 crash.db 'SELECT count(*) FROM snapshots')
[ "$n" -gt 0 ] || fail "no snapshot survived 30 runs: the kills came too soon"

sleep 100 & s1=$!
sleep 100 & s2=$!
sleep 100 & s3=$!
kill_runs 10 live.db "$CAPTURE" -q -i 0.02 -n 0 -p $s1 -p $s2 -p $s3 -p $$
kill $s1 $s2 $s3
grep -v '^$' cap.err && fail "a killed capture printed errors"

# A killed capture leaves no lock behind: the next one needs no wait (the
# busy timeout is 10 s; a stale lock would show as a timeout here).
start=$(date +%s%N)
timeout 5 "$CAPTURE" -q -o crash.db --proc tree || fail "capture after kill -9 failed"
[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 3000 ] ||
	fail "capture after kill -9 waited for a lock"
whole crash.db
[ "$(sqlite3 crash.db 'SELECT count(*) FROM snapshots')" -eq $((n + 1)) ] ||
	fail "the capture after the kills did not add one snapshot"

# --- two captures at once -------------------------------------------------
# on a file that does not exist yet: both make the schema at once. The
# races here (one saw the tables before their version; both switching to
# WAL, one was told the file was locked) came about once in 60 to 150
# pairs under ASan, so there are many pairs.
for k in $(seq 60); do
	"$CAPTURE" -q -o new$k.db --proc "$S/edge/proc" 2>e1 & p1=$!
	"$CAPTURE" -q -o new$k.db --proc "$S/real/proc" 2>e2 & p2=$!
	wait $p1 || fail "first capture on a new file failed: $(cat e1)"
	wait $p2 || fail "second capture on a new file failed: $(cat e2)"
	[ "$(sqlite3 new$k.db 'SELECT count(*) FROM snapshots')" -eq 2 ] ||
		fail "new$k.db does not hold both snapshots"
	whole new$k.db
done

# two -i runs into one file
"$CAPTURE" -q -o two.db -i 0.01 -n 15 --proc tree 2>e1 & p1=$!
"$CAPTURE" -q -o two.db -i 0.01 -n 15 --proc "$S/edge/proc" 2>e2 & p2=$!
wait $p1 || fail "first -i capture failed: $(cat e1)"
wait $p2 || fail "second -i capture failed: $(cat e2)"
[ "$(sqlite3 two.db 'SELECT count(*) FROM snapshots')" -eq 30 ] ||
	fail "two.db does not hold the 30 snapshots"
whole two.db

# --- readers during a capture see whole snapshots only ----------------------
make_tree big 400
"$CAPTURE" -q -o read.db --proc tree || fail "capture"
# (the newest three snapshots each loop: a loop stays short, under a
# sanitizer too, so that many of them overlap the capture's commits)
"$CAPTURE" -q -o read.db -i 0.1 -n 25 --proc big 2>cerr & cp=$!
loops=0
while kill -0 $cp 2>/dev/null; do
	"$ANALYZE" --csv list read.db >list.csv 2>lerr || fail "list during a capture: $(cat lerr)"
	tail -n +2 list.csv | tail -n 3 | while IFS=, read -r id uuid host time label procs rest; do
		"$ANALYZE" --csv ps read.db --snapshot "$id" >ps.csv 2>perr ||
			fail "ps during a capture: $(cat perr)"
		rows=$(($(wc -l <ps.csv) - 1))
		[ "$rows" -eq "$procs" ] ||
			fail "snapshot $id: list says $procs processes, ps shows $rows"
	done || exit 1
	loops=$((loops + 1))
done
wait $cp || fail "capture during reads failed: $(cat cerr)"
[ $loops -gt 2 ] || fail "only $loops read loops ran during the capture"
whole read.db
exit 0
