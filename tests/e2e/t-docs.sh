# t-docs.sh - the man pages, --help and the bash completion agree: every
# option either --help or the man page lists is in the other (per command
# for the analyzer, whose commands are read from --help, with the output
# options each takes); the pages install where man finds them and render
# without a warning; the completion offers what --help lists, and no
# output option a command refuses.
. "$ROOT/tests/e2e/lib.sh"

# --- --help against the man pages ------------------------------------
"$CAPTURE" --help >capture.help || fail "mapsnap-capture --help"
"$ANALYZE" --help >analyze.help || fail "mapsnap-analyze --help"
awk '/^commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }' \
	analyze.help | sort -u >commands
[ -s commands ] || fail "mapsnap-analyze --help lists no command"
while read -r c; do
	"$ANALYZE" "$c" --help >"cmd.$c.help" 2>"cmd.$c.err" ||
		fail "mapsnap-analyze $c --help exits $?: $(cat "cmd.$c.err")"
	[ -s "cmd.$c.help" ] || fail "mapsnap-analyze $c --help prints nothing"
done <commands

python3 - "$ROOT/man" <<'EOF' || fail "--help and the man pages disagree"
import os, re, subprocess, sys
man = sys.argv[1]
OPT = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
problems = []

def opts(text):
    return set(OPT.findall(text))

def plain(s):
    """roff source to text: fonts off, escapes resolved."""
    s = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", s)
    s = s.replace("\\-", "-").replace("\\&", "").replace("\\(aq", "'")
    s = re.sub(r"\\\(..", " ", s).replace("\\ ", " ").replace("\\e", "\\")
    return s

def sections(path):
    """{.SH name: [lines]}"""
    out, cur = {}, None
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith(".SH "):
            cur = plain(line[4:]).strip().strip('"')
            out[cur] = []
        elif cur is not None and not line.startswith('.\\"'):
            out[cur].append(line)
    return out

def items(lines, level=0):
    """The .TP items of the list at .RS depth `level`: [([tag lines],
    [body lines])]; a body runs to the next item or a paragraph break of
    that depth and holds any nested list."""
    res, depth, i = [], 0, 0
    while i < len(lines):
        l = lines[i]
        if l.startswith(".RS"):
            depth += 1
        elif l.startswith(".RE"):
            depth -= 1
        elif depth == level and l.startswith((".TP", ".TQ")) and i + 1 < len(lines):
            if l.startswith(".TP") or not res or res[-1][0] is None:
                res.append(([], []))
            res[-1][0].append(lines[i + 1])
            i += 2
            continue
        elif depth == level and re.match(r"\.(PP|LP|P|SS)\b", l):
            res.append((None, []))          # ends the item before
        if res:
            res[-1][1].append(l)
        i += 1
    return [r for r in res if r[0] is not None]

def compare(what, helpset, manset, manname):
    for o in sorted(helpset - manset):
        problems.append("%s: %s is in --help but not in %s" % (what, o, manname))
    for o in sorted(manset - helpset):
        problems.append("%s: %s is in %s but not in --help" % (what, o, manname))

# mapsnap-capture: --help against the OPTIONS of the page
cap = sections(os.path.join(man, "mapsnap-capture.1"))
manopts = set()
for tags, body in items(cap.get("OPTIONS", [])):
    for t in tags:
        manopts |= opts(plain(t))
compare("mapsnap-capture", opts(open("capture.help").read()), manopts,
        "mapsnap-capture(1) OPTIONS")
# ... and each option the same in both: its short form, the name of its
# value, and the defaults --help states (a default of the page's item)
ITEM = re.compile(r"^(?:(-\w)(?: ([A-Z]+))?, )?(--[\w-]+)(?: ([A-Z]+))?")
def item_key(text):
    m = ITEM.match(text.strip())
    return m and (m.group(3), m.group(1), m.group(2) or m.group(4))
