#!/usr/bin/env bash
# t-views.sh - libs, users and showmap. On every samples/NAME tree: libs
# and users against smem -m and smem -u reading the same files, showmap
# against the smaps text and ps, --per-process against libs; then CSV and
# JSON, -t, -p, filters, a maps-only capture, a corrupt blob, usage errors.
. "$ROOT/tests/e2e/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed to parse the CSV"
command -v smem >/dev/null || fail "smem is needed: scripts/install-deps installs it"

# v.py CHECK ARGS...: the comparisons, each computed on its own from its
# inputs (smem's output, the smaps text, other views); prints what differs.
cat > "$T/v.py" <<'PY'
import csv, json, re, sys

LIBS = ["map", "pids", "count", "avgpss", "pss", "uss", "rss", "vss", "swap"]
PP = ["map", "pid", "command", "count", "pss", "uss", "rss", "vss", "swap"]
USERS = ["user", "count", "swap", "uss", "pss", "rss", "vss"]
SHOWMAP = ["map", "size", "rss", "pss", "shared_clean", "shared_dirty",
           "private_clean", "private_dirty", "swap", "swap_pss", "count"]
PS = ["pid", "user", "command", "swap", "uss", "pss", "rss", "vss"]
TEXT = {"map", "user", "command"}
SUMS = ["count", "pss", "uss", "rss", "vss", "swap"]

def die(msg):
    sys.exit(msg)

