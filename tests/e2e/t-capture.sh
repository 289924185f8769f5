# t-capture.sh - mapsnap-capture's selection options and skip counting,
# on the frozen edge tree (pids 1200 1201 uid 1000, 1300 1400 uid 1001,
# 2 a kernel thread).
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples/edge/proc

# pids_in DB: the pids of the latest snapshot, one line
pids_in() {
	sqlite3 "$1" "SELECT group_concat(pid, ' ') FROM (SELECT pid FROM processes
		WHERE snapshot_id = (SELECT max(id) FROM snapshots) ORDER BY pid)"
}
# skips_in DB: "reason=count ..." of the latest snapshot
skips_in() {
	sqlite3 "$1" "SELECT group_concat(reason || '=' || count, ' ') FROM (SELECT * FROM skips
		WHERE snapshot_id = (SELECT max(id) FROM snapshots) ORDER BY reason)"
}
want() { # want WHAT EXPECTED ACTUAL
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

expect_exit 0 "$CAPTURE" -o all.db --proc "$S"
want "all pids" "1200 1201 1300 1400" "$(pids_in all.db)"
want "skips" "kernel=1" "$(skips_in all.db)"
expect_grep '4 processes captured, 1 skipped \(1 kernel\)' err
want "seen" "5|4|1" "$(sqlite3 all.db 'SELECT procs_seen, procs_captured, procs_skipped FROM snapshots')"

# -p, bare pids, and both together
expect_exit 0 "$CAPTURE" -q -o p.db --proc "$S" -p 1300
want "-p" "1300" "$(pids_in p.db)"
expect_exit 0 "$CAPTURE" -q -o p.db --proc "$S" 1400 -p 1201
want "-p and bare" "1201 1400" "$(pids_in p.db)"
expect_exit 1 "$CAPTURE" -q -o p.db --proc "$S" 2
expect_grep "kernel thread" err

# -m matches comm or the cmdline (NULs read as spaces)
expect_exit 0 "$CAPTURE" -q -o m.db --proc "$S" -m '^a\) b \(c$'
want "-m comm" "1300" "$(pids_in m.db)"
want "-m skips" "excluded=3 kernel=1" "$(skips_in m.db)"
expect_exit 0 "$CAPTURE" -q -o m.db --proc "$S" -m 'my app/bin/server --name=edge'
want "-m cmdline" "1200 1201" "$(pids_in m.db)"
# -m or -u that leave nothing to capture: the snapshot is stored (it says
# the service was gone), and the status is 3, for cron to notice
expect_exit 3 "$CAPTURE" -q -o m.db --proc "$S" -m 'no-such-process'
want "-m nothing" "" "$(pids_in m.db)"
want "-m nothing stored" "3" "$(sqlite3 m.db 'SELECT count(*) FROM snapshots')"
expect_grep "^mapsnap-capture: no process matched -m$" err
# in an -i run, one empty snapshot is enough
expect_exit 3 "$CAPTURE" -q -o m.db --proc "$S" -m 'no-such-process' -i 0.01 -n 2
want "-m -i stored" "5" "$(sqlite3 m.db 'SELECT count(*) FROM snapshots')"

# -u by uid (the names are this host's, which need not know 1001)
expect_exit 0 "$CAPTURE" -q -o u.db --proc "$S" -u 1001
want "-u" "1300 1400" "$(pids_in u.db)"
expect_exit 3 "$CAPTURE" -q -o u.db --proc "$S" -u root
want "-u root" "" "$(pids_in u.db)"
expect_grep "no process matched -u" err
expect_exit 3 "$CAPTURE" -q -o u.db --proc "$S" -u root -m bash
expect_grep "no process matched -m and -u" err
expect_exit 0 "$CAPTURE" -q -o u.db --proc "$S" -u 1001 -m bash
want "-u and -m" "1400" "$(pids_in u.db)"
expect_exit 2 "$CAPTURE" -q -o u.db --proc "$S" -u no-such-user-here

# -l and --host are stored; options are recorded
expect_exit 0 "$CAPTURE" -q -o l.db --proc "$S" -l 'after "deploy", 2' --host edgebox
want "label" 'after "deploy", 2|edgebox' \
	"$(sqlite3 l.db 'SELECT label, hostname FROM snapshots JOIN hosts ON hosts.id = host_id')"
sqlite3 l.db 'SELECT options FROM snapshots' > opts
expect_grep 'host edgebox' opts

# --level changes the compression, never the text; 0 stores it in
# uncompressed deflate blocks (a few bytes more than the text itself)
declare -A size
for l in 0 1 9 12; do
	expect_exit 0 "$CAPTURE" -q -o "z$l.db" --proc "$S" --level "$l"
	size[$l]=$(sqlite3 "z$l.db" 'SELECT sum(length(data)) FROM blobs')
	"$ANALYZE" smaps "z$l.db" 1200 > "a$l" || fail "smaps of z$l.db"
	expect_cmp "$S/1200/smaps" "a$l"
done
raw=$(sqlite3 z0.db 'SELECT sum(raw_size) FROM blobs')
[ "${size[0]}" -gt "$raw" ] || fail "--level 0 (${size[0]} bytes) is compressed (text: $raw)"
[ "${size[1]}" -lt "${size[0]}" ] || fail "--level 1 (${size[1]} bytes) not smaller than --level 0 (${size[0]})"
[ "${size[9]}" -lt "${size[1]}" ] || fail "--level 9 (${size[9]} bytes) not smaller than --level 1 (${size[1]})"
[ "${size[12]}" -le "${size[9]}" ] || fail "--level 12 (${size[12]} bytes) bigger than --level 9 (${size[9]})"

# a process whose smaps disappeared mid-capture is counted, not fatal
cp -r "$S" gone
rm gone/1201/smaps
expect_exit 0 "$CAPTURE" -q -o g.db --proc gone
want "vanished" "1200 1300 1400" "$(pids_in g.db)"
want "vanished skips" "kernel=1 vanished=1" "$(skips_in g.db)"
# ... but named on the command line it is an error: status 3, the
# process is gone, and nothing is stored
expect_exit 3 "$CAPTURE" -q -o g.db --proc gone 1201
expect_grep "cannot capture process 1201 .*: no such process" err
want "gone: nothing stored" "1" "$(sqlite3 g.db 'SELECT count(*) FROM snapshots')"

# a FIFO in a frozen tree is refused, not read (it could hang us): a pid
# reused between the two reads of stat, which a FIFO once played here, is
# tests/unit/test_proc.c's
cp -r "$S" fifo
rm fifo/1400/stat
mkfifo fifo/1400/stat
expect_exit 0 timeout 20 "$CAPTURE" -q -o r.db --proc fifo
want "fifo pids" "1200 1201 1300" "$(pids_in r.db)"
want "fifo skips" "kernel=1 refused=1" "$(skips_in r.db)"

# a garbled stat is skipped with a warning; a stat naming another pid is
# stored under the directory it was read from
cp -r "$S" odd
printf '(x) S 1 2 3\n' > odd/1300/stat
sed 's/^1400 /4242 /' "$S/1400/stat" > odd/1400/stat
expect_exit 0 "$CAPTURE" -o o.db --proc odd
expect_grep "cannot parse '.*odd/1300/stat'" err
want "odd pids" "1200 1201 1400" "$(pids_in o.db)"
want "odd skips" "error=1 kernel=1" "$(skips_in o.db)"
exit 0
