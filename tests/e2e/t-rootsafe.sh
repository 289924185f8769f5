# t-rootsafe.sh - what another local user can do to a capture or an
# analysis run as root: plant links where its files go, make those files
# first, hold a side file open, guess a temporary name, hand over a proc
# tree of links and FIFOs. Root runs the programs; 'nobody' is the other
# user, in a sticky directory anyone can write, as /tmp is.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples

if [ "$(id -u)" -ne 0 ]; then
	echo "skip: needs root, to run the other user as nobody (CI runs as root)"
	exit 0
fi
id nobody >/dev/null 2>&1 || fail "no user 'nobody' to play the other user"
as_nobody() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"
}
chmod 0711 "$T"
mkdir -m 1777 pub
printf 'precious\n' >victim
chmod 0600 victim
"$CAPTURE" -q -o root.db --proc "$S/edge/proc" --host root || fail "capture"
cap() {	# cap ARGS...: a capture of the edge sample, as root
	"$CAPTURE" -q --proc "$S/edge/proc" "$@"
}

# --- -o through a planted link: refused, nothing made or written --------
as_nobody ln -s "$T/made-by-root.db" pub/a.db
as_nobody ln -s "$T/root.db" pub/b.db
cp root.db root.orig
expect_exit 1 cap -o pub/a.db
expect_grep "cannot write to 'pub/a.db': it is a symbolic link" err
[ ! -e made-by-root.db ] || fail "-o followed a link and made its target as root"
expect_exit 1 cap -o pub/b.db
expect_cmp root.orig root.db

# --- -o into a file the other user made first (0666) ---------------------
as_nobody sh -c 'umask 0 && : >pub/c.db'
expect_exit 1 cap -o pub/c.db
expect_grep "cannot write to 'pub/c.db': it belongs to another user" err
[ ! -s pub/c.db ] || fail "root's capture went into a file nobody can read"

# --- a -wal the other user made and holds open ---------------------------
as_nobody sh -c 'umask 0 && : >pub/d.db-wal && exec sleep 60 3<pub/d.db-wal' &
holder=$!
cp=
trap 'kill $holder $cp 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -e pub/d.db-wal ] && break; sleep 0.1; done
expect_exit 1 cap -o pub/d.db
expect_grep "cannot write to 'pub/d.db-wal': it belongs to another user" err
[ ! -s "/proc/$holder/fd/3" ] || fail "pages of root's capture reached nobody's -wal"
[ ! -e pub/d.db ] || fail "a refused capture left pub/d.db"
kill $holder

# --- files root makes are private, side files too, whatever the umask ---
(umask 0; exec "$CAPTURE" -q -o priv.db -i 0.1 -n 0 --proc "$S/edge/proc") &
cp=$!
for _ in $(seq 100); do [ -e priv.db-shm ] && break; sleep 0.05; done
for f in priv.db priv.db-wal priv.db-shm; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f is mode $(stat -c %a "$f"), not 600"
done
as_nobody cat priv.db >/dev/null 2>&1 && fail "nobody can read root's capture"
kill -INT $cp
wait $cp || fail "the capture did not end well on SIGINT"

# --- a file others may write, a directory anyone may swap files in ------
cp root.db open.db
chmod 0666 open.db
expect_exit 1 cap -o open.db
expect_grep "cannot write to 'open.db': others can write to it" err
mkdir -m 0777 swap
expect_exit 1 cap -o swap/x.db
expect_grep "cannot write to 'swap/x.db': anyone can replace files in its directory" err
# a directory of the other user's is theirs to swap files in, but for the
# user who ran sudo, who may capture into their own directory
mkdir theirs
chown nobody theirs
expect_exit 1 cap -o theirs/x.db
expect_grep "cannot write to 'theirs/x.db': its directory 'theirs' belongs to another user" err
expect_exit 0 env SUDO_UID="$(id -u nobody)" "$CAPTURE" -q --proc "$S/edge/proc" -o theirs/x.db

# --- report's temporary: links planted for every name it could guess -----
last=$(cat /proc/sys/kernel/ns_last_pid)
as_nobody /usr/bin/python3 -c '
import os, sys
last, target = int(sys.argv[1]), sys.argv[2]
for pid in range(last + 1, last + 5001):
    os.symlink(target, "pub/r.html.tmp%d" % pid)' "$last" "$T/made-by-report"
[ -L "pub/r.html.tmp$((last + 5000))" ] || fail "nobody could not plant the links"
expect_exit 0 "$ANALYZE" report root.db --html pub/r.html
[ ! -e made-by-report ] || fail "report followed a planted link"
[ "$(stat -c '%a %U' pub/r.html)" = "600 root" ] || fail "pub/r.html: $(stat -c '%a %U' pub/r.html)"
left=$(find pub -name '*r.html*' ! -type l)
[ "$left" = pub/r.html ] || fail "report left files behind: $left"
# and the page itself, when the other user put a link in its place
as_nobody ln -s "$T/victim" pub/s.html
expect_exit 1 "$ANALYZE" report root.db --html pub/s.html
expect_grep "cannot write 'pub/s.html': it is a symbolic link" err
[ "$(cat victim)" = precious ] || fail "report wrote through a link"

# --- a proc tree the other user hands over -------------------------------
printf 'TOPSECRET-of-root\n' >secret
chmod 0600 secret
as_nobody cp -r "$S/edge/proc" pub/tree
as_nobody sh -c "rm pub/tree/1200/smaps && ln -s '$T/secret' pub/tree/1200/smaps &&
	rm pub/tree/1201/smaps && mkfifo pub/tree/1201/smaps &&
	mv pub/tree/1300 pub/tree/x && ln -s x pub/tree/1300 &&
	rm pub/tree/meminfo && ln -s '$T/secret' pub/tree/meminfo"
timeout 20 "$CAPTURE" -o tree.db --proc pub/tree >out 2>err
rc=$?
[ $rc -ne 124 ] || fail "a FIFO in the tree hung the capture"
[ $rc -eq 0 ] || { cat err >&2; fail "capture of the tree exited $rc"; }
[ "$(sqlite3 tree.db "SELECT count FROM skips WHERE reason = 'refused'")" = 3 ] ||
	fail "not 3 processes refused: $(sqlite3 tree.db 'SELECT * FROM skips')"
for w in "'pub/tree/1200/smaps': a symbolic link" \
	"'pub/tree/1201/smaps': not a regular file" "'pub/tree/1300/stat': a symbolic link" \
	"'pub/tree/meminfo': a symbolic link"; do
	expect_grep "warning: refused $w" err
done
expect_exit 0 "$ANALYZE" export tree.db --proc-tree back
! grep -rq TOPSECRET back || fail "a root-only file's bytes were stored"
[ "$(sqlite3 tree.db 'SELECT group_concat(pid) FROM processes')" = 1400 ] ||
	fail "processes stored: $(sqlite3 tree.db 'SELECT group_concat(pid) FROM processes')"
exit 0
