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
exit 0
