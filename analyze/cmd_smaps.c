/* cmd_smaps.c - `smaps`: one process's stored smaps text, byte for byte
 * what the kernel printed at capture time. */
#include "analyze.h"
#include "blob.h"
#include "util.h"

#include <stdio.h>

static int run_smaps(int argc, char **argv, const struct out_opts *out)
{
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	struct store st;
	int64_t snap, pid;
	int is_smaps, ret;

	(void)out;
	ret = process_text_args(argc, argv, &cmd_smaps, &st, &snap, &pid);
	if (ret >= 0)
		return ret;
	ret = 1;
	if (load_process_text(&st, snap, pid, &text, &is_smaps) < 0)
		;
	else if (!is_smaps)
		error("'%s': snapshot %lld stored only maps for process %lld,"
		      " not smaps", st.path, (long long)snap, (long long)pid);
	else
		ret = fwrite(text.data, 1, text.len, stdout) != text.len;
	buf_release(&text);
	store_close(&st);
	return ret;
}

const struct command cmd_smaps = {
	"smaps", "smaps FILE [--snapshot REF] PID", run_smaps,
};
