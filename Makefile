# mapsnap - build, test, run, install, bench, fuzz.
# `make` builds build/mapsnap-capture and build/mapsnap-analyze from one
# static library; `make test` and `make run` first install what is missing.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
BUILD    ?= build
CC       ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS   ?= -O2 -g
PKGS      = sqlite3 zlib libxxhash

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
LIBS        = $(shell $(PKG_CONFIG) --libs $(PKGS))

LIB_SRC  = $(wildcard lib/*.c)
CAP_SRC  = $(wildcard capture/*.c)
ANA_SRC  = $(wildcard analyze/*.c)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
HELP_SRC = $(wildcard tests/helpers/*.c)
BENCH_SRC = $(wildcard bench/*.c)

LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/schema_sql.o
CAP_OBJ  = $(CAP_SRC:%.c=$(BUILD)/%.o)
ANA_OBJ  = $(ANA_SRC:%.c=$(BUILD)/%.o)
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HELPERS  = $(HELP_SRC:tests/helpers/%.c=$(BUILD)/tests/%)
BENCHES  = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
LIBA     = $(BUILD)/libmapsnap.a
# the analyzer without its main(), for unit tests of its modules
ANA_LIBA = $(BUILD)/libanalyze.a
PROGS    = $(BUILD)/mapsnap-capture $(BUILD)/mapsnap-analyze
MAN1     = $(wildcard man/*.1)
MAN5     = $(wildcard man/*.5)

# Keep the unit tests' objects: they are intermediate files to make, which
# would otherwise delete and rebuild them on every run.
.SECONDARY:

.PHONY: all deps test check check-unit check-e2e run install uninstall clean bench fuzz

all: $(PROGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# schema/schema.sql is the one source of the layout: compiled in, never copied.
$(BUILD)/gen/schema_sql.c: schema/schema.sql scripts/embed-sql
	@mkdir -p $(@D)
	scripts/embed-sql schema_sql < $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/schema_sql.o: $(BUILD)/gen/schema_sql.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/mapsnap-capture: $(CAP_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/mapsnap-analyze: $(ANA_OBJ) $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(ANA_LIBA): $(filter-out $(BUILD)/analyze/main.o,$(ANA_OBJ))
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(ANA_LIBA) $(LIBA)
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

deps:
	@scripts/install-deps

# The two set-up commands of the README: each installs what is missing first.
test: deps
	@$(MAKE) --no-print-directory check

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/mapsnap-capture -o mapsnap.db
	$(BUILD)/mapsnap-analyze list mapsnap.db
	$(BUILD)/mapsnap-analyze ps mapsnap.db

check: check-unit check-e2e

check-unit: $(UNITS)
	@set -e; for t in $(UNITS); do echo "== $$t"; $$t; done

check-e2e: $(PROGS) $(HELPERS)
	@BUILD=$(BUILD) tests/e2e/run

# Speed and size against the floor and the peers; prints ratios, never
# fails on a miss (timed assertions do not belong in `make test`).
bench: deps
	@$(MAKE) --no-print-directory all $(BENCHES)
	BUILD=$(BUILD) bench/run $(BENCH_ARGS)

install: $(PROGS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)
	$(if $(MAN1),install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1)
	$(if $(MAN5),install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mapsnap-capture $(DESTDIR)$(BINDIR)/mapsnap-analyze
	rm -f $(MAN1:man/%=$(DESTDIR)$(MANDIR)/man1/%) $(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
