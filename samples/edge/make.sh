#!/usr/bin/env bash
# make.sh - regenerate samples/edge/proc, a crafted proc-like tree that holds
# every edge case of the maps/smaps text (see README.md). The output is
# committed; rerun this after editing and commit both. Deterministic.
#
# Per mapping we give Shared_Clean, Shared_Dirty, Private_Clean, Private_Dirty
# and Pss; Size comes from the addresses and Rss = Shared_* + Private_*, so
# every record is consistent (Rss <= Size, Private <= Pss <= Rss). Pages
# shared by N processes appear as Shared_* in all N with Pss = Rss/N.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/proc
rm -rf "$out"
mkdir -p "$out"

# --- one smaps record ------------------------------------------------------
# rec START END PERMS OFFSET DEV INODE NAME SC SD PC PD PSS [KEY=VALUE...]
# keys: anon ahp swap swappss lock kps (kernel+MMU page size) shtlb phtlb
#       thp flags foo (Foo_Bar kB, unknown numeric) foostr (Foo_Str, unknown
#       string) pkey (ProtectionKey) nospace (name-less header, no trailing
#       space) ref
# Appends to $SMAPS; accumulates totals for stat/status.
rec() {
	local s=$1 e=$2 perm=$3 off=$4 dev=$5 ino=$6 name=$7
	local sc=$8 sd=$9 pc=${10} pd=${11} pss=${12}
	shift 12
	local anon= ahp=0 swap=0 swappss=0 lock=0 kps=4 shtlb=0 phtlb=0 thp=0
	local flags= foo= foostr= pkey= nospace= ref= kv
	for kv in "$@"; do local "$kv"; done
	local size=$(( (0x$e - 0x$s) / 1024 ))
	local rss=$((sc + sd + pc + pd))
	# Anonymous: private pages of anonymous memory, or COWed file pages
	if [ -z "$anon" ]; then
		case $perm:$name in
		*s:*) anon=0 ;;
		*p:|*p:\[heap\]|*p:\[stack\]|*p:\[anon:*) anon=$rss ;;
		*) anon=$((sd + pd)) ;;
		esac
	fi
	[ -n "$ref" ] || ref=$rss
	# Pss_Dirty: private dirty plus the dirty share of the shared part
	local pssd=$pd
	if [ $((sc + sd)) -gt 0 ]; then
		pssd=$((pd + sd * (pss - pc - pd) / (sc + sd)))
	fi
	if [ -z "$flags" ]; then
		case $name in
		'[stack]') flags="rd wr mr mw me gd ac" ;;
		'[vvar]'|'[vvar_vclock]') flags="rd mr pf io de dd" ;;
		'[vdso]') flags="rd ex mr mw me de" ;;
		'[vsyscall]') flags="ex" ;;
		*)
			case $perm in *r*) flags="rd " ;; esac
			case $perm in *w*) flags="${flags}wr " ;; esac
			case $perm in *x*) flags="${flags}ex " ;; esac
			case $perm in *s) flags="${flags}sh " ;; esac
			flags="${flags}mr mw me"
			case $perm in
			*s) flags="$flags ms" ;;
			?w?p) flags="$flags ac" ;;
			esac
			;;
		esac
	fi
	# sanity: the numbers must be what a kernel could print
	[ "$rss" -le "$size" ] || { echo "Rss > Size at $s" >&2; exit 1; }
	[ "$pss" -le "$rss" ] && [ "$pss" -ge $((pc + pd)) ] ||
		{ echo "bad Pss at $s" >&2; exit 1; }

	# header: "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu " padded to 72,
	# then one space and the name (no padding when there is no name)
	local h
	h=$(printf '%s-%s %s %s %s %s ' "$s" "$e" "$perm" "$off" "$dev" "$ino")
	if [ -n "$name" ]; then
		h=$(printf '%-72s %s' "$h" "$name")
	elif [ -n "$nospace" ]; then
		h=${h% }
	fi
	{
		printf '%s\n' "$h"
		f() { printf '%-16s%8d kB\n' "$1:" "$2"; }
		f Size "$size"
		f KernelPageSize "$kps"
		f MMUPageSize "$kps"
		f Rss "$rss"
		f Pss "$pss"
		f Pss_Dirty "$pssd"
		f Shared_Clean "$sc"
		f Shared_Dirty "$sd"
		f Private_Clean "$pc"
		f Private_Dirty "$pd"
		f Referenced "$ref"
		f Anonymous "$anon"
		f KSM 0
		f LazyFree 0
		f AnonHugePages "$ahp"
		f ShmemPmdMapped 0
		f FilePmdMapped 0
		f Shared_Hugetlb "$shtlb"
		f Private_Hugetlb "$phtlb"
		[ -z "$foo" ] || f Foo_Bar "$foo"
		f Swap "$swap"
		f SwapPss "$swappss"
		f Locked "$lock"
		printf 'THPeligible:    %8d\n' "$thp"
		[ -z "$foostr" ] || printf 'Foo_Str:        %s\n' "$foostr"
		[ -z "$pkey" ] || printf 'ProtectionKey:  %8d\n' "$pkey"
		printf 'VmFlags: %s \n' "$flags"
	} >>"$SMAPS"
	printf '%s\n' "$h" >>"$MAPS"
	VSZ=$((VSZ + size)); RSS=$((RSS + rss)); SWP=$((SWP + swap))
	ANON=$((ANON + anon))
	case $name in
	/memfd:*|/SYSV*|/dev/zero*|'[anon_shmem:'*) SHM=$((SHM + rss)) ;;
	esac
}

