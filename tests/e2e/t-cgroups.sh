# t-cgroups.sh - whose memory it is, on the crafted trees of every layout
# (docker on v2, a Kubernetes node, systemd services, a v1 host): the
# cgroups command and ps --by against what tests/helpers/cgroup-oracle
# reads from the same files with smem; the per-process columns against
# the proc files; the cgroup filters of capture and analyzer; diff across
# a container restart; redact, merge, export, sql on the new columns; a
# file of format 1.0; hostile cgroup files.
. "$ROOT/tests/e2e/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed to compare the rows"
command -v smem >/dev/null || fail "smem is needed: scripts/install-deps installs it"
S=$ROOT/samples
ORACLE=$ROOT/tests/helpers/cgroup-oracle

# same_rows A B: two CSV files hold the same rows (CRLF or LF, any order)
same_rows() {
	tr -d '\r' <"$1" | { read -r h; echo "$h"; sort; } >"$T/a.sorted"
	tr -d '\r' <"$2" | { read -r h; echo "$h"; sort; } >"$T/b.sorted"
	expect_cmp "$T/a.sorted" "$T/b.sorted"
}
q() { sqlite3 -readonly "$1" "$2"; }

# --- 1. every layout: the figures the tree holds ------------------------
for s in docker k8s services v1host; do
	expect_exit 0 "$CAPTURE" -q -o $s.db --proc "$S/$s/proc" --sys "$S/$s/sys" \
		--host $s
	"$ORACLE" "$S/$s" cgroups >want || fail "the oracle failed on $s"
	expect_exit 0 "$ANALYZE" --csv cgroups $s.db
	same_rows want out
	for by in container unit cgroup; do
		"$ORACLE" "$S/$s" by $by >want || fail "the oracle failed on $s"
		expect_exit 0 "$ANALYZE" --csv ps $s.db --by $by
		same_rows want out
	done
	# ps --by user is users, figure for figure
	expect_exit 0 "$ANALYZE" --csv ps $s.db --by user
	mv out by-user
	expect_exit 0 "$ANALYZE" --csv users $s.db
	expect_cmp by-user out
	# each process's columns: its cgroup file, NSpid, namespace, score
	for d in "$S/$s"/proc/[0-9]*; do
		pid=${d##*/}
		line=$(grep -E '^[0-9]+:(memory|[^:]*,memory[^:]*)?:' "$d/cgroup" |
			grep -E '^0::|memory' | head -1)
		got=$(q $s.db "SELECT ifnull(cgroup_memory, cgroup) || ' ' || nspid
			|| ' ' || pidns || ' ' || oom_score_adj FROM processes
			WHERE pid = $pid")
		want="${line#*:*:} $(awk '/^NSpid:/ { print $NF }' "$d/status")"
		want="$want $(readlink "$d/ns/pid" | tr -dc 0-9) $(cat "$d/oom_score_adj")"
		[ "$got" = "$want" ] || fail "$s pid $pid: '$got', the files say '$want'"
	done
done

# the tree view: parents before children, two blanks a level
expect_exit 0 "$ANALYZE" cgroups k8s.db --tree
expect_grep '^        cri-containerd-b2c3b2c3b2c3[0-9a-f]+\.scope +[0-9]' out
sed -n 2p out | grep -q '^/ ' || fail "the tree does not start at /"
expect_exit 2 "$ANALYZE" --sort charge cgroups k8s.db --tree
expect_grep "no --sort or -r" err
expect_exit 2 "$ANALYZE" -t cgroups k8s.db
expect_grep "cgroups does not take -t" err

# the identity a path says, on each runtime's layout
[ "$(q k8s.db "SELECT DISTINCT container_runtime || ' ' || pod_uid FROM
	processes WHERE pid = 1655")" = "containerd 6b1d7c2e-3f4a-4b5c-8d9e-0a1b2c3d4e5f" ] ||
	fail "the pod of 1655"
[ "$(q v1host.db "SELECT container_runtime || ' ' || substr(container_id, 1, 12)
	|| ' ' || quote(cgroup) FROM processes WHERE pid = 2455")" = "docker 0f1e2d3c4b5a NULL" ] ||
	fail "a v1 host's container"
[ "$(q services.db "SELECT unit || ' ' || slice FROM processes WHERE pid = 1240")" = \
	"postgresql@15-main.service system-postgresql.slice" ] || fail "a service's unit"

# --- 2. filters, in the analyzer and in the capture ---------------------
expect_exit 0 "$ANALYZE" --csv ps k8s.db --container b2c3b2c3b2c3
[ "$(sed 1d out | cut -d, -f1 | tr -d '\r' | sort -n | tr '\n' ' ')" = "1602 1655 " ] ||
	fail "--container ID prefix: $(cat out)"
expect_exit 0 "$ANALYZE" --csv ps k8s.db --container 6b1d7c2e-3f4a
[ "$(sed 1d out | cut -d, -f1 | tr -d '\r' | sort -n | tr '\n' ' ')" = "1530 1602 1610 1655 " ] ||
	fail "--container POD: $(cat out)"
expect_exit 0 "$ANALYZE" --csv ps services.db --unit nginx
[ "$(sed 1d out | cut -d, -f1 | tr -d '\r' | sort -n | tr '\n' ' ')" = "1100 1101 1102 " ] ||
	fail "--unit nginx: $(cat out)"
expect_exit 0 "$ANALYZE" --csv ps services.db --unit user-1000.slice
[ "$(sed 1d out | cut -d, -f1 | tr -d '\r' | sort -n | tr '\n' ' ')" = "2950 3001 3100 " ] ||
	fail "--unit SLICE: $(cat out)"
expect_exit 0 "$ANALYZE" --csv libs docker.db --cgroup 'docker-9e8d'
expect_grep '^/usr/local/bin/redis-server,1,' out
grep -q '^/usr/sbin/nginx,' out && fail "libs --cgroup kept nginx's mappings"
# cgroups with a filter: the cgroups of the processes that pass, and up
expect_exit 0 "$ANALYZE" --csv cgroups services.db --unit syncthing
[ "$(sed 1d out | cut -d, -f1 | tr -d '\r' | sort | tr '\n' ' ')" = \
	"/ /user.slice /user.slice/user-1000.slice /user.slice/user-1000.slice/user@1000.service /user.slice/user-1000.slice/user@1000.service/app.slice /user.slice/user-1000.slice/user@1000.service/app.slice/syncthing.service " ] ||
	fail "cgroups --unit: $(cat out)"
# timeline and growth: the rows in such a cgroup
expect_exit 0 "$CAPTURE" -q -o k8s2.db --proc "$S/k8s/proc" --sys "$S/k8s/sys"
expect_exit 0 "$CAPTURE" -q -o k8s2.db --proc "$S/k8s/proc" --sys "$S/k8s/sys"
expect_exit 0 "$ANALYZE" --csv timeline k8s2.db --match . --container b2c3
[ "$(sed 1d out | cut -d, -f4 | sort -n | uniq -c | awk '{ print $2 "x" $1 }' |
	tr '\n' ' ')" = "1602x2 1655x2 " ] || fail "timeline --container: $(cat out)"
expect_exit 0 "$ANALYZE" --csv growth k8s2.db --unit nginx
[ "$(wc -l < out)" = 1 ] || fail "growth --unit of two equal snapshots: $(cat out)"
expect_exit 2 "$ANALYZE" ps docker.db --container ''
expect_exit 2 "$ANALYZE" ps docker.db --cgroup '('
# the capture's own: only those processes, and only their cgroups
expect_exit 0 "$CAPTURE" -q -o f.db --proc "$S/docker/proc" --sys "$S/docker/sys" \
	--container 4c5d8e2f0a9b
[ "$(q f.db "SELECT group_concat(pid) FROM processes")" = "2101,2150,2151" ] ||
	fail "capture --container: $(q f.db "SELECT group_concat(pid) FROM processes")"
[ "$(q f.db "SELECT count(*) FROM cgroups")" = 3 ] || fail "capture --container's cgroups"
expect_exit 0 "$CAPTURE" -q -o f.db --proc "$S/services/proc" --unit postgresql@15-main.service
[ "$(q f.db "SELECT count(*) FROM processes WHERE snapshot_id = 2")" = 5 ] ||
	fail "capture --unit"
expect_exit 0 "$CAPTURE" -q -o f.db --proc "$S/v1host/proc" --cgroup '^/docker/'
[ "$(q f.db "SELECT group_concat(pid) FROM processes WHERE snapshot_id = 3")" = "2455,2610,2655" ] ||
	fail "capture --cgroup on a v1 host"
expect_exit 2 "$CAPTURE" -o f.db --import "$S/docker/proc/1/smaps" --unit x
# a frozen /proc without --sys: the cgroups its processes name, no figure
[ "$(q f.db "SELECT count(*) FROM cgroups WHERE snapshot_id > 1")" = 0 ] ||
	fail "a frozen /proc read cgroups without --sys"
expect_exit 0 "$ANALYZE" --csv cgroups f.db --snapshot 2
expect_grep '^/system.slice/system-postgresql.slice/postgresql@15-main.service,,,,,,,,,,,5,80336,' out

# --- 3. diff across a container restart --------------------------------
# nginx restarted: a new container id, so a new cgroup, and new pids
OLD=4c5d8e2f0a9b1c3d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d
NEW=77aa88bb99cc00dd11ee22ff33aa44bb55cc66dd77ee88ff99aa00bb11cc22dd
cp -r "$S/docker" rs
mv rs/sys/fs/cgroup/system.slice/docker-$OLD.scope rs/sys/fs/cgroup/system.slice/docker-$NEW.scope
echo 185073664 >rs/sys/fs/cgroup/system.slice/docker-$NEW.scope/memory.current
for p in 2101 2150 2151; do
	sed -i "s/$OLD/$NEW/" rs/proc/$p/cgroup
	mv rs/proc/$p rs/proc/$((p + 1000))
done
expect_exit 0 "$CAPTURE" -q -o restart.db --proc "$S/docker/proc" --sys "$S/docker/sys"
expect_exit 0 "$CAPTURE" -q -o restart.db --proc rs/proc --sys rs/sys
expect_exit 0 "$ANALYZE" --csv diff restart.db --cgroups
[ "$(sed 1d out | wc -l)" = 1 ] || fail "diff --cgroups: $(cat out)"
expect_grep "^/system.slice/docker-$NEW.scope,changed,178716,180736,2020,.*,3,3,/system.slice/docker-$OLD.scope" out
expect_exit 0 "$ANALYZE" diff restart.db --cgroups
expect_grep '^\(8 cgroups unchanged\)$' out
# the processes: by default new and gone (new pids, one boot)...
expect_exit 0 "$ANALYZE" --csv diff restart.db
[ "$(grep -c ',gone,' out) $(grep -c ',new,' out)" = "3 3" ] || fail "diff: $(cat out)"
# ...paired by their cgroup but for the id, and their comm
expect_exit 0 "$ANALYZE" diff restart.db --by cgroup
grep -Eq ' (new|gone) ' out && fail "diff --by cgroup left a restart unpaired: $(cat out)"
expect_grep '^\(11 processes unchanged\)$' out
expect_exit 2 "$ANALYZE" diff restart.db --cgroups --mappings

# --- 4. the file: merge, check, sql, export, redact ----------------------
expect_exit 0 "$ANALYZE" merge -q all.db docker.db k8s.db services.db v1host.db
expect_exit 0 "$ANALYZE" check all.db
[ "$(q all.db "SELECT count(*) FROM cgroups")" = \
	"$(for s in docker k8s services v1host; do q $s.db "SELECT count(*) FROM cgroups"; done |
	   awk '{ n += $1 } END { print n }')" ] || fail "merge lost cgroups"
# check knows the new columns: counts and sizes are not below 0
cp docker.db neg.db
sqlite3 neg.db "UPDATE cgroups SET oom_kill = -3 WHERE path = '/init.scope'"
expect_exit 1 "$ANALYZE" check neg.db
expect_grep "cgroups \(snapshot_id 1, hierarchy 'v2', path '/init.scope'\): oom_kill is -3, below 0" err
# the blobs of memory.stat are found by name, and read back whole
for s in docker v1host; do
	id=$(q $s.db "SELECT memory_stat_blob FROM cgroups WHERE path LIKE '%docker%'
		ORDER BY path LIMIT 1")
	[ -n "$id" ] || fail "no memory.stat blob in $s"
done
# the sql command: the new columns, and mappings joined to them
expect_exit 0 "$ANALYZE" --csv sql k8s.db "SELECT substr(p.container_id, 1, 12)
	AS c, sum(m.pss) AS pss FROM processes AS p JOIN mappings AS m ON
	m.snapshot_id = p.snapshot_id AND m.pid = p.pid WHERE p.container_id
	NOT NULL GROUP BY c ORDER BY c"
mv out joined
expect_exit 0 "$ANALYZE" --csv --sort container ps k8s.db --by container
sed 1d out | grep -v '^,' | cut -d, -f1,5 | tr -d '\r' >want
sed 1d joined | tr -d '\r' >got
expect_cmp want got
# export: the cgroups as stored, the processes with their columns
expect_exit 0 "$ANALYZE" export v1host.db --what cgroups
[ "$(sed 1d out | wc -l)" = "$(q v1host.db "SELECT count(*) FROM cgroups")" ] ||
	fail "export --what cgroups"
expect_grep '^host,machine_id,snapshot,snapshot_id,time,time_us,boot_id,hierarchy,cgroup,current_bytes,max_bytes,' out
expect_grep ',v1,/docker/0f1e2d3c4b5a[0-9a-f]*,743624704,1073741824,' out
expect_exit 0 "$ANALYZE" --json export k8s.db --what processes --pid 1655
expect_grep '"pod_uid": "6b1d7c2e-3f4a-4b5c-8d9e-0a1b2c3d4e5f", "container_name": null, "nspid": 7, "pidns": 4026532781, "oom_score_adj": 969}' out
expect_exit 2 "$ANALYZE" export k8s.db --what cgroups --unit x
# redact: ids, pods and a user's units hashed, the structure kept
expect_exit 0 "$ANALYZE" redact -q all.db red.db
expect_exit 0 "$ANALYZE" check red.db
q red.db "SELECT cgroup, cgroup_memory, unit, container_id, pod_uid FROM processes
	UNION ALL SELECT path, NULL, NULL, NULL, NULL FROM cgroups" >red.txt
for secret in 4c5d8e2f0a9b 6b1d7c2e 0f1e2d3c4b5a syncthing b2c3b2c3; do
	grep -q "$secret" red.txt && fail "redact kept '$secret'"
done
expect_grep '^/system.slice/docker-redacted-[0-9a-f]{16}\.scope\|\|docker-redacted-[0-9a-f]{16}\.scope\|redacted-[0-9a-f]{16}\|$' red.txt
expect_grep '^/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podredacted-[0-9a-f]{16}\.slice/cri-containerd-redacted-' red.txt
expect_grep '/user@1000.service/app.slice/redacted-[0-9a-f]{16}\.service\|' red.txt
expect_grep '^/system.slice/nginx.service\|\|nginx.service\|\|$' red.txt
# the columns hold the tokens the path does
[ "$(q red.db "SELECT count(*) FROM processes WHERE container_id NOT NULL AND
	instr(ifnull(cgroup_memory, cgroup), container_id) = 0")" = 0 ] ||
	fail "a redacted container_id is not the one of its path"
# and the groups stay groups
expect_exit 0 "$ANALYZE" --csv ps all.db --by container --host k8s
cut -d, -f2- out | sort >want
expect_exit 0 "$ANALYZE" --csv ps red.db --by container --snapshot 2
cut -d, -f2- out | sort >got
expect_cmp want got

# --- 5. a file of format 1.0: nothing to say, said as unknown ------------
OLDDB=$ROOT/tests/compat/1.0/samples.db
expect_exit 0 "$ANALYZE" cgroups "$OLDDB"
expect_grep "has no cgroups" err
[ "$(wc -l <out)" = 1 ] || fail "cgroups of a 1.0 file: $(cat out)"
expect_exit 0 "$ANALYZE" --csv ps "$OLDDB" --by container --snapshot 2
[ "$(sed 1d out | cut -d, -f1,2 | tr -d '\r')" = ",4" ] || fail "ps --by of 1.0: $(cat out)"
expect_exit 0 "$ANALYZE" --csv ps "$OLDDB" --container x
[ "$(wc -l <out)" = 1 ] || fail "a 1.0 file passed --container"
expect_exit 0 "$ANALYZE" --csv diff "$OLDDB" --cgroups --host edge
[ "$(wc -l <out)" = 1 ] || fail "diff --cgroups of a 1.0 file: $(cat out)"
expect_exit 0 "$ANALYZE" --csv sql "$OLDDB" "SELECT count(*), count(cgroup),
	count(oom_score_adj), (SELECT count(*) FROM cgroups) FROM processes"
printf 'count(*),count(cgroup),count(oom_score_adj),(SELECT count(*) FROM cgroups)\r\n17,0,0,0\r\n' >want
expect_cmp want out

# --- 6. a stranger's tree: paths that climb out, garbage, absurd numbers --
mkdir -p evil
cp -r "$S/docker/proc" "$S/docker/sys" evil/
echo '0::/../../../../etc' >evil/proc/2301/cgroup
printf 'this is not\na cgroup list\n' >evil/proc/2101/cgroup
printf '0::/system.slice/ssh.service\n' >evil/proc/601/cgroup
echo 99999999999999999999999 >evil/sys/fs/cgroup/system.slice/ssh.service/memory.current
printf 'anon lots\nfile -5\n' >evil/sys/fs/cgroup/system.slice/ssh.service/memory.stat
expect_exit 0 "$CAPTURE" -o evil.db --proc evil/proc --sys evil/sys
expect_grep "^mapsnap-capture: warning: 'evil/proc/2101/cgroup': not a list of cgroups; stored without them$" err
[ "$(q evil.db "SELECT quote(cgroup) FROM processes WHERE pid = 2101")" = NULL ] ||
	fail "a garbled cgroup file was stored"
[ "$(q evil.db "SELECT cgroup FROM processes WHERE pid = 2301")" = /../../../../etc ] ||
	fail "a climbing path was not stored as said"
[ "$(q evil.db "SELECT count(*) FROM cgroups WHERE path LIKE '%..%' OR path LIKE '/etc%'")" = 0 ] ||
	fail "a climbing path was read"
[ "$(q evil.db "SELECT quote(current_bytes) || quote(anon_bytes) || quote(file_bytes)
	FROM cgroups WHERE path = '/system.slice/ssh.service'")" = NULLNULLNULL ] ||
	fail "absurd numbers were stored"
expect_exit 0 "$ANALYZE" check evil.db
expect_exit 0 "$ANALYZE" cgroups evil.db --tree
exit 0
