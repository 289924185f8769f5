#!/usr/bin/env bash
# make.sh - regenerate samples/old/proc: a crafted tree as a 2.6.32 i386
# kernel (RHEL 6 era) printed it. See README.md. The output is committed;
# rerun this after editing and commit both. Deterministic.
#
# 2.6.32 smaps records hold only Size, Rss, Pss, Shared_Clean, Shared_Dirty,
# Private_Clean, Private_Dirty, Referenced, Swap, KernelPageSize and
# MMUPageSize (in that order): no Anonymous, AnonHugePages, Locked, VmFlags.
# Headers: "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu %n", then, when there is
# a name, padding to column 49 (25 + sizeof(void *) * 6 on i386) and the
# name; a name-less line keeps its trailing space.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/proc
rm -rf "$out"
mkdir -p "$out"

# rec START END PERMS OFFSET DEV INODE NAME SC SD PC PD PSS [swap=N]
rec() {
	local s=$1 e=$2 perm=$3 off=$4 dev=$5 ino=$6 name=$7
	local sc=$8 sd=$9 pc=${10} pd=${11} pss=${12}
	shift 12
	local swap=0 kv
	for kv in "$@"; do local "$kv"; done
	local size=$(( (0x$e - 0x$s) / 1024 ))
	local rss=$((sc + sd + pc + pd))
	[ "$rss" -le "$size" ] || { echo "Rss > Size at $s" >&2; exit 1; }
	[ "$pss" -le "$rss" ] && [ "$pss" -ge $((pc + pd)) ] ||
		{ echo "bad Pss at $s" >&2; exit 1; }
	local h
	h=$(printf '%s-%s %s %s %s %s ' "$s" "$e" "$perm" "$off" "$dev" "$ino")
	[ -z "$name" ] || h=$(printf '%-48s %s' "$h" "$name")
	{
		printf '%s\n' "$h"
		f() { printf '%-16s%8d kB\n' "$1:" "$2"; }
		f Size "$size"
		f Rss "$rss"
		f Pss "$pss"
		f Shared_Clean "$sc"
		f Shared_Dirty "$sd"
		f Private_Clean "$pc"
		f Private_Dirty "$pd"
		f Referenced "$rss"
		f Swap "$swap"
		f KernelPageSize 4
		f MMUPageSize 4
	} >>"$SMAPS"
	printf '%s\n' "$h" >>"$MAPS"
	VSZ=$((VSZ + size)); RSS=$((RSS + rss)); SWP=$((SWP + swap))
}

begin() {
	P=$1
	mkdir -p "$out/$P"
	SMAPS=$out/$P/smaps MAPS=$out/$P/maps
	: >"$SMAPS"
	: >"$MAPS"
	VSZ=0 RSS=0 SWP=0
}

# finish COMM PPID PGRP SID UID PFLAGS STARTTIME CODE_START CODE_END STACK_END ARGV...
finish() {
	local comm=$1 ppid=$2 pgrp=$3 sid=$4 uid=$5 pflags=$6 start=$7
	local cs=$((0x$8)) ce=$((0x$9)) se=$((0x${10}))
	shift 10
	printf '%s\n' "$comm" >"$out/$P/comm"
	printf '%s\0' "$@" >"$out/$P/cmdline"
	# 44 fields, as 2.6.32 printed them (no start_data..exit_code)
	printf '%d (%s) S %d %d %d 0 -1 %d %d 0 %d 0 %d %d 0 0 20 0 1 0 %d %d %d 4294967295 %d %d %d %d %d 0 0 4096 134234626 3222994132 0 0 17 0 0 0 0 0 0\n' \
		"$P" "$comm" "$ppid" "$pgrp" "$sid" "$pflags" \
		$((RSS / 2)) $((RSS / 100)) $((start / 50)) $((start / 120)) \
		"$start" $((VSZ * 1024)) $((RSS / 4)) \
		"$cs" "$ce" $((se - 0x1a0)) $((se - 0x2f8)) 1115172 \
		>"$out/$P/stat"
	vm() { printf '%s:\t%8d kB\n' "$1" "$2"; }
	{
		printf 'Name:\t%s\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n' \
			"$comm" "$P" "$P" "$ppid"
		printf 'Uid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\n' "$uid" "$uid" "$uid" "$uid" "$uid" "$uid" "$uid" "$uid"
		printf 'FDSize:\t64\nGroups:\t%d \n' "$uid"
		vm VmPeak $((VSZ + 64)); vm VmSize "$VSZ"; vm VmLck 0
		vm VmHWM $((RSS + 12)); vm VmRSS "$RSS"; vm VmData $((VSZ / 4))
		vm VmStk 84; vm VmExe 56; vm VmLib $((VSZ / 2)); vm VmPTE 28
		cat <<'EOF'
Threads:	1
SigQ:	0/7898
SigPnd:	0000000000000000
ShdPnd:	0000000000000000
SigBlk:	0000000000000000
SigIgn:	0000000000001000
SigCgt:	00000001800044eb
CapInh:	0000000000000000
CapPrm:	0000000000000000
CapEff:	0000000000000000
CapBnd:	ffffffffffffffff
Cpus_allowed:	1
Cpus_allowed_list:	0
Mems_allowed:	1
Mems_allowed_list:	0
voluntary_ctxt_switches:	1893
nonvoluntary_ctxt_switches:	21
EOF
	} >"$out/$P/status"
}

