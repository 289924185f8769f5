# t-exit.sh - one rule for the exit status of every analyzer command:
# a filter that matches nothing is an answer (0, the table's header and
# no row); a name that points at nothing (--host, REF, PID) is an error
# (1, a message naming it); a REF that is no REF at all, such as a uuid
# prefix shorter than 4 hex digits, is a usage error (2).
. "$ROOT/tests/e2e/lib.sh"

S=$ROOT/samples/docker
for i in 1 2; do
	"$CAPTURE" -q -o db --proc "$S/proc" --sys "$S/sys" --host edge ||
		fail "capture $i of samples/docker"
done
pid=$("$ANALYZE" --csv ps db | sed -n '2s/,.*//p')
[ -n "$pid" ] || fail "no pid in db"

# Every command, with a filter that matches nothing: NAME, then its
# arguments ("-" for a command that takes no filter: the PID commands
# name one process (below), sql filters with SQL, report, check, redact
# and merge read whole files; their --host is below).
while read -r name args; do
	[ "$args" = - ] && continue
	# shellcheck disable=SC2086
	expect_exit 0 "$ANALYZE" $name $args
	[ -s err ] && fail "$name $args: stderr: $(cat err)"
	# the header alone (CSV: its header row)
	[ "$(wc -l <out)" -le 1 ] || fail "$name $args printed rows: $(cat out)"
	# shellcheck disable=SC2086
	expect_exit 0 "$ANALYZE" --json $name $args
	# JSON: [] (export writes JSON lines: none)
	want="[]"
	[ "$name" = export ] && want=
	[ "$(tr -d ' \n' <out)" = "$want" ] ||
		fail "--json $name $args printed: $(cat out)"
done <<ROWS
list	db --since 2000-01-01 --until 2000-01-02
ps	db --match nomatch
libs	db --match nomatch
users	db --user nobody-at-all
cgroups	db --match nomatch
showmap	-
pmap	-
maps	-
smaps	-
diff	db --match nomatch
timeline	db --match nomatch
growth	db --match nomatch
report	-
export	db --what processes --match nomatch
sql	-
check	-
redact	-
merge	-
cgroups	db --unit no-such.service
ROWS

# Every command that takes --host, with a host the file does not hold:
# exit 1 and a message naming the host, and nothing on stdout.
while read -r name args; do
	rm -f out.html
	# shellcheck disable=SC2086
	expect_exit 1 "$ANALYZE" $name $args --host zzz
	expect_grep "no host 'zzz'" err
	[ -s out ] && fail "$name $args --host zzz printed: $(cat out)"
done <<ROWS
list	db
ps	db
libs	db
users	db
cgroups	db
showmap	db $pid
pmap	db $pid
maps	db $pid
smaps	db $pid
diff	db
timeline	db --match .
growth	db
report	db --html out.html
export	db --what processes
ROWS
[ -e out.html ] && fail "report --host zzz wrote a page"

# A PID or REF that names nothing: 1. A REF of no form: 2, saying why.
while read -r code name args; do
	# shellcheck disable=SC2086
	expect_exit "$code" "$ANALYZE" $name $args
done <<ROWS
1	showmap db 999999
1	pmap db 999999
1	ps db --snapshot 99
1	ps db --snapshot ffff
2	ps db --snapshot b3e
2	users db --snapshot abc
2	showmap db 1 --snapshot b3e
2	pmap --snapshot b3e db 1
2	diff db --from b3e
2	diff db --to b3e
2	export db --what processes --snapshot b3e
2	ps db --snapshot not-a-ref
ROWS

expect_exit 2 "$ANALYZE" ps db --snapshot b3e
expect_grep "bad --snapshot 'b3e': a uuid prefix needs at least 4 hex digits" err
expect_exit 2 "$ANALYZE" diff db --to B3-e
expect_grep "bad --to 'B3-e': a uuid prefix needs at least 4 hex digits" err
# 4 digits of the uuid are enough
uuid=$("$ANALYZE" --csv list db | sed -n '2p' | cut -d, -f2)
expect_exit 0 "$ANALYZE" ps db --snapshot "${uuid:0:4}"
