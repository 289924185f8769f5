/* fuzz.h - shared by the fuzz targets: libFuzzer's entry point, and a check
 * that names the broken invariant and aborts, so the input is kept. */
#ifndef MAPSNAP_FUZZ_H
#define MAPSNAP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Called by libFuzzer, or by fuzz/replay.c, once per input; returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant, checked in every build (not an assert: NDEBUG must not
 * turn the fuzzers into crash-only ones). */
#define FUZZ_CHECK(cond) \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

__attribute__((noreturn))
static inline void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

#endif
