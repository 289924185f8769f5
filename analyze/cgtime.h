/* cgtime.h - cgroups over time: the views of `timeline --cgroups` and
 * `growth --cgroups`, over the series of cgseries.h. */
#ifndef MAPSNAP_CGTIME_H
#define MAPSNAP_CGTIME_H

#include "analyze.h"
#include "cgseries.h"
#include "growth.h"

/*
 * One row per snapshot per cgroup of file that passes f, cgroup by
 * cgroup, then (table view) a sparkline of fld each. Returns the exit
 * status: 0, or 1 when file cannot be read or --host names no host of it
 * (no cgroup figures: a warning, and no row).
 */
int cg_timeline(const char *file, const struct filters *f,
		enum cgs_field fld, const struct out_opts *out);

/*
 * The cgroups of file whose fld grows as a leak does (growth.h's trend
 * test, with o's confidence and least growth), the fastest next to the
 * prompt, with the headroom under their limit and how long it lasts at
 * that rate. Returns 3 when there are such cgroups, else as cg_timeline.
 */
int cg_growth(const char *file, const struct filters *f, enum cgs_field fld,
	      const struct growth_opts *o, const struct out_opts *out);

#endif
