# t-pmap.sh - `mapsnap-analyze pmap` prints what the real pmap (procps-ng
# 4.0.2) printed: live processes compared as captured, every process of
# every sample against tests/golden (regenerated on the fly as root), a
# crafted tree of escapes and edge cases, maps-only captures, errors.
. "$ROOT/tests/e2e/lib.sh"

# pmap's and libproc2's escapes are those of the locale: mapsnap prints
# what they print in a UTF-8 one.
export LC_ALL=C.UTF-8
GOLDEN=$ROOT/tests/golden
MAKE_PMAP=$GOLDEN/make-pmap
FORMATS=("" -x -X -XX -d -q -p "-x -q" "-x -p" "-X -q" "-X -p" "-XX -q"
	 "-XX -p" "-d -q" "-d -p")

command -v pmap >/dev/null || fail "pmap is needed: scripts/install-deps installs procps"
pmap -V | grep -q 'procps-ng 4\.0\.2$' ||
	fail "these tests pin procps-ng pmap 4.0.2, found: $(pmap -V)"
HOG=$BUILD/tests/memhog
[ -x "$HOG" ] || fail "'$HOG' is missing: run make check-e2e"
# Can this run show pmap a frozen tree as /proc (root, mount namespace)?
can_unshare=0
if [ "$(id -u)" = 0 ] && unshare --mount --fork true 2>/dev/null; then
	can_unshare=1
fi

kids=""
cleanup() {
	local p
	for p in $kids; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# wait_ready NAME PID: the helper wrote "ready" to $T/NAME.out (10 s)
wait_ready() {
	for _ in $(seq 100); do
		grep -q '^ready' "$T/$1.out" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/  | /' "$T/$1.err" >&2
	fail "$1 (pid $2) did not get ready"
}

# ---- live: what pmap prints now equals what mapsnap stored just before

# A process with SysV shm, shared anonymous memory, a memfd and a file
# whose name holds a tab, UTF-8, a control and a bad byte (shown in
# pmap's command line and mapping names, each escaped its own way).
cat >"$T/shmhog.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <unistd.h>

static char *shared(int fd, size_t size, size_t touch)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED |
		       (fd < 0 ? MAP_ANONYMOUS : 0), fd, 0);

	if (p != MAP_FAILED)
		memset(p, 7, touch);
	return p;
}