# begin PID: start a process directory; the rec calls that follow fill it
begin() {
	P=$1
	mkdir -p "$out/$P"
	SMAPS=$out/$P/smaps MAPS=$out/$P/maps
	: >"$SMAPS"
	: >"$MAPS"
	VSZ=0 RSS=0 SWP=0 ANON=0 SHM=0
}

# finish COMM STATE PPID PGRP SID UID THREADS STARTTIME CODE_START CODE_END
#        STACK_END BRK ARGV...  (comm and cmdline, stat and status)
finish() {
	local comm=$1 state=$2 ppid=$3 pgrp=$4 sid=$5 uid=$6 thr=$7 start=$8
	local cs=$((0x$9)) ce=$((0x${10})) se=$((0x${11})) brk=$((0x${12}))
	shift 12
	printf '%s\n' "$comm" >"$out/$P/comm"
	printf '%s\0' "$@" >"$out/$P/cmdline"
	local alen envlen=400
	alen=$(wc -c <"$out/$P/cmdline")
	local sstack=$((se - 0x1c70)) astart=$((se - 0xf00))
	# 52 fields, as 6.x prints them
	printf '%d (%s) %s %d %d %d 0 -1 %d %d 0 %d 0 %d %d 0 0 20 0 %d 0 %d %d %d 18446744073709551615 %d %d %d 0 0 0 0 4096 65536 0 0 0 17 %d 0 0 0 0 0 %d %d %d %d %d %d %d 0\n' \
		"$P" "$comm" "${state%% *}" "$ppid" "$pgrp" "$sid" "${PFLAGS:-4194304}" \
		$((RSS / 3)) $((RSS / 200)) $((start / 40)) $((start / 97)) \
		"$thr" "$start" $((VSZ * 1024)) $((RSS / 4)) \
		"$cs" "$ce" "$sstack" $((P % 2)) \
		$((ce + 0x2000)) $((ce + 0x2400)) "$brk" \
		"$astart" $((astart + alen)) $((astart + alen)) $((astart + alen + envlen)) \
		>"$out/$P/stat"
	local file=$((RSS - ANON - SHM))
	vm() { printf '%s:\t%8d kB\n' "$1" "$2"; }
	{
		printf 'Name:\t%s\nUmask:\t0022\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n' \
			"$comm" "$state" "$P" "$P" "$ppid"
		printf 'Uid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\n' "$uid" "$uid" "$uid" "$uid" "$uid" "$uid" "$uid" "$uid"
		printf 'FDSize:\t64\nGroups:\t%d \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n' \
			"$uid" "$P" "$P" "$pgrp" "$sid"
		vm VmPeak $((VSZ + 132)); vm VmSize "$VSZ"; vm VmLck 0; vm VmPin 0
		vm VmHWM $((RSS + 64)); vm VmRSS "$RSS"
		vm RssAnon "$ANON"; vm RssFile "$file"; vm RssShmem "$SHM"
		vm VmData $((VSZ / 3)); vm VmStk 132; vm VmExe 20; vm VmLib 2100
		vm VmPTE 60; vm VmSwap "$SWP"; vm HugetlbPages "$HTLB"
		printf 'CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\n'
		printf 'Threads:\t%d\n' "$thr"
		cat <<'EOF'
SigQ:	0/96365
SigPnd:	0000000000000000
ShdPnd:	0000000000000000
SigBlk:	0000000000000000
SigIgn:	0000000000001000
SigCgt:	0000000180004002
CapInh:	0000000000000000
CapPrm:	0000000000000000
CapEff:	0000000000000000
CapBnd:	000001ffffffffff
CapAmb:	0000000000000000
NoNewPrivs:	0
Seccomp:	0
Seccomp_filters:	0
Speculation_Store_Bypass:	vulnerable
SpeculationIndirectBranch:	always enabled
Cpus_allowed:	3
Cpus_allowed_list:	0-1
Mems_allowed:	00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000001
Mems_allowed_list:	0
voluntary_ctxt_switches:	42
nonvoluntary_ctxt_switches:	7
EOF
	} >"$out/$P/status"
}