def read_csv(path, want):
    """RFC 4180 rows as dicts of ints (None for an empty field) and text."""
    raw = open(path, "rb").read()
    if raw and (not raw.endswith(b"\r\n") or raw.count(b"\n") != raw.count(b"\r\n")):
        die("%s: records do not all end in CRLF" % path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    if not rows:
        die("%s: no header" % path)
    head = rows[0]
    missing = [c for c in want if c not in head]
    if missing:
        die("%s: header %s lacks %s" % (path, ",".join(head), ",".join(missing)))
    out = []
    for n, r in enumerate(rows[1:], 2):
        if len(r) != len(head):
            die("%s line %d: %d fields, header has %d" % (path, n, len(r), len(head)))
        d = {}
        for k, v in zip(head, r):
            if k in TEXT:
                d[k] = v
            elif v == "":
                d[k] = None
            else:
                try:
                    d[k] = int(v)
                except ValueError:
                    d[k] = v	# -p: "12.34", compared as text
        out.append(d)
    return out

def merge(pp, pids=None):
    """libs rows computed from --per-process rows (of `pids` only)."""
    acc = {}
    for r in pp:
        if pids is not None and r["pid"] not in pids:
            continue
        a = acc.setdefault(r["map"], {"map": r["map"], "pids": set(),
                                      **{k: 0 for k in SUMS}})
        a["pids"].add(r["pid"])
        for k in SUMS:
            a[k] = None if a[k] is None or r[k] is None else a[k] + r[k]
    for a in acc.values():
        a["pids"] = len(a["pids"])
        a["avgpss"] = None if a["pss"] is None else a["pss"] // a["pids"]
    return acc

def same_rows(what, want, got, key, cols):
    """want and got: lists of dicts; the same keys with the same values."""
    w = {r[key]: r for r in want}
    g = {r[key]: r for r in got}
    if len(g) != len(got):
        die("%s: a %s appears twice" % (what, key))
    bad = []
    for k in sorted(set(w) | set(g)):
        if k not in g:
            bad.append("missing %r" % k)
        elif k not in w:
            bad.append("unexpected %r" % k)
        else:
            d = [(c, w[k][c], g[k][c]) for c in cols if w[k][c] != g[k][c]]
            if d:
                bad.append("%r: %s" % (k, ", ".join("%s want %s got %s" % x for x in d)))
    if bad:
        die("%s:\n  %s" % (what, "\n  ".join(bad[:20])))

def smem_key(name):
    # smem -m takes the 6th blank-separated token of the header line
    return name if name == "<anonymous>" else name.split()[0]

def libs_smem(smem_out, libs_csv, pp_csv):
    """smem -m -c 'map count pids avgpss pss uss rss vss swap' -H output
    against libs, whose names smem cuts at the first blank (and its
    table at 40 characters)."""
    cols = ["count", "pids", "avgpss", "pss", "uss", "rss", "vss", "swap"]
    smem = []
    for line in open(smem_out, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        nums = line[40:].split()
        if len(nums) != len(cols):
            die("cannot read smem line %r" % line)
        smem.append((line[:40].rstrip(" "), tuple(int(x) for x in nums)))
    libs = read_csv(libs_csv, LIBS)
    pp = read_csv(pp_csv, PP)
    # 1. what smem prints, computed from our per-(map, process) rows: cut
    # each name as smem does, merge, count each process once per name
    cut = {}
    for r in pp:
        cut.setdefault(smem_key(r["map"]), []).append(r)
    want = []
    for k, rows in cut.items():
        a = merge(rows)
        pids = len({r["pid"] for r in rows})
        t = {c: sum(x[c] for x in a.values()) for c in SUMS}
        want.append((k[:40], (t["count"], pids, t["pss"] // pids, t["pss"],
                              t["uss"], t["rss"], t["vss"], t["swap"])))
    if sorted(want) != sorted(smem):
        d = sorted(set(want) ^ set(smem))
        die("libs cut as smem cuts differs from smem -m:\n  " +
            "\n  ".join("%s %r" % ("smem" if x in smem else "ours", x) for x in d[:20]))
    # 2. every name smem keeps whole: our libs row itself, figure for figure
    whole = {k for k, rows in cut.items()
             if all(r["map"] == k for r in rows) and len(k) <= 40}
    s = dict(smem)
    for r in libs:
        if r["map"] in whole:
            ours = tuple(r[c] for c in cols)
            if s.get(r["map"]) != ours:
                die("libs %r: %s, smem -m: %s" % (r["map"], ours, s.get(r["map"])))
    # 3. the rows that differ are exactly those whose name has a blank
    # (smem cuts the name there and merges) or that smem's table cuts
    differ = sorted(r["map"] for r in libs if r["map"] not in whole)
    blank = sorted(r["map"] for r in libs
                   if r["map"] != "<anonymous>" and len(r["map"].split()) > 1)
    long = sorted(r["map"] for r in libs if r["map"] not in blank and len(r["map"]) > 40)
    if differ != sorted(blank + long):
        die("names that differ from smem %r are not the names with a blank %r"
            " or over 40 characters %r" % (differ, blank, long))
    print("%d names equal smem's; smem cuts %d at a blank: %s; and %d at 40"
          " characters" % (len(libs) - len(differ), len(blank),
                           "; ".join(blank), len(long)))

def users_smem(smem_out, users_csv):
    got = read_csv(users_csv, USERS)
    want = []
    for line in open(smem_out, encoding="utf-8"):
        f = line.split()
        if f:
            want.append(dict(zip(["user", "count", "swap", "uss", "pss", "rss"],
                                 [f[0]] + [int(x) for x in f[1:]])))
    same_rows("users against smem -u", want, got, "user",
              ["count", "swap", "uss", "pss", "rss"])

def per_process(libs_csv, pp_csv):
    libs = read_csv(libs_csv, LIBS)
    pp = read_csv(pp_csv, PP)
    same_rows("libs against the sums of its --per-process rows",
              list(merge(pp).values()), libs, "map", LIBS)
    # the default order groups each map's processes, by pss within
    keys = [(r["map"], r["pss"] if r["pss"] is not None else -1) for r in pp]
    if keys != sorted(keys):
        die("--per-process rows are not ordered by map, then pss")

def showmap(showmap_csv, awk_tsv, ps_csv, pid):
    rows = read_csv(showmap_csv, SHOWMAP)
    want = []
    for line in open(awk_tsv, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        want.append(dict(zip(SHOWMAP, [f[0]] + [int(x) for x in f[1:]])))
    same_rows("showmap %s against sums of its smaps text" % pid, want, rows,
              "map", SHOWMAP[1:])
    ps = [r for r in read_csv(ps_csv, PS) if r["pid"] == int(pid)]
    if len(ps) != 1:
        die("ps has no pid %s" % pid)
    p, t = ps[0], {c: sum(r[c] for r in rows) for c in SHOWMAP[1:]}
    pairs = [("vss", t["size"]), ("rss", t["rss"]), ("pss", t["pss"]),
             ("swap", t["swap"]), ("maps", t["count"]),
             ("uss", t["private_clean"] + t["private_dirty"])]
    bad = ["%s: ps %s, showmap sums %s" % (c, p[c], v) for c, v in pairs if p[c] != v]
    if bad:
        die("showmap %s against ps: %s" % (pid, "; ".join(bad)))
    pss = [r["pss"] for r in rows]
    if pss != sorted(pss):
        die("showmap is not ordered by pss")

def csv_json(csv_path, json_path, cols):
    rows = read_csv(csv_path, cols.split(","))
    with open(json_path, encoding="utf-8") as f:
        doc = json.load(f)
    if not isinstance(doc, list) or len(doc) != len(rows):
        die("JSON has %s rows, CSV %d" % (len(doc) if isinstance(doc, list) else "no", len(rows)))
    for n, (c, j) in enumerate(zip(rows, doc)):
        if list(c) != list(j) or c != j:
            die("row %d: CSV %r, JSON %r" % (n, c, j))

def totals(t_csv, csv_path, cols):
    rows = read_csv(csv_path, [])
    t = read_csv(t_csv, [])
    first = list(rows[0])[0] if rows else "map"
    if t[:-1] != rows:
        die("-t changed the rows above the totals")
    tot = t[-1]
    if tot[first] != "total":
        die("totals row starts with %r, not 'total'" % tot[first])
    for c in cols.split(","):
        if c.startswith("-"):
            if tot[c[1:]] is not None:
                die("-t gives %s a total %r" % (c[1:], tot[c[1:]]))
            continue
        s = sum(r[c] for r in rows)
        if tot[c] != s:
            die("-t: %s total %r, the column sums to %d" % (c, tot[c], s))

def percent(p_csv, csv_path, meminfo, cols):
    mem = {}
    for line in open(meminfo):
        m = re.match(r"(\S+):\s+(\d+)", line)
        if m:
            mem[m.group(1)] = int(m.group(2))
    rows, p = read_csv(csv_path, []), read_csv(p_csv, [])
    if len(rows) != len(p):
        die("-p printed %d rows, not %d" % (len(p), len(rows)))
    for r, q in zip(rows, p):
        for c in cols.split(","):
            base = mem["SwapTotal" if c == "swap" else "MemTotal"]
            want = "" if r[c] is None or base == 0 else "%.2f" % (100.0 * r[c] / base)
            got = "" if q[c] is None else str(q[c])
            if got != want:
                die("-p %s of %r: %r, want %r (of %d kB)" % (c, r, got, want, base))

def libs_of(libs_csv, pp_csv, pids):
    """libs (filtered) against --per-process rows of those pids."""
    pids = {int(x) for x in pids.split(",")}
    want = merge(read_csv(pp_csv, PP), pids)
    same_rows("filtered libs", list(want.values()), read_csv(libs_csv, LIBS),
              "map", LIBS)

def libs_vs_showmap(libs_csv, showmap_csv):
    sm = []
    for r in read_csv(showmap_csv, SHOWMAP):
        sm.append({"map": r["map"], "count": r["count"], "pss": r["pss"],
                   "rss": r["rss"], "vss": r["size"], "swap": r["swap"],
                   "uss": None if r["pss"] is None else r["private_clean"] + r["private_dirty"]})
    same_rows("libs --pid against showmap", sm, read_csv(libs_csv, LIBS), "map",
              ["count", "pss", "uss", "rss", "vss", "swap"])

def users_of(users_csv, ps_csv, pids):
    """users (filtered) against ps rows of those pids, grouped by user."""
    pids = {int(x) for x in pids.split(",")}
    acc = {}
    for r in read_csv(ps_csv, PS):
        if r["pid"] in pids:
            a = acc.setdefault(r["user"], {"user": r["user"], "count": 0,
                               **{k: 0 for k in ["swap", "uss", "pss", "rss", "vss"]}})
            a["count"] += 1
            for k in ["swap", "uss", "pss", "rss", "vss"]:
                a[k] = None if a[k] is None or r[k] is None else a[k] + r[k]
    same_rows("filtered users", list(acc.values()), read_csv(users_csv, USERS),
              "user", USERS[1:])

def pp_of(filtered_csv, pp_csv, pid):
    want = [r for r in read_csv(pp_csv, PP) if r["pid"] == int(pid)]
    same_rows("--per-process --pid %s" % pid, want,
              read_csv(filtered_csv, PP), "map", PP)

def pids_of(ps_csv, col, value):
    print(",".join(str(r["pid"]) for r in read_csv(ps_csv, PS) if r[col] == value))

def matching(proc, regex):
    """pids of the tree whose comm or command line matches: the -m rule."""
    import os
    out = []
    for d in sorted(os.listdir(proc)):
        if not d.isdigit():
            continue
        cmd = open(os.path.join(proc, d, "cmdline"), "rb").read()
        if not cmd:
            continue	# a kernel thread: not captured
        comm = open(os.path.join(proc, d, "comm")).read().rstrip("\n")
        cmd = cmd.rstrip(b"\0").replace(b"\0", b" ").decode()
        if re.search(regex, comm) or re.search(regex, cmd):
            out.append(d)
    print(",".join(out))

def nulls(csv_path, cols, known):
    rows = read_csv(csv_path, [])
    if not rows:
        die("%s: no rows" % csv_path)
    for r in rows:
        for c in cols.split(","):
            if r[c] is not None:
                die("%s: %s is %r, not empty, in %r" % (csv_path, c, r[c], r))
        for c in known.split(","):
            if not isinstance(r[c], int):
                die("%s: %s is %r, not a number, in %r" % (csv_path, c, r[c], r))

def same_cols(a_csv, b_csv, key, cols):
    same_rows("%s against %s" % (a_csv, b_csv), read_csv(b_csv, []),
              read_csv(a_csv, []), key, cols.split(","))

globals()[sys.argv[1].replace("-", "_")](*sys.argv[2:])
PY
v() { python3 "$T/v.py" "$@" || fail "check '$1' failed (arguments: ${*:2})"; }

# grouped_smaps TEXT: per mapping name, the sums showmap shows, as TSV
grouped_smaps() {
	awk 'BEGIN { OFS = "\t" }
	/^[0-9a-f]+-[0-9a-f]+ / {
		name = $0
		sub(/^[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ */, "", name)
		if (name == "") name = "<anonymous>"
		n[name]++
		next
	}
	$1 == "Size:" { sz[name] += $2 }
	$1 == "Rss:" { rss[name] += $2 }
	$1 == "Pss:" { pss[name] += $2 }
	$1 == "Shared_Clean:" { sc[name] += $2 }
	$1 == "Shared_Dirty:" { sd[name] += $2 }
	$1 == "Private_Clean:" { pc[name] += $2 }
	$1 == "Private_Dirty:" { pd[name] += $2 }
	$1 == "Swap:" { sw[name] += $2 }
	$1 == "SwapPss:" { swp[name] += $2 }
	END {
		for (k in n)
			printf "%s\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%d\n",
				k, sz[k], rss[k], pss[k], sc[k], sd[k], pc[k], pd[k],
				sw[k], swp[k], n[k]
	}' "$1"
}

# smem -u reads a process's user from the owner of its /proc/PID
# directory, which a git checkout cannot keep: give a copy of the tree the
# owners its status files name. Without root, smem runs with os.stat
# reporting that owner instead.
smem_users() {
	local src=$1 dst=$T/users-tree d uid
	rm -rf "$dst"
	cp -r "$src" "$dst"
	if [ "$(id -u)" = 0 ]; then
		for d in "$dst"/proc/[0-9]*; do
			uid=$(awk '$1 == "Uid:" { print $2 }' "$d/status")
			chown "$uid" "$d" || fail "cannot chown $d"
		done
		smem -S "$dst" -u -c "user count swap uss pss rss" -H
	else
		python3 - "$(command -v smem)" "$dst" <<'PY'
import os, re, sys
real = os.stat
def owned(path, *a, **k):
    st = real(path, *a, **k)
    m = re.search(r"/proc/(\d+)$", str(path))
    if not m:
        return st
    status = open(os.path.join(path, "status")).read()
    uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
    f = list(st)
    f[4] = uid
    return os.stat_result(f)
os.stat = owned
smem = sys.argv[1]
sys.argv = ["smem", "-S", sys.argv[2], "-u", "-c", "user count swap uss pss rss", "-H"]
exec(compile(open(smem).read(), smem, "exec"))
PY
	fi
}

n=0
for dir in "$ROOT"/samples/*/; do
	dir=${dir%/}
	[ -d "$dir/proc" ] || continue
	name=${dir##*/}
	db=$T/$name.db
	n=$((n + 1))
	expect_exit 0 "$CAPTURE" -q -o "$db" --proc "$dir/proc" --host "$name"
	"$ANALYZE" --csv ps "$db" > "$T/ps.csv" || fail "ps $name"

	# libs against smem -m, and against its own per-process breakdown
	expect_exit 0 "$ANALYZE" --csv libs "$db"
	cp out "$T/libs.csv"
	expect_exit 0 "$ANALYZE" --csv libs "$db" --per-process
	cp out "$T/pp.csv"
	smem -S "$dir" -m -c "map count pids avgpss pss uss rss vss swap" -H \
		> "$T/smem-m" 2> "$T/smem.err" || fail "smem -m on $name"
	[ ! -s "$T/smem.err" ] || { cat "$T/smem.err" >&2; fail "smem -m complained"; }
	v libs-smem "$T/smem-m" "$T/libs.csv" "$T/pp.csv" > "$T/libs-note"
	echo "samples/$name: $(cat "$T/libs-note")"
	v per-process "$T/libs.csv" "$T/pp.csv"
	# libs' default order: by pss, ascending
	"$ANALYZE" libs "$db" | awk 'NR > 1 { print $(NF - 4) }' > "$T/pss-order"
	sort -n -c "$T/pss-order" || fail "libs is not sorted by pss"

	# users against smem -u on a tree owned as its status files say
	expect_exit 0 "$ANALYZE" --csv users "$db"
	cp out "$T/users.csv"
	smem_users "$dir" > "$T/smem-u" || fail "smem -u on $name"
	v users-smem "$T/smem-u" "$T/users.csv"

	# showmap of each process: sums of its smaps text by name, and ps
	for d in "$dir"/proc/[0-9]*; do
		pid=${d##*/}
		[ -s "$d/cmdline" ] || continue
		"$ANALYZE" smaps "$db" "$pid" > "$T/smaps" || fail "smaps $name $pid"
		grouped_smaps "$T/smaps" > "$T/grouped"
		expect_exit 0 "$ANALYZE" --csv showmap "$db" "$pid"
		cp out "$T/showmap.csv"
		v showmap "$T/showmap.csv" "$T/grouped" "$T/ps.csv" "$pid"
		# libs --pid P is P's showmap
		expect_exit 0 "$ANALYZE" --csv libs "$db" --pid "$pid"
		v libs-vs-showmap out "$T/showmap.csv"
	done

	# -t totals and -p percentages of MemTotal (swap: of SwapTotal)
	expect_exit 0 "$ANALYZE" --csv -t libs "$db"
	v totals out "$T/libs.csv" pids,count,pss,uss,rss,vss,swap,-avgpss
	expect_exit 0 "$ANALYZE" --csv users "$db" -t
	v totals out "$T/users.csv" count,swap,uss,pss,rss,vss
	expect_exit 0 "$ANALYZE" --csv -p libs "$db"
	v percent out "$T/libs.csv" "$dir/proc/meminfo" avgpss,pss,uss,rss,vss,swap
	expect_exit 0 "$ANALYZE" --csv users -p "$db"
	v percent out "$T/users.csv" "$dir/proc/meminfo" swap,uss,pss,rss,vss
done
[ "$n" -ge 3 ] || fail "expected samples real, edge and old under $ROOT/samples"

# the rest on samples/edge: names with blanks, quotes and commas, two users
S=$ROOT/samples/edge/proc
db=$T/edge.db
"$ANALYZE" --csv ps "$db" > ps.csv || fail "ps"
"$ANALYZE" --csv libs "$db" --per-process > pp.csv || fail "libs --per-process"

# JSON says what CSV says, for every view
for view in "ps $db" "libs $db" "libs $db --per-process" "users $db" "showmap $db 1200"; do
	set -- $view
	case $1 in
	ps) cols=pid,user,command,swap,uss,pss,rss,vss ;;
	libs) cols=map,pids,avgpss,pss ;;
	users) cols=user,count,swap,uss,pss,rss ;;
	showmap) cols=map,size,rss,pss,shared_clean,shared_dirty,private_clean,private_dirty,swap,swap_pss,count ;;
	esac
	[ "$#" -eq 3 ] && [ "$3" = --per-process ] && cols=map,pid,command,pss,uss,rss,vss,swap
	"$ANALYZE" --csv "$@" > view.csv || fail "--csv $view"
	"$ANALYZE" --json "$@" > view.json || fail "--json $view"
	v csv-json view.csv view.json "$cols"
