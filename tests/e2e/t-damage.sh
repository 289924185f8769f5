# t-damage.sh - every analyzer command on a corpus of damaged files (cut,
# byte-flipped, lying sizes, zip bombs, wrong types, hostile schemas, keys
# twice in tables that declare none, not a database at all): exit 0 or 1
# with a message, never a crash or a hang; `check` fails on every damage
# that matters and passes the clean files.
. "$ROOT/tests/e2e/lib.sh"

PID=4188	# a process of samples/real, whose text blob the damages hit
cap() { expect_exit 0 "$CAPTURE" -q "$@"; }
cap -o a.db --proc "$ROOT/samples/real/proc" --host alpha -l r1
cap -o a.db --proc "$ROOT/samples/edge/proc" --host alpha -l e1
cap -o a.db --proc "$ROOT/samples/real/proc" --host alpha -l r2
cap -o b.db --proc "$ROOT/samples/edge/proc" --host beta -l e2
expect_exit 0 "$ANALYZE" merge -q m.db a.db b.db

# A library that leaves a mark when anything loads it: the hostile schemas
# call load_extension() on it.
cat >evil.c <<EOF
#include <stdio.h>
__attribute__((constructor)) static void mark(void)
{
	FILE *f = fopen("$T/LOADED", "w");

	if (f)
		fclose(f);
}
EOF
cc -shared -fPIC -o evil.so evil.c || fail "cannot build evil.so"

python3 "$ROOT/tests/helpers/make-damaged" corpus evil.so $PID a.db m.db \
	>corpus.list || fail "make-damaged"
mkdir corpus/directory.db
mkfifo corpus/fifo.db
printf 'directory.db sql\nfifo.db sql\n' >>corpus.list

# The mark works: a reader that allows extensions (sqlite3's shell) and
# calls load_extension() loads the library. (SQLite itself refuses the
# call from a view or a trigger, trusted schema or not: the analyzer
# must refuse those files anyway, and never load it, even when asked.)
sqlite3 :memory: "SELECT load_extension('$T/evil.so')" >/dev/null 2>&1
[ -e LOADED ] || fail "sqlite3 did not load evil.so: the test proves nothing"
rm -f LOADED
"$ANALYZE" sql a.db "SELECT load_extension('$T/evil.so')" >/dev/null 2>&1
[ ! -e LOADED ] || fail "sql loaded an extension"
rm -f LOADED

# Which cuts and flips change what check verifies (read back by Python)
awk '$2 == "raw" && /^a-/ { print "corpus/" $1 }' corpus.list |
	xargs python3 "$ROOT/tests/helpers/damage-oracle" a.db >differs-a
awk '$2 == "raw" && /^m-/ { print "corpus/" $1 }' corpus.list |
	xargs python3 "$ROOT/tests/helpers/damage-oracle" m.db >differs-m
[ "$(grep -c . differs-a)" -gt 50 ] || fail "few cuts and flips differ: $(cat differs-a)"

# Arguments for each command of --help, so that a new command is covered
# (and must be given sensible ones here: the clean files must pass).
set_args() {	# COMMAND FILE DIR: the arguments into a[]
	case $1 in
	list|check) a=("$2") ;;
	ps|libs|users|cgroups) a=("$2" --snapshot @r2) ;;
	showmap|maps|smaps) a=("$2" --snapshot @r2 $PID) ;;
	pmap) a=("$2" --snapshot @r2 $PID -X) ;;
	diff) a=("$2" --from @r1 --to @r2 --mappings) ;;
	timeline) a=("$2" --match .) ;;
	growth) a=("$2" --mappings) ;;
	report) a=("$2" --html "$3/out.html") ;;
	merge) a=(-q "$3/out.db" "$2") ;;
	sql) a=("$2" "SELECT pid, rss_kb FROM processes") ;;
	export) a=("$2" --what mappings --snapshot @r2) ;;
	redact) a=(-q "$2" "$3/out.db") ;;
	*) fail "t-damage.sh does not know how to run '$1': add it to set_args()" ;;
	esac
}
commands=$("$ANALYZE" --help | sed -n '/^commands:/,/^$/p' |
	awk 'NR > 1 && NF && !seen[$1]++ { print $1 }')
[ "$(echo "$commands" | wc -l)" -ge 14 ] || fail "too few commands in --help: $commands"
for cmd in $commands; do set_args "$cmd" x y; done

