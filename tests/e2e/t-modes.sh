# t-modes.sh - capture modes (--maps-only, --rollup), -i/-n, signals,
# the --keep ring, --import, --nice, and a capture that cannot read all.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples/edge/proc
q() { sqlite3 "$@"; }

# --maps-only: maps back byte for byte, no usage figures, no smaps
expect_exit 0 "$CAPTURE" -q -o m.db --proc "$S" --maps-only
[ "$(q m.db "SELECT source FROM snapshots")" = maps ] || fail "source is not maps"
"$ANALYZE" maps m.db 1200 > maps.out || fail "maps after --maps-only"
expect_cmp "$S/1200/maps" maps.out
expect_exit 1 "$ANALYZE" smaps m.db 1200
expect_grep "stored only maps" err
expect_exit 0 "$ANALYZE" --csv ps m.db --pid 1200
vss=$(awk '$1 == "Size:" { s += $2 } END { print s }' "$S/1200/smaps")
expect_grep "^1200,.*,,,,,$vss,[0-9]+" out

# --rollup on a live idle process: the same maps, vss and rss as smaps (uss
# may move: a page is private only while no other process maps it)
sleep 300 & sp=$!
trap 'kill $sp 2>/dev/null; rm -rf "$T"' EXIT
expect_exit 0 "$CAPTURE" -q -o full.db $sp
expect_exit 0 "$CAPTURE" -q -o roll.db --rollup $sp
[ "$(q roll.db "SELECT text_kind, rollup_blob IS NOT NULL FROM processes")" = "maps|1" ] ||
	fail "--rollup did not store maps + rollup"
a=$(q full.db "SELECT nmaps, size_kb, rss_kb, swap_kb FROM processes")
b=$(q roll.db "SELECT nmaps, size_kb, rss_kb, swap_kb FROM processes")
[ "$a" = "$b" ] || fail "--rollup figures '$b' differ from smaps '$a'"
"$ANALYZE" maps roll.db $sp > m1 && "$ANALYZE" maps full.db $sp > m2 || fail maps
expect_cmp m2 m1
expect_exit 2 "$CAPTURE" --rollup --maps-only

# -i 0.2 -n 3: three snapshots, about 0.2 s apart
expect_exit 0 "$CAPTURE" -q -o i.db --proc "$S" -i 0.2 -n 3
[ "$(q i.db "SELECT count(*) FROM snapshots")" = 3 ] || fail "-n 3 did not take 3"
gap=$(q i.db "SELECT (max(time_us) - min(time_us)) / 1000 FROM snapshots")
[ "$gap" -ge 350 ] && [ "$gap" -lt 5000 ] || fail "3 snapshots at -i 0.2 spanned $gap ms"
expect_exit 2 "$CAPTURE" -i 0
expect_exit 2 "$CAPTURE" -i abc

# SIGTERM in a run until a signal: exit 0, every snapshot whole
"$CAPTURE" -o sig.db --proc "$S" -i 0.05 2> sig.err & cp=$!
for _ in $(seq 50); do
	[ -s sig.db ] && [ "$(q sig.db 'SELECT count(*) FROM snapshots' 2>/dev/null)" -ge 2 ] 2>/dev/null && break
	sleep 0.1
