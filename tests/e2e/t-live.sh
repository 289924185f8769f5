# t-live.sh - capture a live process of known footprint (tests/helpers/memhog)
# and check that mapsnap's stored smaps and ps figures match the kernel's.
. "$ROOT/tests/e2e/lib.sh"

HOG=$BUILD/tests/memhog
[ -x "$HOG" ] || fail "'$HOG' is missing: run make check-e2e"

# Helpers die on exit, even on failure (lib.sh's trap only removed $T).
hogs=""
cleanup() {
	local p
	for p in $hogs; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# start_hog NAME ARGS...: run memhog in the background, wait (10 s at most)
# for its ready line, and set pid, page, anon, file, shm from it.
start_hog() {
	local name=$1 line="" kv
	shift
	"$HOG" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	hogs="$hogs $pid"
	for _ in $(seq 100); do
		line=$(grep '^ready ' "$T/$name.out")
		[ -n "$line" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	case $line in
	"ready pid=$pid "*) ;;
	*) sed 's/^/  memhog: /' "$T/$name.err" >&2
	   fail "memhog $* did not get ready: '$line'" ;;
	esac
	for kv in $line; do
		case $kv in
		page=*) page=${kv#*=} ;;
		anon=*) anon=${kv#*=} ;;
		file=*) file=${kv#*=} ;;
		shm=*) shm=${kv#*=} ;;
		esac
	done
}

stop_hog() {
	kill "$1" && wait "$1" 2>/dev/null
	hogs=$(for p in $hogs; do [ "$p" = "$1" ] || printf ' %s' "$p"; done)
}

# field FILE ADDR NAME: the value (kB) of field NAME in the smaps record of
# the mapping that starts at ADDR (0x...); empty if there is none.
field() {
	awk -v start="$(printf '%08x' "$2")" -v name="$3:" '
		/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); in_map = r[1] == start; next }
		in_map && $1 == name { print $2; exit }' "$1"
}

# expect_field FILE ADDR NAME KB
expect_field() {
	local got
	got=$(field "$1" "$2" "$3")
	[ "$got" = "$4" ] ||
		fail "$1: mapping at $2: $3 is '$got' kB, expected $4 kB"
}

# within NAME PS LIVE SLACK: |PS - LIVE| <= SLACK
within() {
	local d=$(($2 > $3 ? $2 - $3 : $3 - $2))
	[ "$d" -le "$4" ] ||
		fail "ps $1 $2 differs from live $3 by more than the $4 kB shared"
}

# sums FILE: smem's per-process figures summed over an smaps text, as
# "vss rss pss uss swap shared" (shared = Shared_Clean + Shared_Dirty).
sums() {
	awk '$1 == "Size:" { vss += $2 }
	     $1 == "Rss:" { rss += $2 }
	     $1 == "Pss:" { pss += $2 }
	     $1 == "Private_Clean:" || $1 == "Private_Dirty:" { uss += $2 }
	     $1 == "Shared_Clean:" || $1 == "Shared_Dirty:" { sh += $2 }
	     $1 == "Swap:" { swap += $2 }
	     END { printf "%d %d %d %d %d %d\n", vss, rss, pss, uss, swap, sh }' "$1"
}

# csv_row FILE PID: the RFC 4180 CSV row whose "pid" column is PID, as
# "vss rss pss uss swap" (columns found by name in the header row).
csv_row() {
	awk -v want="$2" '
	function split_csv(rec, f,   n, i, c, q, v) {
		n = 0; v = ""; q = 0
		for (i = 1; i <= length(rec); i++) {
			c = substr(rec, i, 1)
			if (q) {
				if (c == "\"" && substr(rec, i + 1, 1) == "\"") { v = v c; i++ }
				else if (c == "\"") q = 0
				else v = v c
			} else if (c == "\"") q = 1
			else if (c == ",") { f[++n] = v; v = "" }
			else if (c != "\r") v = v c
		}
		f[++n] = v
		return n
	}
	{ rec = (pending == "" ? $0 : pending "\n" $0) }
	gsub(/"/, "\"", rec) % 2 { pending = rec; next }
	{ pending = ""; n = split_csv(rec, f) }
	!hdr { for (i = 1; i <= n; i++) col[f[i]] = i; hdr = 1; next }
	f[col["pid"]] == want {
		rows++
		out = f[col["vss"]] " " f[col["rss"]] " " f[col["pss"]] " " \
		      f[col["uss"]] " " f[col["swap"]]
	}
	END {
		if (!("pid" in col) || !("vss" in col) || !("rss" in col) ||
		    !("pss" in col) || !("uss" in col) || !("swap" in col))
			print "missing-column"
		else if (rows != 1)
			print "rows=" rows
		else
			print out
	}' "$1"
}

# masked STORED LIVE: write both smaps texts to $T/stored.masked and
# $T/live.masked with what other processes can change masked: Referenced
# everywhere (page age), and the Pss*/Shared_*/Private_* figures of mappings
# with shared pages in either text (each shared page's Pss is divided by the
# number of processes mapping it at that instant, and a page is Private
# only while no one else maps it).
masked() {
	awk -v so="$T/stored.masked" -v lo="$T/live.masked" '
	FNR == 1 { pass++; out = pass == 3 ? so : lo }
	/^[0-9a-f]+-[0-9a-f]+ / { h = $0; if (pass > 2) print > out; next }
	pass <= 2 {
		if (($1 == "Shared_Clean:" || $1 == "Shared_Dirty:") && $2 > 0)
			shared[h] = 1
		next
	}
	$1 == "Referenced:" ||
	(h in shared && $1 ~ /^(Pss[A-Za-z_]*|Shared_[A-Za-z]+|Private_[A-Za-z]+):$/) {
		print $1, "~" > out
		next
	}
	{ print > out }' "$1" "$2" "$1" "$2"
}