capman = {}
for tags, body in items(cap.get("OPTIONS", [])):
    k = item_key(" ".join(" ".join(re.sub(r"^\.[A-Z]{1,2} ", "", plain(t))
                                   for t in tags).replace('"', "")
                          .replace(" ,", ",").split()))
    if k:
        capman[k[0]] = (k, " ".join(re.sub(r"^\.[A-Z]{1,2} ", "", plain(b))
                                    for b in body))
caphelp = {}
for line in open("capture.help").read().split("\n"):
    if re.match(r"^ {2,6}-", line):
        k = item_key(re.split(r" {2,}", line.strip())[0])
        if k:
            caphelp[k[0]] = (k, line)
    elif caphelp and line.startswith("      "):
        k = list(caphelp)[-1]
        caphelp[k] = (caphelp[k][0], caphelp[k][1] + " " + line.strip())
for o in sorted(set(caphelp) & set(capman)):
    (hk, htext), (mk, mtext) = caphelp[o], capman[o]
    if hk != mk:
        problems.append("mapsnap-capture %s: --help has %s, the page %s"
                        % (o, hk, mk))
    for d in re.findall(r"default ([\w./]+)", htext):
        if not re.search(r"[Dd]efault(?::| is)? +" + re.escape(d) +
                         r"(?![\w/])", mtext):
            problems.append("mapsnap-capture %s: --help says default %s, "
                            "its item of the page does not" % (o, d))
if len(caphelp) < 20 or len(set(caphelp) & set(capman)) < len(caphelp):
    problems.append("mapsnap-capture: %d options read from --help, %d of "
                    "them from the page" % (len(caphelp),
                                            len(set(caphelp) & set(capman))))
syn = opts(plain("\n".join(cap.get("SYNOPSIS", []))))
for o in sorted(syn - manopts):
    problems.append("mapsnap-capture: %s is in the SYNOPSIS but not in OPTIONS" % o)

# mapsnap-analyze --help: usage and output options; commands; filters;
# the output options each command takes ("  list growth: --csv ...")
glob, filt, para, helpout = set(), set(), "", {}
for line in open("analyze.help").read().split("\n"):
    if not line:
        para = ""
    elif line.startswith("commands:"):
        para = "commands"
    elif line.startswith("filters:"):
        para = "filters"
    elif line.startswith("output options each command takes"):
        para = "bycommand"
        continue
    if para == "filters":
        filt |= opts(line)
    elif para == "bycommand":
        names, _, taken = line.partition(":")
        for c in names.split():
            helpout[c] = opts(taken)
    elif para != "commands":
        glob |= opts(line)
commands = open("commands").read().split()
outopts = glob - {"-h", "--help", "-V", "--version", "--utc", "--local"}

def short_forms(text):
    """The options of a usage, "-H" for "[-H|--human]"."""
    return opts(re.sub(r"(-[A-Za-z])\|--[\w-]+", r"\1", text))

ana = sections(os.path.join(man, "mapsnap-analyze.1"))
manglob = set()
for tags, body in items(ana.get("OPTIONS", [])):
    for t in tags:
        manglob |= opts(plain(t))
compare("mapsnap-analyze (output options)", glob, manglob,
        "mapsnap-analyze(1) OPTIONS")

# the COMMANDS section: one item per command, its tag its usage
mancmd, manfilt, mansrc = {}, set(), {}
for tags, body in items(ana.get("COMMANDS", [])):
    name = plain(tags[0]).split()[0]
    if not re.fullmatch(r"[a-z][a-z-]*", name) or "\\fB" not in tags[0][:4]:
        continue
    mansrc.setdefault(name, []).append((tags, body))
    text = " ".join(plain(t) for t in tags)
    o = opts(text)
    # options defined by a nested list (the filters under ps)
    for t, b in items(body, 1):
        o |= opts(" ".join(plain(x) for x in t))
    # the filters: the nested list after "Filters"
    starts = [i for i, b in enumerate(body) if plain(b).startswith("Filters")]
    if starts:
        for t, b in items(body[starts[0]:], 1):
            manfilt |= opts(" ".join(plain(x) for x in t))
    entry = mancmd.setdefault(name, [set(), False])
    entry[0] |= o
    entry[1] |= bool(re.search(r"\bfilters\b", text))
