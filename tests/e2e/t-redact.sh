# t-redact.sh - redact: secrets planted in a frozen tree and a live process
# are gone from everything a reader can get out of the new file, the numbers
# stay, the same string hashes alike in every file, and errors leave no file.
. "$ROOT/tests/e2e/lib.sh"

# --- a tree with secrets: the edge sample, a secret path (and a deleted
# one) mapped by 1200, a password in its cmdline, a user of this box
cp -r "$ROOT/samples/edge/proc" tree || fail "cannot copy the sample"
user=$(awk -F: '$3 >= 1 && $3 < 60000 && length($1) >= 4 { print $1 ":" $3; exit }' /etc/passwd)
uname=${user%%:*} uid=${user#*:}
[ -n "$uname" ] || fail "no user with a uid to plant in /etc/passwd"
sed -i 's|/data/big file.db|/home/alice/secret-project/libsecret.so|;
	s|/opt/my app/cache.bin (deleted)|/home/alice/secret-project/old.so (deleted)|' \
	tree/1200/smaps tree/1200/maps
grep -q libsecret tree/1200/smaps || fail "the secret path was not planted"
printf '/opt/my app/bin/server\0--password=hunter2\0--config\0/home/alice/secret-project/conf\0-v\0' \
	>tree/1200/cmdline
for p in 1200 1201; do
	sed -i "s/^Uid:.*/Uid:\t$uid\t$uid\t$uid\t$uid/" tree/$p/status
done

# --- a live process: a copy of sleep under a secret directory
mkdir -p home-alice/secret-project secret-dir
cp "$(command -v sleep)" home-alice/secret-project/sleepy
"$T/home-alice/secret-project/sleepy" 300 & sp=$!
trap 'kill $sp 2>/dev/null; rm -rf "$T"' EXIT

expect_exit 0 "$CAPTURE" -q -o secret-dir/in.db --proc tree --host secret-host \
	-l secret-label
expect_exit 0 "$CAPTURE" -q -o secret-dir/in.db --host secret-host \
	-l secret-label $sp
# and once more with --rollup: a maps text and an smaps_rollup text
expect_exit 0 "$CAPTURE" -q -o secret-dir/in.db --host secret-host \
	-l secret-label --rollup $sp
in=secret-dir/in.db
sum_before=$(sha256sum <"$in")

secrets="alice secret-project libsecret hunter2 secret-host secret-label secret-dir $uname"
mid=$(sqlite3 "$in" "SELECT machine_id FROM hosts WHERE machine_id <> '' LIMIT 1")
[ -n "$mid" ] && secrets="$secrets $mid"

# Every text of a stored blob, every cmdline with NULs as newlines.
cat >inflate.py <<'EOF'
import sqlite3, sys, zlib
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
out = sys.stdout.buffer
for codec, data in db.execute("SELECT codec, data FROM blobs"):
    out.write(zlib.decompress(data) if codec == "zlib" else data)
for (c,) in db.execute("SELECT cmdline FROM processes WHERE cmdline IS NOT NULL"):
    out.write(bytes(c).replace(b"\0", b"\n") + b"\n")
EOF

# Everything a reader can get out of FILE, as text.
dump_all() {
	local f=$1 s p
	sqlite3 "$f" .dump
	strings -a "$f"
	python3 inflate.py "$f" || echo "FAILED: inflate $f"
	"$ANALYZE" list "$f"
	"$ANALYZE" --csv list "$f"
	"$ANALYZE" report "$f" --html "$T/report.html" && cat "$T/report.html"
	for s in $(sqlite3 "$f" "SELECT id FROM snapshots"); do
		"$ANALYZE" --csv ps "$f" --snapshot "$s"
		"$ANALYZE" --csv libs "$f" --snapshot "$s"
		"$ANALYZE" --csv users "$f" --snapshot "$s"
		for p in $(sqlite3 "$f" "SELECT pid FROM processes WHERE snapshot_id = $s"); do
			"$ANALYZE" smaps "$f" --snapshot "$s" "$p"
			"$ANALYZE" maps "$f" --snapshot "$s" "$p"
			"$ANALYZE" pmap "$f" --snapshot "$s" "$p" -x
			# pmap -X refuses the edge sample's unknown fields
			"$ANALYZE" pmap "$f" --snapshot "$s" "$p" -X 2>/dev/null
		done
	done
}

expect_exit 0 "$ANALYZE" redact "$in" out.db
expect_grep "redact: 3 snapshots, 6 processes" "$T/err"
[ "$(sha256sum <"$in")" = "$sum_before" ] || fail "redact changed its input"

dump_all "$in" >in.txt 2>&1
dump_all out.db >out.txt 2>&1
grep -q FAILED out.txt && fail "cannot read out.db back"
for s in $secrets; do
	# a test that cannot fail is no test: the secret was in the input
	grep -qF -- "$s" in.txt || fail "'$s' was never in the input"
	if grep -nF -- "$s" out.txt >leak.txt; then
		head -5 leak.txt >&2
		fail "'$s' is still in the redacted file"
	fi
done
# what is not private stays, and the redacted names keep their shape
expect_grep '/usr/lib/x86_64-linux-gnu/libc\.so\.6' out.txt
expect_grep '^7f3a1de00000-7f3a1e000000 r--s 123456000 103:01 4294967297 +/redacted/[0-9a-f]{16}$' out.txt
expect_grep ' /redacted/[0-9a-f]{16} \(deleted\)$' out.txt
expect_grep '^/opt/my app/bin/server$' out.txt
expect_grep '^--password=redacted-[0-9a-f]{16}$' out.txt
expect_grep '^/redacted/[0-9a-f]{16}$' out.txt		# the live exe, argv[0]
expect_grep '\[heap\]' out.txt
expect_grep '^[0-9a-f]+-[0-9a-f]+ ---p 00000000 00:00 0 +\[rollup\]$' out.txt
[ "$(sqlite3 out.db "SELECT count(*) FROM processes WHERE rollup_blob IS NOT NULL")" = 1 ] ||
	fail "the rollup text was not kept"
# comm is kept by default: it is what people look for
expect_grep "'sleepy'" out.txt

# --- the numbers are the input's: ps but for the names, pmap -x totals
cat >samecsv.py <<'EOF'
import csv, sys
drop = set(sys.argv[3].split(","))
def rows(path):
    with open(path, newline="") as f:
        return sorted(tuple(v for k, v in r.items() if k not in drop)
                      for r in csv.DictReader(f))
a, b = rows(sys.argv[1]), rows(sys.argv[2])
if not a or a != b:
    sys.exit("%s and %s differ: %r / %r" % (sys.argv[1], sys.argv[2], a[:3], b[:3]))
EOF
for s in 1 2 3; do
	"$ANALYZE" --csv ps "$in" --snapshot $s >ps-in.csv || fail "ps $in"
	"$ANALYZE" --csv ps out.db --snapshot $s >ps-out.csv || fail "ps out.db"
	python3 samecsv.py ps-in.csv ps-out.csv user,command || fail "ps numbers differ"
done
for p in 1200 1201 1300 1400; do
	"$ANALYZE" pmap "$in" --snapshot 1 $p -x | tail -1 >a.txt
	"$ANALYZE" pmap out.db --snapshot 1 $p -x | tail -1 >b.txt
	expect_cmp a.txt b.txt
done
expect_grep '^total kB' b.txt

# --- stable: the same tree into another file, one mapping grown. The
# secret path hashes alike, and diff across the two redacted files pairs
# the processes and mappings exactly as across the two inputs.
cp -r tree tree2
sed -i '/libsecret/,/^Pss:/ { s/^Rss:                 512 kB/Rss:                1024 kB/;
	s/^Pss:                 512 kB/Pss:                1024 kB/ }' tree2/1200/smaps
