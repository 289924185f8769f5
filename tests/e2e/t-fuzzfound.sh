# t-fuzzfound.sh - what the fuzzers found, through the real programs: an
# import that changes format or whose figures overflow is refused whole.
. "$ROOT/tests/e2e/lib.sh"
C=$ROOT/fuzz/crashes
S=$ROOT/samples/edge/proc

expect_exit 0 "$CAPTURE" -q -o imp.db --import "$S/1200/smaps" --pid 1

# a maps text whose later mappings have fields (fuzz/crashes/import)
expect_exit 1 "$CAPTURE" -q -o imp.db --import "$C/import/maps-then-fields"
expect_grep "^mapsnap-capture: '$C/import/maps-then-fields': line 22: fields under a mapping of a maps text$" err
[ "$(wc -l < err)" -eq 1 ] || fail "more than one line"

# smaps with a mapping cut after its header
cat "$S/1200/smaps" > cut.txt
head -n 1 "$S/1200/smaps" >> cut.txt
expect_exit 1 "$CAPTURE" -q -o imp.db --import cut.txt
n=$(($(wc -l < cut.txt)))
expect_grep "^mapsnap-capture: 'cut.txt': line $n: a mapping with no fields in an smaps text \(truncated\?\)$" err

# a rollup with a second record
cat /proc/self/smaps_rollup /proc/self/smaps_rollup > two.txt
expect_exit 1 "$CAPTURE" -q -o imp.db --import two.txt
expect_grep "^mapsnap-capture: 'two.txt': line [0-9]+: a second record in an smaps_rollup text$" err

# sums past 2^62 kB were stored as negative figures
expect_exit 1 "$CAPTURE" -q -o imp.db --import - < "$C/import/sum-overflow"
expect_grep "^mapsnap-capture: '-': line 1: figures too large for a process" err

[ "$(sqlite3 imp.db 'SELECT count(*) FROM snapshots')" = 1 ] ||
	fail "a refused import stored something"
[ "$(sqlite3 imp.db 'SELECT min(rss_kb) >= 0 FROM processes')" = 1 ] ||
	fail "a negative figure"
