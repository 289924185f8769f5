#!/usr/bin/env bash
# t-report.sh - report --html: the page of a box whose "leaky" heap grows
# (tests/helpers/make-growth) has its sections, the leak suspect with its
# chart, the largest mappings; it fetches nothing and escapes what it
# shows; and headless Chromium renders it: the DOM it built has the
# sections and charts, and the screenshot has the charts' colours.
. "$ROOT/tests/e2e/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed to read the page"
command -v chromium >/dev/null ||
	fail "chromium is needed to render the page: scripts/install-deps installs it"

steps=6
python3 "$ROOT/tests/helpers/make-growth" "$T/g" $steps || fail "make-growth failed"
# a name that would be markup if it were not escaped
printf '<script>alert(1)</script>&\n' >"$T/g/step5/proc/300/comm"
printf '<b>steady</b>\0--x&y\0' >"$T/g/step5/proc/300/cmdline"
for k in $(seq 0 $((steps - 1))); do
	expect_exit 0 "$CAPTURE" -q --proc "$T/g/step$k/proc" --host box -o g.db
done
half_hourly g.db

expect_exit 0 "$ANALYZE" report g.db --html r.html
[ -s r.html ] || fail "no page written"
[ ! -s "$T/out" ] || fail "report printed to stdout: $(head -3 "$T/out")"
ls r.html.tmp* >/dev/null 2>&1 && fail "a temporary file was left behind"

# page.py FILE: what the page holds, read by an HTML parser
cat >"$T/page.py" <<'PY'
import html.parser, sys

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.sections, self.svgs, self.paths = [], {}, {}, {}
        self.text = {}
        self.bad = []

    def section(self):
        for tag, attrs in reversed(self.stack):
            if tag == "section":
                return attrs.get("id")
        return None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.bad.append(tag)
        for k, v in attrs.items():
            if k in ("src", "href") and v and not v.startswith("#"):
                self.bad.append("%s=%s" % (k, v))
            if k.startswith("on"):
                self.bad.append(k)
        if tag == "section":
            self.sections[attrs.get("id")] = 0
        s = self.section()
        if tag == "svg":
            self.svgs[s] = self.svgs.get(s, 0) + 1
        if tag == "path" and attrs.get("stroke"):
            self.paths[s] = self.paths.get(s, 0) + 1
        if tag not in ("meta", "br", "hr", "input", "col", "area", "base"):
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        s = self.section()
        self.text[s] = self.text.get(s, "") + data

p = Page()
p.feed(open(sys.argv[1], encoding="utf-8").read())
want = ["hosts", "top-processes", "growth", "largest-mappings"]
missing = [s for s in want if s not in p.sections]
if missing:
    sys.exit("sections missing: %s" % missing)
if p.bad:
    sys.exit("the page would fetch or run something: %s" % p.bad)
if p.svgs.get("hosts", 0) != 1:
    sys.exit("hosts: %d charts, expected 1" % p.svgs.get("hosts", 0))
if p.svgs.get("growth", 0) < 1 or p.paths.get("growth", 0) < 1:
    sys.exit("growth: no chart with a line")
g = p.text.get("growth", "")
for s in ("/usr/bin/leaky --run", "[heap]"):
    if s not in g:
        sys.exit("growth section lacks %r" % s)
if "wobbly" in g:
    sys.exit("wobbly goes up and down: not a suspect")
t = p.text.get("top-processes", "")
for s in ("/usr/bin/leaky --run", "<b>steady</b> --x&y"):
    if s not in t:
        sys.exit("top processes lack %r" % s)
m = p.text.get("largest-mappings", "")
for s in ("/usr/lib/x86_64-linux-gnu/libc.so.6", "[heap]", "<anonymous>"):
    if s not in m:
        sys.exit("largest mappings lack %r" % s)
print(sum(p.svgs.values()))
PY
python3 "$T/page.py" r.html >"$T/nsvg" || fail "the page is not what it should be"
grep -q '<script' r.html && fail "a name was not escaped"

# the browser: no network, a throwaway profile
chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$T/chrome" --no-first-run --disable-extensions \
		--disable-background-networking --disable-component-update \
		--disable-sync --disable-default-apps --disable-breakpad \
		"$@" "file://$T/r.html" 2>"$T/chrome.err"
}
chrome --dump-dom >dom.html || { cat "$T/chrome.err" >&2; fail "chromium could not load the page"; }
python3 "$T/page.py" dom.html >"$T/nsvg.dom" || fail "the page as Chromium built it is not what it should be"
[ "$(cat "$T/nsvg")" = "$(cat "$T/nsvg.dom")" ] ||
	fail "Chromium built $(cat "$T/nsvg.dom") charts, the page has $(cat "$T/nsvg")"
chrome --screenshot="$T/r.png" --window-size=1200,2400 >/dev/null ||
	{ cat "$T/chrome.err" >&2; fail "chromium could not take a screenshot"; }

# png.py FILE: decode the screenshot (8-bit RGB or RGBA, as Chromium
# writes it) and count the pixels of the first two series' colours
cat >"$T/png.py" <<'PY'
import struct, sys, zlib

data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG")
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
if depth != 8 or ctype not in (2, 6):
    sys.exit("unexpected PNG type %d/%d" % (depth, ctype))
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours = {}
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1:
            line[i] = (line[i] + a) & 255
        elif f == 2:
            line[i] = (line[i] + b) & 255
        elif f == 3:
            line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
            line[i] = (line[i] + pr) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colours[px] = colours.get(px, 0) + 1
    prev = line
blue, orange = bytes((0x4e, 0x79, 0xa7)), bytes((0xf2, 0x8e, 0x2b))
print(len(colours), colours.get(blue, 0), colours.get(orange, 0))
PY
read -r ncol nblue norange < <(python3 "$T/png.py" "$T/r.png") || fail "cannot read the screenshot"
[ "${ncol:-0}" -gt 20 ] || fail "the screenshot has $ncol colours: a blank page?"
# the charts' lines and legend swatches: the first series' colour
[ "${nblue:-0}" -gt 200 ] || fail "the screenshot has $nblue pixels of the charts' blue"

# bad input: exit 1 naming the file, nothing left behind; usage errors
expect_exit 1 "$ANALYZE" report g.db --html "$T/no/such/dir/r.html"
expect_grep "no/such/dir/r.html" "$T/err"
printf 'not a database\n' >text.db
expect_exit 1 "$ANALYZE" report text.db --html x.html
expect_grep "text.db" "$T/err"
[ ! -e x.html ] || fail "a page was written for a bad file"
expect_exit 2 "$ANALYZE" report g.db
expect_exit 2 "$ANALYZE" report --html x.html
expect_exit 2 "$ANALYZE" report g.db --html x.html --top 0
expect_exit 0 "$ANALYZE" report --help
expect_grep '^usage: .*report FILE --html OUT' "$T/out"
exit 0
