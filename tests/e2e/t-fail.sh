# t-fail.sh - full disks and failed writes: a capture or a merge that runs
# out of room exits 1 with one line naming the file, and what was stored stays.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples

"$CAPTURE" -q -o db --proc "$S/edge/proc" --host edge -l one || fail "capture"
"$CAPTURE" -q -o db --proc "$S/old/proc" --host old -l two || fail "capture"
"$CAPTURE" -q -o real.db --proc "$S/real/proc" --host real || fail "capture"
# more to merge than the 48 kB a full tmpfs below has left
"$CAPTURE" -q -o real.db --proc "$S/real/proc" --host real --maps-only ||
	fail "capture"
"$CAPTURE" -q -o real.db --proc "$S/real/proc" --host real --rollup ||
	fail "capture"

# Every row of every table, in a stable order: what "intact" means.
dump() {
	sqlite3 "$1" .dump >"$2" || fail "sqlite3 cannot dump $1"
}

# intact FILE DUMP: integrity_check ok, rows as in DUMP, readable by us.
intact() {
	[ "$(sqlite3 "$1" 'PRAGMA integrity_check')" = ok ] ||
		fail "$1: integrity_check is not ok"
	dump "$1" "$T/now.sql"
	expect_cmp "$2" "$T/now.sql"
	"$ANALYZE" list "$1" >/dev/null 2>"$T/lerr" || fail "list $1: $(cat "$T/lerr")"
	"$ANALYZE" ps "$1" >/dev/null 2>"$T/lerr" || fail "ps $1: $(cat "$T/lerr")"
}

# one_line_error FILE-NAME CAUSE-REGEX: $T/err is exactly one line naming both.
one_line_error() {
	[ "$(wc -l <"$T/err")" -eq 1 ] || { cat "$T/err" >&2; fail "not one line"; }
	expect_grep "^mapsnap-(capture|analyze): cannot .*'$1'.*: .*($2)" "$T/err"
}

# --- RLIMIT_FSIZE: always, root or not ---------------------------------
dump db before.sql
size=$(stat -c %s db)
# room for a few pages more, not for the real sample's 40 kB of blobs;
# SIGXFSZ would kill us with 153: the capture must ignore it and fail
(ulimit -f $((size / 1024 + 6)); exec "$CAPTURE" -o db --proc "$S/real/proc") \
	>out 2>err
rc=$?
[ $rc -eq 1 ] || { cat err >&2; fail "capture over RLIMIT_FSIZE exited $rc, expected 1"; }
one_line_error db 'File too large|disk is full'
intact db before.sql

# the same in a -i run: the first snapshot that does not fit ends the run
(ulimit -f $((size / 1024 + 6)); exec "$CAPTURE" -q -o db -i 0.01 -n 0 \
	--proc "$S/real/proc") >out 2>err
rc=$?
[ $rc -eq 1 ] || fail "-i capture over RLIMIT_FSIZE exited $rc, expected 1"
one_line_error db 'File too large|disk is full'
intact db before.sql

# a new file that cannot even hold the schema
(ulimit -f 2; exec "$CAPTURE" -o new.db --proc "$S/edge/proc") >out 2>err
rc=$?
[ $rc -eq 1 ] || fail "capture into a new file over RLIMIT_FSIZE exited $rc"
one_line_error new.db 'File too large|disk is full'
[ ! -s new.db ] || [ "$(sqlite3 new.db 'PRAGMA integrity_check')" = ok ] ||
	fail "new.db left damaged"

# merge into an existing OUT that cannot grow: OUT byte for byte as it was
cp db out.db
cp db out.orig
(ulimit -f $((size / 1024 + 4)); exec "$ANALYZE" merge out.db real.db) >out 2>err
rc=$?
[ $rc -eq 1 ] || { cat err >&2; fail "merge over RLIMIT_FSIZE exited $rc, expected 1"; }
expect_grep "cannot .*'out.db'.*(File too large|disk is full)" err
expect_same_db out.orig out.db
intact out.db before.sql

# merge into a new OUT that cannot be written: no OUT left behind
(ulimit -f 4; exec "$ANALYZE" merge newout.db real.db db) >out 2>err
rc=$?
[ $rc -eq 1 ] || fail "merge into a new OUT over RLIMIT_FSIZE exited $rc"
expect_grep "cannot .*'newout.db'.*(File too large|disk is full)" err
[ ! -e newout.db ] || fail "a failed merge left newout.db"
! grep -q 'snapshots added' err || fail "a failed merge printed its summary"

