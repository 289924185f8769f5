# t-skipped.sh - the processes a capture skipped are named by -v on
# stderr, and those it could not read, pid by pid, in skipped_pids
# (format 1.1); kernel threads and filtered ones are only counted there. On a copy of the edge tree
# (2 is a kernel thread) with one smaps gone and, read as nobody, one
# smaps and one stat unreadable.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples/edge/proc

cp -r "$S" proc
rm proc/1201/smaps		# vanished between the listing and the read
expect_exit 0 "$CAPTURE" -v -o v.db --proc proc -u 1000
expect_grep '^mapsnap-capture: pid 1201 \(server\): skipped: vanished$' err
# -v names the kernel thread and the excluded pids too; the file does not
expect_grep '^mapsnap-capture: pid 2 \(kthreadd\): skipped: kernel$' err
expect_grep '^mapsnap-capture: pid 1400 \(bash\): skipped: excluded$' err
[ "$(sqlite3 v.db 'SELECT pid, reason, comm FROM skipped_pids')" = "1201|vanished|server" ] ||
	fail "skipped_pids: $(sqlite3 v.db 'SELECT * FROM skipped_pids')"
[ "$(sqlite3 v.db "SELECT group_concat(reason || '=' || count, ' ') FROM
	(SELECT * FROM skips ORDER BY reason)")" = "excluded=2 kernel=1 vanished=1" ] ||
	fail "the counts of skips changed"
expect_exit 0 "$ANALYZE" check v.db
# without -v the file still names them; -q prints nothing
expect_exit 0 "$CAPTURE" -q -o v.db --proc proc
[ -s err ] && fail "-q printed: $(cat err)"
[ "$(sqlite3 v.db 'SELECT count(*) FROM skipped_pids WHERE snapshot_id = 2')" = 1 ] ||
	fail "the second snapshot did not name its skipped pid"

# check holds the names to the counts
cp v.db bad.db
sqlite3 bad.db "UPDATE skips SET count = 0 WHERE reason = 'vanished' AND snapshot_id = 1"
expect_exit 1 "$ANALYZE" check bad.db
expect_grep "snapshots \(id 1\): 1 vanished skips named in skipped_pids, but skips counts 0" err

# merge copies them, redact hashes their comm only with --redact-names
expect_exit 0 "$ANALYZE" merge -q m.db v.db
[ "$(sqlite3 m.db 'SELECT count(*) FROM skipped_pids')" = 2 ] || fail "merge lost skipped_pids"
expect_exit 0 "$ANALYZE" redact -q v.db r.db
[ "$(sqlite3 r.db 'SELECT DISTINCT comm FROM skipped_pids')" = server ] ||
	fail "redact changed a comm without --redact-names"
expect_exit 0 "$ANALYZE" redact -q --redact-names v.db rn.db
expect_grep '^redacted-[0-9a-f]{16}$' <(sqlite3 rn.db 'SELECT DISTINCT comm FROM skipped_pids')
# a file of format 1.0 has no skipped_pids: redact and check still read it
expect_exit 0 "$ANALYZE" redact -q "$ROOT/tests/compat/1.0/history.db" old.db
[ "$(sqlite3 old.db 'SELECT count(*) FROM skipped_pids')" = 0 ] || fail "old file grew skipped pids"

# permission: as nobody, an unreadable smaps (stat read: comm known) and
# an unreadable stat (comm unknown: NULL)
if [ "$(id -u)" -ne 0 ]; then
	echo "skip: the permission case runs the capture as nobody (needs root)"
	exit 0
fi
chmod 000 proc/1300/smaps proc/1400/stat
mkdir nob && chown nobody:nogroup nob	# the capture refuses a 0777 one
chmod 755 "$T"
expect_exit 0 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$CAPTURE" -v -o nob/p.db --proc proc
expect_grep "^mapsnap-capture: pid 1300 \(a\) b \(c\): skipped: permission$" err
expect_grep "^mapsnap-capture: pid 1400 \(\?\): skipped: permission$" err
[ "$(sqlite3 nob/p.db "SELECT group_concat(pid || ' ' || reason || ' ' ||
	ifnull(comm, 'NULL'), ',') FROM (SELECT * FROM skipped_pids ORDER BY pid)")" = \
	"1201 vanished server,1300 permission a) b (c,1400 permission NULL" ] ||
	fail "skipped_pids as nobody: $(sqlite3 nob/p.db 'SELECT * FROM skipped_pids')"
expect_exit 0 "$ANALYZE" check nob/p.db
