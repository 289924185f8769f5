# t-service.sh - the systemd units of packaging/systemd: systemd-analyze
# verify finds nothing to say of them, their command lines run, and the
# one capability they keep, CAP_SYS_PTRACE, is what an unprivileged user
# needs to read every process root reads (measured, beside the others).
. "$ROOT/tests/e2e/lib.sh"
U=$ROOT/packaging/systemd
command -v systemd-analyze >/dev/null ||
	fail "no systemd-analyze: scripts/install-deps test installs systemd"

# the units as installed, but for the program's path; the man pages
# where man finds them (Documentation= is checked)
mkdir units man man/man1 man/man5
cp "$ROOT"/man/*.1 man/man1/
cp "$ROOT"/man/*.5 man/man5/
for f in "$U"/*; do
	sed "s#/usr/bin/mapsnap-capture#$CAPTURE#" "$f" >units/"$(basename "$f")"
done
ls units >names
[ "$(tr '\n' ' ' <names)" = "mapsnap-capture-once.service mapsnap-capture-once.timer mapsnap-capture.service " ] ||
	fail "packaging/systemd holds: $(cat names)"
(cd units && MANPATH=$T/man systemd-analyze verify ./*) >out 2>err ||
	fail "systemd-analyze verify failed: $(cat err)"
[ -s err ] && fail "systemd-analyze verify warns: $(cat err)"
# (and it would: a misspelt key)
sed 's/^ProtectSystem=/ProtectSytem=/' units/mapsnap-capture.service >bad.service
(MANPATH=$T/man systemd-analyze verify ./bad.service) >out 2>err
expect_grep "Unknown key 'ProtectSytem'" err

# the two services share their hardening, word for word
hardening() { sed -n '/^# (From here on/,$p' "$1" | sed '/^\[Install\]/,$d'; }
hardening "$U/mapsnap-capture.service" >a
hardening "$U/mapsnap-capture-once.service" >b
[ "$(wc -l <a)" -gt 20 ] || fail "no hardening block in mapsnap-capture.service"
expect_cmp a b
for key in ProtectSystem=strict ReadWritePaths=/var/lib/mapsnap NoNewPrivileges=yes \
	CapabilityBoundingSet=CAP_SYS_PTRACE AmbientCapabilities=CAP_SYS_PTRACE Nice=19; do
	grep -qx "$key" a || fail "the units lack $key"
done

# their command lines parse and run (into a file here, briefly)
for f in mapsnap-capture mapsnap-capture-once; do
	cmd=$(sed -n 's/^ExecStart=//p' units/$f.service)
	cmd=${cmd//\/var\/lib\/mapsnap\/mapsnap.db/$T/$f.db}
	cmd=${cmd/-i 60/-i 0.05 -n 2}
	# shellcheck disable=SC2086
	expect_exit 0 $cmd --proc "$ROOT/samples/edge/proc"
	[ "$(sqlite3 $f.db 'SELECT count(*) FROM snapshots')" = "$([ $f = mapsnap-capture ] && echo 2 || echo 1)" ] ||
		fail "$f's command stored $(sqlite3 $f.db 'SELECT count(*) FROM snapshots') snapshots"
done

# the fewest capabilities: as nobody, with no_new_privs as the unit has
# it, and each set of capabilities, count the processes refused
if [ "$(id -u)" -ne 0 ]; then
	echo "skip: the capability measurement runs captures as nobody (needs root)"
	exit 0
fi
# nobody's captures go into a directory of nobody's (the capture refuses
# one anyone may write to), root's beside it
mkdir caps && chown nobody:nogroup caps
chmod 755 "$T"
refused() { # refused DB: processes skipped for permission
	sqlite3 "$1" "SELECT ifnull(sum(count), 0) FROM skips WHERE reason = 'permission'"
}
as_nobody() { # as_nobody NAME CAPS: capture as nobody with CAPS ("" none)
	setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs \
		${2:+--inh-caps "$2" --ambient-caps "$2"} \
		--bounding-set "-all${2:+,$2}" "$CAPTURE" -q -o caps/$1.db ||
		fail "the capture as nobody with '$2' failed"
}
sleep 60 & SP=$!	# a process of root's, at least
trap 'kill $SP 2>/dev/null; rm -rf "$T"' EXIT
"$CAPTURE" -q -o root.db || fail "the capture as root failed"
mv root.db caps/root.db
as_nobody none ""
as_nobody ptrace +sys_ptrace
as_nobody dac +dac_read_search
as_nobody dac2 +dac_read_search,+dac_override
as_nobody ptrace2 +sys_ptrace
for c in root none ptrace ptrace2 dac dac2; do
	printf '%-7s %4s of %4s refused\n' $c "$(refused caps/$c.db)" \
		"$(sqlite3 caps/$c.db 'SELECT procs_seen FROM snapshots')"
done
root=$(refused caps/root.db)
[ "$(refused caps/none.db)" -gt "$root" ] || fail "nobody without capabilities read as much as root"
[ "$(refused caps/dac.db)" -gt "$root" ] || fail "CAP_DAC_READ_SEARCH alone read as much as root"
[ "$(refused caps/dac2.db)" -gt "$root" ] || fail "CAP_DAC_* read as much as root"
[ "$(refused caps/ptrace.db)" -le "$root" ] || [ "$(refused caps/ptrace2.db)" -le "$root" ] ||
	fail "CAP_SYS_PTRACE alone read less than root: $(refused caps/ptrace.db) refused, root $root"
[ "$(sqlite3 caps/ptrace.db "SELECT count(*) FROM processes WHERE pid = $SP")" = 1 ] ||
	fail "CAP_SYS_PTRACE did not read root's sleep"