LIBC=/usr/lib/x86_64-linux-gnu/libc.so.6
LD=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
THING='/opt/my app/lib thing.so'

# libc and ld.so as mapped by all four processes (same pages resident in
# each: Pss = Rss/4); the COWed parts are passed in: SD PD of relro, data, bss
libc() { # BASE relro-sd relro-pd data-sd data-pd bss-sd bss-pd [KEY=VALUE...]
	local b=$((0x$1)) r1=$2 r2=$3 d1=$4 d2=$5 b1=$6 b2=$7
	shift 7
	a() { printf '%012x' $((b + $1)); }
	rec "$(a 0)" "$(a 0x26000)" r--p 00000000 fe:00 332835 "$LIBC" 152 0 0 0 38 "$@"
	rec "$(a 0x26000)" "$(a 0x17c000)" r-xp 00026000 fe:00 332835 "$LIBC" 1024 0 0 0 256 "$@"
	rec "$(a 0x17c000)" "$(a 0x1cf000)" r--p 0017c000 fe:00 332835 "$LIBC" 128 0 0 0 32 "$@"
	rec "$(a 0x1cf000)" "$(a 0x1d3000)" r--p 001cf000 fe:00 332835 "$LIBC" 0 "$r1" 0 "$r2" $((r2 + r1 / 2)) flags="rd mr mw me ac" "$@"
	rec "$(a 0x1d3000)" "$(a 0x1d5000)" rw-p 001d3000 fe:00 332835 "$LIBC" 0 "$d1" 0 "$d2" $((d2 + d1 / 2)) "$@"
	rec "$(a 0x1d5000)" "$(a 0x1e2000)" rw-p 00000000 00:00 0 "" 0 "$b1" 0 "$b2" $((b2 + b1 / 2)) "$@"
}
ld() { # BASE relro-sd relro-pd data-sd data-pd [KEY=VALUE...]
	local b=$((0x$1)) r1=$2 r2=$3 d1=$4 d2=$5
	shift 5
	a() { printf '%012x' $((b + $1)); }
	rec "$(a 0)" "$(a 0x1000)" r--p 00000000 fe:00 332383 "$LD" 4 0 0 0 1 "$@"
	rec "$(a 0x1000)" "$(a 0x27000)" r-xp 00001000 fe:00 332383 "$LD" 152 0 0 0 38 "$@"
	rec "$(a 0x27000)" "$(a 0x31000)" r--p 00027000 fe:00 332383 "$LD" 40 0 0 0 10 "$@"
	rec "$(a 0x31000)" "$(a 0x33000)" r--p 00031000 fe:00 332383 "$LD" 0 "$r1" 0 "$r2" $((r2 + r1 / 2)) flags="rd mr mw me ac" "$@"
	rec "$(a 0x33000)" "$(a 0x35000)" rw-p 00033000 fe:00 332383 "$LD" 0 "$d1" 0 "$d2" $((d2 + d1 / 2)) "$@"
}
# [vvar] [vvar_vclock] [vdso] just below the stack, and [vsyscall]
kernel_maps() { # BASE [KEY=VALUE...]
	local b=$((0x$1))
	shift
	a() { printf '%012x' $((b + $1)); }
	rec "$(a 0)" "$(a 0x4000)" r--p 00000000 00:00 0 '[vvar]' 0 0 0 0 0 "$@"
	rec "$(a 0x4000)" "$(a 0x6000)" r--p 00000000 00:00 0 '[vvar_vclock]' 0 0 0 0 0 "$@"
	rec "$(a 0x6000)" "$(a 0x8000)" r-xp 00000000 00:00 0 '[vdso]' 4 0 0 0 0 "$@"
}
vsyscall() { rec ffffffffff600000 ffffffffff601000 --xp 00000000 00:00 0 '[vsyscall]' 0 0 0 0 0 "$@"; }

