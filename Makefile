# mapsnap - build, test, run, install, bench, fuzz.
# `make` builds build/mapsnap-capture and build/mapsnap-analyze from one
# static library; `make test` and `make run` first install what is missing.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
# bash-completion loads completions/NAME when NAME is first completed
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
LIBDIR   ?= $(PREFIX)/lib
BUILD    ?= build
CC       ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS   ?= -O2 -g
PKGS      = sqlite3 zlib libdeflate libxxhash

WARNINGS  = -std=c11 -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	    -Wmissing-prototypes -Wwrite-strings -Wvla
ifneq ($(CI),)
WARNINGS += -Werror
endif
ifneq ($(SANITIZE),)
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

ALL_CFLAGS  = $(WARNINGS) -D_GNU_SOURCE -Ilib -Ianalyze -I$(BUILD)/gen \
	      $(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CFLAGS) $(SAN_FLAGS) -pthread -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS) -pthread
LIBS        = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm

LIB_SRC  = $(wildcard lib/*.c)
CAP_SRC  = $(wildcard capture/*.c)
ANA_SRC  = $(wildcard analyze/*.c)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
HELP_SRC = $(wildcard tests/helpers/*.c)
BENCH_SRC = $(wildcard bench/*.c)

LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/schema_sql.o
CAP_OBJ  = $(CAP_SRC:%.c=$(BUILD)/%.o)
ANA_OBJ  = $(ANA_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/cmd_help.o
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPERS  = $(HELP_SRC:tests/helpers/%.c=$(BUILD)/tests/%)
BENCHES  = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
LIBA     = $(BUILD)/libmapsnap.a
# the analyzer without its main(), for unit tests of its modules
ANA_LIBA = $(BUILD)/libanalyze.a
PROGS    = $(BUILD)/mapsnap-capture $(BUILD)/mapsnap-analyze
EXT      = $(BUILD)/mapsnap.so
MAN1     = $(wildcard man/*.1)
MAN5     = $(wildcard man/*.5)

# Keep the unit tests' objects: they are intermediate files to make, which
# would otherwise delete and rebuild them on every run.
.SECONDARY:

.PHONY: all deps test check check-unit check-e2e run install uninstall clean bench fuzz

all: $(PROGS) $(EXT)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# lib/ knows nothing of analyze/ or capture/: it is compiled without
# their headers, so an include of one fails the build.
$(BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(filter-out -Ianalyze,$(ALL_CFLAGS)) -c -o $@ $<

# schema/schema.sql is the one source of the layout: compiled in, never copied.
$(BUILD)/gen/schema_sql.c: schema/schema.sql scripts/embed-sql
	@mkdir -p $(@D)
	scripts/embed-sql schema_sql < $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/schema_sql.o: $(BUILD)/gen/schema_sql.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Each command's --help is its item of the man page: generated, never copied.
$(BUILD)/gen/cmd_help.c: man/mapsnap-analyze.1 scripts/man-help
	@mkdir -p $(@D)
	scripts/man-help < $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/cmd_help.o: $(BUILD)/gen/cmd_help.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/mapsnap-capture: $(CAP_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/mapsnap-analyze: $(ANA_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# mapsnap.so: the mappings table and cmdline_text() for the sqlite3 shell
# (.load). Its sources again, as PIC and without sanitizers (the stock
# shell cannot load an ASan object); only the entry point is exported, so
# our error() cannot stand in for libc's, and -z defs proves that SQLite is
# reached only through the API table the shell hands over.
EXT_SRC  = analyze/vtab_mappings.c analyze/mapscan.c lib/blob.c lib/buf.c \
	   lib/smaps.c lib/util.c lib/progress.c lib/pool.c
EXT_OBJ  = $(EXT_SRC:%.c=$(BUILD)/pic/%.o)
PIC_CFLAGS = $(WARNINGS) -D_GNU_SOURCE -DMAPSNAP_EXTENSION -Ilib -Ianalyze \
	     $(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CFLAGS) -fPIC \
	     -fvisibility=hidden -MMD -MP

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(PIC_CFLAGS) -c -o $@ $<

$(EXT): $(EXT_OBJ)
	$(CC) -shared $(LDFLAGS) -pthread -Wl,-z,defs -o $@ $^ \
		$(shell $(PKG_CONFIG) --libs zlib libdeflate libxxhash)

$(ANA_LIBA): $(filter-out $(BUILD)/analyze/main.o,$(ANA_OBJ))
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(ANA_LIBA) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

# test_proc reads frozen trees through capture/proc.c itself
$(BUILD)/tests/test_proc: $(BUILD)/tests/unit/test_proc.o $(BUILD)/capture/proc.o \
		$(BUILD)/capture/stream.o $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

# Helper programs for end-to-end tests are plain C: no library, no sanitizer
# (their memory layout is what the tests measure).
$(BUILD)/tests/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O0 -Wall -Wextra -o $@ $<

# The bench's workload and floor reader are plain C, like the test helpers;
# its inflate-only floor of the analyzer uses the library.
$(BUILD)/bench/inflate: $(BUILD)/bench/inflate.o $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o $@ $<

# What each role needs (scripts/install-deps says which packages):
# `make run` only what building and running take, `make test` the peers
# and tools of the tests besides.
deps:
	@scripts/install-deps test

# The two set-up commands of the README: each installs what is missing first.
test: deps
	@$(MAKE) --no-print-directory check

run:
	@scripts/install-deps run
	@$(MAKE) --no-print-directory all
	$(BUILD)/mapsnap-capture -o mapsnap.db
	$(BUILD)/mapsnap-analyze list mapsnap.db
	$(BUILD)/mapsnap-analyze ps mapsnap.db

check: check-unit check-e2e check-fuzz

check-unit: $(UNITS)
	@set -e; for t in $(UNITS); do echo "== $$t"; $$t; done

check-e2e: $(PROGS) $(EXT) $(HELPERS) future static-build deb-build
	@BUILD=$(BUILD) tests/e2e/run

# The programs of a build one format step ahead (lib/format.c's test
# step: a column and a table more), for tests/e2e/t-compat.sh: it must
# read today's files, and today's build its.
FUTURE = $(BUILD)/future/mapsnap-capture $(BUILD)/future/mapsnap-analyze
.PHONY: future
future:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/future \
		CFLAGS="$(CFLAGS) -DMAPSNAP_FORMAT_TEST_STEP" $(FUTURE)

# make static: build/static/mapsnap-capture and mapsnap-analyze, one
# file each that runs on any x86-64 Linux from 3.2 on (README "On a
# production box"): glibc and Debian's own static libraries (the -dev
# packages ship them), stripped. MAPSNAP_STATIC reads user names from
# /etc/passwd: glibc's NSS modules cannot be loaded by a static program.
STATIC = $(BUILD)/static
.PHONY: static static-build
static:
	@scripts/install-deps static
	@$(MAKE) --no-print-directory static-build

static-build:
	@$(MAKE) --no-print-directory BUILD=$(STATIC) SANITIZE= \
		PKG_CONFIG="$(PKG_CONFIG) --static" CFLAGS="-O2 -DMAPSNAP_STATIC" \
		LDFLAGS="-static -s" $(STATIC)/mapsnap-capture $(STATIC)/mapsnap-analyze

# make deb: $(BUILD)/mapsnap_VERSION_ARCH.deb, by dpkg-deb, of a plain
# build of its own (no sanitizer) installed under /usr, with the systemd
# units of packaging/systemd (scripts/make-deb; README "On a production
# box").
DEB_BUILD = $(BUILD)/deb
VERSION   = $(shell sed -n 's/^\#define MAPSNAP_VERSION "\(.*\)"/\1/p' lib/util.h)
.PHONY: deb deb-build
deb:
	@scripts/install-deps deb
	@$(MAKE) --no-print-directory deb-build

# Debian's own flags, with every hardening it has (lintian checks them)
DEB_FLAGS = DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get
deb-build:
	rm -rf $(DEB_BUILD)/root
	@$(MAKE) --no-print-directory BUILD=$(DEB_BUILD)/build SANITIZE= \
		CFLAGS="$$($(DEB_FLAGS) CFLAGS) $$($(DEB_FLAGS) CPPFLAGS)" \
		LDFLAGS="$$($(DEB_FLAGS) LDFLAGS)" \
		PREFIX=/usr DESTDIR=$(abspath $(DEB_BUILD)/root) install >/dev/null
	scripts/make-deb $(DEB_BUILD)/root $(BUILD) $(VERSION)

# The fleet recipe against a private ClickHouse server (README): its
# packages are installed on demand, so `make test` stays light.
.PHONY: check-fleet
check-fleet: $(PROGS)
	@scripts/install-deps fleet
	@BUILD=$(BUILD) tests/fleet/run

# Both programs on a representative subset under valgrind's memcheck: a
# memory error or a definite leak fails. On a plain build only (valgrind
# cannot run ASan binaries): make check-valgrind, not with SANITIZE.
.PHONY: check-valgrind
check-valgrind: $(PROGS)
ifneq ($(SANITIZE),)
	$(error check-valgrind needs a build without SANITIZE)
endif
	@BUILD=$(BUILD) tests/helpers/valgrind-subset

# Speed and size against the floor and the peers; prints ratios, never
# fails on a miss (timed assertions do not belong in `make test`).
# BENCH_BASELINE=DIR (the build directory of an earlier release) adds
# bench/versus: every command of both, side by side.
bench: deps
	@$(MAKE) --no-print-directory all $(BENCHES)
	BUILD=$(BUILD) bench/run $(BENCH_ARGS)
	$(if $(BENCH_BASELINE),bench/versus $(BENCH_BASELINE) $(BUILD))


# Fuzzing (fuzz/README.md). check-fuzz, part of `make check`, builds each
# target of fuzz/ with $(CC) (and SANITIZE) around fuzz/replay.c and runs
# it on its committed corpus and crash regressions. `make fuzz` builds the
# libFuzzer programs with clang into $(BUILD)/fuzz/ and runs each for
# FUZZ_TIME seconds from fuzz/corpus/NAME plus seeds made from samples/;
# new inputs go to $(BUILD)/fuzz/corpus/NAME, crashes to
# $(BUILD)/fuzz/crashes/NAME; `make fuzz-merge` adds the new inputs that
# reach new code (edges only: it keeps the corpus small) to fuzz/corpus/NAME.
FUZZ_NAMES = $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_TIME ?= 60
FUZZ_CC   ?= clang
FUZZ_ARGS ?=
FUZZ_MAX_LEN ?= 16384
FUZZ_OBJ   = $(BUILD)/fuzz/obj
FUZZ_DEPS  = $(ANA_LIBA) $(BUILD)/capture/import_text.o $(LIBA)
REPLAYS    = $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay-%)

.PHONY: check-fuzz fuzz-build fuzz-merge

$(BUILD)/fuzz/%.o: ALL_CFLAGS += -Icapture

$(BUILD)/fuzz/replay-%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/fuzz/replay.o $(FUZZ_DEPS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The text targets also read every file of the sample trees.
FUZZ_REPLAY_smaps  = $(wildcard samples/*/proc/[0-9]*)
FUZZ_REPLAY_import = $(FUZZ_REPLAY_smaps)