done
kill -TERM $cp
wait $cp || fail "SIGTERM: capture exited $?"
expect_grep "stopped by signal after [0-9]+ snapshots" sig.err
bad=$(q sig.db "SELECT count(*) FROM snapshots s WHERE procs_captured !=
	(SELECT count(*) FROM processes p WHERE p.snapshot_id = s.id)")
[ "$bad" = 0 ] || fail "$bad snapshots are not whole after SIGTERM"
[ "$(q sig.db 'PRAGMA integrity_check')" = ok ] || fail "integrity after SIGTERM"

# --keep 2 after 5 captures: 2 left, no orphan blob, and the file stops growing
cp -r "$S" tree
for k in 1 2 3 4 5 6 7 8; do
	echo "$k" >> tree/1400/smaps.tail	# (not read: keeps the loop honest)
	printf '%s\n' "7ff000000000-7ff000001000 rw-p 00000000 00:00 0 " \
		"Size:                  4 kB" "Rss:                   $k kB" \
		> tree/1400/extra
	cat "$S/1400/smaps" tree/1400/extra > tree/1400/smaps	# new text each time
	expect_exit 0 "$CAPTURE" -q -o k.db --proc tree --keep 2
	[ $k = 4 ] && size4=$(stat -c %s k.db)
done
[ "$(q k.db "SELECT count(*) FROM snapshots")" = 2 ] || fail "--keep 2 left $(q k.db 'SELECT count(*) FROM snapshots')"
orphans=$(q k.db "SELECT count(*) FROM blobs WHERE id NOT IN (SELECT text_blob FROM processes
	UNION SELECT stat_blob FROM processes UNION SELECT status_blob FROM processes
	UNION SELECT meminfo_blob FROM snapshots)")
[ "$orphans" = 0 ] || fail "--keep left $orphans orphan blobs"
dangling=$(q k.db "SELECT count(*) FROM processes WHERE text_blob NOT IN (SELECT id FROM blobs)")
[ "$dangling" = 0 ] || fail "--keep dropped blobs still in use"
size8=$(stat -c %s k.db)
[ "$size8" -le "$size4" ] || fail "--keep ring grew from $size4 to $size8 bytes"
[ "$(q k.db 'PRAGMA integrity_check')" = ok ] || fail "integrity after --keep"
"$ANALYZE" smaps k.db 1400 > k.out || fail "smaps after --keep"
expect_cmp tree/1400/smaps k.out

# --import: every sample text back byte for byte, from a file or stdin
n=0
for f in "$ROOT"/samples/*/proc/[0-9]*/smaps "$ROOT"/samples/*/proc/[0-9]*/maps; do
	[ -s "$f" ] || continue
	n=$((n + 1))
	kind=${f##*/}
	expect_exit 0 "$CAPTURE" -q -o imp.db --import "$f" --pid $n --comm "c$n" --host far
	"$ANALYZE" $kind imp.db $n > got || fail "$kind of import $f"
	expect_cmp "$f" got
done
[ $n -ge 20 ] || fail "only $n sample texts imported"
expect_exit 0 "$CAPTURE" -q -o stdin.db --import - < "$S/1300/smaps"
"$ANALYZE" smaps stdin.db 0 > got && expect_cmp "$S/1300/smaps" got
[ "$(q stdin.db 'SELECT hostname FROM hosts')" = unknown ] || fail "import host"
cat /proc/self/smaps_rollup > rollup.txt
expect_exit 0 "$CAPTURE" -q -o r.db --import rollup.txt -p 5 --comm cat
"$ANALYZE" smaps r.db 5 > got && expect_cmp rollup.txt got
[ "$(q r.db 'SELECT text_kind, rss_kb > 0 FROM processes')" = "rollup|1" ] || fail "rollup import"
# bad imports: one line naming the file and cause, nothing stored
echo "this is not smaps" > junk.txt
expect_exit 1 "$CAPTURE" -q -o imp.db --import junk.txt
expect_grep "^mapsnap-capture: 'junk.txt' is not a maps, smaps or smaps_rollup text$" err
head -n 3 "$S/1200/smaps" > cut.txt
printf 'Rss:                  12' >> cut.txt	# cut before its unit
expect_exit 1 "$CAPTURE" -q -o imp.db --import cut.txt
expect_grep "^mapsnap-capture: 'cut.txt': line 4: 'Rss' has no kB unit" err
: > empty.txt
expect_exit 1 "$CAPTURE" -q -o imp.db --import empty.txt
expect_exit 1 "$CAPTURE" -q -o imp.db --import no-such-file
expect_grep "cannot read 'no-such-file': No such file" err
[ "$(q imp.db 'SELECT count(*) FROM snapshots')" = $n ] || fail "a bad import stored something"
expect_exit 2 "$CAPTURE" --import x -p 1 -p 2
expect_exit 2 "$CAPTURE" --comm x

# --nice: a running capture has nice 19 and the idle I/O class
"$CAPTURE" -q -o nice.db --proc "$S" --nice -i 0.1 & np=$!
for _ in $(seq 50); do
	[ "$(awk '{ print $19 }' /proc/$np/stat 2>/dev/null)" = 19 ] && break
	sleep 0.1
done
nice_now=$(awk '{ print $19 }' /proc/$np/stat)
io_now=$(ionice -p $np 2>&1)
kill -TERM $np
wait $np || fail "--nice run exited $?"
[ "$nice_now" = 19 ] || fail "--nice: nice is '$nice_now', not 19"
case $io_now in idle*) ;; *) fail "--nice: I/O class is '$io_now', not idle" ;; esac

# as nobody, most processes cannot be read: skipped and counted, not fatal
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	nob=$(mktemp -d /tmp/mapsnap-nobody.XXXXXX)	# $T is private to us
	chown nobody "$nob"	# (a directory anyone may write is refused)
	expect_exit 0 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$CAPTURE" -o "$nob/n.db"
	skipped=$(q "$nob/n.db" 'SELECT count FROM skips WHERE reason = "permission"')
	rm -rf "$nob"
	expect_grep "[0-9]+ permission" err
	[ "${skipped:-0}" -gt 0 ] || fail "no permission skips counted as nobody"
fi
exit 0