# --- pid 1200: server (uid 1000, 3 threads): names with spaces, deleted
# files, memfd, SysV shm, [anon:..], [anon_shmem:..], hugetlb, THP, a file
# offset past 4 GiB with a 64-bit inode, unknown fields Foo_Bar / Foo_Str.
# --- pid 1201: its forked worker: same layout (inherited mappings), the
# COWed pages shared with 1200, a few pages of its own.
server() { # PID  (1200 = parent, 1201 = worker)
	local w=0
	[ "$1" = 1200 ] || w=1
	begin "$1"
	local E='/opt/my app/bin/server'
	rec 55a1c2e00000 55a1c2e04000 r--p 00000000 fe:01 131075 "$E" 16 0 0 0 8
	if [ $w = 0 ]; then
		rec 55a1c2e04000 55a1c2e22000 r-xp 00004000 fe:01 131075 "$E" 96 0 8 0 56 foo=12
	else
		rec 55a1c2e04000 55a1c2e22000 r-xp 00004000 fe:01 131075 "$E" 96 0 0 0 48 foo=12
	fi
	rec 55a1c2e22000 55a1c2e2a000 r--p 00022000 fe:01 131075 "$E" 32 0 0 0 16 foostr='fast (since boot)'
	rec 55a1c2e2a000 55a1c2e2b000 r--p 0002a000 fe:01 131075 "$E" 0 4 0 0 2 flags="rd mr mw me ac"
	if [ $w = 0 ]; then
		rec 55a1c2e2b000 55a1c2e2c000 rw-p 0002b000 fe:01 131075 "$E" 0 0 0 4 4
		rec 55a1c3b8f000 55a1c3bd2000 rw-p 00000000 00:00 0 '[heap]' 0 200 0 60 160 swap=16 swappss=8
		rec 7f3a1c000000 7f3a1c800000 rw-p 00000000 00:00 0 '[anon:my arena]' 0 0 0 4096 4096 ahp=2048 thp=1 swap=512 swappss=512 flags="rd wr mr mw me ac hg"
		rec 7f3a1c800000 7f3a1c801000 ---p 00000000 00:00 0 '' 0 0 0 0 0
		rec 7f3a1c801000 7f3a1d001000 rw-p 00000000 00:00 0 '' 0 8 0 16 20
		rec 7f3a1d001000 7f3a1d002000 ---p 00000000 00:00 0 '' 0 0 0 0 0
		rec 7f3a1d002000 7f3a1d802000 rw-p 00000000 00:00 0 '' 0 0 0 16 16 lock=16 flags="rd wr mr mw me lo ac"
	else
		rec 55a1c2e2b000 55a1c2e2c000 rw-p 0002b000 fe:01 131075 "$E" 0 0 0 4 4
		rec 55a1c3b8f000 55a1c3bd2000 rw-p 00000000 00:00 0 '[heap]' 0 200 0 40 140 swap=16 swappss=8
		rec 7f3a1c000000 7f3a1c800000 rw-p 00000000 00:00 0 '[anon:my arena]' 0 0 0 128 128 flags="rd wr mr mw me ac hg"
		rec 7f3a1c800000 7f3a1c801000 ---p 00000000 00:00 0 '' 0 0 0 0 0
		rec 7f3a1c801000 7f3a1d001000 rw-p 00000000 00:00 0 '' 0 8 0 0 4
		rec 7f3a1d001000 7f3a1d002000 ---p 00000000 00:00 0 '' 0 0 0 0 0
		rec 7f3a1d002000 7f3a1d802000 rw-p 00000000 00:00 0 '' 0 0 0 0 0 flags="rd wr mr mw me ac"
	fi
	rec 7f3a1da00000 7f3a1dc00000 rw-s 00000000 00:0f 4096 '/anon_hugepage (deleted)' 0 0 0 0 0 kps=2048 shtlb=2048 flags="rd wr sh mr mw me ms de ht"
	rec 7f3a1dc00000 7f3a1dd00000 rw-s 00000000 00:01 1027 '/memfd:pool (deleted)' 0 256 0 0 128
	rec 7f3a1dd00000 7f3a1dd40000 rw-s 00000000 00:01 32769 '/SYSV0000abcd (deleted)' 0 64 0 0 32
	rec 7f3a1dd40000 7f3a1dd80000 rw-s 00000000 00:01 1030 '[anon_shmem:cache]' 0 100 0 0 50
	rec 7f3a1dd80000 7f3a1dda0000 rw-s 00000000 00:01 1031 '/dev/zero (deleted)' 0 8 0 0 4
	if [ $w = 0 ]; then  # mapped after the fork: the worker has neither
		rec 7f3a1de00000 7f3a1e000000 r--s 123456000 103:01 4294967297 '/data/big file.db' 0 0 512 0 512
	fi
	rec 7f3a1e000000 7f3a1e004000 r--p 00000000 fe:01 131090 "$THING" 16 0 0 0 8
	rec 7f3a1e004000 7f3a1e014000 r-xp 00004000 fe:01 131090 "$THING" 40 0 0 0 20
	rec 7f3a1e014000 7f3a1e017000 r--p 00014000 fe:01 131090 "$THING" 0 8 0 0 4 flags="rd mr mw me ac"
	rec 7f3a1e017000 7f3a1e018000 rw-p 00017000 fe:01 131090 "$THING" 0 0 0 4 4
	if [ $w = 0 ]; then
		rec 7f3a1e018000 7f3a1e019000 r--p 00000000 fe:01 131101 '/opt/my app/cache.bin (deleted)' 0 0 4 0 4
	fi
	libc 7f3a1e200000 16 0 8 0 20 0
	ld 7f3a1e3f0000 8 0 8 0
	if [ $w = 0 ]; then
		rec 7ffd5a3c1000 7ffd5a3e2000 rw-p 00000000 00:00 0 '[stack]' 0 12 0 12 18
	else
		rec 7ffd5a3c1000 7ffd5a3e2000 rw-p 00000000 00:00 0 '[stack]' 0 12 0 4 10
	fi
	kernel_maps 7ffd5a3f0000
	vsyscall
	HTLB=2048
	local args=('/opt/my app/bin/server' '--name=edge, "quoted"' --config '/etc/my app/server.conf' -v)
	if [ $w = 0 ]; then
		finish server 'S (sleeping)' 1 1200 1200 1000 3 41000 55a1c2e04000 55a1c2e21ab5 7ffd5a3e2000 55a1c3b8f000 "${args[@]}"
	else
		PFLAGS=4194368  # PF_FORKNOEXEC: forked, never exec'd
		finish server 'S (sleeping)' 1200 1200 1200 1000 1 41002 55a1c2e04000 55a1c2e21ab5 7ffd5a3e2000 55a1c3b8f000 "${args[@]}"
	fi
}
server 1200
server 1201
PFLAGS=

