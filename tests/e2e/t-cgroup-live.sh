# t-cgroup-live.sh - a real memory cgroup: the test makes one (cgroup v2
# with the memory controller where it can, else v1's memory hierarchy),
# starts memhog in it, captures, and checks the charge, its split and the
# grouping against the kernel's files and systemd-cgtop; then captures
# from inside a container of its own (new pid, mount and cgroup
# namespaces), which sees only its own processes and its own cgroup.
# Where cgroupfs cannot be written, it says why and stops: the crafted
# trees of t-cgroups.sh still run.
. "$ROOT/tests/e2e/lib.sh"

HOG=$BUILD/tests/memhog
[ -x "$HOG" ] || fail "'$HOG' is missing: run make check-e2e"

CG="" hogs=""
cleanup() {
	local p
	for p in $hogs; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	# the cgroup goes once its processes are gone
	for _ in $(seq 50); do
		[ -z "$CG" ] || [ ! -d "$CG" ] || rmdir "$CG" 2>/dev/null || { sleep 0.1; continue; }
		break
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

skip() {
	echo "note: t-cgroup-live: $*; only the crafted trees (t-cgroups) ran" >&2
	exit 0
}

# Where memory is accounted, at the places mapsnap reads (systemd's):
# /sys/fs/cgroup (v2), /sys/fs/cgroup/unified (hybrid), /sys/fs/cgroup/memory.
MNT="" V=""
for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ "$(findmnt -rn -o FSTYPE "$m" 2>/dev/null)" = cgroup2 ] || continue
	grep -qw memory "$m/cgroup.controllers" 2>/dev/null || continue
	grep -qw memory "$m/cgroup.subtree_control" ||
		echo +memory >"$m/cgroup.subtree_control" 2>/dev/null || continue
	MNT=$m V=v2
done
if [ -z "$MNT" ] && [ "$(findmnt -rn -o FSTYPE /sys/fs/cgroup/memory 2>/dev/null)" = cgroup ]; then
	MNT=/sys/fs/cgroup/memory V=v1
fi
[ -n "$MNT" ] || skip "no memory controller at /sys/fs/cgroup (v2) or /sys/fs/cgroup/memory (v1)"
REL=/mapsnap-test.$$
mkdir "$MNT$REL" 2>/dev/null || skip "cannot make a cgroup in $MNT (not root, or read-only)"
CG=$MNT$REL
if [ $V = v2 ]; then CUR=memory.current; else CUR=memory.usage_in_bytes; fi

# wait_ready FILE PID: memhog's ready line in FILE (10 s at most)
wait_ready() {
	for _ in $(seq 100); do
		grep -q '^ready ' "$1" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	fail "memhog did not get ready: $(cat "$1")"
}

# --- 1. memhog in the cgroup: 48 MiB of anonymous memory written, an
# 8 MiB file written and read, all charged to the cgroup it started in
TOUCH=12288 FILE_KB=8192
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" 65536 "$3" "$4" "$5"' sh \
	"$CG" "$HOG" $TOUCH $FILE_KB "$T/hogfile" >"$T/hog.out" 2>&1 &
pid=$!
hogs="$hogs $pid"
wait_ready "$T/hog.out" $pid
page=$(sed -n 's/^ready .*page=\([0-9]*\).*/\1/p' "$T/hog.out")
anon_kb=$((TOUCH * page / 1024))

# named, and by the capture's own cgroup filter: the same one process
expect_exit 0 "$CAPTURE" -q -o live.db -p $pid
expect_exit 0 "$CAPTURE" -q -o live.db --cgroup "^$REL\$"
cgtop=$(timeout 20 systemd-cgtop -b -n 1 -m --raw 2>/dev/null | awk -v p="$REL" '$1 == p { print $4 }')
now=$(cat "$CG/$CUR")
q() { sqlite3 -readonly live.db "$1"; }
[ "$(q "SELECT group_concat(pid) FROM processes WHERE snapshot_id = 2")" = $pid ] ||
	fail "capture --cgroup took $(q "SELECT group_concat(pid) FROM processes WHERE snapshot_id = 2")"
col=$([ $V = v1 ] && echo cgroup_memory || echo cgroup)
[ "$(q "SELECT $col FROM processes WHERE snapshot_id = 1")" = "$REL" ] ||
	fail "memhog's $col is $(q "SELECT quote($col) FROM processes")"
