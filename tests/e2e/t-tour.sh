# t-tour.sh - the README's tour, run as written: every `$ ` line of the
# fenced blocks under "## A tour", in order, in a scratch directory.
#
# Only paths change: build/ is a link to $BUILD, the programs under test.
# A `make` line is not run (the harness built $BUILD already, maybe with
# sanitizers): each target it names must exist in $BUILD instead. After a
# line that sets PID=$!, the test waits for that process to exec its
# program, as a person typing the next line would. Then: every command
# exits 0, the column headers the README shows are the ones printed, the
# files written with --svg and --html are an SVG and a page, and `growth`
# lists the leaking process and its heap.
. "$ROOT/tests/e2e/lib.sh"

python3 - "$ROOT/README.md" tour.sh <<'EOF' || fail "cannot read the tour from README.md"
import re, shlex, sys
readme, script = sys.argv[1], sys.argv[2]
lines = open(readme, encoding="utf-8").read().split("\n")
try:
    start = lines.index("## A tour")
except ValueError:
    sys.exit("README.md has no '## A tour' section")
cmds = []                       # [command, [README output lines]]
fenced = False
for line in lines[start + 1:]:
    if line.startswith("## "):
        break
    if line.startswith("```"):
        fenced = not fenced
        continue
    if not fenced:
        continue
    if line.startswith("$ "):
        cmds.append([line[2:], []])
    elif cmds:
        cmds[-1][1].append(line)
if len(cmds) < 3:
    sys.exit("the tour has %d commands" % len(cmds))

out = ['cd tour || exit 1',
       'trap \'[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null\' EXIT']
expect = open("expect", "w")
for n, (cmd, shown) in enumerate(cmds, 1):
    words = shlex.split(cmd, comments=True)
    out.append("printf '%%s\\n' %s >cmd.%d" % (shlex.quote(cmd), n))
    if words and words[0] == "make":
        for w in words[1:]:
            if w.startswith("build/"):
                out.append('[ -x %s ] || { echo "make target %s '
                           'is not built"; exit 1; }' % (shlex.quote(w), w))
            elif w == "all":
                out.append('[ -x build/mapsnap-capture ] && '
                           '[ -x build/mapsnap-analyze ] || exit 1')
            elif "=" not in w and not w.startswith("-"):
                out.append('echo "make target %s: unknown to t-tour"; exit 1' % w)
        continue
    out.append("{ %s\n} >out.%d 2>err.%d" % (cmd, n, n))
    out.append('rc=$?; [ $rc -eq 0 ] || { echo "tour command %d exited $rc: '
               '$(cat cmd.%d)"; sed "s/^/  stderr: /" err.%d; exit 1; }'
               % (n, n, n))
    if "PID=$!" in cmd:
        prog = words[0].rsplit("/", 1)[-1]
        out.append('for i in $(seq 100); do [ "$(cat /proc/$PID/comm '
                   '2>/dev/null)" = %s ] && break; sleep 0.05; done'
                   % shlex.quote(prog[:15]))
    # the headers the README shows: lines of upper-case column names
    heads = [" ".join(l.split()) for l in shown
             if re.fullmatch(r"\s*[A-Z][A-Z_]*( +[A-Z][A-Z_]*)+\s*", l)]
    expect.write("%d\t%s\t%s\n" % (n, cmd, "\t".join(heads)))
out.append('printf "%s\\n" "${PID:-}" >pid')
open(script, "w").write("\n".join(out) + "\n")
EOF

mkdir tour && ln -s "$BUILD" tour/build || fail "cannot link tour/build"
bash tour.sh >tour.log 2>&1 || { cat tour.log >&2; fail "the tour stopped"; }

python3 - <<'EOF' || fail "the tour's output is not what README.md shows"
import re, shlex, os
ok = True
growth = None
for line in open("expect"):
    n, cmd, *heads = line.rstrip("\n").split("\t")
    heads = [h for h in heads if h]
    words = shlex.split(cmd, comments=True)
    if words[0] == "make":
        continue
    got = [" ".join(l.split()) for l in open("tour/out." + n, encoding="utf-8")]
    # each header shown must be printed, in the README's order
    i = 0
    for h in heads:
        while i < len(got) and got[i] != h:
            i += 1
        if i == len(got):
            print("tour command %s: README shows the header\n  %s\n"
                  "but it printed:\n  %s" % (n, h, "\n  ".join(got[:3])))
            ok = False
            break
        i += 1
    for opt, magic in (("--svg", "<svg"), ("--html", "<html")):
        if opt in words:
            f = os.path.join("tour", words[words.index(opt) + 1])
            text = open(f, encoding="utf-8").read() if os.path.exists(f) else ""
            if magic not in text[:4096]:
                print("tour command %s: %s is not a page with %s" % (n, f, magic))
                ok = False
    if len(words) > 1 and words[0].endswith("mapsnap-analyze") and "growth" in words:
        growth = n
if growth is None:
    print("the tour never runs growth")
    ok = False
else:
    pid = open("tour/pid").read().strip()
    rows = [l.split() for l in open("tour/out." + growth, encoding="utf-8")]
    procs = [r for r in rows if r and r[0] == pid and "leaker" in " ".join(r)]
    heap = [r for r in rows if r and r[0] == pid and "[heap]" in r]
    if not procs or not heap:
        print("growth did not find the leaker (pid %s) and its heap:" % pid)
        print("".join(open("tour/out." + growth, encoding="utf-8")))
        ok = False
raise SystemExit(0 if ok else 1)
EOF