compare("mapsnap-analyze filters", filt, manfilt,
        "the Filters of mapsnap-analyze(1)")

# the SYNOPSIS: one block per command, from `.B mapsnap-analyze CMD`
synopsis, cur = {}, None
for line in ana.get("SYNOPSIS", []):
    p = plain(line)
    m = re.match(r"\.B mapsnap-analyze ([a-z][a-z-]*)\s*$", p)
    if m:
        cur = m.group(1)
        synopsis.setdefault(cur, "")
    elif re.match(r"\.(br|PP)\b", p):
        cur = None
    elif cur:
        synopsis[cur] += " " + p

# OPTIONS: the output options each command takes, one item per set
manout = {}
for tags, body in items(ana.get("OPTIONS", []), 1):
    body = body[:[b.startswith(".RE") for b in body + [".RE"]].index(True)]
    taken = opts(" ".join(plain(b) for b in body)) & outopts
    for c in re.split(r"[\s,]+", " ".join(plain(t) for t in tags)):
        if c:
            manout[c] = taken

def groff_words(roff):
    """The words groff renders a piece of the page into."""
    page = ".TH T 1\n.nh\n.SH D\n" + roff
    r = subprocess.run(["groff", "-man", "-Tascii", "-P-cbou", "-rLL=200n"],
                       input=page, capture_output=True, text=True)
    if r.returncode or r.stderr:
        problems.append("groff: %s" % r.stderr.strip())
    words = r.stdout.split()
    # the page's header and footer lines
    return [w for w in words if w not in ("T(1)", "General", "Commands",
                                          "Manual", "D")]

# Each command's --help is its item of the page, made by scripts/man-help:
# usage lines from the tags, then the body, word for word as groff has it.
for c in commands:
    text = open("cmd.%s.help" % c).read()
    usage = [l[len("usage: mapsnap-analyze "):] for l in text.split("\n")
             if l.startswith("usage: mapsnap-analyze ")]
    desc = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    if c not in mansrc:
        continue
    tags = [plain(t) for tg, b in mansrc[c] for t in tg]
    if [" ".join(u.split()) for u in usage] != [" ".join(t.split()) for t in tags]:
        problems.append("%s: --help's usage %r is not the page's %r" % (c, usage, tags))
    want = groff_words("".join(".PP\n" + "\n".join(b) + "\n"
                               for tg, b in mansrc[c]))
    got = desc.split()
    if got != want:
        i = next((k for k in range(min(len(got), len(want)))
                  if got[k] != want[k]), min(len(got), len(want)))
        problems.append("%s: --help differs from its item of the page at word"
                        " %d: %r, the page %r" % (c, i, " ".join(got[i:i + 8]),
                                                   " ".join(want[i:i + 8])))