done

# filters: --pid, --match, --user change libs and users as they should
# how many of the processes a comma-separated list names
count() { [ -z "$1" ] && echo 0 || echo "$1" | tr , '\n' | wc -l; }
all=$(($(wc -l < ps.csv) - 1))
m=$(v matching "$S" server)
[ "$(count "$m")" -gt 0 ] && [ "$(count "$m")" -lt "$all" ] ||
	fail "--match server should pick some processes, not all ($m)"
expect_exit 0 "$ANALYZE" --csv libs "$db" --match server
v libs-of out pp.csv "$m"
expect_exit 0 "$ANALYZE" --csv users "$db" --match server
v users-of out ps.csv "$m"
user=$(python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1])))["user"])' ps.csv)
u=$(v pids-of ps.csv user "$user")
[ "$(count "$u")" -gt 0 ] && [ "$(count "$u")" -lt "$all" ] ||
	fail "--user $user should pick some processes, not all ($u)"
expect_exit 0 "$ANALYZE" --csv libs "$db" --user "$user"
v libs-of out pp.csv "$u"
expect_exit 0 "$ANALYZE" --csv users "$db" --user "$user"
v users-of out ps.csv "$u"
expect_exit 0 "$ANALYZE" --csv libs "$db" --pid 1300 --pid 1400
v libs-of out pp.csv 1300,1400
expect_exit 0 "$ANALYZE" --csv users "$db" --pid 1400
v users-of out ps.csv 1400
expect_exit 0 "$ANALYZE" --csv libs "$db" --pid 1200 --per-process
v pp-of out pp.csv 1200		# the rows of one process, unchanged

