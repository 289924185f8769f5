# t-reuse.sh - capture --reuse: in an -i run, a process whose RssAnon,
# RssFile, RssShmem, VmSwap, thread count and maps are as at its last full
# read keeps that read's smaps text and figures (text_reused 1); a change
# of any of them reads the text again (text_reused 0). A frozen tree is
# edited between the two snapshots of a run.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples/edge/proc
q() { sqlite3 "$@"; }

# run_twice DB: two snapshots of tree/ 2 s apart with --reuse; edit()
# changes the tree in between, once the first is committed
run_twice() {
	local i
	"$CAPTURE" -q -o "$1" --proc tree --reuse -i 2 -n 2 2> run.err & cp=$!
	for i in $(seq 100); do
		[ "$(q "$1" "SELECT count(*) FROM snapshots" 2>/dev/null)" = 1 ] && break
		sleep 0.05
	done
	[ "$i" -lt 100 ] || fail "the first snapshot did not come"
	edit
	wait $cp || fail "the capture failed: $(cat run.err)"
}

# reused DB PID: "text_reused|same text as snapshot 1"
reused() {
	q "$1" "SELECT b.text_reused, b.text_blob = a.text_blob FROM processes a
		JOIN processes b USING (pid) WHERE a.snapshot_id = 1
		AND b.snapshot_id = 2 AND pid = $2"
}

# status_set FILE NAME KB: the status line NAME: with another value
status_set() {
	awk -v n="$2:" -v v="$3" '$1 == n { printf "%s\t%8d kB\n", n, v; next }
		{ print }' "$1" > "$1.new" && mv "$1.new" "$1"
}

cp -r "$S" tree
edit() {
	# 1200: only its smaps text changes (a PSS, as another process's exit
	# would make it): its counters say nothing changed, so it is reused
	sed -i '0,/^Pss: *\([0-9]*\) kB$/s//Pss:                 999 kB/' tree/1200/smaps
	# 1201: RssAnon grew (and its text with it)
	status_set tree/1201/status RssAnon 4242
	sed -i '0,/^Rss:/s/^Rss: .*/Rss:                4242 kB/' tree/1201/smaps
	# 1300: a mapping more in maps and smaps, the counters as they were
	printf '7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n' >> tree/1300/maps
	printf '\n7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \nSize:                  4 kB\n' \
		>> tree/1300/smaps
	# 1400: a thread more (field 20 of stat), and a PSS changed
	awk '{ $20 = $20 + 1; print }' tree/1400/stat > tree/1400/stat.new &&
		mv tree/1400/stat.new tree/1400/stat
	sed -i '0,/^Pss: *\([0-9]*\) kB$/s//Pss:                 999 kB/' tree/1400/smaps
}
run_twice r.db
[ "$(reused r.db 1200)" = "1|1" ] || fail "1200 unchanged: $(reused r.db 1200), not reused"
"$ANALYZE" smaps r.db 1200 --snapshot 2 > back || fail "smaps of a reused text"
expect_cmp "$S/1200/smaps" back
[ "$(q r.db "SELECT a.pss_kb = b.pss_kb FROM processes a JOIN processes b
	USING (pid) WHERE a.snapshot_id = 1 AND b.snapshot_id = 2 AND pid = 1200")" = 1 ] ||
	fail "a reused text's figures are not its own"
for p in 1201 1300 1400; do
	[ "$(reused r.db $p)" = "0|0" ] || fail "$p changed: $(reused r.db $p), reused"
	"$ANALYZE" smaps r.db $p --snapshot 2 > back || fail "smaps of $p"
	expect_cmp tree/$p/smaps back
done
[ "$(q r.db "SELECT count(*) FROM processes WHERE text_reused IS NULL")" = 0 ] ||
	fail "a capture left text_reused unknown"
expect_exit 0 "$ANALYZE" check r.db

# without --reuse every text is read: text_reused 0
expect_exit 0 "$CAPTURE" -q -o plain.db --proc "$S" -i 0.1 -n 2
[ "$(q plain.db "SELECT count(*), sum(text_reused) FROM processes")" = "8|0" ] ||
	fail "a capture without --reuse reused a text"

# the text's blob gone between the snapshots (another capture's --keep
# took the only snapshot holding it): read again, not reused
rm -r tree && cp -r "$S" tree
edit() {
	q gone.db "PRAGMA foreign_keys = ON; DELETE FROM snapshots;
		DELETE FROM blobs" || fail "cannot empty gone.db"
}
run_twice gone.db
[ "$(q gone.db "SELECT count(*), sum(text_reused) FROM processes")" = "4|0" ] ||
	fail "a text whose blob went was reused"
expect_exit 0 "$ANALYZE" check gone.db

# a file of format 1.0 knows nothing of it: unknown, NULL in sql
expect_exit 0 "$ANALYZE" --csv sql "$ROOT/tests/compat/1.0/samples.db" \
	"SELECT count(*), count(text_reused) FROM processes"
printf 'count(*),count(text_reused)\r\n17,0\r\n' > want
expect_cmp want out

# --reuse keeps smaps texts: not with the cheap modes or --import
for m in --maps-only --rollup "--import $S/1400/smaps"; do
	expect_exit 2 "$CAPTURE" -q -o u.db --reuse $m
	expect_grep "reuse keeps smaps texts" err
done