for c in commands:
    text = open("cmd.%s.help" % c).read()
    text = text.replace("[OUTPUT OPTIONS]", "")
    # the options: of its usage lines, and of the lists of its item (the
    # text around them names other programs' options: smem -m, --maps-only)
    head = "\n".join(l for l in text.split("\n") if l.startswith("usage: "))
    m = re.search(r"^output options: (.*\n(?: {16}.*\n)*)", text, re.M)
    text = head + ("\n" + m.group(0) if m else "")
    for tg, b in mansrc.get(c, []):
        for t, _ in items(b, 1):
            text += " " + " ".join(plain(x) for x in t)
    # "output options: [--csv | --json] ...", maybe on more lines
    m = re.search(r"^output options: (.*\n(?: {16}.*\n)*)", text, re.M)
    if not m:
        problems.append("%s: --help does not say which output options it "
                        "takes" % c)
        out = ""
    else:
        out, text = m.group(1), text[:m.start()] + text[m.end():]
    taken = opts(out)
    if out.strip() != "none" and not taken:
        problems.append("%s: --help says 'output options: %s'" % (c, out.strip()))
    compare(c + " (output options)", short_forms(out), helpout.get(c, set()),
            "the line for it in mapsnap-analyze --help")
    compare(c + " (output options)", short_forms(out), manout.get(c, set()),
            "the OPTIONS of mapsnap-analyze(1)")
    if c not in manout:
        problems.append("%s: the OPTIONS of mapsnap-analyze(1) do not say "
                        "which output options it takes" % c)
    h = opts(text) | (filt if re.search(r"\bfilters\b", text) else set())
    refused = outopts - taken - h
    open("cmd.%s.opts" % c, "w").write("".join(o + "\n" for o in sorted(h | taken)))
    open("cmd.%s.refused" % c, "w").write("".join(o + "\n" for o in sorted(refused)))
    if c not in mancmd:
        problems.append("%s: in --help, but mapsnap-analyze(1) has no item "
                        "for it under COMMANDS" % c)
    else:
        m = mancmd[c][0] | (manfilt if mancmd[c][1] else set())
        compare(c, h, m, "its item in mapsnap-analyze(1)")
    if c not in synopsis:
        problems.append("%s: in --help, but not in the SYNOPSIS of "
                        "mapsnap-analyze(1)" % c)
    else:
        s = synopsis[c]
        m = opts(s) | (manfilt if re.search(r"\bfilters\b", s) else set())
        compare(c, h, m, "the SYNOPSIS of mapsnap-analyze(1)")
for c in sorted(set(mancmd) | set(synopsis)):
    if c not in commands:
        problems.append("%s: in mapsnap-analyze(1) but not a command of "
                        "--help" % c)

open("capture.opts", "w").write("\n".join(sorted(opts(open("capture.help").read()))) + "\n")
open("global.opts", "w").write("\n".join(sorted(glob)) + "\n")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF

# --- make install: where man looks, rendered without a warning --------
# The programs are built already (maybe with sanitizers): -o keeps make
# from building them again, with other flags.
make -C "$ROOT" --no-print-directory -s BUILD="$BUILD" \
	-o "$BUILD/mapsnap-capture" -o "$BUILD/mapsnap-analyze" \
	-o "$BUILD/mapsnap.so" install DESTDIR="$T/root" PREFIX=/usr \
	>install.log 2>&1 || { cat install.log >&2; fail "make install"; }
mandir=$T/root/usr/share/man
for f in bin/mapsnap-capture bin/mapsnap-analyze \
	 share/bash-completion/completions/mapsnap-capture \
	 share/bash-completion/completions/mapsnap-analyze; do
	[ -s "$T/root/usr/$f" ] || fail "make install did not install /usr/$f"
