# t-stdout.sh - the capture's output file: -o - streams a whole database
# to stdout (through a pipe, over -i, on SIGINT; never to a terminal; its
# private file gone whatever happens), and a capture that stores nothing
# in a file it made leaves no file behind.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples
mkdir tmp
export TMPDIR=$T/tmp	# where -o - keeps its private file
cap() {	# cap ARGS...: a capture of the real sample
	"$CAPTURE" -q --proc "$S/real/proc" --host real "$@"
}

# --- through a pipe: the same file as a capture into a file --------------
cap -o file.db || fail "capture into a file"
cap -o - | cat >piped.db
[ "${PIPESTATUS[0]}" = 0 ] || fail "capture -o - failed"
[ ! -e ./- ] || fail "-o - made a file named '-'"
expect_exit 0 "$ANALYZE" check piped.db
"$ANALYZE" ps file.db >want || fail "ps file.db"
expect_exit 0 "$ANALYZE" ps piped.db
expect_cmp want "$T/out"
[ -z "$(ls -A tmp)" ] || fail "-o - left $(ls -A tmp)"

# --- -i and -n: every snapshot, in one whole file ------------------------
cap -o - -i 0.05 -n 3 >three.db || fail "capture -o - -n 3"
expect_exit 0 "$ANALYZE" check three.db
[ "$(sqlite3 three.db 'SELECT count(*) FROM snapshots')" = 3 ] ||
	fail "three.db: $(sqlite3 three.db 'SELECT count(*) FROM snapshots') snapshots"

# --- SIGINT ends an endless run with a whole file; SIGKILL leaves nothing
# (exec: the capture itself gets the signal, not a subshell running it)
(exec "$CAPTURE" -q --proc "$S/real/proc" -o - -i 0.05 -n 0) >sigint.db 2>err &
cp=$!
trap 'kill -KILL $cp 2>/dev/null; rm -rf "$T"' EXIT
sleep 0.5
kill -INT $cp
wait $cp || fail "capture -o - exited $? on SIGINT"
expect_exit 0 "$ANALYZE" check sigint.db
[ "$(sqlite3 sigint.db 'SELECT count(*) FROM snapshots')" -ge 1 ] ||
	fail "sigint.db holds no snapshot"
(exec "$CAPTURE" -q --proc "$S/real/proc" -o - -i 0.05 -n 0) >killed.db &
cp=$!
sleep 0.5
[ -z "$(ls -A tmp)" ] || fail "the private file has a name: $(ls -A tmp)"
kill -KILL $cp
wait $cp 2>/dev/null
[ -z "$(ls -A tmp)" ] || fail "a killed -o - left $(ls -A tmp)"
[ ! -s killed.db ] || fail "a killed -o - wrote half a file"

# --- a terminal is refused -------------------------------------------------
command -v script >/dev/null || fail "script (util-linux) is needed for a terminal"
script -qec "$CAPTURE -q -o - --proc $S/real/proc" /dev/null >tty.out 2>&1
rc=$?
[ $rc -eq 1 ] || fail "capture -o - to a terminal exited $rc"
expect_grep "cannot write the database to standard output: it is a terminal" tty.out

# --- a run that fails, or stores nothing, into a file it made: no file ---
# (pid 2 of the edge sample is a kernel thread: named, it fails the run)
kthread() {
	"$CAPTURE" -q --proc "$S/edge/proc" "$@" 2
}
expect_exit 1 kthread -o failed.db
expect_grep "cannot capture process 2 .*a kernel thread" err
[ -z "$(ls failed.db* 2>/dev/null)" ] || fail "a failed capture left $(ls failed.db*)"
(ulimit -f 2; exec "$CAPTURE" -q -o tiny.db --proc "$S/real/proc") 2>err
[ $? -eq 1 ] || fail "a capture over RLIMIT_FSIZE did not fail"
[ -z "$(ls tiny.db* 2>/dev/null)" ] || fail "a failed capture left $(ls tiny.db*)"
expect_exit 1 kthread -o -
[ ! -s "$T/out" ] || fail "a failed -o - wrote $(wc -c <"$T/out") bytes"
# a file that was there stays, with what it held
cp file.db kept.db
expect_exit 1 kthread -o kept.db
expect_same_db file.db kept.db
exit 0
