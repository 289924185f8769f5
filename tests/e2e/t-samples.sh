#!/usr/bin/env bash
# t-samples.sh - every samples/NAME/proc tree: capture it with --proc, get
# each process's smaps and maps back byte for byte, and check that
# `ps --csv` gives the same swap/uss/pss/rss/vss figures (kB) for the same
# set of pids as `smem -S samples/NAME` reading the very same files.
. "$ROOT/tests/e2e/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed to parse the CSV"
command -v smem >/dev/null || fail "smem is needed: scripts/install-deps installs it"

# expected_figures SAMPLE_DIR: "pid swap uss pss rss vss" per process, sorted
# by pid, as smem computes them from the same files.
expected_figures() {
	local dir=$1
	smem -S "$dir" -c "pid swap uss pss rss vss" -H 2>"$T/smem.err" >"$T/smem.out" ||
		{ cat "$T/smem.err" >&2; fail "smem -S $dir failed"; }
	[ ! -s "$T/smem.err" ] || { cat "$T/smem.err" >&2; fail "smem -S $dir complained"; }
	awk 'NF { $1 = $1; print }' "$T/smem.out" | sort -n
}

# ps_figures CSV: the same list, read from `mapsnap-analyze --csv ps`:
# columns found by name in the header row, quoted fields parsed properly.
ps_figures() {
	python3 - "$1" <<'PY'
import csv, sys

want = ["pid", "user", "command", "swap", "uss", "pss", "rss", "vss"]
with open(sys.argv[1], newline="") as f:
    rows = [r for r in csv.reader(f, strict=True) if r]
if not rows:
    sys.exit("ps --csv printed nothing")
head = [h.strip().lower() for h in rows[0]]
missing = [c for c in want if c not in head]
if missing:
    sys.exit("ps --csv header %r lacks %s" % (rows[0], ",".join(missing)))
col = {c: head.index(c) for c in want}

def num(s, what, line):
    try:
        v = float(s)
    except ValueError:
        sys.exit("ps --csv line %d: %s %r is not a number" % (line, what, s))
    return int(v) if v == int(v) else v

out, seen = [], set()
for line, r in enumerate(rows[1:], 2):
    if len(r) != len(head):
        sys.exit("ps --csv line %d has %d fields, header has %d: %r"
                 % (line, len(r), len(head), r))
    pid = r[col["pid"]].strip()
    if not pid.isdigit():
        sys.exit("ps --csv line %d: pid %r" % (line, pid))
    if pid in seen:
        sys.exit("ps --csv lists pid %s twice" % pid)
    seen.add(pid)
    out.append([int(pid)] + [num(r[col[c]].strip(), c, line)
                             for c in ("swap", "uss", "pss", "rss", "vss")])
for o in sorted(out):
    print(" ".join(str(x) for x in o))
PY
}

n=0
for dir in "$ROOT"/samples/*/; do
	dir=${dir%/}
	[ -d "$dir/proc" ] || continue
	name=${dir##*/}
	db=$T/$name.db
	n=$((n + 1))

	expect_exit 0 "$CAPTURE" -q -o "$db" --proc "$dir/proc" --host "$name"

	# the text comes back as it was captured, byte for byte
	: >"$T/$name.pids"
	for d in "$dir"/proc/[0-9]*; do
		pid=${d##*/}
		case $pid in *[!0-9]*) continue ;; esac
		[ -d "$d" ] && [ -s "$d/cmdline" ] || continue
		echo "$pid" >>"$T/$name.pids"
		expect_exit 0 "$ANALYZE" smaps "$db" "$pid"
		expect_cmp "$d/smaps" "$T/out"
		expect_exit 0 "$ANALYZE" maps "$db" "$pid"
		expect_cmp "$d/maps" "$T/out"
	done
	[ -s "$T/$name.pids" ] || fail "samples/$name: no process with a cmdline"

	# the figures: ps --csv against smem on the same tree
	expected_figures "$dir" >"$T/$name.want"
	sort -n -o "$T/$name.pids" "$T/$name.pids"
	awk '{ print $1 }' "$T/$name.want" >"$T/$name.wantpids"
	cmp -s "$T/$name.pids" "$T/$name.wantpids" ||
		fail "samples/$name is broken: smem lists pids $(echo $(cat "$T/$name.wantpids")), the tree has $(echo $(cat "$T/$name.pids"))"

	expect_exit 0 "$ANALYZE" --csv ps "$db"
	cp "$T/out" "$T/$name.csv"
	ps_figures "$T/$name.csv" >"$T/$name.got" || {
		sed 's/^/  | /' "$T/$name.csv" >&2
		fail "samples/$name: cannot read ps --csv"
	}
	# "pid swap uss pss rss vss", one line per pid, same pids
	expect_cmp "$T/$name.want" "$T/$name.got"
done
[ "$n" -gt 0 ] || fail "no samples/*/proc found under $ROOT"
exit 0
