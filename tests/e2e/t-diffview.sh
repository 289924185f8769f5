#!/usr/bin/env bash
# t-diffview.sh - what a view says about itself: list -t totals only what
# adds up, a redacted command line keeps its program's name beside it,
# diff's mapping section and its footer count every row they hide, and a
# terminal gets a line naming the snapshot and host a view shows.
. "$ROOT/tests/e2e/lib.sh"

merged=$ROOT/tests/compat/1.0/merged.db

# --- list -t: snapshots, hosts and processes add up; sizes of different
# moments do not, so their total is empty
expect_exit 0 "$ANALYZE" -t --csv list "$merged"
tail -1 "$T/out" | tr -d '\r' >total.csv
echo "13,total,5,,,33,,,," >want.csv
expect_cmp want.csv total.csv
expect_exit 0 "$ANALYZE" -t list "$merged"
tail -1 "$T/out" | awk '{ for (i = 7; i <= NF; i++) if ($i != "-") exit 1 }' ||
	fail "list -t totals a size: $(tail -1 "$T/out")"

# --- redacted files: "[comm]" beside a command line whose argv[0] is a
# hash, in every view that shows a command. A real program, ./mleak, run
# twice over, captured twice, then redacted.
cp /bin/sleep mleak
./mleak 600 &
p1=$!
./mleak 601 &
p2=$!
trap 'kill $p1 $p2 2>/dev/null; rm -rf "$T"' EXIT
expect_exit 0 "$CAPTURE" -q -o live.db -p $p1 -p $p2 --host box
expect_exit 0 "$CAPTURE" -q -o live.db -p $p1 --host box
expect_exit 0 "$ANALYZE" redact -q live.db red.db
tok='redacted-[0-9a-f]{16}'
expect_exit 0 "$ANALYZE" ps red.db
expect_grep "^ *$p1 .*\\[mleak\\] $tok" "$T/out"
expect_exit 0 "$ANALYZE" --csv ps red.db --snapshot first
expect_grep "^$p2,[^,]*,\\[mleak\\] $tok $tok," "$T/out"
expect_exit 0 "$ANALYZE" --csv libs red.db --per-process
expect_grep ",$p1,\\[mleak\\] $tok $tok\$" <(tr -d '\r' <"$T/out")
expect_exit 0 "$ANALYZE" --csv timeline red.db --pid $p1
expect_grep ",$p1,\\[mleak\\] $tok $tok," "$T/out"
expect_exit 0 "$ANALYZE" --csv diff red.db
expect_grep "^$p2,\\[mleak\\] $tok $tok,gone," "$T/out"
# the input itself is shown as it was, and so is a file whose comm was
# hashed too (--redact-names): "[redacted-...]" would say nothing
expect_exit 0 "$ANALYZE" --csv ps live.db
expect_grep "^$p1,[^,]*,\\./mleak 600," "$T/out"
grep -q '\[mleak\]' "$T/out" && fail "a command line that is not hashed got its comm"
expect_exit 0 "$ANALYZE" redact -q --redact-names live.db names.db
expect_exit 0 "$ANALYZE" --csv ps names.db
expect_grep "^$p1,[^,]*,$tok $tok," "$T/out"
grep -q '\[' "$T/out" && fail "a hashed comm was shown beside a hashed command line"
kill $p1 $p2 2>/dev/null

# --- diff's footers and mapping section, on a box whose figures are
# known (tests/helpers/make-growth): from step 0 to step 5, leaky's heap
# grows 5120 kB and it maps libextra (32 kB), wobbly's heap 4096 kB,
# steady stays, newbie (2612 kB PSS) is new and goner (2612 kB) gone.
python3 "$ROOT/tests/helpers/make-growth" "$T/g" 6 || fail "make-growth failed"
for k in 0 1 2 3 4 5; do
	expect_exit 0 "$CAPTURE" -q --proc "$T/g/step$k/proc" --host box -o g.db
done
# the footer counts every row hidden, and says why
expect_exit 0 "$ANALYZE" diff g.db
expect_grep '^\(1 process unchanged\)$' "$T/out"
expect_exit 0 "$ANALYZE" diff g.db --threshold 3300
expect_grep '^\(1 new and 1 gone under 3300 kB, 1 unchanged\)$' "$T/out"
expect_grep '^\(1 mapping change under 3300 kB hidden\)$' "$T/out"
expect_exit 0 "$ANALYZE" diff g.db --threshold 5000
expect_grep '^\(1 process changed less than 5000 kB, 1 new and 1 gone under 5000 kB, 1 unchanged\)$' "$T/out"
# the mappings of the three that changed most, a new one included (its
# regions are all new), each shown when it moved by 64 kB and 2% of its
# process's change: newbie's 8, 16 and 20 kB regions and leaky's 32 kB
# libextra are counted below, not shown
expect_exit 0 "$ANALYZE" diff g.db
sed -n '/^mappings of/,$p' "$T/out" >maps.txt
[ "$(awk '$1 == 400 && $0 ~ / new /' maps.txt | wc -l)" = 4 ] ||
	fail "newbie's regions: $(cat maps.txt)"
