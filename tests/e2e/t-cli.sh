# t-cli.sh - both programs' command lines: help, version, usage errors,
# exit codes, and bad files that must be refused without damage.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples/edge/proc

# help goes to stdout with exit 0; every option it lists is accepted
expect_exit 0 "$CAPTURE" --help
expect_grep '^usage: mapsnap-capture' out
[ ! -s err ] || fail "capture --help wrote to stderr"
expect_exit 0 "$ANALYZE" --help
expect_grep '^usage: mapsnap-analyze' out
cp out help
for c in list ps libs users showmap pmap maps smaps; do
	expect_grep "^  $c .*FILE" help
	expect_exit 0 "$ANALYZE" $c --help
	expect_grep "^usage: mapsnap-analyze .*$c .*FILE" out
done
expect_exit 0 "$CAPTURE" -V
expect_grep '^mapsnap-capture [0-9]' out
expect_exit 0 "$ANALYZE" --version
expect_grep '^mapsnap-analyze [0-9]' out

# usage errors: exit 2, a message and a hint on stderr
expect_exit 2 "$CAPTURE" --no-such-option
expect_grep "try 'mapsnap-capture --help'" err
expect_exit 2 "$CAPTURE" notapid
expect_grep "bad pid 'notapid'" err
expect_exit 2 "$CAPTURE" --level 13
expect_grep "bad level '13': expected 0 to 12" err
expect_exit 2 "$CAPTURE" -m '('
expect_exit 2 "$ANALYZE"
expect_grep "no command given" err
expect_exit 2 "$ANALYZE" frobnicate x.db
expect_grep "unknown command 'frobnicate'" err
expect_grep "try 'mapsnap-analyze --help'" err
expect_exit 2 "$ANALYZE" ps
expect_exit 2 "$ANALYZE" maps x.db notapid
expect_exit 2 "$ANALYZE" ps x.db --bogus
expect_exit 2 "$ANALYZE" ps x.db --limit -3

# a capture to work with: two snapshots, labelled
expect_exit 0 "$CAPTURE" -o db --proc "$S" --host edgebox -l first
expect_grep '^mapsnap-capture: snapshot 1 \(.{36}\): [0-9]+ processes captured, [0-9]+ skipped' err
expect_exit 0 "$CAPTURE" -q -o db --proc "$S" --host edgebox -l second
[ ! -s err ] || fail "-q still wrote: $(cat err)"

# at rest the file is one file, and reading it adds no companions
"$ANALYZE" list db >/dev/null || fail "list"
[ ! -e db-wal ] && [ ! -e db-shm ] || fail "db-wal or db-shm left beside the file"
[ "$(sqlite3 db 'PRAGMA journal_mode')" = delete ] || fail "file left in WAL mode"

# an unchanged tree stores no new text: only the snapshot rows grow
n1=$(sqlite3 db "SELECT count(*) FROM blobs")
expect_exit 0 "$CAPTURE" -q -o db --proc "$S" --host edgebox
n2=$(sqlite3 db "SELECT count(*) FROM blobs")
[ "$n1" = "$n2" ] || fail "a second capture added blobs: $n1 -> $n2"

expect_exit 0 "$ANALYZE" --csv list db
[ "$(wc -l < out)" -eq 4 ] || fail "list shows $(wc -l < out) lines, not header + 3"
expect_grep '^id,uuid,host,time,label,processes,rss,pss,uss,swap' out
expect_grep '^1,.*,edgebox,20[0-9-]+T[0-9:.]+Z,first,' out

# snapshot references, before or after the command
expect_exit 0 "$ANALYZE" ps db --snapshot @first --csv
expect_grep '^pid,' out
expect_exit 0 "$ANALYZE" ps --snapshot=first db -r --limit=1
expect_exit 1 "$ANALYZE" ps db --snapshot @nolabel
expect_grep "no snapshot matches '@nolabel'" err
expect_exit 1 "$ANALYZE" ps db --snapshot 99
expect_exit 2 "$ANALYZE" ps db --sort nosuchcolumn
expect_grep "no column 'nosuchcolumn'" err

# a pid the snapshot does not hold
expect_exit 1 "$ANALYZE" smaps db 77777
expect_grep "holds no process 77777" err

# files that are not mapsnap files: exit 1, the file named, nothing changed
echo "just some text" > notdb
cp notdb notdb.orig
expect_exit 1 "$ANALYZE" ps notdb
expect_grep "'notdb'.*not a database" err
expect_exit 1 "$CAPTURE" -q -o notdb --proc "$S"
expect_grep "notdb" err
expect_cmp notdb.orig notdb
expect_exit 1 "$ANALYZE" list missing.db
expect_grep "cannot open 'missing.db': No such file" err
[ ! -s out ] || fail "list of a missing file printed a header"
: > empty.db
expect_exit 1 "$ANALYZE" list empty.db
expect_grep "empty database" err
cp db newer.db
sqlite3 newer.db "PRAGMA user_version = 7"
expect_exit 1 "$ANALYZE" list newer.db
expect_grep "format 7, newer than this mapsnap" err
expect_exit 1 "$CAPTURE" -q -o newer.db --proc "$S"
[ "$(sqlite3 newer.db 'SELECT count(*) FROM snapshots')" = 3 ] ||
	fail "a refused capture changed newer.db"

# a pid named on the command line that does not exist: status 3
expect_exit 3 "$CAPTURE" -q -o db --proc "$S" 4194303
expect_grep "cannot capture process 4194303" err
[ "$(sqlite3 db 'SELECT count(*) FROM snapshots')" = 3 ] ||
	fail "a failed capture left a snapshot behind"

# a write error on stdout is a failure
if [ -w /dev/full ]; then
	"$ANALYZE" ps db >/dev/full 2>err && fail "ps > /dev/full exited 0"
	expect_grep "error writing to standard output" err
	"$ANALYZE" --help >/dev/full 2>/dev/null && fail "--help > /dev/full exited 0"
	"$ANALYZE" smaps db 1200 >/dev/full 2>/dev/null && fail "smaps > /dev/full exited 0"
fi
exit 0
