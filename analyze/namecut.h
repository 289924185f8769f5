/* namecut.h - a process's name cut to a width without losing what tells
 * it apart: the script an interpreter runs, not the interpreter's path. */
#ifndef MAPSNAP_NAMECUT_H
#define MAPSNAP_NAMECUT_H

#include <stddef.h>

/*
 * The characters of s as a table counts them: one per well-formed UTF-8
 * sequence, one per byte that begins none.
 */
size_t name_chars(const char *s);

/*
 * s (a command line, its words separated by blanks) cut to at most max
 * characters with one ellipsis `ell` (ell_chars characters: "..." is 3,
 * "\u2026" 1), never inside a UTF-8 sequence:
 *  - s whole when it fits (or when max is 0);
 *  - else, when the first word is a path, the middle of its directory
 *    gives way: "/root/.py...python3 /srv/pyleak.py --x", so the
 *    program's name and its arguments (an interpreter's script) stay;
 *  - else, when the first argument that is no option names a file (a
 *    '/' or a '.' in it: the script), the program's base name, then the
 *    ellipsis for the directories, then the script's base name and what
 *    follows: "python3 ...pyleak.py --x";
 *  - else what comes before the script's base name (or else the
 *    program's) gives way: "...pyleak.py --x";
 *  - else the end too: "pyleak.py --verb...".
 * Returns a new NUL-terminated string (caller frees).
 */
char *name_cut(const char *s, size_t max, const char *ell, size_t ell_chars);

#endif
