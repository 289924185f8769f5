# t-outopts.sh - the output options each command takes: one it does not
# take is a usage error (exit 2, the command and the option named, a hint
# to the command's --help, nothing on stdout), before or after its name;
# one it takes changes what it prints.
. "$ROOT/tests/e2e/lib.sh"

# What each command takes, as the man page's OPTIONS list it (t-docs
# checks --help against the page).
ALL="--csv --json -H -p -t --sort -r --limit"
takes() {
	case $1 in
	ps|libs|users|showmap|diff) echo "$ALL" ;;
	list|growth) echo "--csv --json -H -t --sort -r --limit" ;;
	cgroups) echo "--csv --json -H -p --sort -r --limit" ;;
	timeline) echo "--csv --json -H --sort -r --limit" ;;
	sql) echo "--csv --json -t --sort -r --limit" ;;
	export) echo "--csv --json" ;;
	pmap|maps|smaps|report|merge|check|redact) echo "" ;;
	*) fail "t-outopts.sh does not know what '$1' takes: add it" ;;
	esac
}
commands=$("$ANALYZE" --help | sed -n '/^commands:/,/^$/p' |
	awk 'NR > 1 && NF && !seen[$1]++ { print $1 }')
[ "$(echo "$commands" | wc -l)" -ge 17 ] || fail "too few commands: $commands"

# Two files: four snapshots of the samples (three hosts), and six of a
# box where one process leaks and others come, go and wobble.
S=$ROOT/samples
expect_exit 0 "$CAPTURE" -q -o db --proc "$S/real/proc" --host alpha -l a1
expect_exit 0 "$CAPTURE" -q -o db --proc "$S/edge/proc" --host beta -l b1
expect_exit 0 "$CAPTURE" -q -o db --proc "$S/real/proc" --host alpha -l a2
expect_exit 0 "$CAPTURE" -q -o db --proc "$S/old/proc" --host old
python3 "$ROOT/tests/helpers/make-growth" tree 6 >/dev/null || fail "make-growth"
for k in 0 1 2 3 4 5; do
	expect_exit 0 "$CAPTURE" -q --proc "tree/step$k/proc" --host box -o g.db
done
half_hourly g.db
# and 24 of a box where nine processes leak (growth's rows)
python3 "$ROOT/tests/helpers/make-leaks" leaks 1 24 1 0.5 || fail "make-leaks"
for k in $(seq 0 23); do
	expect_exit 0 "$CAPTURE" -q --proc "leaks/step$k/proc" --host leaky -o l.db
done
half_hourly l.db

# the exit status of a run that prints rows: growth says it found some
ok_status() { [ "$1" = growth ] && echo 3 || echo 0; }
expect_exit 0 "$CAPTURE" -q -o cg.db --proc "$S/k8s/proc" --sys "$S/k8s/sys"

# args CMD: a run of CMD that prints rows, and a column to --sort by
# whose order is not the default one
args() {
	case $1 in
	list) a=(db) col=host ;;
	cgroups) a=(cg.db) col=cgroup ;;
	ps) a=(db --host beta) col=pid ;;
	libs) a=(db --host beta) col=map ;;
	users) a=(db --host old) col=vss ;;
	showmap) a=(db 1200 --host beta) col=map ;;
	diff) a=(g.db) col=rss_to ;;
	timeline) a=(g.db --match .) col=pss ;;
	growth) a=(l.db) col=pid ;;
	sql) a=(db "SELECT pid, rss_kb FROM processes WHERE snapshot_id = 2
		ORDER BY pid") col=rss_kb ;;
	export) a=(db --what processes) col= ;;
	pmap) a=(db 1200 --host beta) ;;
	maps|smaps) a=(db --host beta 1200) ;;
	report) a=(db --html page.html) ;;
	merge) a=(m.db db) ;;
	check) a=(db) ;;
	redact) a=(db r.db) ;;
	esac
}

# refused CMD OPT [WHERE]: OPT, before CMD's name or after its
# arguments, is a usage error that names both
refused() {
	local c=$1 o=$2 v=()
	case $o in --sort) v=(pss) ;; --limit) v=(2) ;; esac
	args "$c"
	if [ "${3-}" = after ]; then
		expect_exit 2 "$ANALYZE" "$c" "${a[@]}" "$o" "${v[@]}"
	else
		expect_exit 2 "$ANALYZE" "$o" "${v[@]}" "$c" "${a[@]}"
	fi
	printf "mapsnap-analyze: %s does not take %s\ntry 'mapsnap-analyze %s --help'\n" \
		"$c" "$o" "$c" >want
	expect_cmp want err
	[ ! -s out ] || fail "$o $c printed: $(head -3 out)"
	[ ! -e m.db ] && [ ! -e r.db ] && [ ! -e page.html ] ||
		fail "a refused $o $c wrote its file"
}

# honoured CMD OPT: OPT changes what CMD prints
honoured() {
	local c=$1 o=$2 v=()
	args "$c"
	case $o in --sort) v=("$col") ;; --limit) v=(1) ;; esac
	expect_exit "$(ok_status "$c")" "$ANALYZE" "$c" "${a[@]}"
	mv out plain
	expect_exit "$(ok_status "$c")" "$ANALYZE" "$o" "${v[@]}" "$c" "${a[@]}"
	if [ "$c $o" = "export --csv" ]; then	# its default, said again
		expect_cmp plain out
		return
	fi
	cmp -s plain out && fail "'$o ${v[*]} $c' prints what '$c' prints"
	return 0
}

for c in $commands; do
	t=" $(takes "$c") "
	for o in $ALL; do
		case $t in
		*" $o "*) honoured "$c" "$o" ;;
		*) refused "$c" "$o" before
		   # pmap takes every argument after its name as its own
		   [ "$c" = pmap ] || refused "$c" "$o" after ;;
		esac
	done
done

# the long names too, named as they were typed
for o in --human --percent --totals --reverse; do
	refused check "$o"
	refused export "$o" after
done
refused sql --human
refused sql --percent after
refused timeline --totals
refused list --percent after

# export --proc-tree writes files, not rows: no format either
expect_exit 2 "$ANALYZE" --csv export db --proc-tree tree-out
expect_grep "proc-tree writes files: no --csv or --json" err
[ ! -e tree-out ] || fail "a refused --proc-tree wrote its tree"
exit 0