# a maps-only capture knows sizes and counts only: the rest is empty, not 0
expect_exit 0 "$CAPTURE" -q -o m.db --proc "$S" --maps-only
expect_exit 0 "$ANALYZE" --csv libs m.db
cp out m-libs.csv
v nulls m-libs.csv avgpss,pss,uss,rss,swap pids,count,vss
"$ANALYZE" --csv libs "$db" > libs.csv || fail "libs"
v same-cols m-libs.csv libs.csv map pids,count,vss
expect_exit 0 "$ANALYZE" --csv libs m.db --per-process
v nulls out pss,uss,rss,swap pid,count,vss
expect_exit 0 "$ANALYZE" --csv showmap m.db 1200
cp out m-showmap.csv
v nulls m-showmap.csv rss,pss,shared_clean,shared_dirty,private_clean,private_dirty,swap,swap_pss size,count
"$ANALYZE" --csv showmap "$db" 1200 > showmap.csv || fail "showmap"
v same-cols m-showmap.csv showmap.csv map size,count
expect_exit 0 "$ANALYZE" --csv users m.db
v nulls out swap,uss,pss,rss count,vss
expect_exit 0 "$ANALYZE" libs m.db
expect_grep '^<anonymous> +[0-9]+ +[0-9]+ +- +- +- +- +[0-9]+ +-$' out