expect_exit 0 "$CAPTURE" -q -o in2.db --proc tree2 --host other-host
expect_exit 0 "$ANALYZE" redact -q in2.db out2.db
[ -s "$T/err" ] && fail "-q printed: $(cat "$T/err")"
tok() { "$ANALYZE" maps "$1" --snapshot "${2:-latest}" 1200 |
	awk '/^7f3a1de00000-/ { print $NF }'; }
t1=$(tok out.db 1) t2=$(tok out2.db)
[ -n "$t1" ] && [ "$t1" = "$t2" ] || fail "the secret path hashed to '$t1' and '$t2'"
for f in "in $in in2.db" "out out.db out2.db"; do
	set -- $f
	"$ANALYZE" --csv diff "$2" "$3" --from 1 --by comm >"diff-$1.csv" 2>/dev/null ||
		fail "diff $2 $3"
	"$ANALYZE" --csv diff "$2" "$3" --from 1 --by comm --mappings \
		>"mdiff-$1.csv" 2>/dev/null || fail "diff --mappings $2 $3"
done
python3 samecsv.py diff-in.csv diff-out.csv command ||
	fail "diff of the redacted files pairs other processes"
python3 samecsv.py mdiff-in.csv mdiff-out.csv command,map ||
	fail "diff of the redacted files pairs other mappings"
