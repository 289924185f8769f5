/* cmd_smaps.c - `smaps`: one process's stored smaps (or imported
 * smaps_rollup) text, byte for byte what the kernel printed. */
#include "analyze.h"
#include "blob.h"
#include "util.h"

#include <stdio.h>

static int run_smaps(int argc, char **argv, const struct out_opts *out)
{
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	struct store st;
	int64_t snap, pid;
	enum text_kind kind;
	int ret;

	(void)out;
	ret = process_text_args(argc, argv, &cmd_smaps, &st, &snap, &pid);
	if (ret >= 0)
		return ret;
	ret = 1;
	if (load_process_text(&st, snap, pid, &text, &kind) < 0)
		;
	else if (kind == TEXT_MAPS)
		error("'%s': snapshot %lld stored only maps for process %lld"
		      " (--maps-only or --rollup), not smaps", st.path,
		      (long long)snap, (long long)pid);
	else
		ret = fwrite(text.data, 1, text.len, stdout) != text.len;
	buf_release(&text);
	store_close(&st);
	return ret;
}

const struct command cmd_smaps = {
	"smaps", "smaps FILE [--snapshot REF] [--host NAME] PID", run_smaps, 0,
};
