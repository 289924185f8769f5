# t-progress.sh - the progress line: on a terminal only (run under script(1)'s
# pseudo-terminal), never with stderr in a file or with -q, erased at the end.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples
command -v script >/dev/null || { echo "skip: no script(1) (util-linux)"; exit 0; }

# A tree of 6 processes whose first smaps is 150 MiB of text: a slow
# process, as one with huge mappings is. While the worker stores it, the
# reader fills every slot with the next ones and waits, so the count of
# processes read moves past the progress line's first delay. (A FIFO
# written late played the slow process once; a frozen tree's FIFO is now
# refused, as it could hang the capture.)
src=$S/real/proc/4190
python3 "$ROOT/tests/helpers/make-texts" big slow.smaps 150 || fail "make-texts"
slow_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	cp "$S/real/proc/meminfo" "$1/"
	for p in 1 2 3 4 5 6; do
		mkdir "$1/$p"
		cp "$src/smaps" "$src/maps" "$src/cmdline" "$src/status" "$1/$p/"
		sed "1s/^[0-9]* /$p /" "$src/stat" >"$1/$p/stat"
	done
	ln -f slow.smaps "$1/1/smaps"
}

# on_tty CMD: run the shell command CMD with a terminal for its stdout and
# stderr; what the terminal showed goes to tty.out, CRs as '#'.
on_tty() {
	script -qfec "$1" /dev/null >tty.raw </dev/null
	local rc=$?
	tr '\r' '#' <tty.raw >tty.out
	return $rc
}

# --- a capture of many processes: processes done of total -----------------
slow_tree ft
start=$(date +%s%N)
on_tty "'$CAPTURE' -o a.db --proc ft" || fail "capture on a terminal failed: $(cat tty.out)"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_grep '#mapsnap-capture: [0-9] of 6 processes' tty.out
# erased (spaces over it, back to the start) before the summary line
expect_grep '# +#mapsnap-capture: snapshot 1 \(.*\): 6 processes captured' tty.out
# at most ten draws a second, the first after a quarter of one
draws=$(grep -o '#mapsnap-capture: [^#]*processes#' tty.out | grep -vc captured)
[ "$draws" -le $((ms / 100 + 1)) ] ||
	fail "$draws progress draws in $ms ms: more than ten a second"

# stderr in a file: no progress, still the summary
slow_tree ft
on_tty "'$CAPTURE' -o a.db --proc ft 2>err.txt" || fail "capture failed"
grep -q "$(printf '\r')" err.txt && fail "a progress line went to a file"
grep -q 'of 6 processes' err.txt && fail "progress text went to a file"
expect_grep '^mapsnap-capture: snapshot 2 \(.*\): 6 processes captured' err.txt

# -q on a terminal: nothing at all
slow_tree ft
on_tty "'$CAPTURE' -q -o a.db --proc ft" || fail "capture -q failed"
[ ! -s tty.raw ] || { cat tty.out >&2; fail "capture -q printed on a terminal"; }

# --- an -i run: snapshot N of M ---------------------------------------------
mkdir -p tree/1
cp "$S/real/proc/meminfo" tree/
cp "$src/smaps" "$src/maps" "$src/cmdline" "$src/status" "$src/stat" tree/1/
sed -i "1s/^[0-9]* /1 /" tree/1/stat
start=$(date +%s%N)
on_tty "'$CAPTURE' -o b.db --proc tree -i 0.5 -n 3" || fail "capture -i failed"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_grep '#mapsnap-capture: snapshot 1 of 3 taken, next in 0\.[0-9] s' tty.out
expect_grep '#mapsnap-capture: snapshot 2 of 3 taken, next in 0\.[0-9] s' tty.out
[ "$(grep -o 'mapsnap-capture: snapshot [0-9] ([^)]*): 1 processes captured' tty.out |
	wc -l)" -eq 3 ] || fail "not three summary lines in the -i run"
draws=$(grep -o '#mapsnap-capture: snapshot [0-9] of 3 taken' tty.out | wc -l)
[ "$draws" -le $((ms / 100 + 1)) ] ||
	fail "$draws progress draws in $ms ms: more than ten a second"
# the run ends with the line erased: nothing after the last summary
tail -c 200 tty.out | grep -q 'taken, next' && fail "progress line left at the end"
on_tty "'$CAPTURE' -o b.db --proc tree -i 0.3 -n 2 2>err.txt" || fail "capture failed"
grep -q 'taken, next' err.txt && fail "-i progress went to a file"

# --- merge: -q on a terminal prints nothing, without it only the summary ---
on_tty "'$ANALYZE' merge -q m.db a.db b.db" || fail "merge -q failed"
[ ! -s tty.raw ] || fail "merge -q printed on a terminal"
on_tty "'$ANALYZE' merge m2.db a.db b.db" || fail "merge failed"
expect_grep '^#?mapsnap-analyze: merge: 8 snapshots added' tty.out

# --- export: a reader slower than the rows (a pipe that stays full for a
# second) makes the work long enough for the line to show, then erased ---
for i in 1 2 3 4; do "$CAPTURE" -q -o x.db --proc "$S/real/proc" || fail "capture"; done
on_tty "'$ANALYZE' export x.db --what mappings | (sleep 1; cat >/dev/null)" ||
	fail "export on a terminal failed: $(cat tty.out)"
expect_grep '#mapsnap-analyze: [0-9]+ processes exported#' tty.out
tail -c 100 tty.out | grep -q 'exported#$' && fail "export left its progress line"
on_tty "'$ANALYZE' export x.db --what mappings 2>err.txt | (sleep 1; cat >/dev/null)" ||
	fail "export failed"
[ ! -s err.txt ] || fail "export's progress went to a file: $(cat err.txt)"

# --- check: its work on a file of test size ends before the quarter second,
# so the delay is set to nothing (MAPSNAP_PROGRESS_DELAY, in seconds, as
# git's GIT_PROGRESS_DELAY) to see the line; unset, the same run shows none.
on_tty "MAPSNAP_PROGRESS_DELAY=0 '$ANALYZE' check x.db" ||
	fail "check on a terminal failed: $(cat tty.out)"
expect_grep '^#mapsnap-analyze: [0-9]+ blobs checked#' tty.out
# erased (spaces, back to the start) before the verdict
expect_grep 'blobs checked# +#x\.db: ok: 4 snapshots' tty.out
on_tty "'$ANALYZE' check x.db" || fail "check failed"
grep -q 'blobs checked' tty.out && fail "check drew its line before the delay"
on_tty "MAPSNAP_PROGRESS_DELAY=0 '$ANALYZE' check x.db 2>err.txt" || fail "check failed"
[ ! -s err.txt ] || fail "check's progress went to a file: $(cat err.txt)"
on_tty "MAPSNAP_PROGRESS_DELAY=0 '$ANALYZE' check -q x.db" || fail "check -q failed"
grep -q 'blobs checked' tty.out && fail "check -q drew a progress line"
# a value that is not a number of seconds keeps the default delay
for bad in x -1 1e9 ''; do
	on_tty "MAPSNAP_PROGRESS_DELAY='$bad' '$ANALYZE' check x.db" || fail "check failed"
	grep -q 'blobs checked' tty.out &&
		fail "MAPSNAP_PROGRESS_DELAY='$bad' was taken as a delay"
done
# the same knob for capture: a quick capture of one process shows its count
on_tty "MAPSNAP_PROGRESS_DELAY=0 '$CAPTURE' -o y.db --proc tree" || fail "capture failed"
expect_grep '^#mapsnap-capture: [01] of 1 processes#' tty.out
exit 0
