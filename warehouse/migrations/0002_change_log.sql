-- The CDC ingest's checkpoint is the change log itself (its newest commit LSN and
-- position), written in the same insert as the changes: this table was never used.
DROP TABLE IF EXISTS ingest_checkpoint;

-- Every committed change of a core table, once: the audit trail and the stream's checkpoint.
-- Sorted by (commit_lsn, position) and replacing, so a replayed change collapses into one.
CREATE TABLE IF NOT EXISTS change_log
(
    table_name   LowCardinality(String),
    pk           String,
    op           Enum8('insert' = 1, 'update' = 2, 'delete' = 3, 'truncate' = 4),
    before       Nullable(String),
    after        Nullable(String),
    commit_lsn   UInt64,
    position     UInt32,
    commit_time  DateTime64(6, 'UTC'),
    xid          UInt32,
    actor_id     Nullable(Int32),
    actor        String,
    action       String,
    landed_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY (commit_lsn, position);

-- Backfill progress per slot and table: resumable after an interruption.
CREATE TABLE IF NOT EXISTS ingest_backfill
(
    slot_name    String,
    table_name   String,
    last_key     String,
    rows_copied  UInt64,
    rows_total   UInt64,
    done         Bool,
    row_version  UInt64,
    updated_at   DateTime64(6, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (slot_name, table_name);