LD=/lib/ld-2.12.so LIBC=/lib/libc-2.12.so
# ld.so and libc, mapped by all three processes (Pss = Rss/3), plus the
# private (COWed) data pages passed in: ld-data libc-relro libc-data libc-bss
# as "SD PD" pairs.
libs() {
	rec 00110000 00111000 r-xp 00000000 00:00 0 '[vdso]' 0 0 4 0 4
	rec 0052a000 00548000 r-xp 00000000 fd:00 1310724 "$LD" 108 0 0 0 36
	rec 00548000 00549000 r--p 0001d000 fd:00 1310724 "$LD" 0 "$1" 0 "$2" $(($2 + $1 / 2))
	rec 00549000 0054a000 rw-p 0001e000 fd:00 1310724 "$LD" 0 "$3" 0 "$4" $(($4 + $3 / 2))
	rec 00550000 006e0000 r-xp 00000000 fd:00 1310730 "$LIBC" 840 0 0 0 280
	rec 006e0000 006e2000 r--p 00190000 fd:00 1310730 "$LIBC" 0 "$5" 0 "$6" $(($6 + $5 / 2))
	rec 006e2000 006e3000 rw-p 00192000 fd:00 1310730 "$LIBC" 0 "$7" 0 "$8" $(($8 + $7 / 2))
	rec 006e3000 006e6000 rw-p 00000000 00:00 0 '' 0 "$9" 0 "${10}" $((${10} + $9 / 2))
}
# httpd's own libraries (parent and child: Pss = Rss/2)
httpd_libs() {
	local n=0 f ino text data
	for f in /lib/libdl-2.12.so:1310736:8:4 /usr/lib/libapr-1.so.0.3.9:1580120:136:4 \
		/usr/lib/libaprutil-1.so.0.3.9:1580126:88:4 /lib/libpcre.so.0.0.1:1310790:96:4 \
		/usr/lib/httpd/modules/mod_ssl.so:1580340:116:8; do
		IFS=: read -r f ino text data <<<"$f"
		local b=$((0x00700000 + n * 0x40000))
		local s1 e1 e2
		s1=$(printf '%08x' "$b")
		e1=$(printf '%08x' $((b + text * 1024 + 0x4000)))
		e2=$(printf '%08x' $((b + text * 1024 + 0x4000 + data * 1024)))
		rec "$s1" "$e1" r-xp 00000000 fd:00 "$ino" "$f" "$text" 0 0 0 $((text / 2))
		rec "$e1" "$e2" rw-p "$(printf '%08x' $((text * 1024 + 0x4000)))" fd:00 "$ino" "$f" 0 "$data" 0 0 $((data / 2))
		n=$((n + 1))
	done
}

# --- pid 2345: httpd parent (root) --------------------------------------
begin 2345
libs 4 0 4 0 4 0 4 0 8 0
httpd_libs
rec 08048000 08092000 r-xp 00000000 fd:00 1579041 /usr/sbin/httpd 248 0 16 0 140
rec 08092000 08095000 rw-p 0004a000 fd:00 1579041 /usr/sbin/httpd 0 8 0 4 8
rec 08095000 0809b000 rw-p 00000000 00:00 0 '' 0 8 0 4 8
rec 0950c000 09612000 rw-p 00000000 00:00 0 '[heap]' 0 640 0 148 468 swap=24
rec b7540000 b7580000 rw-s 00000000 00:04 1543215 '/dev/zero (deleted)' 0 16 0 0 8
rec b7580000 b7590000 rw-s 00000000 00:04 98307 '/SYSV0105c1f2 (deleted)' 0 8 0 0 4
rec b7590000 b7594000 r--p 00000000 fd:00 1049203 '/var/run/httpd/htcache (deleted)' 0 0 8 0 8
rec b7594000 b7595000 rw-p 00000000 00:00 0 '' 0 0 0 4 4
rec bfd5e000 bfd73000 rw-p 00000000 00:00 0 '[stack]' 0 12 0 16 22
finish httpd 1 2345 2345 0 4202752 1835 08048000 08091a2c bfd73000 /usr/sbin/httpd