# ---- first helper: 8 MB anonymous, 300 pages touched; 4 MB file; 1 MB shm
start_hog hog1 8192 300 4096 "$T/hog1.dat" 1024 50
kb_per_page=$((page / 1024))
expect_exit 0 "$CAPTURE" -q -o "$T/hog1.db" "$pid"
# Read right after the capture, while the helper sits in pause().
cat "/proc/$pid/smaps" >"$T/live1.smaps" || fail "cannot read /proc/$pid/smaps"
LC_ALL=C pmap -x "$pid" >"$T/pmap1.txt" || fail "pmap -x $pid failed"
kill -0 "$pid" 2>/dev/null || fail "memhog $pid died during the capture"

expect_exit 0 "$ANALYZE" smaps "$T/hog1.db" "$pid"
mv "$T/out" "$T/stored1.smaps"
[ -s "$T/stored1.smaps" ] || fail "stored smaps of $pid is empty"

touched=$((300 * kb_per_page))
expect_field "$T/stored1.smaps" "$anon" Size 8192
expect_field "$T/stored1.smaps" "$anon" Rss "$touched"
expect_field "$T/stored1.smaps" "$anon" Pss "$touched"
expect_field "$T/stored1.smaps" "$anon" Private_Dirty "$touched"
expect_field "$T/stored1.smaps" "$anon" Anonymous "$touched"
expect_field "$T/stored1.smaps" "$anon" AnonHugePages 0
expect_field "$T/stored1.smaps" "$file" Size 4096
expect_field "$T/stored1.smaps" "$file" Rss 4096
expect_field "$T/stored1.smaps" "$file" Anonymous 0
expect_field "$T/stored1.smaps" "$shm" Size 1024
expect_field "$T/stored1.smaps" "$shm" Rss $((50 * kb_per_page))
expect_field "$T/stored1.smaps" "$shm" Anonymous 0
grep -q "^$(printf '%08x' "$file")-[0-9a-f]* r--s .* $T/hog1.dat\$" \
	"$T/stored1.smaps" || fail "file mapping of $T/hog1.dat not at $file"

# The stored text is the live text, but for what other processes can change.
masked "$T/stored1.smaps" "$T/live1.smaps"
expect_cmp "$T/live.masked" "$T/stored.masked"

# ps equals the sums over the stored text, exactly.
expect_exit 0 "$ANALYZE" --csv ps "$T/hog1.db" --pid "$pid"
mv "$T/out" "$T/ps1.csv"
read -r ps_vss ps_rss ps_pss ps_uss ps_swap <<EOF
$(csv_row "$T/ps1.csv" "$pid")
EOF
read -r st_vss st_rss st_pss st_uss st_swap st_shared <<EOF
$(sums "$T/stored1.smaps")
EOF
[ "$ps_vss $ps_rss $ps_pss $ps_uss $ps_swap" = \
  "$st_vss $st_rss $st_pss $st_uss $st_swap" ] ||
	fail "ps vss rss pss uss swap '$ps_vss $ps_rss $ps_pss $ps_uss $ps_swap'" \
	     "!= sums of stored smaps '$st_vss $st_rss $st_pss $st_uss $st_swap'"

# ... and the live process: vss, rss and swap exactly; pss and uss only
# within the pages shared with other processes (see masked above).
read -r lv_vss lv_rss lv_pss lv_uss lv_swap lv_shared <<EOF
$(sums "$T/live1.smaps")
EOF
[ "$ps_vss $ps_rss $ps_swap" = "$lv_vss $lv_rss $lv_swap" ] ||
	fail "ps vss rss swap '$ps_vss $ps_rss $ps_swap'" \
	     "!= live /proc/$pid/smaps '$lv_vss $lv_rss $lv_swap'"
slack=$((st_shared > lv_shared ? st_shared : lv_shared))
within pss "$ps_pss" "$lv_pss" "$slack"
within uss "$ps_uss" "$lv_uss" "$slack"
# The helper's own mappings hold at least what it touched.
[ "$ps_uss" -ge $((touched + 4096 + 50 * kb_per_page)) ] ||
	fail "ps uss $ps_uss is less than what memhog touched"

# ... and pmap -x's total line: "total kB  Kbytes  RSS  Dirty".
read -r pm_vss pm_rss <<EOF
$(awk '$1 == "total" { print $3, $4 }' "$T/pmap1.txt")
EOF
[ "$ps_vss $ps_rss" = "$pm_vss $pm_rss" ] ||
	fail "ps vss rss '$ps_vss $ps_rss' != pmap -x total '$pm_vss $pm_rss'"
rss1=$(field "$T/stored1.smaps" "$anon" Rss)
stop_hog "$pid"

# ---- second helper: 100 more pages touched, 100 pages more Rss
start_hog hog2 8192 400 4096 "$T/hog2.dat" 1024 50
expect_exit 0 "$CAPTURE" -q -o "$T/hog2.db" "$pid"
expect_exit 0 "$ANALYZE" smaps "$T/hog2.db" "$pid"
mv "$T/out" "$T/stored2.smaps"
expect_field "$T/stored2.smaps" "$anon" Size 8192
rss2=$(field "$T/stored2.smaps" "$anon" Rss)
[ "$((rss2 - rss1))" -eq $((100 * kb_per_page)) ] ||
	fail "anon Rss grew from $rss1 to $rss2 kB, not by $((100 * kb_per_page)) kB"
stop_hog "$pid"
exit 0
