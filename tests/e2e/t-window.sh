# t-window.sh - times on the command line: --since and --until for list,
# diff, timeline and growth (ISO 8601 in UTC, or a span back from the
# file's latest snapshot), and a snapshot REF that names a time.
. "$ROOT/tests/e2e/lib.sh"

# six snapshots half an hour apart, from 2023-11-14 22:13:20 UTC
python3 "$ROOT/tests/helpers/make-growth" tree 6 >/dev/null || fail "make-growth"
for k in 0 1 2 3 4 5; do
	expect_exit 0 "$CAPTURE" -q --proc tree/step$k/proc --host box -o db
done
half_hourly db

# ids LIST_CSV: the id column, one line
ids() { tail -n +2 "$1" | cut -d, -f1 | tr -d '\r' | tr '\n' ' '; }

# list: absolute times (with or without Z, T or a blank, seconds or not),
# spans back from the latest (00:43:20), both ends included
for w in 2023-11-14T23:13:20Z 2023-11-14T23:13:20 '2023-11-14 23:13:20' \
	 2023-11-14t23:13:20.000z 1h30m 90m; do
	expect_exit 0 "$ANALYZE" --csv list db --since "$w"
	[ "$(ids out)" = "3 4 5 6 " ] || fail "list --since $w: $(ids out)"
done
expect_exit 0 "$ANALYZE" --csv list db --until 2023-11-14T22:43Z
[ "$(ids out)" = "1 " ] || fail "list --until 22:43: $(ids out)"
expect_exit 0 "$ANALYZE" --csv list db --since 2023-11-14 --until 2023-11-15
[ "$(ids out)" = "1 2 3 4 " ] || fail "list of one day: $(ids out)"
expect_exit 0 "$ANALYZE" --csv list db --since 2h --until 1h
[ "$(ids out)" = "2 3 4 " ] || fail "list 2h to 1h back: $(ids out)"
# nothing in the window: an empty list, not an error
expect_exit 0 "$ANALYZE" --csv list db --since 2030-01-01
[ "$(ids out)" = "" ] || fail "list in the future: $(ids out)"

# a REF that names a time: the last snapshot taken at or before it
expect_exit 0 "$ANALYZE" --csv diff db --from 2023-11-14T22:50Z --to 1h
expect_exit 0 "$ANALYZE" --csv diff db --from 2 --to 4
cp out want
expect_exit 0 "$ANALYZE" --csv diff db --from 2023-11-14T22:50Z --to 1h
expect_cmp want out
# a date is a time before it is a uuid prefix (both are hex digits)
expect_exit 0 "$ANALYZE" --csv ps db --snapshot 2023-11-15
cp out day
expect_exit 0 "$ANALYZE" --csv ps db --snapshot 4
expect_cmp out day
expect_exit 1 "$ANALYZE" ps db --snapshot 2023-11-14T22:00Z
expect_grep "no snapshot matches '2023-11-14T22:00Z'" err
# diff: first and latest are the window's
expect_exit 0 "$ANALYZE" --csv diff db --since 2023-11-14T22:40Z --until 2023-11-15T00:00Z
cp out window
expect_exit 0 "$ANALYZE" --csv diff db --from 2 --to 4
expect_cmp out window
expect_exit 1 "$ANALYZE" diff db --since 1h --from 1
expect_grep "no snapshot matches '1' in the --since/--until window" err

# timeline and growth read the window only
expect_exit 0 "$ANALYZE" --csv timeline db --pid 100 --since 30m
[ "$(tail -n +2 out | cut -d, -f2 | tr -d '\r' | tr '\n' ' ')" = "5 6 " ] ||
	fail "timeline --since 30m: $(cat out)"
expect_exit 3 "$ANALYZE" --csv growth db
expect_exit 0 "$ANALYZE" --csv growth db --until 1h

# bad times are usage errors, named with the forms that are taken
for w in yesterday 6 -6h 2023-02-29 '2023-11-14T25:00' 2023-11-14+01:00; do
	expect_exit 2 "$ANALYZE" list db --since "$w"
	grep -qF "bad --since '$w': expected an ISO 8601 time" err || fail "--since $w: $(cat err)"
done
expect_exit 2 "$ANALYZE" growth db --until x
expect_exit 2 "$ANALYZE" diff db --since x
exit 0
