/* cmdhelp.h - each command's --help, the item of man/mapsnap-analyze.1's
 * COMMANDS section (scripts/man-help writes cmd_help.c at build time). */
#ifndef MAPSNAP_CMDHELP_H
#define MAPSNAP_CMDHELP_H

/* One command's help: `usage` holds its "usage: mapsnap-analyze ..."
 * lines (one per form), `text` the item's text filled to 78 columns;
 * both end with a newline. The table ends with a NULL name. */
struct cmd_help {
	const char *name;
	const char *usage;
	const char *text;
};

extern const struct cmd_help cmd_helps[];

#endif
