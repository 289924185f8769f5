# t-deb.sh - make deb's package: what it holds, installed with dpkg -i
# (both programs, the man pages, completion, the sqlite3 extension and
# the systemd units work from where they land), then removed and purged
# with nothing left; and lintian says what README says it says.
. "$ROOT/tests/e2e/lib.sh"
VERSION=$(sed -n 's/^#define MAPSNAP_VERSION "\(.*\)"/\1/p' "$ROOT/lib/util.h")
DEB=$BUILD/mapsnap_${VERSION}_$(dpkg --print-architecture).deb
S=$ROOT/samples/edge/proc
[ -f "$DEB" ] || fail "no $DEB: run 'make deb'"

dpkg-deb -f "$DEB" Package Version Depends >fields
expect_grep "^Package: mapsnap$" fields
expect_grep "^Version: $VERSION$" fields
for lib in libc6 libsqlite3-0 zlib1g libdeflate0 libxxhash0; do
	expect_grep "^Depends: .*\b$lib \(>= " fields
done
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's#^\./#/#' | grep -v '/$' >files
cat >want <<'WANT'
/lib/systemd/system/mapsnap-capture-once.service
/lib/systemd/system/mapsnap-capture-once.timer
/lib/systemd/system/mapsnap-capture.service
/usr/bin/mapsnap-analyze
/usr/bin/mapsnap-capture
/usr/lib/mapsnap/mapsnap.so
/usr/share/bash-completion/completions/mapsnap-analyze
/usr/share/bash-completion/completions/mapsnap-capture
/usr/share/doc/mapsnap/changelog.gz
/usr/share/doc/mapsnap/copyright
/usr/share/man/man1/mapsnap-analyze.1.gz
/usr/share/man/man1/mapsnap-capture.1.gz
/usr/share/man/man5/mapsnap.5.gz
WANT
expect_cmp want files

# lintian's findings are the ones README lists, no more, no fewer
if command -v lintian >/dev/null; then
	lintian --tag-display-limit 0 -I "$DEB" 2>/dev/null |
		sed -n 's/^\([EWIP]\): mapsnap: \([a-z0-9.+-]*\).*/\1 \2/p' | sort -u >tags
	sed -n '/^<!-- lintian -->$/,/^<!-- \/lintian -->$/p' "$ROOT/README.md" |
		sed -n 's/^- `\([EWIP]\) \([a-z0-9.+-]*\)`.*/\1 \2/p' | sort -u >listed
	[ -s listed ] || fail "README lists no lintian finding between its <!-- lintian --> marks"
	expect_cmp listed tags
else
	fail "no lintian: scripts/install-deps test installs it"
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "skip: dpkg -i and dpkg -r need root (CI runs as root)"
	exit 0
fi
if dpkg-query -W -f='${db:Status-Status}' mapsnap 2>/dev/null | grep -q installed; then
	echo "skip: a mapsnap package is installed already; not replacing it"
	exit 0
fi
state_before=$([ -e /var/lib/mapsnap ] && echo there)
trap 'dpkg -P mapsnap >/dev/null 2>&1; rm -rf "$T"' EXIT
expect_exit 0 dpkg -i "$DEB"
dpkg -L mapsnap | sort >installed

# the programs, from PATH's /usr/bin
expect_exit 0 /usr/bin/mapsnap-capture -q -o inst.db --proc "$S"
expect_exit 0 /usr/bin/mapsnap-analyze ps inst.db
"$ANALYZE" ps inst.db >want
expect_cmp want out
expect_exit 0 /usr/bin/mapsnap-analyze --version
expect_grep "^mapsnap-analyze $VERSION \(format " out
# the man pages where man finds them, rendering without a warning
for page in 1:mapsnap-capture 1:mapsnap-analyze 5:mapsnap; do
	sec=${page%%:*} name=${page#*:}
	man -w "$sec" "$name" >where 2>&1 || fail "man cannot find $name($sec)"
	expect_grep "^/usr/share/man/man$sec/$name\.$sec\.gz$" where
	MANWIDTH=80 man --warnings "$sec" "$name" >/dev/null 2>warnings
	[ -s warnings ] && fail "man $name($sec) warns: $(head -3 warnings)"
done
# completion: bash-completion's file for each program registers it
bash -c '. /usr/share/bash-completion/completions/mapsnap-capture &&
	complete -p mapsnap-capture' >out 2>&1 || fail "completion: $(cat out)"
# the extension, in the stock sqlite3 shell
printf '.load /usr/lib/mapsnap/mapsnap\nSELECT count(*) > 0 FROM mappings;\n' |
	sqlite3 -readonly inst.db >out 2>&1
[ "$(cat out)" = 1 ] || fail "the installed extension: $(cat out)"
# the units where systemd finds them, verified with the installed paths
systemd-analyze verify /lib/systemd/system/mapsnap-capture.service \
	/lib/systemd/system/mapsnap-capture-once.service \
	/lib/systemd/system/mapsnap-capture-once.timer >out 2>err ||
	fail "systemd-analyze verify of the installed units: $(cat err)"
[ -s err ] && fail "systemd-analyze verify warns: $(cat err)"

# removed: every file it installed is gone; purged: its state too
[ -n "$state_before" ] || { mkdir -p /var/lib/mapsnap && touch /var/lib/mapsnap/mapsnap.db; }
expect_exit 0 dpkg -r mapsnap
while read -r f; do
	[ -d "$f" ] && continue
	[ -e "$f" ] && fail "dpkg -r left $f"
done <installed
[ -x /usr/bin/mapsnap-capture ] && fail "dpkg -r left the capture"
expect_exit 0 dpkg -P mapsnap
[ -z "$state_before" ] && [ -e /var/lib/mapsnap ] && fail "dpkg -P left /var/lib/mapsnap"
dpkg-query -W -f='${db:Status-Status}' mapsnap >status 2>/dev/null
grep -q installed status && fail "mapsnap is still installed after dpkg -P"
exit 0
