# t-names.sh - names in tables fit the width as ps fits them, keep what
# tells them apart (an interpreter's script, not its long path), are
# whole with -w, in a pipe, in CSV and JSON, and are cut between
# characters; timeline's legend labels are distinct, and --top keeps the
# largest. Real python3 processes under a long interpreter path, live.
. "$ROOT/tests/e2e/lib.sh"
pids=
trap 'kill $pids 2>/dev/null; rm -rf "$T"' EXIT

# a pyenv-like interpreter path: python3 reached through it keeps it as
# argv[0], as /root/.pyenv/versions/3.11.7/bin/python3 does
L=$T/root/.pyenv/versions/3.11.7/bin
mkdir -p "$L" srv || fail "mkdir"
ln -s "$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')" \
	"$L/python3" || fail "no python3"
cp "$ROOT/tests/helpers/pyleak" srv/pyleak.py
cp "$ROOT/tests/helpers/pyleak" srv/noisy.py
"$L/python3" "$T/srv/pyleak.py" leak 2000 < <(sleep 120) >a.out & P1=$!
"$L/python3" "$T/srv/noisy.py" cache < <(sleep 120) >b.out & P2=$!
# two processes whose command lines are the same
ln -s "$(command -v sleep)" "$L/sleep"
"$L/sleep" 121 & P3=$!
"$L/sleep" 121 & P4=$!
# a long name of two-byte characters
bash -c 'exec -a "$(printf "\xc3\xa9%.0s" {1..70})" sleep 122' & P5=$!
pids="$P1 $P2 $P3 $P4 $P5"
until grep -q ready a.out && grep -q ready b.out; do sleep 0.1; done
expect_exit 0 "$CAPTURE" -q -o db -i 0.5 -n 12 -p $P1 -p $P2 -p $P3 -p $P4 -p $P5
LEAK="$L/python3 $T/srv/pyleak.py leak 2000"
NOISY="$L/python3 $T/srv/noisy.py cache"

# at_most FILE N: no line of FILE is longer than N characters (UTF-8)
at_most() {
	python3 - "$1" "$2" <<'PY' || fail "$1 has a line over $2 characters: $(cat "$1")"
import sys
for line in open(sys.argv[1], encoding="utf-8", errors="strict"):
    assert len(line.rstrip("\n")) <= int(sys.argv[2]), line
PY
}

# ps at 80 columns: the script's name survives, the line fits
COLUMNS=80 expect_exit 0 "$ANALYZE" ps db --pid $P1 --pid $P2
at_most out 80
expect_grep "^ *$P1 root .*pyleak\.py leak 2000 " out
expect_grep "^ *$P2 root .*noisy\.py cache " out
grep -q "$LEAK" out && fail "ps at 80 columns printed the whole line"

# growth, diff, libs --per-process and timeline at 80: the script stays
COLUMNS=80 expect_exit 3 "$ANALYZE" growth db
expect_grep "^ *$P1 [^ ]*pyleak\.py" out
COLUMNS=80 expect_exit 0 "$ANALYZE" diff db --pid $P1 --pid $P2
expect_grep "^ *$P1 [^ ]*pyleak\.py" out
expect_grep "^ *$P2 [^ ]*noisy\.py" out
COLUMNS=80 expect_exit 0 "$ANALYZE" libs db --pid $P1 --per-process --limit 3
expect_grep "pyleak\.py" out
COLUMNS=80 expect_exit 0 "$ANALYZE" timeline db --pid $P1 --pid $P2 --limit 1
expect_grep "^ *$P1 [^ ]*pyleak\.py.* pss [▁▂▃▄▅▆▇█]+ min" out
expect_grep "^ *$P2 [^ ]*noisy\.py.* pss [▁▂▃▄▅▆▇█]+ min" out

