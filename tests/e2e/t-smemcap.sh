#!/usr/bin/env bash
# t-smemcap.sh - mapsnap-capture --proc FILE.tar reads smem's capture
# format. Debian has no smemcap, so smemcap.py below writes what smemcap
# writes (meminfo, version, then per pid a directory header and its smaps,
# cmdline and stat; GNU ustar headers; no end-of-archive blocks) from each
# sample; the capture of the tar must equal the capture of the tree, and
# smem must read the same numbers. Then hostile archives.
. "$ROOT/tests/e2e/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed to write the archives"
command -v smem >/dev/null || fail "smem is needed: scripts/install-deps installs it"

cat > "$T/smemcap.py" <<'PY'
import os, sys

def header(name, size, typeflag, uid=0, mode=0o444, magic=b"ustar  \0",
           raw_size=None, bad_sum=False):
    h = bytearray(512)
    h[0:len(name)] = name.encode()
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"%07o\0" % uid
    h[116:124] = b"%07o\0" % uid
    h[124:136] = raw_size if raw_size is not None else b"%011o\0" % size
    h[136:148] = b"%011o\0" % 0
    h[156] = ord(typeflag)
    h[257:265] = magic
    h[148:156] = b"        "
    s = sum(h) + (1 if bad_sum else 0)
    h[148:156] = b"%06o\0 " % s
    return bytes(h)

def entry(name, data, **kw):
    pad = (512 - len(data) % 512) % 512
    return header(name, len(data), "0", **kw) + data + b"\0" * pad

def uid_of(status):
    for line in status.split(b"\n"):
        if line.startswith(b"Uid:"):
            return int(line.split()[1])
    return 0

def smemcap(proc):
    """What smemcap writes for the proc tree `proc`."""
    out = entry("meminfo", open(os.path.join(proc, "meminfo"), "rb").read())
    out += entry("version", b"Linux version 6.1.0-mapsnap (test) #1 SMP\n")
    for pid in sorted(os.listdir(proc)):
        if not pid.isdigit():
            continue
        d = os.path.join(proc, pid)
        uid = uid_of(open(os.path.join(d, "status"), "rb").read())
        out += header(pid, 0, "5", uid=uid, mode=0o555)
        for f in ("smaps", "cmdline", "stat"):
            out += entry(pid + "/" + f, open(os.path.join(d, f), "rb").read())
    return out

def hostile(kind, proc):
    good = smemcap(proc)
    pid = sorted(p for p in os.listdir(proc) if p.isdigit())[0]
    stat = open(os.path.join(proc, pid, "stat"), "rb").read()
    if kind == "truncated":
        return good[:len(good) - 700]
    if kind == "dotdot":
        return good + entry("../escaped", b"x\n")
    if kind == "dotdot2":
        return good + entry("1/../../escaped", b"x\n")
    if kind == "absolute":
        return good + entry("/tmp/mapsnap-escaped", b"x\n")
    if kind == "checksum":
        return good + header("9/stat", 0, "0", bad_sum=True)
    if kind == "huge":
        return good + header("9/cmdline", 0, "0", raw_size=b"77777777777\0")
    if kind == "twice":
        return good + entry(pid + "/stat", stat)
    if kind == "symlink":	# a link where smaps should be: never made
        h = bytearray(header("77/smaps", 0, "2"))
        return (good + header("77", 0, "5") + entry("77/stat", stat.replace(
                pid.encode(), b"77", 1)) + entry("77/cmdline", b"x\0") + bytes(h))
    if kind == "empty":
        return b"\0" * 1024
    if kind == "junk":
        return b"this is not a tar file\n" * 40
    raise SystemExit("unknown kind " + kind)

if sys.argv[1] == "smemcap":
    sys.stdout.buffer.write(smemcap(sys.argv[2]))
else:
    sys.stdout.buffer.write(hostile(sys.argv[2], sys.argv[3]))
PY

mkdir -p "$T/tmp"
export TMPDIR=$T/tmp
no_leftovers() {
	[ -z "$(ls -A "$T/tmp")" ] || fail "$1: left $(ls "$T/tmp") in TMPDIR"
}