# run_one FILE: every command on FILE; one line per fault to stdout, and
# "FILE check EXIT" into checks.
run_one() {
	local f=$1 cmd rc d a
	d=$(mktemp -d "$T/run.XXXXXX")
	for cmd in $commands; do
		set_args "$cmd" "$f" "$d"
		timeout 20 "$ANALYZE" "$cmd" "${a[@]}" >/dev/null 2>"$d/err" </dev/null
		rc=$?
		[ "$cmd" = check ] && echo "$f check $rc" >>"$T/checks"
		rm -f "$d/out.db" "$d/out.html"
		[ $rc -eq 0 ] && [ ! -s "$d/err" ] && continue
		if [ $rc -eq 124 ]; then
			echo "$f: $cmd hangs (killed after 20 s)"
		elif [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
			echo "$f: $cmd exits $rc: $(head -3 "$d/err")"
		elif grep -Eq 'Sanitizer|runtime error' "$d/err"; then
			echo "$f: $cmd: $(grep -E -m1 'Sanitizer|runtime error' "$d/err")"
		elif [ $rc -eq 1 ] && ! grep -q '^mapsnap-analyze' "$d/err"; then
			echo "$f: $cmd exits 1 with no message: $(head -3 "$d/err")"
		fi
	done
	rm -rf "$d"
}
export -f run_one set_args fail
export commands PID T ANALYZE

: >checks
# the clean files: every command succeeds, check says ok
for f in a.db m.db; do
	for cmd in $commands; do
		set_args "$cmd" "$f" "$T"
		expect_exit 0 "$ANALYZE" "$cmd" "${a[@]}"
		rm -f out.db out.html
	done
done
expect_exit 0 "$ANALYZE" check -q m.db
[ ! -s out ] || fail "check -q printed: $(cat out)"

# A copy of a file in WAL mode (the header says so, no -wal beside it):
# every command reads it and leaves no -wal or -shm next to it, whatever
# its name; one with its -wal is read through it (a capture under way).
mkdir -p 'odd ?#%dir'
cp a.db 'odd ?#%dir/w?#%.db'
expect_exit 0 sqlite3 'odd ?#%dir/w?#%.db' 'PRAGMA journal_mode = WAL'
[ "$(od -An -tu1 -j18 -N2 'odd ?#%dir/w?#%.db' | tr -s ' ')" = " 2 2" ] ||
	fail "sqlite3 did not leave the copy in WAL mode: the test proves nothing"
expect_exit 0 "$ANALYZE" ps a.db --snapshot @r2
mv out want
for f in 'odd ?#%dir/w?#%.db' "$T/odd ?#%dir/w?#%.db"; do
	for cmd in $commands; do
		set_args "$cmd" "$f" "$T"
		expect_exit 0 "$ANALYZE" "$cmd" "${a[@]}"
		rm -f out.db out.html
	done
	expect_exit 0 "$ANALYZE" ps "$f" --snapshot @r2
	expect_cmp want out
done
ls 'odd ?#%dir' >files
echo 'w?#%.db' >want
expect_cmp want files
cp a.db live.db
python3 - live.db <<'PY' || fail "cannot leave a -wal behind"
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode = WAL")
db.execute("UPDATE snapshots SET label = 'only-in-the-wal' WHERE label = 'r2'")
db.commit()
os._exit(0)	# no close: the row stays in the -wal
PY
[ -s live.db-wal ] || fail "no -wal was left: the test proves nothing"
expect_exit 0 "$ANALYZE" list live.db
expect_grep 'only-in-the-wal' out
# merge reads a file whole into memory, but not one whose pages are in a -wal
expect_exit 0 "$ANALYZE" merge -q live-merged.db live.db
expect_exit 0 "$ANALYZE" list live-merged.db
expect_grep 'only-in-the-wal' out

awk '{ print "corpus/" $1 }' corpus.list |
	xargs -P 2 -n 8 bash -c 'for f; do run_one "$f"; done' _ >faults
if [ -s faults ]; then
	head -40 faults >&2
	fail "$(wc -l <faults) faults on damaged files"
fi
[ ! -e LOADED ] || fail "a command loaded evil.so"
[ "$(wc -l <checks)" -eq "$(wc -l <corpus.list)" ] || fail "some files were not run"
[ "$(grep -c . corpus.list)" -gt 150 ] || fail "the corpus is too small"

# check fails on every damage that matters: all made through SQL, the
# cuts and flips the oracle finds different (it may fail on more: SQLite's
# own check also looks at free pages and indexes)
{
	awk '$2 == "sql" { print "corpus/" $1 }' corpus.list
	cat differs-a differs-m
} | sort -u >must-fail
awk '$3 == 0 { print $1 }' checks | sort >passed
comm -12 must-fail passed >missed
[ ! -s missed ] || fail "check passes damaged files: $(cat missed)"
# and passes those that lack only the constraints, not the rows they keep
awk '$2 == "whole" { print "corpus/" $1 }' corpus.list | sort >must-pass
[ -s must-pass ] || fail "the corpus has no whole file"
awk '$3 != 0 { print $1 }' checks | sort >failed
comm -12 must-pass failed >wrong
[ ! -s wrong ] || fail "check fails whole files: $(cat wrong)"