# a corrupt blob is named by its id; the other processes are still shown
cp "$db" bad.db
blob=$(sqlite3 bad.db "SELECT text_blob FROM processes WHERE pid = 1400")
[ "$(sqlite3 bad.db "SELECT count(*) FROM processes WHERE text_blob = $blob")" = 1 ] ||
	fail "samples/edge: pid 1400 should have a text of its own"
sqlite3 bad.db "UPDATE blobs SET data = zeroblob(length(data)) WHERE id = $blob" ||
	fail "cannot corrupt bad.db"
expect_exit 1 "$ANALYZE" --csv libs bad.db
expect_grep "blob $blob" err
cp out bad-libs.csv
"$ANALYZE" --csv libs "$db" --pid 1200 --pid 1201 --pid 1300 > good.csv || fail "libs"
expect_cmp good.csv bad-libs.csv
expect_exit 1 "$ANALYZE" --csv libs bad.db --per-process
expect_grep "blob $blob" err
expect_exit 1 "$ANALYZE" showmap bad.db 1400
expect_grep "blob $blob" err
expect_exit 0 "$ANALYZE" users bad.db	# stored figures: no blob read

# a garbled record (stored as it is, with a warning) is named by its line
# and left out; the rest of that process and the others are still shown
cp -r "$S" garbled
awk '!done && /^Rss:/ { sub(/ kB$/, ""); done = 1 } { print }' \
	"$S/1400/smaps" > garbled/1400/smaps
