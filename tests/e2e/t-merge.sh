# t-merge.sh - merge: files of two hosts into one, every row and blob
# reference kept, each blob once, idempotent, and all or nothing when an
# input is bad.
. "$ROOT/tests/e2e/lib.sh"

python3 "$ROOT/tests/helpers/make-growth" grow >/dev/null || fail "make-growth"

# alpha: the edge sample twice, two steps of the growth tree, and a live
# process with --rollup (the samples have no smaps_rollup). The live one
# has this box's machine-id, the frozen trees none: two hosts named alpha.
cap() { expect_exit 0 "$CAPTURE" -q "$@"; }
cap -o a.db --proc "$ROOT/samples/edge/proc" --host alpha -l a1
cap -o a.db --proc "$ROOT/samples/edge/proc" --host alpha -l a2
cap -o a.db --proc grow/step0/proc --host alpha -l g0
cap -o a.db --proc grow/step1/proc --host alpha -l g1
sleep 300 & sp=$!
trap 'kill $sp 2>/dev/null; rm -rf "$T"' EXIT
cap -o a.db --host alpha -l roll --rollup $sp
# beta: the real sample, then growth steps that alpha has too (the same
# texts: shared blobs), one --maps-only
cap -o b.db --proc "$ROOT/samples/real/proc" --host beta -l b1
cap -o b.db --proc grow/step1/proc --host beta -l g1
cap -o b.db --proc grow/step2/proc --host beta -l g2 --maps-only

# Every row of a file, ids replaced by what they stand for: a snapshot by
# its uuid, a host by (hostname, machine_id), a blob by its hash, size and
# a digest of its text. (Not of its stored bytes: the same text deflated
# at another level, as --maps-only does, is the same blob, stored once.)
# Sorted, one row per line.
cat >dump.py <<'EOF'
import hashlib, sqlite3, sys, zlib
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)

def blob(i):
    if i is None:
        return None
    h, size, codec, data = db.execute("SELECT hex(hash), raw_size, codec,"
                                      " data FROM blobs WHERE id = ?", (i,)).fetchone()
    text = zlib.decompress(data) if codec == "zlib" else data
    assert len(text) == size, (i, len(text), size)
    return (h, size, hashlib.sha256(text).hexdigest())

def row(cur, r, drop):
    names = [d[0] for d in cur.description]
    return tuple((n, blob(v) if n.endswith("_blob") else v)
                 for n, v in zip(names, r) if n not in drop)

lines = []
snaps = db.execute("SELECT s.*, h.hostname, h.machine_id FROM snapshots AS s"
                   " JOIN hosts AS h ON h.id = s.host_id")
for s in snaps.fetchall():
    sid, uuid = s[0], s[1]
    lines.append("%s snapshot %r" % (uuid, row(snaps, s, ("id", "host_id"))))
    for t in ("skips", "meminfo", "processes"):
        cur = db.execute("SELECT * FROM %s WHERE snapshot_id = ?" % t, (sid,))
        for r in cur.fetchall():
            lines.append("%s %s %r" % (uuid, t, row(cur, r, ("snapshot_id",))))