[ "$(awk '$1 == 100 || $1 == 200' maps.txt | grep -c '\[heap\]')" = 2 ] ||
	fail "the heaps: $(cat maps.txt)"
[ "$(awk '$1 ~ /^[0-9]+$/' maps.txt | wc -l)" = 6 ] || fail "$(cat maps.txt)"
grep -q libextra maps.txt && fail "libextra's 32 kB shown beside a 5 MB change"
expect_grep '^\(4 mapping changes under 64 kB or 2% of its process.s change hidden: --threshold KB for them\)$' maps.txt
# --mappings and --pid show every region of the processes, new and gone ones too
expect_exit 0 "$ANALYZE" --csv diff g.db --mappings
[ "$(grep -c '^400,.*,new,' "$T/out")" = 7 ] || fail "newbie: $(cat "$T/out")"
[ "$(grep -c '^500,.*,gone,' "$T/out")" = 7 ] || fail "goner: $(cat "$T/out")"
expect_grep '^100,.*libextra.*,new,' "$T/out"
expect_exit 0 "$ANALYZE" --csv diff g.db --pid 500
[ "$(grep -c '^500,.*,gone,' "$T/out")" = 7 ] || fail "--pid 500: $(cat "$T/out")"

# --- which snapshot: a terminal gets one line over the table naming it,
# its host and time; a pipe, CSV and JSON do not (scripts, goldens)
tty() { script -qec "$* 2>/dev/null" /dev/null | tr -d '\r'; }
head13='snapshot 13 (adbffe61) of host hist, 2026-12-06 01:56:17 UTC, 1 of 5 hosts in the file'
for v in ps users libs cgroups "showmap --host hist" ; do
	set -- $v
	arg=; [ "$1" = showmap ] && arg=10503
	tty "$ANALYZE" $v "$merged" $arg >tty.txt || fail "$v on a terminal failed"
	[ "$(head -1 tty.txt)" = "$head13" ] || fail "$v on a terminal: $(head -2 tty.txt)"
	"$ANALYZE" $v "$merged" $arg >pipe.txt || fail "$v failed"
	# the rest is the table (its widths may follow the terminal's)
	[ $(wc -l <tty.txt) = $(($(wc -l <pipe.txt) + 1)) ] ||
		fail "$v: the terminal got other rows than the pipe"
	grep -q '^snapshot' pipe.txt && fail "$v printed its header line into a pipe"
done
tty "$ANALYZE" ps "$merged" --snapshot 2 >tty.txt
expect_grep '^snapshot 2 \(b6e49fd4\) of host edge, 2026-12-06 01:56:14 UTC, 1 of 5 hosts in the file$' tty.txt
for o in --csv --json; do
	tty "$ANALYZE" $o ps "$merged" >tty.txt
	grep -q 'snapshot 13' tty.txt && fail "$o on a terminal got the header line"
done
tty "$ANALYZE" ps "$ROOT/tests/compat/1.0/history.db" >tty.txt
expect_grep '^snapshot 8 \([0-9a-f]{8}\) of host hist, [0-9-]+ [0-9:]+ UTC$' tty.txt

# diff: both sides named; on a file of several hosts, "first" and
# "latest" are any host's, so without --host diff refuses, listing them
tty "$ANALYZE" diff "$merged" --host hist >tty.txt
expect_grep '^from snapshot 6 \(82dcceda\) of host hist, 2026-12-06 01:56:14 UTC, 1 of 5 hosts in the file$' tty.txt
expect_grep '^to snapshot 13 \(adbffe61\) of host hist, 2026-12-06 01:56:17 UTC, 1 of 5 hosts in the file$' tty.txt
"$ANALYZE" diff "$merged" --host hist | grep -q 'snapshot' && fail "diff's header line went into a pipe"
expect_exit 2 "$ANALYZE" diff "$merged"
expect_grep "^mapsnap-analyze: '.*merged.db' holds snapshots of 5 hosts \(real, edge, old, imported, hist\): name one with --host" "$T/err"
[ -s "$T/out" ] && fail "diff printed a table it refused"
expect_exit 2 "$ANALYZE" diff "$merged" --from first --to latest
expect_exit 2 "$ANALYZE" diff g.db "$merged" --from 1
expect_exit 0 "$ANALYZE" diff "$merged" --from 6 --to 13
expect_exit 0 "$ANALYZE" diff g.db "$merged" --from 1 --to 13
expect_exit 0 "$ANALYZE" diff g.db		# one host: first and latest are its own
exit 0
