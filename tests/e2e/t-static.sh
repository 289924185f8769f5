# t-static.sh - make static's capture: one file with no shared library,
# stripped, at most 3 MB (the analyzer 4), for Linux 3.2 on; it runs in an empty root (the
# binary and /proc alone) and under 3.2's system calls, and the ordinary
# analyzer reads what it wrote as it reads the ordinary capture's file.
. "$ROOT/tests/e2e/lib.sh"
SC=$BUILD/static/mapsnap-capture SA=$BUILD/static/mapsnap-analyze
S=$ROOT/samples/edge/proc
[ -x "$SC" ] && [ -x "$SA" ] || fail "no static build: run 'make static'"

for b in "$SC" "$SA"; do
	file -b "$b" >desc
	expect_grep 'statically linked' desc
	expect_grep 'for GNU/Linux 3\.2\.0' desc
	expect_grep 'stripped' desc
	grep -q 'not stripped' desc && fail "$b is not stripped"
	readelf -lW "$b" | grep -q INTERP && fail "$b asks for a dynamic loader"
	readelf -dW "$b" | grep -q NEEDED && fail "$b needs a shared library"
	# the capture is what goes onto a box: 3 MB, the issue's bound; the
	# analyzer, which carries every command's help and the report's
	# pictures, 4 MB
	size=$(stat -c %s "$b") max=$([ "$b" = "$SC" ] && echo 3 || echo 4)
	[ "$size" -le $((max * 1000000)) ] || fail "$b is $size bytes, over $max MB"
	echo "$(basename "$b"): $size bytes"
done

# same_views A B: what the ordinary analyzer shows of two captures of one
# tree is the same (snapshot ids, uuids and times aside)
same_views() {
	local cmd args
	for cmd in ps: libs: users: pmap:1201,-x smaps:1300 maps:1400; do
		args=${cmd#*:}
		cmd=${cmd%%:*}
		# shellcheck disable=SC2086
		"$ANALYZE" $cmd "$1" ${args//,/ } >a.out 2>&1 || fail "$cmd $1 failed"
		# shellcheck disable=SC2086
		"$ANALYZE" $cmd "$2" ${args//,/ } >b.out 2>&1 || fail "$cmd $2 failed"
		expect_cmp a.out b.out
	done
}
expect_exit 0 "$CAPTURE" -q -o dyn.db --proc "$S" --host edgebox
expect_exit 0 "$SC" -q -o sta.db --proc "$S" --host edgebox
same_views dyn.db sta.db
expect_exit 0 "$ANALYZE" check sta.db
# ... and the static analyzer reads the ordinary capture's file the same
expect_exit 0 "$SA" ps dyn.db
"$ANALYZE" ps dyn.db >want
expect_cmp want out

# user names come from /etc/passwd (no NSS): by uid and by name
setpriv --reuid=nobody --regid=nogroup --clear-groups sleep 60 &
NP=$!
trap 'kill $NP 2>/dev/null; rm -rf "$T"' EXIT
sleep 0.2
expect_exit 0 "$SC" -q -o u.db -u nobody
# (other tests may have left processes of nobody's: all of them, no other)
[ "$(sqlite3 u.db "SELECT count(*) = sum(user = 'nobody') AND sum(pid = $NP)
	FROM processes")" = 1 ] ||
	fail "-u nobody in the static capture: $(sqlite3 u.db 'SELECT pid, user FROM processes')"

# under the system calls of Linux 3.2 (no getrandom: the uuid comes from
# /proc/sys/kernel/random/uuid)
"$BUILD/tests/oldkernel" python3 -c 'import os; os.getrandom(1)' 2>/dev/null &&
	fail "oldkernel lets getrandom through"
expect_exit 0 "$BUILD/tests/oldkernel" "$SC" -q -o old.db --proc "$S" --host edgebox
expect_exit 0 "$BUILD/tests/oldkernel" "$SC" -q -o oldlive.db -p $NP
expect_exit 0 "$ANALYZE" check old.db
expect_exit 0 "$ANALYZE" check oldlive.db
sqlite3 old.db 'SELECT uuid FROM snapshots' >uuids
sqlite3 oldlive.db 'SELECT uuid FROM snapshots' >>uuids
[ "$(grep -cE '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' uuids)" = 2 ] ||
	fail "uuids under 3.2's system calls: $(cat uuids)"
same_views dyn.db old.db

# an empty root: the binary, and /proc bound in (root and unshare -m)
if [ "$(id -u)" -ne 0 ]; then
	echo "skip: the empty root needs root (chroot, mount in unshare -m)"
	exit 0
fi
if ! unshare -m true 2>/dev/null; then
	echo "skip: the empty root: unshare -m is not allowed here"
	exit 0
fi
mkdir -p empty/proc
cp "$SC" empty/
unshare -m sh -c "mount --bind /proc '$T/empty/proc' &&
	chroot '$T/empty' /mapsnap-capture -q -o /one.db -p $NP &&
	chroot '$T/empty' /mapsnap-capture -q -o /all.db" >out 2>err ||
	fail "the static capture failed in an empty root: $(cat err)"
[ "$(ls empty | tr '\n' ' ')" = "all.db mapsnap-capture one.db proc " ] ||
	fail "the empty root holds: $(ls empty)"
expect_exit 0 "$CAPTURE" -q -o dyn-live.db -p $NP
for cmd in maps pmap; do
	"$ANALYZE" $cmd empty/one.db $NP >a.out || fail "$cmd empty/one.db failed"
	"$ANALYZE" $cmd dyn-live.db $NP >b.out || fail "$cmd dyn-live.db failed"
	expect_cmp b.out a.out
done
expect_exit 0 "$ANALYZE" check empty/all.db
expect_exit 0 "$ANALYZE" --csv list empty/all.db
[ "$(sqlite3 empty/all.db 'SELECT procs_captured > 1 AND kernel <> "" AND boot_id <> ""
	FROM snapshots')" = 1 ] || fail "the empty root's capture lacks processes or host facts"
# no /etc/passwd there: uids without names
[ "$(sqlite3 empty/one.db 'SELECT uid || "|" || ifnull(user, "NULL") FROM processes')" = \
	"$(id -u nobody)|NULL" ] || fail "a user name without /etc/passwd"
