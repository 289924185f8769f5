# t-stream.sh - a memory text too long to hold whole (a process of 66,000
# mappings, 32 MB of smaps) is packed as it is read: stored byte for byte
# with the sums smem makes of it, a bad line named by its line in the
# whole text, the same text twice stored once, and the capture's memory
# well under the text's size.
. "$ROOT/tests/e2e/lib.sh"
S=$ROOT/samples/edge/proc
q() { sqlite3 "$@"; }

# big N FILE: N records of four shapes, numbers varying, as the kernel
# lays them out (smem and our parser read them the same way)
big() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			a = 268435456 + i * 8192	# under 2^31: mawk prints %x of an int
			printf "%x-%x %s %08x 08:01 %d %s\n", a, a + 4096 * (1 + i % 3),
				i % 4 ? "rw-p" : "r-xp", (i % 7) * 4096, i % 4 ? 0 : 1234,
				i % 4 ? (i % 4 == 1 ? "[heap]" : "") : "/usr/lib/libbig.so"
			rss = 1 + (i * 7) % 13; pss = rss - i % 2
			printf "Size:           %8d kB\n", 4 * (1 + i % 3)
			printf "KernelPageSize: %8d kB\nMMUPageSize:    %8d kB\n", 4, 4
			printf "Rss:            %8d kB\nPss:            %8d kB\n", rss, pss
			printf "Shared_Clean:   %8d kB\nShared_Dirty:   %8d kB\n", i % 2, 0
			printf "Private_Clean:  %8d kB\nPrivate_Dirty:  %8d kB\n", 0, rss - i % 2
			printf "Referenced:     %8d kB\nAnonymous:      %8d kB\n", rss, i % 4 ? rss : 0
			printf "Swap:           %8d kB\nSwapPss:        %8d kB\n", i % 5, i % 5
			printf "Locked:         %8d kB\nTHPeligible:    %8d\n", 0, 0
			printf "VmFlags: rd wr mr mw me ac \n"
		}
	}' > "$2"
}

mkdir -p tree/proc small/proc
cp "$S/meminfo" tree/proc/ && cp "$S/meminfo" small/proc/ || fail "cannot copy meminfo"
cp -r "$S/1200" tree/proc/1200 && cp -r "$S/1200" small/proc/1200 || fail "cannot copy 1200"
big 66000 tree/proc/1200/smaps
size=$(stat -c %s tree/proc/1200/smaps)
[ "$size" -gt 30000000 ] || fail "the text is only $size bytes"

# the peak RSS of a capture: under ASan, without the memory it keeps
# freed for a while (its quarantine), which is not the capture's own
peak() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1 \
		/usr/bin/time -f %M -o "$@"
}

# byte for byte, and the figures smem sums from the same file
expect_exit 0 peak rss.big "$CAPTURE" -o big.db --proc tree/proc
expect_grep "1 processes captured" err
"$ANALYZE" smaps big.db 1200 > back || fail "smaps of the big text"
expect_cmp tree/proc/1200/smaps back
expect_exit 0 "$ANALYZE" check big.db
expect_exit 0 "$ANALYZE" --csv --sort pid ps big.db
smem -S tree -c "pid swap uss pss rss" -H | awk '{ print $1, $2, $3, $4, $5 }' > want
python3 -c 'import csv, sys
for r in csv.DictReader(sys.stdin):
    print(r["pid"], r["swap"], r["uss"], r["pss"], r["rss"])' < out > got
expect_cmp want got
[ "$(q big.db "SELECT nmaps FROM processes")" = 66000 ] || fail "nmaps is not 66000"

# memory: a few MB more than for a small text, not the text's 32 MB
big 10 small/proc/1200/smaps
expect_exit 0 peak rss.small "$CAPTURE" -o small.db --proc small/proc
grow=$(( $(tail -n 1 rss.big) - $(tail -n 1 rss.small) ))
[ "$grow" -lt $((size / 1024 / 2)) ] ||
	fail "the capture of $size bytes of smaps took $grow kB more than of a small one"

# the same text in two processes: one blob
cp -r tree/proc/1200 tree/proc/1201
expect_exit 0 "$CAPTURE" -q -o two.db --proc tree/proc
[ "$(q two.db "SELECT count(DISTINCT text_blob) FROM processes")" = 1 ] ||
	fail "one text in two processes was stored twice"

# a line that does not parse, far into the text: named by its line in
# the whole text; the text is kept as it is, the figures left unknown
rm -r tree/proc/1201
awk 'NR == 800001 { print "Rss: 4"; next } { print }' tree/proc/1200/smaps > bad
mv bad tree/proc/1200/smaps
expect_exit 0 "$CAPTURE" -o bad.db --proc tree/proc
expect_grep "'tree/proc/1200/smaps': line 800001: 'Rss' has no kB unit" err
"$ANALYZE" smaps bad.db 1200 > back || fail "smaps of the bad text"
expect_cmp tree/proc/1200/smaps back
[ "$(q bad.db "SELECT rss_kb IS NULL FROM processes")" = 1 ] ||
	fail "a text that does not parse has figures"