# --- pid 1300: comm "a) b (c" (so stat reads "1300 (a) b (c) S ..."), an
# executable whose path holds ") (", a deleted library, a file name holding
# a newline (the kernel prints it as \012), one name-less header without its
# trailing space (as pasted by a person) and no newline after the last line.
begin 1300
X='/usr/local/bin/a) b (c'
rec 55d0c8a00000 55d0c8a01000 r--p 00000000 fe:00 262200 "$X" 0 0 4 0 4
rec 55d0c8a01000 55d0c8a02000 r-xp 00001000 fe:00 262200 "$X" 0 0 4 0 4
rec 55d0c8a02000 55d0c8a03000 r--p 00002000 fe:00 262200 "$X" 0 0 4 0 4
rec 55d0c8a03000 55d0c8a04000 r--p 00002000 fe:00 262200 "$X" 0 0 0 4 4 flags="rd mr mw me ac"
rec 55d0c8a04000 55d0c8a05000 rw-p 00003000 fe:00 262200 "$X" 0 0 0 4 4
rec 55d0ca1e4000 55d0ca205000 rw-p 00000000 00:00 0 '[heap]' 0 0 0 8 8
rec 7f8e40000000 7f8e40021000 rw-p 00000000 00:00 0 '' 0 0 0 12 12 nospace=1
rec 7f8e40021000 7f8e44000000 ---p 00000000 00:00 0 '' 0 0 0 0 0
rec 7f8e45000000 7f8e45001000 r--p 00000000 fe:00 270011 '/tmp/new\012line.txt' 0 0 4 0 4
rec 7f8e45100000 7f8e45104000 r--p 00000000 fe:00 393300 '/usr/lib/x86_64-linux-gnu/libold.so.1 (deleted)' 0 0 16 0 16
rec 7f8e45104000 7f8e4510c000 r-xp 00004000 fe:00 393300 '/usr/lib/x86_64-linux-gnu/libold.so.1 (deleted)' 0 0 20 0 20
rec 7f8e4510c000 7f8e4510d000 rw-p 0000c000 fe:00 393300 '/usr/lib/x86_64-linux-gnu/libold.so.1 (deleted)' 0 0 0 4 4 swap=4 swappss=4
libc 7f8e45200000 0 16 0 8 0 12
ld 7f8e453f0000 0 8 0 8
rec 7ffe1b2e9000 7ffe1b30a000 rw-p 00000000 00:00 0 '[stack]' 0 0 0 16 16
kernel_maps 7ffe1b3ee000
vsyscall
HTLB=0
finish 'a) b (c' 'S (sleeping)' 1400 1300 1400 1001 1 52000 55d0c8a01000 55d0c8a01e31 7ffe1b30a000 55d0ca1e4000 './a) b (c' --flag 'two words' ''
# a smaps whose last line has no newline
truncate -s -1 "$out/1300/smaps"

