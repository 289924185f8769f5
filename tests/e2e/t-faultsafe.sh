# t-faultsafe.sh - what a file, or a kill, can do to the analyzer: a name
# that reads as a URI, figures that overflow, names that drive the
# terminal, queries that never end, one huge text named from many rows, a
# merge or a writer killed half way. Each gets a message, bounded memory,
# or a file left as it was; never a hang, a wrapped sum or a stray file.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples
cap() {	# cap ARGS...: a capture of the edge sample
	"$CAPTURE" -q --proc "$S/edge/proc" "$@"
}
# no_temps DIR: nothing a writer left under a temporary name
no_temps() {
	local left
	left=$(find "$1" -maxdepth 1 -name '*.mapsnap-tmp*')
	[ -z "$left" ] || fail "left behind: $left"
}

# --- a FILE that starts with "file:" is a file ---------------------------
cap -o a.db --host other
cap -o 'file:a.db' --host literal
[ -f 'file:a.db' ] || fail "-o 'file:a.db' did not make that file"
"$ANALYZE" --csv list 'file:a.db' | cut -d, -f3 | tail -n +2 >hosts
printf 'literal\n' | expect_cmp - hosts
: >'file:fifo'
mkfifo fifo
timeout 20 "$ANALYZE" list 'file:fifo' >out 2>err
rc=$?
[ $rc -ne 124 ] || fail "list 'file:fifo' opened the FIFO and hung"
[ $rc -eq 1 ] || fail "list 'file:fifo' exited $rc"
expect_grep "mapsnap-analyze: .*'file:fifo'" err

# --- figures that overflow: an error naming the column, never a wrap ------
cap -o o.db
cap -o o.db
cp o.db d.db
sqlite3 o.db "UPDATE processes SET rss_kb = 2400000000000000000" || fail "sqlite3"
for c in "ps -t" "users -t" "ps -t --csv"; do
	expect_exit 1 "$ANALYZE" $c o.db --snapshot 1
	expect_grep "^mapsnap-analyze: the total of rss overflows" err
	[ ! -s out ] || fail "$c printed a table: $(head -3 out)"
done
sqlite3 d.db "UPDATE processes SET rss_kb = 9223372036854775807 WHERE snapshot_id = 2;
	UPDATE processes SET rss_kb = -9223372036854775807 WHERE snapshot_id = 1" ||
	fail "sqlite3"
expect_exit 1 "$ANALYZE" diff d.db
expect_grep "^mapsnap-analyze: the rss_delta of process [0-9]+ overflows" err
[ ! -s out ] || fail "diff printed a table: $(head -3 out)"
# and in a text: every Rss of one process near 2^63 kB (the capture
# stores such a text as it is, with its figures unknown)
cp -r "$S/edge/proc" huge
sed -i 's/^Rss: .*/Rss:            9223372036854775807 kB/' huge/1200/smaps
"$CAPTURE" -q -o h.db --proc huge 2>/dev/null || fail "capture of huge"
for c in "libs h.db" "libs h.db --per-process" "showmap h.db 1200"; do
	expect_exit 1 "$ANALYZE" $c
	expect_grep "^mapsnap-analyze: 'h.db': the figures of process 1200's text overflow" err
	! grep -q -- ' -[0-9]' out || fail "$c printed a wrapped sum: $(grep -- ' -[0-9]' out)"
done

# --- names that would drive a terminal; a cut inside a character -----------
cp -r "$S/edge/proc" tree
printf 'abc\xc2\x9b31mX\x9b31m\xe2\x80\xaeevil' >tree/1300/cmdline
python3 -c 'import sys; sys.stdout.write("\u00e9" * 60 + "\0--x\0")' >tree/1201/cmdline
"$CAPTURE" -q -o u.db --proc tree || fail "capture"
COLUMNS=80 expect_exit 0 "$ANALYZE" ps u.db	# a width, so that names are cut
python3 - "$T/out" <<'EOF' || fail "ps shows what a terminal acts on"
import sys
text = open(sys.argv[1], "rb").read().decode("utf-8")    # strict: whole characters
bad = [hex(ord(c)) for c in text if 0x80 <= ord(c) <= 0x9f or 0x202a <= ord(c) <= 0x202e]
if bad:
    sys.exit("control characters shown: %s" % bad)