# --- pid 2350: a prefork child (apache, uid 48) --------------------------
begin 2350
libs 4 0 4 0 4 0 4 0 8 0
httpd_libs
rec 08048000 08092000 r-xp 00000000 fd:00 1579041 /usr/sbin/httpd 248 0 0 0 124
rec 08092000 08095000 rw-p 0004a000 fd:00 1579041 /usr/sbin/httpd 0 8 0 4 8
rec 08095000 0809b000 rw-p 00000000 00:00 0 '' 0 8 0 0 4
rec 0950c000 09612000 rw-p 00000000 00:00 0 '[heap]' 0 640 0 212 532 swap=24
rec b7540000 b7580000 rw-s 00000000 00:04 1543215 '/dev/zero (deleted)' 0 16 0 0 8
rec b7580000 b7590000 rw-s 00000000 00:04 98307 '/SYSV0105c1f2 (deleted)' 0 8 0 0 4
rec b7594000 b7595000 rw-p 00000000 00:00 0 '' 0 0 0 4 4
rec bfd5e000 bfd73000 rw-p 00000000 00:00 0 '[stack]' 0 12 0 8 14
finish httpd 2345 2345 2345 48 4202816 1902 08048000 08091a2c bfd73000 /usr/sbin/httpd -k start

# --- pid 2101: a login shell (uid 500) -----------------------------------
begin 2101
libs 0 4 0 4 0 4 0 4 0 12
rec 00c2c000 00c3a000 r-xp 00000000 fd:00 1310802 /lib/libtinfo.so.5.7 0 0 40 0 40
rec 00c3a000 00c3d000 rw-p 0000d000 fd:00 1310802 /lib/libtinfo.so.5.7 0 0 0 12 12
rec 08048000 08120000 r-xp 00000000 fd:00 1572870 /bin/bash 0 0 612 0 612
rec 08120000 08125000 rw-p 000d8000 fd:00 1572870 /bin/bash 0 0 0 20 20
rec 08125000 0812a000 rw-p 00000000 00:00 0 '' 0 0 0 16 16
rec 09a31000 09a77000 rw-p 00000000 00:00 0 '[heap]' 0 0 0 252 252 swap=8
rec b7707000 b7908000 r--p 00000000 fd:00 1048693 /usr/lib/locale/locale-archive 0 0 124 0 124
rec b7908000 b790a000 rw-p 00000000 00:00 0 '' 0 0 0 8 8
rec bf9c1000 bf9d6000 rw-p 00000000 00:00 0 '[stack]' 0 0 0 28 28
finish bash 2099 2101 2101 500 4202752 1544 08048000 0811f9d4 bf9d6000 -bash

cat >"$out/meminfo" <<'EOF'
MemTotal:        1030680 kB
MemFree:          642416 kB
Buffers:           34912 kB
Cached:           214860 kB
SwapCached:          612 kB
Active:           171992 kB
Inactive:         155316 kB
Active(anon):      61788 kB
Inactive(anon):    16172 kB
Active(file):     110204 kB
Inactive(file):   139144 kB
Unevictable:           0 kB
Mlocked:               0 kB
HighTotal:        141320 kB
HighFree:           4668 kB
LowTotal:         889360 kB
LowFree:          637748 kB
SwapTotal:       2064376 kB
SwapFree:        2064320 kB
Dirty:                56 kB
Writeback:             0 kB
AnonPages:         77552 kB
Mapped:            29104 kB
Shmem:               412 kB
Slab:              42044 kB
SReclaimable:      30012 kB
SUnreclaim:        12032 kB
KernelStack:         928 kB
PageTables:         1648 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:          0 kB
CommitLimit:     2579716 kB
Committed_AS:     308144 kB
VmallocTotal:     122880 kB
VmallocUsed:        5196 kB
VmallocChunk:     111492 kB
HardwareCorrupted:     0 kB
HugePages_Total:       0
HugePages_Free:        0
HugePages_Rsvd:        0
HugePages_Surp:        0
Hugepagesize:       4096 kB
DirectMap4k:        8184 kB
DirectMap4M:      905216 kB
EOF