done
for page in man1/mapsnap-capture.1 man1/mapsnap-analyze.1 man5/mapsnap.5; do
	[ -s "$mandir/$page" ] || fail "make install did not install $page"
	man --warnings -l "$mandir/$page" >page.txt 2>warnings
	[ -s warnings ] && { cat warnings >&2; fail "man warns about $page"; }
	groff -man -ww -z "$mandir/$page" 2>warnings
	[ -s warnings ] && { cat warnings >&2; fail "groff warns about $page"; }
	[ "$(wc -l <page.txt)" -gt 50 ] || fail "man renders $page short"
	name=${page#*/} section=${page%%/*}
	got=$(MANPATH=$mandir man -w "${section#man}" "${name%.*}") ||
		fail "man -w finds no ${name%.*}(${section#man}) in $mandir"
	[ "$got" = "$mandir/$page" ] || fail "man -w ${name%.*}: '$got'"
done
make -C "$ROOT" --no-print-directory -s BUILD="$BUILD" uninstall \
	DESTDIR="$T/root" PREFIX=/usr >install.log 2>&1 ||
	{ cat install.log >&2; fail "make uninstall"; }
left=$(find "$T/root" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"

# --- bash completion ---------------------------------------------------
"$CAPTURE" -q -o db --proc "$ROOT/samples/edge/proc" --host edge ||
	fail "capture of samples/edge"
"$ANALYZE" --csv ps db | sed -n '2,$s/,.*//p' | sort >db.pids
[ -s db.pids ] || fail "no pid in db"
touch svg-here.svg

# complete WORD...: COMPREPLY, sorted, one a line, for the last WORD
complete_words() {
	local fn=_mapsnap_analyze
	case $1 in *capture) fn=_mapsnap_capture ;; esac
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	"$fn"
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort -u
}
# offers LIST WORD...: every line of file LIST is offered
offers() {
	local list=$1
	shift
	complete_words "$@" >offered
	comm -23 <(sort -u "$list") offered >missing
	[ -s missing ] && fail "completing '$*' does not offer: $(tr '\n' ' ' <missing)"
	return 0
}
# offers_exactly 'A B' WORD...
offers_exactly() {
	local want=$1
	shift
	[ "$(complete_words "$@" | tr '\n' ' ')" = "$want " ] ||
		fail "completing '$*' offers '$(complete_words "$@" | tr '\n' ' ')', not '$want'"
}

. "$ROOT/completion/mapsnap.bash" || fail "the completion script does not load"
complete -p mapsnap-capture mapsnap-analyze >/dev/null ||
	fail "the completion script completes neither program"

offers capture.opts "$CAPTURE" -
offers_exactly "$(sort commands | tr '\n' ' ' | sed 's/ $//')" "$ANALYZE" ""
offers global.opts "$ANALYZE" -
while read -r c; do
	# its own options and the output options it takes; none it refuses
	offers "cmd.$c.opts" "$ANALYZE" "$c" db -
	complete_words "$ANALYZE" "$c" db - | grep -xFf "cmd.$c.refused" >wrong
	[ -s wrong ] && fail "completing '$c db -' offers $(tr '\n' ' ' <wrong)which $c does not take"
	offers_exactly "--help" "$ANALYZE" "$c" db --hel
done <commands
offers_exactly "cgroup cmdline comm exe pid" "$ANALYZE" diff db --by ""
offers_exactly "cgroup comm container unit user" "$ANALYZE" ps db --by ""
offers_exactly "pmap ps" "$ANALYZE" --csv --sort pss p
offers_exactly "first latest" "$ANALYZE" ps db --snapshot ""
# --opt=value, as bash splits it at '=': "--opt" "=" "value"
offers_exactly "first latest" "$ANALYZE" ps db --snapshot =
offers_exactly "latest" "$ANALYZE" ps db --snapshot = la
offers_exactly "cgroup cmdline comm exe pid" "$ANALYZE" diff db --by = ""
offers_exactly "comm" "$ANALYZE" diff db --by = co
offers_exactly "svg-here.svg" "$ANALYZE" timeline db --pid=1 --svg = svg-
offers db.pids "$ANALYZE" ps --snapshot = first db --pid = ""
offers db.pids "$ANALYZE" pmap --snapshot = latest db ""
offers_exactly "db db.pids" "$CAPTURE" --output = d
[ -z "$(complete_words "$CAPTURE" --quiet = x)" ] ||
	fail "completing '--quiet=x' offers a value for a flag"
offers_exactly "svg-here.svg" "$ANALYZE" timeline db --pid 1 --svg svg-
offers_exactly "db db.pids" "$CAPTURE" -o d
offers_exactly "db db.pids" "$ANALYZE" -H list d
touch "my file.db"
offers_exactly "my file.db" "$ANALYZE" diff db my
offers db.pids "$ANALYZE" pmap db ""
offers db.pids "$ANALYZE" ps db --pid ""
echo "$$" >self.pid
offers self.pid "$CAPTURE" -p "$$"
offers self.pid "$CAPTURE" "$$"