check-fuzz: $(REPLAYS)
	@set -e; $(foreach n,$(FUZZ_NAMES),$(BUILD)/fuzz/replay-$(n) \
		fuzz/corpus/$(n) fuzz/crashes/$(n) $(FUZZ_REPLAY_$(n));)

# The libFuzzer build: the same objects compiled again by clang with
# coverage, in a make of their own, then linked with libFuzzer's main().
fuzz-build:
	@scripts/install-deps fuzz
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_OBJ) CC=$(FUZZ_CC) CI= \
		CFLAGS="-O1 -g" SANITIZE=fuzzer-no-link,address,undefined \
		$(FUZZ_OBJ)/libanalyze.a $(FUZZ_OBJ)/libmapsnap.a \
		$(FUZZ_OBJ)/capture/import_text.o \
		$(FUZZ_NAMES:%=$(FUZZ_OBJ)/fuzz/fuzz_%.o)
	@set -e; for n in $(FUZZ_NAMES); do \
		echo "$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_$$n"; \
		$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -pthread \
			-o $(BUILD)/fuzz/fuzz_$$n $(FUZZ_OBJ)/fuzz/fuzz_$$n.o \
			$(FUZZ_OBJ)/libanalyze.a $(FUZZ_OBJ)/capture/import_text.o \
			$(FUZZ_OBJ)/libmapsnap.a $(LIBS); done