cut = [l.split()[2] for l in text.splitlines() if l.split()[0] == "1201"][0]
if len(cut) < 23 or cut != "\u00e9" * (len(cut) - 3) + "...":
    sys.exit("command cut as %r" % cut)
if "abc?31mX?31m?evil" not in text:
    sys.exit("not shown as '?': %s" % [l for l in text.splitlines() if "1300" in l])
EOF

# --- sql: no library address, and a time and a memory limit -------------
expect_exit 1 "$ANALYZE" sql a.db "SELECT hex(fts3_tokenizer('simple'))"
expect_grep "fts3_tokenizer" err
[ ! -s out ] || fail "fts3_tokenizer() answered: $(cat out)"
forever="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
expect_exit 1 timeout 60 "$ANALYZE" sql --timeout 1 a.db "$forever SELECT count(*) FROM c"
expect_grep "^mapsnap-analyze: cannot query 'a.db': it ran for longer than 1 s \(--timeout\)$" err
expect_exit 1 timeout 60 "$ANALYZE" sql --max-memory 16 --timeout 0 a.db "$forever SELECT x FROM c"
expect_grep "^mapsnap-analyze: cannot query 'a.db': its rows take more than 16 MiB \(--max-memory\)$" err
expect_exit 1 timeout 60 "$ANALYZE" sql --max-memory 16 --timeout 0 a.db \
	"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000)
	SELECT length(group_concat(x)) FROM c"
expect_grep "^mapsnap-analyze: cannot query 'a.db': it needs more than 16 MiB \(--max-memory\)$" err
"$ANALYZE" sql --help >help || fail "sql --help"
expect_grep "The time a query may run \(fractions allowed; default 120;" help
expect_grep "What the query may hold: SQLite's memory, and the rows kept to print" help
expect_grep "\(default 1024; 0: no limit\)" help

# --- 64 rows that name one honest 128 MiB text --------------------------
python3 "$ROOT/tests/helpers/make-texts" big big.txt 128 || fail "make-texts"
"$CAPTURE" -q -o big.db --import big.txt --comm big --host h || fail "import"
rm big.txt
# (every column copied, whatever the format adds: one pid more each time)
sqlite3 big.db "CREATE TEMP TABLE t AS SELECT * FROM processes;
	$(for i in $(seq 63); do
		echo "UPDATE t SET pid = pid + 1; INSERT INTO processes SELECT * FROM t;"
	done)
	UPDATE snapshots SET procs_captured = 64" || fail "sqlite3"
[ "$(stat -c %s big.db)" -lt $((8 << 20)) ] || fail "big.db is $(stat -c %s big.db) bytes"
records=$(sqlite3 big.db "SELECT nmaps / 4 FROM processes LIMIT 1")
# peak KB: the RSS a command peaks at, which must not grow with the rows
# (each inflated the text again) nor with the cores (each kept its own)
peak() {
	/usr/bin/time -f %M -o "$T/rss" "$ANALYZE" "$@" >"$T/out" 2>"$T/err" ||
		fail "$* exited $?: $(head -3 "$T/err")"
	cat "$T/rss"
}
for c in "libs" "libs --per-process" "report --html big.html"; do
	kb=$(peak $c big.db)
	[ "$kb" -lt $((3 * 128 << 10)) ] || fail "$c peaked at $kb kB for a 128 MiB text"
done
"$ANALYZE" --csv libs big.db | tr -d '\r' | grep '^\[heap\],' >heap
echo "[heap],64,$((64 * records)),$((records * 2)),$((64 * records * 2)),$((64 * records * 4)),$((64 * records * 4)),$((64 * records * 4)),0" |
	expect_cmp - heap
"$ANALYZE" --csv libs --per-process big.db | grep -c '^\[heap\],' >n
echo 64 | expect_cmp - n

# --- a merge into an existing OUT killed half way: OUT reads as before ---
python3 "$ROOT/tests/helpers/make-texts" tree many 600 || fail "make-texts"
"$CAPTURE" -q -o many.db --proc many --host many || fail "capture"
cap -o out.db
cap -o out.db --maps-only
cmds=("list out.db" "ps out.db" "libs out.db" "users out.db" "check out.db"
      "sql out.db 'SELECT count(*), sum(rss_kb) FROM processes'"
      "export out.db --what processes"
      "diff out.db")
i=0
for c in "${cmds[@]}"; do
	eval "\"\$ANALYZE\" $c" >"before.$i" 2>&1 || fail "$c: $(cat "before.$i")"
	i=$((i + 1))