# --- pid 1400: a login shell, cmdline "-bash"; every record carries
# ProtectionKey (printed on CPUs with memory protection keys).
begin 1400
B=/usr/bin/bash
pk=pkey=0
rec 5612a8e00000 5612a8e30000 r--p 00000000 fe:00 247000 "$B" 0 0 192 0 192 $pk
rec 5612a8e30000 5612a8ef6000 r-xp 00030000 fe:00 247000 "$B" 0 0 640 0 640 $pk
rec 5612a8ef6000 5612a8f30000 r--p 000f6000 fe:00 247000 "$B" 0 0 128 0 128 $pk
rec 5612a8f30000 5612a8f34000 r--p 0012f000 fe:00 247000 "$B" 0 0 0 16 16 $pk flags="rd mr mw me ac"
rec 5612a8f34000 5612a8f3d000 rw-p 00133000 fe:00 247000 "$B" 0 0 0 36 36 $pk
rec 5612a8f3d000 5612a8f48000 rw-p 00000000 00:00 0 '' 0 0 0 28 28 $pk
rec 5612aa100000 5612aa1c4000 rw-p 00000000 00:00 0 '[heap]' 0 0 0 720 720 swap=40 swappss=40 $pk
rec 7f61b7a00000 7f61b7cec000 r--p 00000000 fe:00 320490 /usr/lib/locale/locale-archive 0 0 232 0 232 $pk
rec 7f61b7d00000 7f61b7d0e000 r--p 00000000 fe:00 332410 /usr/lib/x86_64-linux-gnu/libtinfo.so.6.4 0 0 56 0 56 $pk
rec 7f61b7d0e000 7f61b7d1f000 r-xp 0000e000 fe:00 332410 /usr/lib/x86_64-linux-gnu/libtinfo.so.6.4 0 0 64 0 64 $pk
rec 7f61b7d1f000 7f61b7d2d000 r--p 0001f000 fe:00 332410 /usr/lib/x86_64-linux-gnu/libtinfo.so.6.4 0 0 32 0 32 $pk
rec 7f61b7d2d000 7f61b7d31000 r--p 0002c000 fe:00 332410 /usr/lib/x86_64-linux-gnu/libtinfo.so.6.4 0 0 0 16 16 $pk flags="rd mr mw me ac"
rec 7f61b7d31000 7f61b7d32000 rw-p 00030000 fe:00 332410 /usr/lib/x86_64-linux-gnu/libtinfo.so.6.4 0 0 0 4 4 $pk
libc 7f61b7e00000 0 16 0 8 0 20 $pk
ld 7f61b7ff0000 0 8 0 8 $pk
rec 7ffc7a9d4000 7ffc7a9f5000 rw-p 00000000 00:00 0 '[stack]' 0 0 0 44 44 $pk
kernel_maps 7ffc7a9f6000 $pk
vsyscall $pk
HTLB=0
finish bash 'S (sleeping)' 1180 1400 1400 1001 1 39000 5612a8e30000 5612a8ef5bd1 7ffc7a9f5000 5612aa100000 -bash

