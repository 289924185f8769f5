# t-golden.sh - what every table command prints for every sample tree, in
# every output format, equals the reviewed files in tests/golden/ (made by
# tests/golden/make-views; the pmap goldens come from real pmap, t-pmap.sh).
. "$ROOT/tests/e2e/lib.sh"

BUILD=$BUILD "$ROOT/tests/golden/make-views" "$T/new" || fail "make-views failed"
n=0
for f in "$T"/new/*/*; do
	rel=${f#"$T"/new/}
	[ -e "$ROOT/tests/golden/$rel" ] || fail "no golden file tests/golden/$rel"
	expect_cmp "$ROOT/tests/golden/$rel" "$f"
	n=$((n + 1))
done
[ "$n" -ge 100 ] || fail "only $n golden files compared"
# and no golden file is left that make-views no longer makes
for f in "$ROOT"/tests/golden/*/*; do
	rel=${f#"$ROOT"/tests/golden/}
	case ${rel#*/} in pmap-*) continue ;; esac
	[ -e "$T/new/$rel" ] || fail "tests/golden/$rel is no longer made"
done
exit 0