expect_exit 0 "$CAPTURE" -q -o g.db --proc garbled
expect_exit 1 "$ANALYZE" --csv libs g.db
expect_grep "smaps of process 1400: line 5: 'Rss' has no kB unit.*1 bad record left out" err
cp out g-libs.csv
python3 "$T/v.py" libs-of g-libs.csv pp.csv 1200,1201,1300,1400 2>/dev/null &&
	fail "libs of a garbled text equals the whole text's"
expect_exit 1 "$ANALYZE" --csv libs g.db --per-process
expect_exit 0 "$ANALYZE" --csv libs g.db --per-process --pid 1200 --pid 1201 --pid 1300
cp out g-pp.csv
"$ANALYZE" --csv libs "$db" --per-process --pid 1200 --pid 1201 --pid 1300 > pp-3.csv
expect_cmp pp-3.csv g-pp.csv
expect_exit 1 "$ANALYZE" --csv showmap g.db 1400
expect_grep "line 5: 'Rss' has no kB unit" err
cp out g-showmap.csv
"$ANALYZE" --csv showmap "$db" 1400 > showmap.csv || fail "showmap"
first=$(awk 'NR == 1 { sub(/^[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ */, ""); print }' "$S/1400/smaps")
python3 - showmap.csv g-showmap.csv "$first" <<'PY' || fail "showmap of a garbled text"
import csv, sys
whole, cut = ({r["map"]: r for r in csv.DictReader(open(f, newline=""))}
              for f in sys.argv[1:3])