# --- pid 2: a kernel thread: empty cmdline, smaps and maps (capture and
# smem both skip it). stat and status copied from a real kthreadd.
mkdir -p "$out/2"
: >"$out/2/smaps"
: >"$out/2/maps"
: >"$out/2/cmdline"
printf 'kthreadd\n' >"$out/2/comm"
printf '2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 1 0 0 20 0 1 0 25 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n' >"$out/2/stat"
cat >"$out/2/status" <<'EOF'
Name:	kthreadd
Umask:	0022
State:	S (sleeping)
Tgid:	2
Ngid:	0
Pid:	2
PPid:	0
TracerPid:	0
Uid:	0	0	0	0
Gid:	0	0	0	0
FDSize:	64
Groups:	 
NStgid:	2
NSpid:	2
NSpgid:	0
NSsid:	0
Kthread:	1
Threads:	1
SigQ:	0/96365
SigPnd:	0000000000000000
ShdPnd:	0000000000000000
SigBlk:	0000000000000000
SigIgn:	ffffffffffffffff
SigCgt:	0000000000000000
CapInh:	0000000000000000
CapPrm:	000001ffffffffff
CapEff:	000001ffffffffff
CapBnd:	000001ffffffffff
CapAmb:	0000000000000000
NoNewPrivs:	0
Seccomp:	0
Seccomp_filters:	0
Speculation_Store_Bypass:	vulnerable
SpeculationIndirectBranch:	always enabled
Cpus_allowed:	3
Cpus_allowed_list:	0-1
Mems_allowed:	00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000001
Mems_allowed_list:	0
voluntary_ctxt_switches:	120
nonvoluntary_ctxt_switches:	0
EOF

# --- meminfo: a 6.x layout with swap in use
cat >"$out/meminfo" <<'EOF'
MemTotal:       24684016 kB
MemFree:        21342880 kB
MemAvailable:   23010944 kB
Buffers:           58312 kB
Cached:          1904560 kB
SwapCached:         1208 kB
Active:           980344 kB
Inactive:        1877124 kB
Active(anon):     402116 kB
Inactive(anon):   512020 kB
Active(file):     578228 kB
Inactive(file):  1365104 kB
Unevictable:          16 kB
Mlocked:              16 kB
SwapTotal:       4194300 kB
SwapFree:        4193728 kB
Zswap:                 0 kB
Zswapped:              0 kB
Dirty:               220 kB
Writeback:             0 kB
AnonPages:        893420 kB
Mapped:           301232 kB
Shmem:             19480 kB
KReclaimable:      98840 kB
Slab:             170112 kB
SReclaimable:      98840 kB
SUnreclaim:        71272 kB
KernelStack:        6464 kB
PageTables:        14188 kB
SecPageTables:         0 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:          0 kB
CommitLimit:    16536308 kB
Committed_AS:    3046632 kB
VmallocTotal:   34359738367 kB
VmallocUsed:       33820 kB
VmallocChunk:          0 kB
Percpu:             2080 kB
HardwareCorrupted:     0 kB
AnonHugePages:    296960 kB
ShmemHugePages:        0 kB
ShmemPmdMapped:        0 kB
FileHugePages:         0 kB
FilePmdMapped:         0 kB
Unaccepted:            0 kB
Balloon:               0 kB
HugePages_Total:       1
HugePages_Free:        0
HugePages_Rsvd:        0
HugePages_Surp:        0
Hugepagesize:       2048 kB
Hugetlb:            2048 kB
DirectMap4k:      131072 kB
DirectMap2M:     9306112 kB
DirectMap1G:    17825792 kB
EOF