int main(int argc, char **argv)
{
	int id = shmget(IPC_PRIVATE, 65536, IPC_CREAT | 0600), fd;
	char *p = id < 0 ? (char *)-1 : shmat(id, NULL, 0);

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	alarm(600);
	if (argc != 2 || p == (char *)-1)
		return 1;
	shmctl(id, IPC_RMID, NULL);	/* gone when we are */
	memset(p, 1, 8192);
	if (shared(-1, 32768, 4096) == MAP_FAILED ||
	    (fd = memfd_create("pool", 0)) < 0 || ftruncate(fd, 16384) < 0 ||
	    shared(fd, 16384, 8192) == MAP_FAILED ||
	    (fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    ftruncate(fd, 8192) < 0 || shared(fd, 8192, 8192) == MAP_FAILED)
		return 1;
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
EOF
"${CC:-cc}" -O0 -o "$T/shmhog" "$T/shmhog.c" || fail "cannot build the SysV shm helper"

# The live targets run from private copies of their programs and shared
# libraries (and in the C locale, loading no locale files): the pages
# pmap, mapsnap-capture or any other process maps are then not the
# targets' pages, whose Pss would otherwise change with who looks.
mkdir "$T/lib" || fail "mkdir $T/lib"
cp /bin/sleep "$T/sleep" && cp "$HOG" "$T/memhog" || fail "cannot copy the targets"
for bin in "$T/sleep" "$T/memhog" "$T/shmhog"; do
	ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u | while read -r lib; do
	cp "$lib" "$T/lib/" || exit 1
done || fail "cannot copy the targets' libraries"
LDSO=$(ls "$T"/lib/ld-linux*.so.* 2>/dev/null | head -1)
[ -x "$LDSO" ] || fail "no dynamic loader among $(ls "$T/lib")"
# (run with &: exec makes $! the target itself, not a subshell)
private() { LC_ALL=C exec "$LDSO" --library-path "$T/lib" "$@"; }

weird=$(printf '%s/we\tird \303\251\001\377 name.dat' "$T")
private "$T/shmhog" "$weird" >"$T/shmhog.out" 2>"$T/shmhog.err" &
shmhog=$!
kids="$kids $shmhog"
private "$T/memhog" 8192 300 4096 "$T/hog.dat" 1024 50 >"$T/memhog.out" 2>"$T/memhog.err" &
memhog=$!
kids="$kids $memhog"
private "$T/sleep" 1000 &
sleeper=$!
kids="$kids $sleeper"
wait_ready shmhog "$shmhog"
wait_ready memhog "$memhog"

# pmap_both PID DB FLAGS: pmap FLAGS PID now, and mapsnap's from DB; 0
# when both print the same and exit alike, else 1 ($T/want, $T/got)
pmap_both() {
	local st rc
	# shellcheck disable=SC2086
	pmap $3 "$1" >"$T/want" 2>/dev/null
	st=$?
	# shellcheck disable=SC2086
	"$ANALYZE" pmap "$2" "$1" $3 >"$T/got" 2>"$T/err"
	rc=$?
	cmp -s "$T/want" "$T/got" && [ "$rc" = "$st" ] && return 0
	echo "pmap exited $st, mapsnap $rc" >>"$T/err"
	return 1
}

# live_check PID: capture PID, then at once compare pmap and mapsnap in
# every format; a format that differs is tried once more on a fresh
# capture (the process, or a page it shares, may have changed).
live_check() {
	local pid=$1 flags again=()
	expect_exit 0 "$CAPTURE" -q -o "$T/live1.db" -p "$pid"
	for flags in "${FORMATS[@]}"; do
		pmap_both "$pid" "$T/live1.db" "$flags" || again+=("$flags")
	done
	[ ${#again[@]} -eq 0 ] && return 0
	expect_exit 0 "$CAPTURE" -q -o "$T/live2.db" -p "$pid"
	for flags in "${again[@]}"; do
		pmap_both "$pid" "$T/live2.db" "$flags" && continue
		sed 's/^/stderr: /' "$T/err" >&2
		diff -u "$T/want" "$T/got" | head -30 >&2
		fail "pid $pid: pmap $flags and mapsnap's differ, twice"
	done
}
live_check "$sleeper"
live_check "$memhog"
live_check "$shmhog"
# the live checks above saw the escapes and the SysV naming, or they
# would not have been tested at all
pmap "$shmhog" >"$T/shm.txt" || fail "pmap $shmhog"
expect_grep '  \[ shmid=0x[0-9a-f]+ \]$' "$T/shm.txt"
expect_grep ' zero \(deleted\)$' "$T/shm.txt"
expect_grep ' memfd:pool \(deleted\)$' "$T/shm.txt"
expect_grep "^$shmhog:   $LDSO .*\\?" "$T/shm.txt"
grep -q 'we?ird ???? name\.dat$' "$T/shm.txt" ||
	fail "pmap did not show the escaped name: $(cat "$T/shm.txt")"

# a maps-only (and a rollup) capture: pmap's maps formats still match,
# those that read smaps are refused
for mode in --maps-only --rollup; do
	rm -f "$T/m.db"
	expect_exit 0 "$CAPTURE" -q -o "$T/m.db" $mode -p "$memhog"
	for flags in "" -d -q -p "-d -q" "-d -p"; do
		# shellcheck disable=SC2086
		pmap $flags "$memhog" >"$T/want" || fail "pmap $flags $memhog"
		# shellcheck disable=SC2086
		expect_exit 0 "$ANALYZE" pmap "$T/m.db" "$memhog" $flags
		expect_cmp "$T/want" "$T/out"
	done
	for flags in -x -X -XX "-x -q" "-X -p"; do
		# shellcheck disable=SC2086
		expect_exit 1 "$ANALYZE" pmap "$T/m.db" "$memhog" $flags
		expect_grep "^mapsnap-analyze: '$T/m.db': process $memhog of snapshot 1 has its maps only \(captured with --maps-only or --rollup\): pmap -[xX]+ needs its smaps\$" "$T/err"
		[ "$(wc -l <"$T/err")" = 1 ] || fail "$mode $flags: more than one line: $(cat "$T/err")"
		[ ! -s "$T/out" ] || fail "$mode $flags: printed '$(cat "$T/out")'"
	done
done

# ---- the samples: every process, every format, against tests/golden

# golden_check DIR DB PIDS: every golden file in DIR and its status,
# against mapsnap reading DB; they must cover every pid in the file PIDS
golden_check() {
	local dir=$1 db=$2 pids=$3 file st pid flags n=0
	[ -s "$dir/pmap-exit.txt" ] || fail "$dir/pmap-exit.txt is missing"
	while read -r file st; do
		pid=${file#pmap-}
		pid=${pid%.txt}
		flags=""
		case $pid in
		*-*) flags=$(echo "-${pid#*-}" | sed 's/-\([A-Za-z]*\)/ -\1/g') ;;
		esac
		pid=${pid%%-*}
		[ -f "$dir/$file" ] || fail "$dir/$file is missing"
		# shellcheck disable=SC2086
		expect_exit "$st" "$ANALYZE" pmap "$db" "$pid" $flags
		expect_cmp "$dir/$file" "$T/out"
		n=$((n + 1))
	done <"$dir/pmap-exit.txt"
	awk '{ sub(/^pmap-/, "", $1); sub(/[-.].*/, "", $1); print $1 }' \
		"$dir/pmap-exit.txt" | sort -un >"$T/gpids"
	sort -n "$pids" | cmp -s - "$T/gpids" ||
		fail "$dir covers pids $(echo $(cat "$T/gpids")), mapsnap stored $(echo $(cat "$pids"))"
	[ "$n" -eq $((${#FORMATS[@]} * $(wc -w <"$pids"))) ] ||
		fail "$dir has $n golden files, not ${#FORMATS[@]} for each of $(echo $(cat "$pids"))"
}

n=0
for sdir in "$ROOT"/samples/*/; do
	sdir=${sdir%/}
	[ -d "$sdir/proc" ] || continue
	name=${sdir##*/}
	n=$((n + 1))
	expect_exit 0 "$CAPTURE" -q -o "$T/$name.db" --proc "$sdir/proc" --host "$name"
	# the pids mapsnap stored: those the goldens must cover
	sqlite3 "$T/$name.db" "SELECT pid FROM processes ORDER BY pid" >"$T/$name.pids"
	golden_check "$GOLDEN/$name" "$T/$name.db" "$T/$name.pids"
	# pmap cannot be shown what mapsnap does not store: kernel threads
	for d in "$sdir"/proc/[0-9]*; do
		pid=${d##*/}
		grep -qx "$pid" "$T/$name.pids" && continue
		expect_exit 1 "$ANALYZE" pmap "$T/$name.db" "$pid"
		expect_grep "'$T/$name.db': snapshot 1 holds no process $pid\$" "$T/err"
	done
	# the goldens are what pmap prints today, not what it printed once
	if [ "$can_unshare" = 1 ]; then
		"$MAKE_PMAP" -o "$T/regen" "$sdir" 2>"$T/err" ||
			{ cat "$T/err" >&2; fail "make-pmap $sdir failed"; }
		(cd "$GOLDEN/$name" && ls pmap-*) >"$T/have"
		(cd "$T/regen/$name" && ls pmap-*) >"$T/made"
		expect_cmp "$T/made" "$T/have"
		while read -r f; do
			cmp -s "$T/regen/$name/$f" "$GOLDEN/$name/$f" && continue
			diff -u "$GOLDEN/$name/$f" "$T/regen/$name/$f" | head -40 >&2
			fail "tests/golden/$name/$f is stale: rerun tests/golden/make-pmap"
		done <"$T/made"
	fi
done
[ "$n" -gt 0 ] || fail "no samples/*/proc under $ROOT"
[ "$can_unshare" = 1 ] ||
	echo "note: not root or no unshare: the goldens were not regenerated" >&2

# the old sample is 32-bit: its default, -x and -d formats have 8-digit
# addresses (goldens narrowed by make-pmap, see there); -X is the same
expect_grep '^bfd5e000     84K rw---   \[ stack \]$' "$GOLDEN/old/pmap-2345.txt"
expect_grep '^ total     4108K$' "$GOLDEN/old/pmap-2345.txt"

# ---- a crafted tree: escapes, "[comm]", 32-bit, long names, SysV naming
# Each of these is what real pmap shows for a tree made here, so it needs
# root and a mount namespace; without them it is said, not skipped silently.
E=$ROOT/samples/edge/proc
C=$T/crafted/proc

# rec START END PERMS OFFSET DEV INODE NAME [SKIP]: append one record to
# $P/smaps (with the field SKIP left out) and its header line to $P/maps
rec() {
	local kb=$(( (0x$2 - 0x$1) / 1024 )) h f
	h=$(printf '%s-%s %s %s %s %-10s %s' "$1" "$2" "$3" "$4" "$5" "$6" "$7")
	printf '%s\n' "$h" >>"$P/maps"
	printf '%s\n' "$h" >>"$P/smaps"
	for f in "Size:$kb kB" "KernelPageSize:4 kB" "MMUPageSize:4 kB" \
		 "Rss:$((kb / 2)) kB" "Pss:$((kb / 4)) kB" "Shared_Clean:0 kB" \
		 "Shared_Dirty:$((kb / 4)) kB" "Private_Clean:0 kB" \
		 "Private_Dirty:$((kb / 4)) kB" "Referenced:$((kb / 2)) kB" \
		 "Anonymous:0 kB" "Swap:$((kb / 8)) kB" "SwapPss:0 kB" \
		 "Locked:0 kB" "THPeligible:    0" "VmFlags: rd wr mr mw me ac "; do
		[ "${f%%:*}" = "${8:-}" ] && continue
		printf '%-16s%s\n' "${f%%:*}:" "${f#*:}"
	done >>"$P/smaps"
}

# proc PID CMDLINE(printf format) STACK_START [COMM]: a process dir with
# edge 1400's stat and status, made its own
proc() {
	P=$C/$1
	mkdir -p "$P"
	printf "$2" >"$P/cmdline"
	sed -e "s/^1400 (bash)/$1 (${4:-crafted})/" \
	    -e "s/ 140722365739920 / $3 /" "$E/1400/stat" >"$P/stat"
	sed -e "s/^Tgid:.*/Tgid:\t$1/" -e "s/^Pid:.*/Pid:\t$1/" \
	    -e "s/^Name:.*/Name:\t${4:-crafted}/" "$E/1400/status" >"$P/status"
	printf '%s\n' "${4:-crafted}" >"$P/comm"
	: >"$P/maps"
	: >"$P/smaps"
}

long=/opt/$(printf 'x%.0s' $(seq 150))/lib.so
mkdir -p "$C"
cp "$E/meminfo" "$C/meminfo"
# bytes libproc2 escapes each its own way; names pmap escapes with '?';
# SysV naming (not of a hugetlb segment: another device); a "[ stack ]"
# that start_stack makes of two mappings; a name past -X's 127 bytes; a
# pseudo name with a '/'
proc 101 'x\303\001y\0\302\205z\0\342\202\254\0w\001\177\377q\001\0' \
	$((0x7ffd00021000))
rec 55d0c8a00000 55d0c8a02000 r-xp 00000000 fe:00 262200 "$long"
rec 55d0c8a02000 55d0c8a03000 r--p 00002000 08:01 12 \
	"$(printf '/tmp/a\303\001b\302\205c\377\001d\177e\tf \\012g')"
rec 7effffe00000 7f0000000000 rw-s 00000000 00:0f 65538 "/SYSV00001111 (deleted)"
rec 7f0000000000 7f0000010000 rw-s 00000000 00:01 1031 "/dev/zero (deleted)"
rec 7f0000010000 7f0000020000 rw-s 00000000 00:01 32769 "/SYSV000004d2 (deleted)"
rec 7f0000020000 7f0000021000 rw-p 00000000 00:00 0 "[anon:x/y]"
rec 7ffd00000000 7ffd00021000 rw-p 00000000 00:00 0 ""
rec 7ffd00021000 7ffd00022000 rw-p 00000000 00:00 0 ""
rec ffffffffff600000 ffffffffff601000 --xp 00000000 00:00 0 "[vsyscall]"
# "[comm]" for an empty cmdline; a record without Swap (-x never prints
# it, and its Rss goes to the next line) makes -X stop
proc 102 '' 0 "$(printf 'my\001comm')"
rec 00400000 00401000 r-xp 00000000 08:01 7 /bin/true Swap
rec 00401000 00402000 rw-p 00001000 08:01 7 /bin/true
# "?" for a cmdline of NULs; a last record without THPeligible: -X
# prints that column from the record before
proc 103 '\0\0' 0
rec 00400000 00402000 r-xp 00000000 08:01 7 /bin/true
rec 00402000 00403000 rw-p 00002000 08:01 7 /bin/true THPeligible
# newlines as blanks and one trailing blank cut; a command line past
# libproc2's 128 KiB; no Tgid in status (the pid is printed)
proc 104 'abc\ndef \n' 0
rec 00400000 00401000 r-xp 00000000 08:01 7 /bin/true
proc 105 "$(printf 'a%.0s' $(seq 140000))" 0
sed -i '/^Tgid:/d' "$C/105/status"
rec 00400000 00401000 r-xp 00000000 08:01 7 /bin/true
# a 32-bit process: 8-digit addresses, its stack at 0xbf9c1000
proc 106 '/bin/sh\0' $((0xbf9d0000))
rec 08048000 08050000 r-xp 00000000 fd:00 131 /bin/sh
rec b7580000 b7590000 rw-s 00000000 00:01 98307 "/SYSV0105c1f2 (deleted)"
rec bf9c1000 bf9e2000 rw-p 00000000 00:00 0 "[stack]"

if [ "$can_unshare" = 1 ]; then
	"$MAKE_PMAP" -o "$T/cgold" "$T/crafted" 2>"$T/err" ||
		{ cat "$T/err" >&2; fail "make-pmap on the crafted tree failed"; }
	expect_exit 0 "$CAPTURE" -q -o "$T/crafted.db" --proc "$C" --host crafted
	sqlite3 "$T/crafted.db" "SELECT pid FROM processes ORDER BY pid" >"$T/crafted.pids"
	[ "$(echo $(cat "$T/crafted.pids"))" = "101 102 103 104 105 106" ] ||
		fail "crafted tree: mapsnap stored pids $(echo $(cat "$T/crafted.pids"))"
	golden_check "$T/cgold/crafted" "$T/crafted.db" "$T/crafted.pids"
	# and they held what they were made for
	G=$T/cgold/crafted
	[ "$(head -1 "$G/pmap-101.txt")" = "$(printf '101:   x\303\001y \302\205z \342\202\254 w???q.')" ] ||
		fail "pmap's command line of 101 is not escaped as expected: $(head -1 "$G/pmap-101.txt")"
	expect_grep '^102:   \[my\?comm\]$' "$G/pmap-102.txt"
	expect_grep '^103:   \?$' "$G/pmap-103.txt"
	expect_grep '^104:   abc def $' "$G/pmap-104.txt"
	[ "$(head -1 "$G/pmap-105.txt" | wc -c)" = $((7 + 131071 + 1)) ] ||
		fail "pmap did not cut 105's command line at 131071 bytes"
	expect_grep '  \[ shmid=0x8001 \]$' "$G/pmap-101.txt"
	expect_grep " SYSV00001111 \\(deleted\\)$" "$G/pmap-101.txt"
	expect_grep '^00007ffd00021000 +4K rw--- +\[ stack \]$' "$G/pmap-101.txt"
	expect_grep ' a\?\?b\?\?c\?\?d\?e\?f \\012g$' "$G/pmap-101.txt"
	expect_grep ' y]$' "$G/pmap-101.txt"
	grep -q "xxx$" "$G/pmap-101-X-p.txt" || fail "-X -p did not cut the long name"
	expect_grep '^bf9c1000 +132K rw--- +\[ stack \]$' "$G/pmap-106.txt"
	grep -qx 'pmap-102-X.txt 1' "$G/pmap-exit.txt" || fail "pmap -X 102 did not stop"
else
	echo "note: not root or no unshare: the crafted tree was not checked" >&2
fi

# ---- errors
db=$T/edge.db
expect_exit 1 "$ANALYZE" pmap "$db" 999
expect_grep "^mapsnap-analyze: '$db': snapshot 1 holds no process 999\$" "$T/err"
[ ! -s "$T/out" ] || fail "unknown pid printed '$(cat "$T/out")'"
expect_exit 1 "$ANALYZE" pmap "$T/no-such.db" 1200
expect_grep "no-such.db" "$T/err"
for bad in "-z" "--bogus" "-x -d" "-X -x" "-d -XX" "-A 0,1" "notapid"; do
	# shellcheck disable=SC2086
	expect_exit 2 "$ANALYZE" pmap "$db" 1200 $bad
	expect_grep "try 'mapsnap-analyze --help'" "$T/err"
	[ ! -s "$T/out" ] || fail "pmap $bad printed '$(cat "$T/out")'"
done
expect_exit 2 "$ANALYZE" pmap "$db"
expect_exit 2 "$ANALYZE" pmap "$db" 1200 1201
expect_exit 0 "$ANALYZE" pmap --help
expect_grep '^usage: mapsnap-analyze .*pmap FILE .*PID .*-XX' "$T/out"
# options before and among the operands, as pmap takes them
expect_exit 0 "$ANALYZE" pmap -x "$db" -q 1200 --snapshot latest
expect_cmp "$GOLDEN/edge/pmap-1200-x-q.txt" "$T/out"
expect_exit 0 "$ANALYZE" pmap "$db" 1400 -X -X --host edge
expect_cmp "$GOLDEN/edge/pmap-1400-XX.txt" "$T/out"
expect_exit 0 "$ANALYZE" pmap "$db" --quiet --extended --show-path 1200
sed '2d' "$GOLDEN/edge/pmap-1200-x-p.txt" | sed '$d' | sed '$d' >"$T/want"
expect_cmp "$T/want" "$T/out"
# a corrupt text is named by its blob
cp "$db" "$T/bad.db"
blob=$(sqlite3 "$T/bad.db" "SELECT text_blob FROM processes WHERE pid = 1400")
sqlite3 "$T/bad.db" "UPDATE blobs SET data = zeroblob(length(data)) WHERE id = $blob" ||
	fail "cannot corrupt bad.db"
expect_exit 1 "$ANALYZE" pmap "$T/bad.db" 1400 -x
expect_grep "blob $blob" "$T/err"
[ ! -s "$T/out" ] || fail "a corrupt blob printed '$(cat "$T/out")'"
if [ -w /dev/full ]; then
	"$ANALYZE" pmap "$db" 1400 -XX >/dev/full 2>/dev/null &&
		fail "pmap > /dev/full exited 0"
fi
exit 0