name = sys.argv[3]
for k in whole:
    left = int(whole[k]["count"]) - (k == name)
    got = int(cut[k]["count"]) if k in cut else 0
    if got != left:
        sys.exit("%s: %d mappings, want %d (one record of %s left out)"
                 % (k, got, left, name))
PY

# usage: help, errors, exit codes
for c in "libs FILE \[--snapshot REF \| --all-hosts\] \[filters\] \[--per-process\]" \
	 "users FILE \[--snapshot REF\] \[filters\]" \
	 "showmap FILE \[--snapshot REF\] \[--host NAME\] PID"; do
	expect_exit 0 "$ANALYZE" ${c%% *} --help
	expect_grep "^usage: mapsnap-analyze .*$c\$" out
	[ ! -s err ] || fail "${c%% *} --help wrote to stderr"
done
expect_exit 1 "$ANALYZE" showmap "$db" 77777
expect_grep "holds no process 77777" err
expect_exit 2 "$ANALYZE" showmap "$db"
expect_exit 2 "$ANALYZE" showmap "$db" notapid
expect_exit 2 "$ANALYZE" libs
expect_exit 2 "$ANALYZE" libs "$db" --bogus
expect_exit 2 "$ANALYZE" users "$db" extra
expect_exit 2 "$ANALYZE" libs "$db" --sort nosuchcolumn
expect_exit 1 "$ANALYZE" libs missing.db
expect_exit 1 "$ANALYZE" libs "$db" --host nosuchhost
if [ -w /dev/full ]; then
	"$ANALYZE" libs "$db" >/dev/full 2>/dev/null && fail "libs > /dev/full exited 0"
fi
exit 0