# --- a real full file system: a small tmpfs, root only -----------------
if [ "$(id -u)" -ne 0 ]; then
	echo "skip: tmpfs full-disk checks need root (mount in unshare -m)"
elif ! unshare -m true 2>/dev/null; then
	echo "skip: tmpfs full-disk checks: unshare -m is not allowed here"
else
	mkdir mnt
	# FREE kB left after filling: none (even the WAL index cannot be
	# made), a little, and some (the snapshot starts, then fails)
	for free in 0 24 48; do
		cat >inner.sh <<-EOF
		set -u
		mount -t tmpfs -o size=512k tmpfs mnt || exit 3
		cp db mnt/x.db && cp db mnt/out.db || exit 3
		dd if=/dev/zero of=mnt/fill bs=4k 2>/dev/null
		truncate -s -${free}k mnt/fill
		"$CAPTURE" -o mnt/x.db --proc "$S/real/proc" >/dev/null 2>cap.err
		echo \$? >cap.rc
		"$ANALYZE" merge mnt/out.db real.db >/dev/null 2>merge.err
		echo \$? >merge.rc
		"$ANALYZE" merge mnt/new.db real.db >/dev/null 2>mnew.err
		echo \$? >mnew.rc
		[ -e mnt/new.db ] && echo yes >mnew.left
		rm mnt/fill
		cp mnt/x.db x.db && cp mnt/out.db out2.db || exit 3
		for f in mnt/x.db-wal mnt/out.db-wal mnt/out.db-journal; do
			[ -e "\$f" ] && cp "\$f" "\${f#mnt/}"
		done
		exit 0
		EOF
		rm -f x.db* out2.db* mnew.left
		unshare -m sh inner.sh || fail "tmpfs set-up failed (free ${free}k)"
		[ "$(cat cap.rc)" -eq 1 ] || fail "capture on a full tmpfs (${free}k free) exited $(cat cap.rc)"
		cp cap.err err
		one_line_error mnt/x.db 'disk is full|No space left'
		intact x.db before.sql
		[ "$(cat merge.rc)" -eq 1 ] || fail "merge on a full tmpfs exited $(cat merge.rc)"
		expect_grep "cannot .*'mnt/out.db'" merge.err
		intact out2.db before.sql
		[ "$(cat mnew.rc)" -eq 1 ] || fail "merge into a new OUT on a full tmpfs exited $(cat mnew.rc)"
		[ ! -e mnew.left ] || fail "a failed merge left mnt/new.db"
	done
fi

# --- write errors on stdout ---------------------------------------------
if [ -c /dev/full ]; then
	for cmd in "list db" "ps db" "libs db" "users db" "showmap db 2101" \
		"pmap db 2101" "pmap db 2101 -XX" "maps db 2101" "smaps db 2101" \
		"diff db --from 1 --to 2" "timeline db --pid 2101" "growth db" \
		"--csv ps db" "--json list db" "export db --what processes" \
		"sql db 'SELECT 1'" "check db" \
		"--help" "--version" "ps --help" "merge --help"; do
		eval "\"\$ANALYZE\" $cmd" >/dev/full 2>err
		rc=$?
		[ $rc -eq 1 ] || { cat err >&2; fail "analyze $cmd > /dev/full exited $rc, expected 1"; }
		expect_grep "^mapsnap-analyze: error writing to standard output" err
	done
	for opt in --help -h --version -V; do
		"$CAPTURE" $opt >/dev/full 2>err
		rc=$?
		[ $rc -eq 1 ] || fail "capture $opt > /dev/full exited $rc, expected 1"
		expect_grep "^mapsnap-capture: error writing to standard output" err
	done
	# a file written in place of a device is not replaced by a rename
	"$ANALYZE" report db --html /dev/full >/dev/null 2>err
	[ $? -eq 1 ] || fail "report --html /dev/full exited 0"
	[ -c /dev/full ] || fail "report replaced /dev/full with a file"
else
	echo "skip: no /dev/full here"
fi

# --- SIGPIPE: | head ends the analyzer quietly -----------------------------
for cmd in "smaps real.db 4188 --snapshot first" "--csv export real.db --what mappings" \
	"pmap real.db --snapshot first 4188 -XX" "libs real.db --snapshot first --per-process"; do
	# ignored SIGPIPE in the parent: the analyzer restores the default
	(trap '' PIPE; eval "\"\$ANALYZE\" $cmd" 2>err | head -1 >/dev/null)
	[ ! -s err ] || { cat err >&2; fail "analyze $cmd | head printed errors"; }
done
exit 0
