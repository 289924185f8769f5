#!/usr/bin/env bash
# t-cgtime: cgroups over time. A history of the docker tree in which
# nginx's container leaks 8 MiB of anon each half hour and restarts half
# way under a new id, journald's charge swings up and down, and the rest
# holds: `timeline --cgroups` follows the container as one, and
# `growth --cgroups` flags it alone, with the time left under its limit.
. "$ROOT/tests/e2e/lib.sh"

S=$ROOT/samples
OLD=4c5d8e2f0a9b1c3d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d
NEW=77aa88bb99cc00dd11ee22ff33aa44bb55cc66dd77ee88ff99aa00bb11cc22dd
MiB=1048576

# step K: the docker tree, with the figures of that half hour
step() {
	local k=$1 id=$OLD d p
	rm -rf st
	cp -r "$S/docker" st
	d=st/sys/fs/cgroup/system.slice
	if [ "$k" -ge 5 ]; then
		id=$NEW
		mv $d/docker-$OLD.scope $d/docker-$id.scope
		for p in 2101 2150 2151; do
			sed -i "s/$OLD/$NEW/" st/proc/$p/cgroup
			mv st/proc/$p st/proc/$((p + 1000))
		done
	fi
	echo $((183005184 + k * 8 * MiB)) >$d/docker-$id.scope/memory.current
	sed -i "s/^anon .*/anon $((28864512 + k * 8 * MiB))/" $d/docker-$id.scope/memory.stat
	echo $((45228032 + (k % 2) * 40 * MiB)) >$d/systemd-journald.service/memory.current
	sed -i "s/^anon .*/anon $((8 * MiB + (k % 2) * 40 * MiB))/" \
		$d/systemd-journald.service/memory.stat
}
for k in $(seq 0 9); do
	step $k
	expect_exit 0 "$CAPTURE" -q -o h.db --proc st/proc --sys st/sys --host dock
done
half_hourly h.db

# timeline: ten rows of the container, one series across the restart
expect_exit 0 "$ANALYZE" --csv timeline h.db --cgroups
nm="/system.slice/docker-$NEW.scope (was /system.slice/docker-$OLD.scope)"
name="/system.slice/docker-$NEW.scope \\(was /system.slice/docker-$OLD.scope\\)"
[ "$(grep -cF ",$nm," out)" = 10 ] ||
	fail "timeline --cgroups did not follow the restart: $(cat out)"
grep -q ",/system.slice/docker-$OLD.scope," out &&
	fail "timeline --cgroups: the old container is a series of its own"
# the charge it shows is the tree's, in kB
expect_grep "^2023-11-14T22:13:20[.0-9]*Z,1,$name,178716,262144,28188," out
expect_grep "^2023-11-15T02:43:20[.0-9]*Z,10,$name,$(((183005184 + 9 * 8 * MiB) / 1024)),262144," out
# the table view ends with a sparkline per cgroup
expect_exit 0 "$ANALYZE" timeline h.db --cgroups --unit systemd-journald
expect_grep '^/system.slice/systemd-journald.service charge .* min 44168 max 85128 kB$' out
# filters that match nothing: no row, as for processes; a host that is
# not in the file is an error
expect_exit 0 "$ANALYZE" --csv timeline h.db --cgroups --unit nosuch
[ "$(wc -l <out)" = 1 ] || fail "timeline --cgroups --unit nosuch: $(cat out)"
expect_exit 1 "$ANALYZE" timeline h.db --cgroups --host nosuch
expect_grep "no host 'nosuch'" err

# growth: the container alone, at 16384 kB an hour
expect_exit 3 "$ANALYZE" --csv growth h.db --cgroups
[ "$(sed 1d out | wc -l)" = 1 ] || fail "growth --cgroups: $(cat out)"
# 9 steps of 8 MiB; 9700 kB of room under 256 MiB at the end; 2131 s
expect_grep "^$name,anon\+swap,16384,73728,[0-9.]*,28188,101916,2023-11-14T22:13:20[.0-9]*Z,2023-11-15T02:43:20[.0-9]*Z,10,9700,2131,dock" out
expect_exit 3 "$ANALYZE" --csv growth h.db --cgroups --field charge
expect_grep "^$name,charge,16384,73728,.*,10,9700,2131,dock" out
# journald swings by 40 MiB: not a leak; nor is anything of ssh
expect_exit 0 "$ANALYZE" --csv growth h.db --cgroups --unit systemd-journald
[ "$(wc -l <out)" = 1 ] || fail "growth --cgroups flagged journald: $(cat out)"
expect_exit 0 "$ANALYZE" --csv growth h.db --cgroups --unit ssh
# usage
expect_exit 2 "$ANALYZE" growth h.db --cgroups --mappings
expect_exit 2 "$ANALYZE" growth h.db --cgroups --field threads
expect_exit 2 "$ANALYZE" timeline h.db --cgroups --svg x.svg
# a file without cgroup figures says so, and has no suspect
expect_exit 0 "$CAPTURE" -q -o n.db --proc "$S/docker/proc"
expect_exit 0 "$ANALYZE" --csv growth n.db --cgroups
expect_grep "no cgroup figures" err
[ "$(wc -l <out)" = 1 ] || fail "growth --cgroups of a file without cgroups: $(cat out)"