for s in real edge old; do
	P=$ROOT/samples/$s/proc
	python3 "$T/smemcap.py" smemcap "$P" > $s.tar || fail "smemcap.py $s"
	expect_exit 0 "$CAPTURE" -o $s-tar.db --proc $s.tar --host h
	expect_grep "snapshot 1 .*processes captured" err
	no_leftovers "$s.tar"
	"$CAPTURE" -q -o $s-dir.db --proc "$P" --host h || fail "capture $s"
	"$ANALYZE" --csv ps $s-dir.db > want.csv
	"$ANALYZE" --csv ps $s-tar.db > got.csv
	expect_cmp want.csv got.csv
	"$ANALYZE" --csv libs $s-dir.db > want.csv
	"$ANALYZE" --csv libs $s-tar.db > got.csv
	expect_cmp want.csv got.csv
	# the texts byte for byte, and the kernel release from `version`
	for pid in $(cd "$P" && ls -d [0-9]*); do
		"$ANALYZE" smaps $s-tar.db $pid > got.smaps 2>/dev/null || continue
		cmp -s "$P/$pid/smaps" got.smaps || fail "$s: smaps of $pid differs"
	done
	[ "$(sqlite3 $s-tar.db 'SELECT kernel FROM snapshots')" = 6.1.0-mapsnap ] ||
		fail "$s: kernel release not taken from version"
	# maps, derived from smaps, for --maps-only
	"$CAPTURE" -q -o $s-maps.db --maps-only --proc $s.tar || fail "--maps-only $s.tar"
	"$CAPTURE" -q -o $s-dmaps.db --maps-only --proc "$P" || fail "--maps-only $s"
	"$ANALYZE" --csv ps $s-maps.db > got.csv
	"$ANALYZE" --csv ps $s-dmaps.db > want.csv
	expect_cmp want.csv got.csv
done

# smem on the same archive. Debian 12's smem cannot read a tar (python 3
# hands it bytes where it wants text: a TypeError), so smem reads the
# archive unpacked by python's tarfile; should it read the tar itself
# one day, the tar is compared too.
for s in real edge; do
	mkdir -p smem-$s/proc
	python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' \
		$s.tar smem-$s/proc || fail "tarfile cannot read $s.tar"
	smem -S smem-$s -c "pid swap uss pss rss" -H | sort > smem.txt || fail "smem -S"
	[ -s smem.txt ] || fail "smem -S smem-$s: nothing"
	"$ANALYZE" --csv ps $s-tar.db | python3 -c '
import csv, sys
for r in csv.DictReader(sys.stdin):
    if r["command"] and not r["command"].startswith("["):
        print(r["pid"], r["swap"], r["uss"], r["pss"], r["rss"])' | sort > ps.txt
	awk '{print $1, $2, $3, $4, $5}' smem.txt | sort > smem2.txt
	expect_cmp smem2.txt ps.txt
	if smem -S $s.tar -c "pid swap uss pss rss" -H > smem-tar.txt 2>/dev/null; then
		sort smem-tar.txt | awk '{print $1, $2, $3, $4, $5}' > smem3.txt
		expect_cmp smem2.txt smem3.txt
	fi
done

# hostile archives: refused with the archive named, nothing stored, no
# file written outside the private directory, which is removed
cp real-tar.db keep.db
for kind in truncated dotdot dotdot2 absolute checksum huge twice empty junk; do
	python3 "$T/smemcap.py" hostile $kind "$ROOT/samples/real/proc" > $kind.tar
	expect_exit 1 "$CAPTURE" -o real-tar.db --proc $kind.tar
	expect_grep "^mapsnap-capture: cannot read '$kind.tar': " err
	[ "$(wc -l < err)" = 1 ] || fail "$kind: more than one line on stderr"
	cmp -s keep.db real-tar.db || fail "$kind: the database changed"
	no_leftovers "$kind"
done
[ ! -e "$T/escaped" ] && [ ! -e /tmp/mapsnap-escaped ] && [ ! -e "$T/tmp/escaped" ] ||
	fail "an entry was written outside the private directory"
grep -q "truncated" <("$CAPTURE" -o x.db --proc truncated.tar 2>&1) || fail "truncated: not said"
grep -q "unsafe name '../escaped'" <("$CAPTURE" -o x.db --proc dotdot.tar 2>&1) ||
	fail "dotdot: not said"
grep -q "too large" <("$CAPTURE" -o x.db --proc huge.tar 2>&1) || fail "huge: not said"
grep -q "named twice" <("$CAPTURE" -o x.db --proc twice.tar 2>&1) || fail "twice: not said"
grep -q "no process" <("$CAPTURE" -o x.db --proc empty.tar 2>&1) || fail "empty: not said"

# a symbolic link is never made: its process has no smaps to read
python3 "$T/smemcap.py" hostile symlink "$ROOT/samples/real/proc" > link.tar
"$CAPTURE" -o link.db --proc link.tar 2> err
[ "$(sqlite3 link.db 'SELECT count(*) FROM processes WHERE pid = 77')" = 0 ] ||
	fail "a process was stored through a link"
no_leftovers symlink
exit 0