# -w, a pipe (no COLUMNS), CSV and JSON: whole
COLUMNS=80 expect_exit 0 "$ANALYZE" -w ps db --pid $P1
expect_grep " $LEAK " out
expect_exit 0 "$ANALYZE" ps db --pid $P1
expect_grep " $LEAK " out
COLUMNS=80 expect_exit 3 "$ANALYZE" growth db --wide
expect_grep " $LEAK " out
COLUMNS=80 expect_exit 0 "$ANALYZE" --csv ps db --pid $P2
expect_grep ",$NOISY," out
COLUMNS=20 expect_exit 0 "$ANALYZE" --json diff db --pid $P2
expect_grep "\"command\": \"$NOISY\"" out

# a terminal of 80 columns, without COLUMNS: its width, as ps reads it
script -qec "stty cols 80; $ANALYZE ps db --pid $P1" /dev/null >tty.out ||
	fail "ps on a terminal"
tr -d '\r' <tty.out >tty.txt
at_most tty.txt 80
expect_grep "pyleak\.py leak 2000" tty.txt
grep -q "$LEAK" tty.txt && fail "ps on a terminal of 80 printed the whole line"

# two-byte characters: cut between them, to the column's width
COLUMNS=60 expect_exit 0 "$ANALYZE" ps db --pid $P5
at_most out 60
python3 - out <<'PY' || fail "the multibyte name: $(cat out)"
import sys
line = open(sys.argv[1], encoding="utf-8", errors="strict").read().split("\n")[1]
cmd = line.split()[2]
assert cmd.startswith("\u00e9" * 10) and cmd.endswith("...") and \
    set(cmd[:-3]) == {"\u00e9"}, cmd
PY

# the chart: distinct labels with the script's name, pids only where
# two lines are alike, the whole line in the tooltip
expect_exit 0 "$ANALYZE" timeline db --pid $P1 --pid $P2 --pid $P3 --pid $P4 \
	--svg chart.svg
python3 - chart.svg "$P1 $P2 $P3 $P4" "$LEAK" <<'PY' || fail "the legend"
import sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
p1, p2, p3, p4 = sys.argv[2].split()
g = [e for e in root.iter(NS + "g") if e.get("class") == "legend"][0]
labels = [t.text for t in g.iter(NS + "text")]
assert len(labels) == 4 and len(set(labels)) == 4, labels
assert all(len(l) <= 32 for l in labels), labels
by_pid = dict(zip(sorted([p1, p2, p3, p4], key=int), labels))
assert "pyleak.py leak 2000" in by_pid[p1], labels
assert "noisy.py cache" in by_pid[p2], labels
assert not by_pid[p1].startswith(p1), labels
for p in (p3, p4):
    assert by_pid[p].startswith(p + " ") and by_pid[p].endswith("sleep 121"), labels
tips = [t.text for p in root.iter(NS + "path") for t in p.iter(NS + "title")]
assert p1 + " " + sys.argv[3] in tips, tips
PY

# --top 1: the largest by its peak of the field, and the title says so
expect_exit 0 "$ANALYZE" timeline db --pid $P1 --pid $P2 --top 1 --svg top.svg
python3 - top.svg <<'PY' || fail "--top 1"
import sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
paths = [p for p in root.iter(NS + "path") if p.get("class") == "series"]
assert len(paths) == 1, len(paths)
assert "pyleak.py" in paths[0].find(NS + "title").text
texts = [t.text or "" for t in root.iter(NS + "text")]
assert any(t.endswith(": the 1 largest of 2 (1 left out)") for t in texts), texts
PY
rows=$(sqlite3 db "SELECT count(*) FROM processes WHERE pid = $P1")
[ "$(grep -c "^[0-9][0-9-]* [0-9:]* .* $P1 " out)" -eq "$rows" ] || fail "--top 1: not $P1's $rows rows"
grep -q " $P2 " out && fail "--top 1 printed the smaller process"
expect_exit 0 "$ANALYZE" timeline db --pid $P1 --pid $P2 --top 1 --field rss
expect_grep "^ *$P1 .* rss " out
expect_exit 2 "$ANALYZE" timeline db --pid $P1 --top 0
expect_grep "bad --top '0'" err

# -w is an output option of the commands that show names only
expect_exit 2 "$ANALYZE" -w list db
expect_grep "list does not take -w" err
exit 0