done
cp out.db out.orig
size=$(stat -c %s out.db)
# what OUT shows once the merge is whole: a kill that came after its
# commit (it may, as merge gets faster) leaves that, never a part of it
cp out.db full.db
"$ANALYZE" merge -q full.db many.db || fail "a merge into full.db failed"
i=0
for c in "${cmds[@]}"; do
	eval "\"\$ANALYZE\" ${c//out.db/full.db}" 2>&1 | sed 's/full\.db/out.db/g' >"full.$i"
	i=$((i + 1))
done
# killed once it has written: to the WAL, or through a journal into OUT;
# a merge that ends first (a fast machine) is tried again on a fresh OUT
for try in 1 2 3 4 5 6 7 8 9 10; do
	"$ANALYZE" merge out.db many.db & mp=$!
	for _ in $(seq 4000); do
		[ -s out.db-wal ] && break
		[ -s out.db-journal ] && [ "$(stat -c %s out.db)" -gt "$size" ] && break
		sleep 0.002
	done
	kill -KILL $mp 2>/dev/null
	wait $mp 2>/dev/null
	[ -e out.db-wal ] || [ -e out.db-journal ] && break
	[ $try -lt 10 ] || fail "no merge could be killed half way in 10 tries"
	cp out.orig out.db
done
i=0 whole=0
for c in "${cmds[@]}"; do
	eval "\"\$ANALYZE\" $c" >"after.$i" 2>&1
	if [ $i -eq 0 ] && cmp -s "full.$i" "after.$i"; then
		whole=1	# the kill came after the commit
		echo "note: the merge was whole before the kill"
	fi
	[ $whole -eq 1 ] && expect_cmp "full.$i" "after.$i" ||
		expect_cmp "before.$i" "after.$i"
	i=$((i + 1))
done
[ $whole -eq 1 ] || [ "$(stat -c %s out.db)" = "$(stat -c %s out.orig)" ] ||
	fail "the killed merge grew out.db"

# --- writers killed half way leave nothing; the next run cleans up -------
# killed DIR OUT CMD...: run CMD (which writes OUT, in DIR, empty), kill
# it as soon as it has made anything there: no OUT may be left, whole or
# not; a second run writes OUT, and leaves nothing else in DIR, what the
# killed run left included
killed() {
	local dir=$1 out=$2 pid
	shift 2
	mkdir "$dir"
	"$@" >/dev/null 2>&1 & pid=$!
	for _ in $(seq 4000); do
		[ -n "$(ls -A "$dir")" ] && break
		sleep 0.002
	done
	kill -KILL $pid
	wait $pid 2>/dev/null
	[ ! -e "$out" ] || fail "$*: killed, it left $out"
	"$@" >/dev/null 2>"$T/err" || fail "$*: $(cat "$T/err")"
	[ "$(ls -A "$dir")" = "${out##*/}" ] || fail "$*: left in $dir: $(ls -A "$dir")"
}
killed w1 w1/red.db "$ANALYZE" redact -q big.db w1/red.db
"$ANALYZE" check w1/red.db >/dev/null || fail "the redacted file does not pass check"
killed w2 w2/m.db "$ANALYZE" merge -q w2/m.db many.db
"$ANALYZE" check w2/m.db >/dev/null || fail "the merged file does not pass check"
killed w3 w3/r.html "$ANALYZE" report big.db --html w3/r.html
killed w4 w4/proc "$ANALYZE" export many.db --proc-tree w4
[ "$(find w4/proc -maxdepth 1 -name "1*" | wc -l)" = 600 ] || fail "w4/proc is not whole"
for f in w1/red.db w2/m.db w3/r.html w4/proc/10000/smaps; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f is mode $(stat -c %a "$f")"
done
mkdir w
# a chart that replaces the last one, and never through a link
expect_exit 0 "$ANALYZE" timeline o.db --match . --svg w/c.svg
expect_exit 0 "$ANALYZE" timeline o.db --match . --svg w/c.svg
ln -s "$T/elsewhere.svg" w/l.svg
expect_exit 1 "$ANALYZE" timeline o.db --match . --svg w/l.svg
expect_grep "cannot write 'w/l.svg': it is a symbolic link" err
[ ! -e elsewhere.svg ] || fail "--svg wrote through a link"
no_temps w
exit 0
