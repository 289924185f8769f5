# t-zone.sh - times shown in local time with their zone, as date(1) shows
# the same instant under the same TZ (a zone with DST: Europe/Paris,
# America/New_York, from tzdata); CSV and JSON in UTC unless --local;
# --utc; and times read without a zone as local time, with one as said.
. "$ROOT/tests/e2e/lib.sh"

[ -e /usr/share/zoneinfo/Europe/Paris ] ||
	fail "no tzdata (scripts/install-deps installs it)"
for i in 1 2; do
	"$CAPTURE" -q -o db --proc "$ROOT/samples/edge/proc" --host edge ||
		fail "capture $i"
done
# snapshot 1 in summer, 2 in winter: 2026-07-01T10:00Z, 2026-12-06T10:00Z
s1=1782900000 s2=1796551200
sqlite3 db "UPDATE snapshots SET time_us = CASE id WHEN 1 THEN $s1 ELSE $s2
	END * 1000000" || fail "cannot set the times"

# the time column of list, as a table (the date, clock and zone words)
table_times() {
	"$ANALYZE" "$@" list db | awk 'NR > 1 { print $4, $5, $6 }'
}
for tz in Europe/Paris America/New_York UTC; do
	want=$(for s in $s1 $s2; do TZ=$tz date -d "@$s" '+%Y-%m-%d %H:%M:%S %Z'; done)
	got=$(TZ=$tz table_times)
	[ "$got" = "$want" ] || fail "TZ=$tz: list shows '$got', date '$want'"
	# --utc: UTC whatever TZ says
	want=$(for s in $s1 $s2; do date -u -d "@$s" '+%Y-%m-%d %H:%M:%S UTC'; done)
	got=$(TZ=$tz table_times --utc)
	[ "$got" = "$want" ] || fail "TZ=$tz --utc: list shows '$got'"
done
[ "$(TZ=Europe/Paris table_times | awk '{ print $3 }' | tr '\n' ' ')" = "CEST CET " ] ||
	fail "Paris's summer and winter time: $(TZ=Europe/Paris table_times)"

# CSV and JSON: UTC with Z whatever TZ says, for scripts; --local: the
# offset of each time's own date
TZ=Europe/Paris "$ANALYZE" --csv list db | cut -d, -f4 >csv
printf 'time\n2026-07-01T10:00:00.000000Z\n2026-12-06T10:00:00.000000Z\n' >want
expect_cmp want csv
TZ=Europe/Paris "$ANALYZE" --csv list db --local | cut -d, -f4 >csv
printf 'time\n2026-07-01T12:00:00.000000+02:00\n2026-12-06T11:00:00.000000+01:00\n' >want
expect_cmp want csv
TZ=America/New_York "$ANALYZE" --json --local list db >json
python3 - json <<'PY' || fail "--json --local: $(cat json)"
import datetime, json, sys
rows = json.load(open(sys.argv[1]))
got = [datetime.datetime.fromisoformat(r["time"]) for r in rows]
assert [t.timestamp() for t in got] == [1782900000, 1796551200], got
assert [t.utcoffset().total_seconds() / 3600 for t in got] == [-4, -5], got
PY

# Reading: a time without a zone is local, with one as it says
ids() { "$ANALYZE" --csv list db "$@" | sed -n '2,$s/,.*//p' | tr '\n' ' '; }
[ "$(TZ=Europe/Paris ids --since '2026-07-01 12:00')" = "1 2 " ] ||
	fail "Paris 12:00 is 10:00Z: $(TZ=Europe/Paris ids --since '2026-07-01 12:00')"
[ "$(TZ=Europe/Paris ids --since '2026-07-01 12:00:01')" = "2 " ] ||
	fail "Paris 12:00:01 is after snapshot 1"
[ "$(TZ=America/New_York ids --until 2026-12-06T05:00)" = "1 2 " ] ||
	fail "New York 05:00 is 10:00Z in December"
[ "$(TZ=America/New_York ids --until 2026-12-06T04:59)" = "1 " ] ||
	fail "New York 04:59 is before snapshot 2"
[ "$(TZ=America/New_York ids --since 2026-12-06T10:00Z)" = "2 " ] ||
	fail "a Z time is UTC whatever TZ says"
[ "$(TZ=Asia/Tokyo ids --since 2026-12-06T11:00+01:00)" = "2 " ] ||
	fail "an offset is read as given"
[ "$(TZ=Asia/Tokyo ids --since 2026-12-06T11:00:01+0100)" = "" ] ||
	fail "+0100 is read as given"
# --utc reads a time without a zone as UTC too
[ "$(TZ=Europe/Paris ids --utc --since '2026-12-06 10:00')" = "2 " ] ||
	fail "--utc reads 10:00 as 10:00Z"
# a REF that names a time: the same reading
TZ=Europe/Paris expect_exit 0 "$ANALYZE" --csv diff db --from '2026-07-01 12:00' \
	--to '2026-12-06 11:00'
TZ=Europe/Paris expect_exit 1 "$ANALYZE" ps db --snapshot '2026-07-01 11:59'
expect_grep "no snapshot matches '2026-07-01 11:59'" err
expect_exit 2 "$ANALYZE" --utc list db --local
expect_grep "exclude each other" err
expect_exit 2 "$ANALYZE" list db --since 2026-12-06T10:00+25:00

# report's page and timeline's chart: local time, with the zone
pid=$("$ANALYZE" --csv ps db | sed -n '2s/,.*//p')
TZ=Europe/Paris expect_exit 0 "$ANALYZE" report db --html page.html
expect_grep "2026-07-01 12:00:00 CEST" page.html
expect_grep "2026-12-06 11:00:00 CET" page.html
grep -q "UTC" page.html && fail "TZ=Europe/Paris: the page says UTC: $(grep -m3 UTC page.html)"
TZ=Europe/Paris expect_exit 0 "$ANALYZE" timeline db --pid "$pid" --svg t.svg
expect_grep "time, 2026-07-01 12:00:00 CEST to 2026-12-06 11:00:00 CET" t.svg
