-- Where the CDC ingest has landed up to: one row per replication slot, newest version wins.
CREATE TABLE IF NOT EXISTS ingest_checkpoint
(
    slot_name   String,
    landed_lsn  UInt64,
    landed_at   DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY slot_name;