expect_grep "^1200,.*,$t1,r--s,123456000,changed,2048,2048,0,512,1024,512," mdiff-out.csv
grep -qE ',(new|gone),' diff-out.csv && fail "diff lost a process"

# --- --keep-paths keeps a prefix (repeated, or as more arguments)
expect_exit 0 "$ANALYZE" redact -q "$in" kept.db --keep-paths /nothing /home/alice
"$ANALYZE" maps kept.db --snapshot 1 1200 >kept.txt
expect_grep ' /home/alice/secret-project/libsecret\.so$' kept.txt
expect_grep ' /home/alice/secret-project/old\.so \(deleted\)$' kept.txt
"$ANALYZE" --csv ps kept.db --snapshot 1 >kept.txt
grep -q hunter2 kept.txt && fail "--keep-paths kept an argument"
expect_exit 2 "$ANALYZE" redact "$in" k2.db --keep-paths home/alice
expect_grep "absolute" "$T/err"

# --- --redact-names hashes comm in the row, stat and status too;
# --keep-labels keeps labels; a salt makes other tokens
expect_exit 0 "$ANALYZE" redact -q "$in" names.db --redact-names --keep-labels
dump_all names.db >names.txt 2>&1
for s in sleepy 'a) b (c)' 'Name:	bash' '(server)'; do
	grep -qF -- "$s" in.txt || fail "'$s' was never in the input"
	grep -qF -- "$s" names.txt && fail "--redact-names left '$s'"
done
[ "$(sqlite3 names.db "SELECT count(*) FROM processes WHERE comm NOT LIKE 'redacted-%'")" = 0 ] ||
	fail "a comm was left"
expect_grep 'secret-label' names.txt
expect_exit 0 "$ANALYZE" redact -q "$in" salt1.db --salt pepper
expect_exit 0 "$ANALYZE" redact -q in2.db salt2.db --salt pepper
s1=$(tok salt1.db 1) s2=$(tok salt2.db)
[ "$s1" = "$s2" ] && [ "$s1" != "$t1" ] || fail "salted tokens '$s1' '$s2' (unsalted '$t1')"

# --- errors: OUT is never overwritten, a bad IN leaves no OUT behind
cp out.db keep.db
expect_exit 1 "$ANALYZE" redact "$in" out.db
expect_grep "^mapsnap-analyze: cannot create 'out\.db': File exists$" "$T/err"
expect_cmp keep.db out.db
cp "$in" bad.db
sqlite3 bad.db "UPDATE blobs SET data = substr(data, 1, 10) || zeroblob(8) ||
	substr(data, 19) WHERE id = (SELECT text_blob FROM processes WHERE pid = 1300)"
expect_exit 1 "$ANALYZE" redact bad.db bad-out.db
expect_grep "^mapsnap-analyze: .*bad\.db.*blob [0-9]+" "$T/err"
echo 'not a database at all' >notdb
expect_exit 1 "$ANALYZE" redact notdb bad-out.db
expect_grep "notdb" "$T/err"
expect_exit 1 "$ANALYZE" redact missing.db bad-out.db
expect_exit 1 "$ANALYZE" redact "$in" no/such/dir/out.db
expect_grep "^mapsnap-analyze: cannot create 'no/such/dir/out\.db': No such file or directory$" "$T/err"
left=$(ls | grep -E '^(bad-out|out)\.db.' || true)
[ ! -e bad-out.db ] && [ -z "$left" ] || fail "a failed redact left files: $left bad-out.db"

# --- usage
expect_exit 2 "$ANALYZE" redact
expect_exit 2 "$ANALYZE" redact "$in"
expect_exit 2 "$ANALYZE" redact "$in" x.db extra
expect_exit 2 "$ANALYZE" redact --bogus "$in" x.db
expect_exit 0 "$ANALYZE" redact --help
expect_grep '^usage: mapsnap-analyze .*redact .*IN OUT' "$T/out"
[ ! -e x.db ] || fail "a usage error wrote x.db"
exit 0