row=$(q "SELECT current_bytes, anon_bytes, file_bytes FROM cgroups
	WHERE snapshot_id = 2 AND hierarchy = '$V' AND path = '$REL'")
[ -n "$row" ] || fail "no $V row for $REL: $(q "SELECT path FROM cgroups")"
IFS='|' read -r cur anon file <<EOF
$row
EOF
# the charge: what memhog wrote, its page cache, a little of its own
[ $((anon / 1024)) -ge $anon_kb ] && [ $((anon / 1024)) -le $((anon_kb + 8192)) ] ||
	fail "anon $anon bytes for $anon_kb kB written"
[ $((file / 1024)) -ge $FILE_KB ] || fail "file $file bytes for a $FILE_KB kB file"
[ "$cur" -ge $((anon + file)) ] || fail "charge $cur below anon $anon + file $file"
# as the kernel and systemd-cgtop say it, read just after (a quiet cgroup)
near() { [ $(( ($1 - $2) * 100 / $2 )) -le 2 ] && [ $(( ($2 - $1) * 100 / $2 )) -le 2 ]; }
near "$cur" "$now" || fail "charge $cur, the kernel says $now"
if [ -n "$cgtop" ] && [ "$cgtop" != - ]; then
	near "$cur" "$cgtop" || fail "charge $cur, systemd-cgtop says $cgtop"
else
	echo "note: systemd-cgtop shows no figure for $REL here; compared with $CUR only" >&2
fi
# the grouping: the cgroup's one process, its PSS and anonymous memory
expect_exit 0 "$ANALYZE" --csv ps live.db --pid $pid
pss=$(sed -n 2p out | cut -d, -f6)
expect_exit 0 "$ANALYZE" --csv ps live.db --by cgroup
expect_grep "^$REL,1,0,[0-9]+,$pss," out
expect_exit 0 "$ANALYZE" --csv cgroups live.db --cgroup "^$REL\$"
line=$(grep "^$REL," out | tr -d '\r')
[ "$(echo "$line" | cut -d, -f2,12,13)" = "$((cur / 1024)),1,$pss" ] ||
	fail "cgroups row: $line (charge $((cur / 1024)), 1 process, pss $pss)"
panon=$(q "SELECT anon_kb FROM processes WHERE snapshot_id = 1")
[ "$(echo "$line" | cut -d, -f15,16)" = "$panon,$((cur / 1024 - pss))" ] ||
	fail "cgroups row: $line (proc_anon $panon)"
kill $pid && wait $pid 2>/dev/null
hogs=""

# --- 2. from inside a container: its own pid, mount and cgroup
# namespaces, its cgroup at the mount point (cgroupfs mounted afresh, as
# docker does; or the cgroup's directory bound there, as for v1 where
# the kernel refuses a second mount): the capture sees two processes
# and its own cgroup as "/"
command -v unshare >/dev/null || skip "no unshare for the container half"
if [ $V = v2 ]; then
	mnt="mount -t cgroup2 cgroup2 $MNT"
else
	mnt="mount -t cgroup -o memory cgroup $MNT 2>/dev/null ||
		mount --bind $CG $MNT"
fi
# inside: mount, start memhog, wait for it, capture, stop it; "$T/in"
# says the namespaces were made, so a failure after is no reason to skip
inside='touch "$1/in" && '"$mnt"' && { "$2" 32768 4096 4096 "$1/hog2" >"$1/hog2.out" &
	for i in $(seq 100); do grep -q ^ready "$1/hog2.out" && break; sleep 0.1; done
	"$3" -q -o "$1/in.db"; r=$?; kill $!; exit $r; }'
sh -c 'echo $$ >"$1/cgroup.procs" && exec unshare --pid --fork --mount-proc \
	--cgroup --mount sh -c "$2" sh "$3" "$4" "$5"' sh "$CG" "$inside" "$T" \
	"$HOG" "$CAPTURE" >"$T/in.log" 2>&1
r=$?
[ -e "$T/in" ] || skip "cannot make the namespaces of a container here: $(tail -1 "$T/in.log")"
[ $r = 0 ] || fail "the capture inside a container failed: $(cat "$T/in.log")"
[ -s "$T/in.db" ] || fail "the capture inside made no file: $(cat "$T/in.log")"
q() { sqlite3 -readonly "$T/in.db" "$1"; }
[ "$(q "SELECT count(*) FROM processes")" = 2 ] ||
	fail "inside, the capture took $(q "SELECT group_concat(pid || ' ' || comm) FROM processes")"
[ "$(q "SELECT pid = nspid AND pid < 10 AND pidns != $(readlink /proc/self/ns/pid |
	tr -dc 0-9) FROM processes WHERE comm = 'memhog'")" = 1 ] ||
	fail "inside: $(q "SELECT pid, nspid, pidns FROM processes")"
[ "$(q "SELECT DISTINCT $col FROM processes")" = / ] ||
	fail "inside, the cgroup is $(q "SELECT DISTINCT quote($col) FROM processes")"
in_cur=$(q "SELECT current_bytes FROM cgroups WHERE path = '/'")
[ -n "$in_cur" ] && [ $((in_cur / 1024)) -ge $((4096 * page / 1024)) ] ||
	fail "inside, the charge of / is '$in_cur'"
exit 0
