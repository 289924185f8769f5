-- schema.sql - the layout of a mapsnap file, the one source of it: the build
-- compiles this text into both programs. Documented in schema/README.md.
-- Columns named *_blob hold a blobs.id (no SQLite foreign key: enforcing
-- one would scan processes for every blob a --keep ring drops; `check`
-- resolves them instead). Sizes are in kB, as /proc prints them. Times are microseconds since the
-- Unix epoch, UTC. Version: PRAGMA user_version (set by the program).

CREATE TABLE meta (
	key	TEXT PRIMARY KEY,
	value	TEXT NOT NULL
) WITHOUT ROWID;

-- One row per machine. A host is its machine-id and hostname together: a
-- renamed box or a cloned image is a new host.
CREATE TABLE hosts (
	id		INTEGER PRIMARY KEY,
	hostname	TEXT NOT NULL,
	machine_id	TEXT NOT NULL DEFAULT '',
	UNIQUE (hostname, machine_id)
);

-- Every text stored once, named by the XXH3-128 hash of its raw bytes.
CREATE TABLE blobs (
	id		INTEGER PRIMARY KEY,
	hash		BLOB NOT NULL UNIQUE CHECK (length(hash) = 16),
	raw_size	INTEGER NOT NULL CHECK (raw_size >= 0),
	codec		TEXT NOT NULL CHECK (codec IN ('raw', 'zlib')),
	data		BLOB NOT NULL
);

CREATE TABLE snapshots (
	id		INTEGER PRIMARY KEY,
	uuid		TEXT NOT NULL UNIQUE,
	host_id		INTEGER NOT NULL REFERENCES hosts (id),
	boot_id		TEXT NOT NULL DEFAULT '',
	kernel		TEXT NOT NULL DEFAULT '',
	arch		TEXT NOT NULL DEFAULT '',
	page_size	INTEGER NOT NULL DEFAULT 0,
	time_us		INTEGER NOT NULL,
	uptime		REAL,
	label		TEXT,
	tool_version	TEXT NOT NULL,
	options		TEXT NOT NULL DEFAULT '',
	source		TEXT NOT NULL CHECK (source IN ('smaps', 'maps', 'rollup')),
	meminfo_blob	INTEGER,
	procs_seen	INTEGER NOT NULL DEFAULT 0,
	procs_captured	INTEGER NOT NULL DEFAULT 0,
	procs_skipped	INTEGER NOT NULL DEFAULT 0,
	bytes_read	INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX snapshots_by_time ON snapshots (host_id, time_us);

-- Why processes were not captured, counted per snapshot.
CREATE TABLE skips (
	snapshot_id	INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
	reason		TEXT NOT NULL,
	count		INTEGER NOT NULL,
	PRIMARY KEY (snapshot_id, reason)
) WITHOUT ROWID;

-- /proc/meminfo as numbers, for percentages and for SQL.
CREATE TABLE meminfo (
	snapshot_id	INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
	name		TEXT NOT NULL,
	value		INTEGER NOT NULL,	-- kB, or a count where meminfo prints no unit
	PRIMARY KEY (snapshot_id, name)
) WITHOUT ROWID;

-- One row per captured process. The totals are summed from the text at
-- capture, so listing needs no inflating; NULL where the text (maps only)
-- cannot tell.
CREATE TABLE processes (
	snapshot_id	INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
	pid		INTEGER NOT NULL,
	ppid		INTEGER NOT NULL DEFAULT 0,
	start_time	INTEGER NOT NULL DEFAULT 0,
	uid		INTEGER,
	user		TEXT,
	comm		TEXT NOT NULL DEFAULT '',
	cmdline		BLOB,
	exe		TEXT,
	threads		INTEGER,
	stat_blob	INTEGER,
	status_blob	INTEGER,
	text_blob	INTEGER,
	text_kind	TEXT NOT NULL CHECK (text_kind IN ('smaps', 'maps', 'rollup')),
	rollup_blob	INTEGER,
	nmaps		INTEGER NOT NULL DEFAULT 0,
	size_kb		INTEGER NOT NULL DEFAULT 0,
	rss_kb		INTEGER,
	pss_kb		INTEGER,
	uss_kb		INTEGER,
	shared_kb	INTEGER,
	swap_kb		INTEGER,
	swap_pss_kb	INTEGER,
	anon_kb		INTEGER,
	locked_kb	INTEGER,
	text_reused	INTEGER CHECK (text_reused IN (0, 1)), -- 1.1: capture --reuse
	-- 1.1: whose memory it is (NULL: unknown, or the path does not say)
	cgroup		TEXT,		-- the cgroup v2 path, as /proc/PID/cgroup says
	cgroup_memory	TEXT,		-- the v1 memory controller's path
	unit		TEXT,		-- derived from the path: systemd unit
	slice		TEXT,		-- and slice,
	container_runtime TEXT,		-- container runtime,
	container_id	TEXT,		-- container id,
	pod_uid		TEXT,		-- Kubernetes pod UID,
	container_name	TEXT,		-- container or machine name
	nspid		INTEGER,	-- the pid in its own pid namespace
	pidns		INTEGER,	-- the inode of that namespace
	oom_score_adj	INTEGER,
	PRIMARY KEY (snapshot_id, pid)
) WITHOUT ROWID;

-- The processes a snapshot could not capture for a reason it did not
-- choose (permission, vanished, zombie, error), one row each, with the
-- comm its stat gave (NULL: not read). Kernel threads and processes the
-- filters excluded are only counted in skips. (Format 1.1.)
CREATE TABLE skipped_pids (
	snapshot_id	INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
	pid		INTEGER NOT NULL,
	reason		TEXT NOT NULL,
	comm		TEXT,
	PRIMARY KEY (snapshot_id, pid)
) WITHOUT ROWID;

-- 1.1: one row per memory cgroup that held a captured process, and per
-- ancestor of one, per snapshot. Amounts in bytes, as the files print
-- them; a limit that is none ("max") is 9223372036854775807.
CREATE TABLE cgroups (
	snapshot_id	INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
	hierarchy	TEXT NOT NULL CHECK (hierarchy IN ('v2', 'v1')),
	path		TEXT NOT NULL,
	current_bytes	INTEGER,	-- memory.current (v1: memory.usage_in_bytes)
	max_bytes	INTEGER,	-- memory.max (v1: memory.limit_in_bytes)
	high_bytes	INTEGER,	-- memory.high
	swap_bytes	INTEGER,	-- memory.swap.current
	anon_bytes	INTEGER,	-- from memory.stat
	file_bytes	INTEGER,
	kernel_bytes	INTEGER,
	sock_bytes	INTEGER,
	oom		INTEGER,	-- from memory.events
	oom_kill	INTEGER,
	memory_stat_blob INTEGER,
	memory_events_blob INTEGER,	-- v1: memory.oom_control
	PRIMARY KEY (snapshot_id, hierarchy, path)
) WITHOUT ROWID;
