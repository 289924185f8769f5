# t-retention.sh - the three ways a file is kept from growing: --keep N,
# --keep-for DURATION (by age) and --max-size SIZE (by bytes), each in
# the snapshot's own transaction, with the blobs only the dropped ones used.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples/edge/proc

# unused_blobs DB: blobs no row refers to (a prune must leave none)
unused_blobs() {
	sqlite3 "$1" "SELECT count(*) FROM blobs WHERE id NOT IN (SELECT meminfo_blob
		FROM snapshots WHERE meminfo_blob NOT NULL UNION SELECT stat_blob FROM processes
		UNION SELECT status_blob FROM processes UNION SELECT text_blob FROM processes
		UNION SELECT rollup_blob FROM processes WHERE rollup_blob NOT NULL)"
}
labels() { sqlite3 "$1" "SELECT group_concat(label, ' ') FROM (SELECT label FROM snapshots ORDER BY id)"; }

for bad in 0 7y 1.5d d -1h 4000000000s; do
	expect_exit 2 "$CAPTURE" -q -o x.db --proc "$S" --keep-for "$bad"
	expect_grep "bad --keep-for '$bad'" err
done
for bad in 0 1.5G 1GB k -1; do
	expect_exit 2 "$CAPTURE" -q -o x.db --proc "$S" --max-size "$bad"
	expect_grep "bad --max-size '$bad'" err
done

# --keep-for: snapshots of 10 days, 8 days and an hour ago; a capture
# with --keep-for 7d drops the first two, and the texts only they held
# (the first is of another tree: its blobs are its own)
expect_exit 0 "$CAPTURE" -q -o k.db --proc "$ROOT/samples/real/proc" -l d10
expect_exit 0 "$CAPTURE" -q -o k.db --proc "$S" -l d8
expect_exit 0 "$CAPTURE" -q -o k.db --proc "$S" -l h1
now=$(date +%s)
sqlite3 k.db "UPDATE snapshots SET time_us = ($now - CASE label WHEN 'd10' THEN 864000
	WHEN 'd8' THEN 691200 ELSE 3600 END) * 1000000"
blobs_before=$(sqlite3 k.db 'SELECT count(*) FROM blobs')
expect_exit 0 "$CAPTURE" -v -o k.db --proc "$S" -l new --keep-for 7d
[ "$(labels k.db)" = "h1 new" ] || fail "--keep-for 7d kept: $(labels k.db)"
expect_grep "dropped 2 snapshots older than 604800s \(--keep-for\)" err
[ "$(unused_blobs k.db)" = 0 ] || fail "--keep-for left unused blobs"
[ "$(sqlite3 k.db 'SELECT count(*) FROM blobs')" -lt "$blobs_before" ] ||
	fail "--keep-for dropped no blob"
[ "$(sqlite3 k.db 'SELECT count(*) FROM processes WHERE snapshot_id NOT IN
	(SELECT id FROM snapshots)')" = 0 ] || fail "--keep-for left processes behind"
expect_exit 0 "$ANALYZE" check k.db
# with --keep, both hold: the stricter wins; an --import prunes too
expect_exit 0 "$CAPTURE" -q -o k.db --proc "$S" -l n2 --keep-for 7d --keep 2
[ "$(labels k.db)" = "new n2" ] || fail "--keep 2 --keep-for 7d kept: $(labels k.db)"
sqlite3 k.db "UPDATE snapshots SET time_us = time_us - 86400000000 * 30"
expect_exit 0 "$CAPTURE" -q -o k.db --import "$S/1200/smaps" -l imp --keep-for 1d
[ "$(labels k.db)" = "imp" ] || fail "--import --keep-for 1d kept: $(labels k.db)"

# --max-size: 200 snapshots of a box whose leaky process grows, each into
# a file without a cap and one capped at 64 KiB. The capped file never
# exceeds the cap by more than the most one snapshot added to the other,
# reuses its freed pages (it stops growing), and keeps the newest.
"$ROOT/tests/helpers/make-growth" g 200 >/dev/null || fail "make-growth failed"
cap=65536
for i in $(seq 0 199); do
	"$CAPTURE" -q -o u.db --proc g/step$i/proc -l s$i || fail "capture $i failed"
	stat -c %s u.db >> usizes
	"$CAPTURE" -q -o c.db --proc g/step$i/proc -l s$i --max-size 64k ||
		fail "capture $i --max-size failed"
	stat -c %s c.db >> csizes
done
step=$(awk 'NR > 1 && $1 - p > m { m = $1 - p } { p = $1 } END { print m }' usizes)
[ "$(tail -1 usizes)" -gt $((4 * cap)) ] ||
	fail "the uncapped file ($(tail -1 usizes) bytes) is too small to test a cap of $cap"
max=$(sort -n csizes | tail -1)
[ "$max" -le $((cap + step)) ] ||
	fail "--max-size 64k: the file reached $max bytes, over $cap + one snapshot ($step)"
n=$(sqlite3 c.db 'SELECT count(*) FROM snapshots')
[ "$n" -ge 2 ] && [ "$n" -lt 200 ] || fail "--max-size kept $n snapshots"
[ "$(sqlite3 c.db 'SELECT label FROM snapshots ORDER BY id DESC LIMIT 1')" = s199 ] ||
	fail "--max-size did not keep the newest snapshot"
[ "$(sqlite3 c.db 'SELECT max(id) - min(id) + 1 FROM snapshots')" = "$n" ] ||
	fail "--max-size dropped other than the oldest"
[ "$(unused_blobs c.db)" = 0 ] || fail "--max-size left unused blobs"
expect_exit 0 "$ANALYZE" check c.db
echo "--max-size 64k over 200 captures: at most $max bytes (one snapshot: $step), $n kept;" \
	"uncapped: $(tail -1 usizes) bytes"

# a cap smaller than one snapshot keeps that one, and says so
expect_exit 0 "$CAPTURE" -o tiny.db --proc "$S" --max-size 1k
expect_grep "'tiny.db' holds [0-9]+ bytes with its newest snapshot alone, over --max-size 1024" err
[ "$(sqlite3 tiny.db 'SELECT count(*) FROM snapshots')" = 1 ] || fail "--max-size 1k dropped the newest"