print("\n".join(sorted(lines)))
EOF
dump() { python3 dump.py "$1" || fail "cannot dump $1"; }
q() { python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$@"; }
counts() {
	for t in hosts blobs snapshots skips meminfo processes; do
		printf '%s %s\n' $t "$(q "$1" "SELECT count(*) FROM $t")"
	done
}
uuids() { "$ANALYZE" --csv list "$@" | tail -n +2 | cut -d, -f2 | sort; }

# --- two hosts into a new file ---------------------------------------------
expect_exit 0 "$ANALYZE" merge m.db a.db b.db
[ ! -s out ] || fail "merge wrote to stdout: $(cat out)"
expect_grep '^mapsnap-analyze: merge: 8 snapshots added \(0 already there\), [0-9]+ blobs added, 3 hosts \(3 new\)$' err
{ dump a.db; dump b.db; } | sort >want.dump
dump m.db >got.dump
expect_cmp want.dump got.dump
[ "$(wc -l <want.dump)" -gt 100 ] || fail "the dump is too small to mean much"

# list shows the same snapshots with the same figures, ids aside
{ "$ANALYZE" --csv list a.db | tail -n +2; "$ANALYZE" --csv list b.db | tail -n +2; } |
	cut -d, -f2- | sort >want.list
"$ANALYZE" --csv list m.db | tail -n +2 | cut -d, -f2- | sort >got.list
expect_cmp want.list got.list

# hosts kept apart: each host's snapshots are its file's
uuids a.db >a.uuids
uuids --host alpha m.db >got.uuids
expect_cmp a.uuids got.uuids
uuids b.db >b.uuids
uuids --host beta m.db >got.uuids
expect_cmp b.uuids got.uuids
[ "$(q m.db "SELECT count(*) FROM hosts")" = 3 ] || fail "not three hosts"

# each snapshot renders as it did in its own file
for f in a b; do
	while read -r u; do
		for c in ps libs users; do
			"$ANALYZE" --csv $c $f.db --snapshot "$u" >want.csv ||
				fail "$c on $f.db $u"
			"$ANALYZE" --csv $c m.db --snapshot "$u" >got.csv ||
				fail "$c on m.db $u"
			expect_cmp want.csv got.csv
		done
		pid=$(q $f.db "SELECT min(p.pid) FROM processes AS p JOIN snapshots AS s
			ON s.id = p.snapshot_id WHERE s.uuid = '$u'")
		[ "$pid" != None ] || fail "snapshot $u of $f.db holds no process"
		"$ANALYZE" maps $f.db --snapshot "$u" "$pid" >want.txt || fail "maps $f.db"
		"$ANALYZE" maps m.db --snapshot "$u" "$pid" >got.txt || fail "maps m.db"
		expect_cmp want.txt got.txt
	done <$f.uuids
done

# each blob once: as many as the distinct hashes of both inputs, and
# some of those were in both
for f in a b; do
	python3 -c 'import sqlite3, sys
for (h,) in sqlite3.connect(sys.argv[1]).execute("SELECT hex(hash) FROM blobs"):
    print(h)' $f.db | sort >$f.hashes || fail "hashes of $f.db"
done
shared=$(comm -12 a.hashes b.hashes | wc -l)
[ "$shared" -gt 0 ] || fail "the inputs share no blob: the test proves nothing"
union=$(sort -u a.hashes b.hashes | wc -l)
[ "$(q m.db "SELECT count(*) FROM blobs")" = "$union" ] ||
	fail "$(q m.db "SELECT count(*) FROM blobs") blobs, expected $union ($shared shared)"

# --- idempotent ------------------------------------------------------------
counts m.db >before.counts
"$ANALYZE" --csv list m.db >before.list
cp m.db before.db
expect_exit 0 "$ANALYZE" merge m.db a.db b.db
expect_grep 'merge: 0 snapshots added \(8 already there\), 0 blobs added, 3 hosts \(0 new\)$' err
expect_exit 0 "$ANALYZE" merge m.db m.db
expect_grep 'merge: 0 snapshots added \(8 already there\)' err
expect_exit 0 "$ANALYZE" merge -q m.db b.db m.db b.db a.db
[ ! -s err ] || fail "-q wrote: $(cat err)"
counts m.db >after.counts
expect_cmp before.counts after.counts
"$ANALYZE" --csv list m.db >after.list
expect_cmp before.list after.list
dump m.db >again.dump
expect_cmp got.dump again.dump

# the same file twice into a new OUT, and OUT among its own inputs
expect_exit 0 "$ANALYZE" merge d.db a.db d.db a.db
expect_grep 'merge: 5 snapshots added \(5 already there\), [0-9]+ blobs added, 2 hosts \(2 new\)$' err
dump a.db >want.dump
dump d.db >got.dump
expect_cmp want.dump got.dump

# a new snapshot in an input: only it is added, its unchanged texts are not
cap -o a.db --proc grow/step2/proc --host alpha -l g2
expect_exit 0 "$ANALYZE" merge m.db a.db b.db
expect_grep 'merge: 1 snapshots added \(8 already there\), [0-9]+ blobs added, 3 hosts \(0 new\)$' err
{ dump a.db; dump b.db; } | sort >want.dump
dump m.db >got.dump
expect_cmp want.dump got.dump

# more inputs than SQLite attaches to one connection (10), in one go
printf '00400000-00401000 r-xp 00000000 00:00 0 \n' >one.maps
files=
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	cap -o h$i.db --import one.maps --pid $i --host h$i
	files="$files h$i.db"
done
expect_exit 0 "$ANALYZE" merge fleet.db $files
expect_grep 'merge: 12 snapshots added \(0 already there\), 1 blobs added, 12 hosts \(12 new\)$' err
"$ANALYZE" --csv list fleet.db | tail -n +2 | cut -d, -f3 | sort >got.hosts
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo h$i; done | sort >want.hosts
expect_cmp want.hosts got.hosts

# --- bad inputs: exit 1, the file and cause named, OUT untouched -----------
cp m.db before.db
cap -o c.db --proc grow/step3/proc --host gamma
printf 'not a database\n' >text.db
size=$(wc -c <b.db)
head -c $((size / 2)) b.db >trunc.db
cp a.db newer.db
python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.execute("PRAGMA user_version = 99"); db.commit()' newer.db
: >empty.db
bad() {	# bad FILE CAUSE-REGEX: c.db merges first, then FILE must undo it all
	expect_exit 1 "$ANALYZE" merge m.db c.db "$1"
	expect_grep "'$1'.*$2" err
	[ "$(wc -l <err)" -eq 1 ] || fail "more than one line: $(cat err)"
	[ ! -s out ] || fail "stdout: $(cat out)"
	expect_same_db before.db m.db
}
bad text.db 'not a database'
bad trunc.db 'malformed'
bad newer.db 'newer'
bad empty.db 'empty'
bad missing.db 'No such file'
bad grow 'not a regular file'
# a new OUT is not left behind
expect_exit 1 "$ANALYZE" merge new.db a.db trunc.db
[ ! -e new.db ] || fail "a failed merge left new.db"
# an OUT that is not a mapsnap file is refused and kept
cp text.db out.txt
expect_exit 1 "$ANALYZE" merge out.txt a.db
expect_grep "'out.txt'" err
expect_cmp text.db out.txt

# --- usage -----------------------------------------------------------------
expect_exit 0 "$ANALYZE" merge --help
expect_grep '^usage: mapsnap-analyze .*merge \[-q\] OUT FILE\.\.\.' out
expect_exit 2 "$ANALYZE" merge
expect_grep "try 'mapsnap-analyze --help'" err
expect_exit 2 "$ANALYZE" merge m.db
expect_exit 2 "$ANALYZE" merge --no-such-option m.db a.db
expect_same_db before.db m.db
exit 0
