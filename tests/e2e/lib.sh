# lib.sh - sourced by every end-to-end test: a scratch directory and the
# few assertions the tests share. Each check prints what differs and exits 1.
set -u
: "${ROOT:?run through tests/e2e/run}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mapsnap-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# half_hourly DB: DB's snapshots 30 minutes apart in id order, from
# 2023-11-14 22:13:20 UTC, as an -i 1800 run would have taken them.
half_hourly() {
	sqlite3 "$1" "UPDATE snapshots SET time_us = 1700000000000000 +
		(id - 1) * 1800000000" || fail "cannot set the snapshot times of $1"
}

# expect_cmp EXPECTED ACTUAL: files equal byte for byte, else show a diff.
expect_cmp() {
	cmp -s "$1" "$2" && return 0
	diff -u "$1" "$2" | head -40 >&2
	fail "$2 differs from $1"
}

# expect_same_db EXPECTED ACTUAL: a database left as it was: the same
# bytes but SQLite's change counter (header bytes 25-28 and 93-96, from
# 1), which a writer's switch to WAL mode and back moves, and no side
# file beside it.
expect_same_db() {
	local moved suffix
	[ "$(stat -c %s "$1")" = "$(stat -c %s "$2")" ] ||
		fail "$2 is $(stat -c %s "$2") bytes, $1 $(stat -c %s "$1")"
	moved=$(cmp -l "$1" "$2" | awk '($1 < 25 || $1 > 28) && ($1 < 93 || $1 > 96)')
	[ -z "$moved" ] || fail "$2 differs from $1 at bytes $(echo $moved | head -c 200)"
	for suffix in -journal -wal -shm; do
		[ ! -e "$2$suffix" ] || fail "$2$suffix left behind"
	done
}

# expect_exit CODE CMD...: run CMD (stdout to $T/out, stderr to $T/err)
# and require exit status CODE.
expect_exit() {
	local want=$1 got
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" -eq "$want" ] && return 0
	sed 's/^/stderr: /' "$T/err" >&2
	fail "'$*' exited $got, expected $want"
}

# expect_grep PATTERN FILE: an extended regex must match a line of FILE.
expect_grep() {
	grep -Eq -- "$1" "$2" && return 0
	sed 's/^/  | /' "$2" >&2
	fail "no line of $2 matches '$1'"
}