fuzz: fuzz-build
	@rc=0; for n in $(FUZZ_NAMES); do \
		fuzz/seed $$n $(BUILD)/fuzz/seeds/$$n || exit 1; \
		mkdir -p fuzz/corpus/$$n $(BUILD)/fuzz/corpus/$$n \
			$(BUILD)/fuzz/crashes/$$n; \
		echo "== fuzz_$$n, $(FUZZ_TIME) s"; \
		$(BUILD)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_TIME) \
			-max_len=$(FUZZ_MAX_LEN) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/crashes/$$n/ $(FUZZ_ARGS) \
			$(BUILD)/fuzz/corpus/$$n fuzz/corpus/$$n \
			$(BUILD)/fuzz/seeds/$$n || rc=1; done; exit $$rc

fuzz-merge: fuzz-build
	@set -e; for n in $(FUZZ_NAMES); do \
		mkdir -p fuzz/corpus/$$n $(BUILD)/fuzz/corpus/$$n; \
		$(BUILD)/fuzz/fuzz_$$n -merge=1 -use_counters=0 \
			-max_len=$(FUZZ_MAX_LEN) \
			fuzz/corpus/$$n $(BUILD)/fuzz/corpus/$$n; done

install: $(PROGS) $(EXT)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)
	install -d $(DESTDIR)$(LIBDIR)/mapsnap
	install -m 755 $(EXT) $(DESTDIR)$(LIBDIR)/mapsnap
	$(if $(MAN1),install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1)
	$(if $(MAN5),install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5)
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 completion/mapsnap.bash $(DESTDIR)$(BASHCOMPDIR)/mapsnap-capture
	install -m 644 completion/mapsnap.bash $(DESTDIR)$(BASHCOMPDIR)/mapsnap-analyze

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mapsnap-capture $(DESTDIR)$(BINDIR)/mapsnap-analyze
	rm -f $(DESTDIR)$(LIBDIR)/mapsnap/mapsnap.so
	-rmdir $(DESTDIR)$(LIBDIR)/mapsnap 2>/dev/null
	rm -f $(MAN1:man/%=$(DESTDIR)$(MANDIR)/man1/%) $(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%)
	rm -f $(DESTDIR)$(BASHCOMPDIR)/mapsnap-capture $(DESTDIR)$(BASHCOMPDIR)/mapsnap-analyze

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
