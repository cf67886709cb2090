// Schema migrations, in order; entry N brings the database from user_version N to N+1.
// Never edit a migration that has shipped: add a new one.

export const MIGRATIONS: readonly string[] = [
  // 1: radio core
  `
  CREATE TABLE clusters (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL DEFAULT '',
    village      TEXT NOT NULL DEFAULT '',
    secret_hash  TEXT NOT NULL,
    volume       INTEGER NOT NULL DEFAULT 80,
    next_seq     INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    online       INTEGER NOT NULL DEFAULT 0,
    last_seen_at INTEGER
  );

  CREATE TABLE media (
    id            TEXT PRIMARY KEY,            -- sha256 of the delivery file
    name          TEXT NOT NULL,
    original_name TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL,
    bytes         INTEGER NOT NULL,
    format        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    removed_at    INTEGER                      -- kept for the log after its file is deleted
  );

  CREATE TABLE broadcasts (
    id          TEXT PRIMARY KEY,
    media_id    TEXT NOT NULL REFERENCES media(id),
    start_at    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    volume      INTEGER,
    stopped_at  INTEGER
  );
  CREATE INDEX broadcasts_start ON broadcasts(start_at);

  CREATE TABLE broadcast_targets (
    broadcast_id TEXT NOT NULL REFERENCES broadcasts(id),
    cluster_id   TEXT NOT NULL,
    status       TEXT NOT NULL,
    reason       TEXT,
    detail       TEXT,
    cmd_id       TEXT,
    seq          INTEGER,
    sent_at      INTEGER,
    accepted_at  INTEGER,
    started_at   INTEGER,
    finished_at  INTEGER,
    deadline_at  INTEGER,                      -- when an open target without news is given up
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (broadcast_id, cluster_id)
  );
  CREATE INDEX broadcast_targets_cmd ON broadcast_targets(cmd_id);
  CREATE INDEX broadcast_targets_cluster ON broadcast_targets(cluster_id, broadcast_id);
  CREATE INDEX broadcast_targets_deadline ON broadcast_targets(deadline_at) WHERE deadline_at IS NOT NULL;

  CREATE TABLE presence_events (
    id         INTEGER PRIMARY KEY,
    cluster_id TEXT NOT NULL,
    online     INTEGER NOT NULL,
    reason     TEXT,
    at         INTEGER NOT NULL
  );
  CREATE INDEX presence_events_cluster ON presence_events(cluster_id, at);

  CREATE TABLE health_samples (
    id          INTEGER PRIMARY KEY,
    cluster_id  TEXT NOT NULL,
    at          INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    cpu_temp_c  REAL,
    load1       REAL,
    mem_free_mb REAL,
    disk_free_mb REAL,
    uptime_s    REAL,
    player      TEXT,
    last_error  TEXT,
    body        TEXT NOT NULL
  );
  CREATE INDEX health_samples_cluster ON health_samples(cluster_id, received_at);

  CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );
  `,
  // 2: schedules, emergencies, and what the broadcast log needs to report on them
  `
  CREATE TABLE schedule_versions (
    version    INTEGER PRIMARY KEY,
    file       TEXT NOT NULL,
    text       TEXT NOT NULL,
    applied_by TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  );

  CREATE TABLE emergencies (
    id         TEXT PRIMARY KEY,
    media_id   TEXT NOT NULL REFERENCES media(id),
    clusters   TEXT NOT NULL,               -- JSON array of cluster ids
    zones      TEXT NOT NULL DEFAULT '[]',  -- JSON array, as the operator gave them
    repeat     INTEGER NOT NULL DEFAULT 0,
    volume     INTEGER,
    started_at INTEGER NOT NULL,
    started_by TEXT NOT NULL DEFAULT '',
    stopped_at INTEGER,
    stopped_by TEXT
  );

  -- adhoc (loa broadcast play), schedule (a programme item), emergency
  ALTER TABLE broadcasts ADD COLUMN kind TEXT NOT NULL DEFAULT 'adhoc';
  ALTER TABLE broadcasts ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
  ALTER TABLE broadcasts ADD COLUMN programme_id TEXT;
  ALTER TABLE broadcasts ADD COLUMN programme_name TEXT;
  ALTER TABLE broadcasts ADD COLUMN planned_end INTEGER;
  CREATE INDEX broadcasts_kind ON broadcasts(kind, start_at);

  ALTER TABLE broadcast_targets ADD COLUMN played_ms INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE broadcast_targets ADD COLUMN segments INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE broadcast_targets ADD COLUMN segment_started_at INTEGER;
  ALTER TABLE broadcast_targets ADD COLUMN first_offset_ms INTEGER;

  CREATE TABLE hub_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 3: alarms (cluster health, later cameras) and the events feed whose id is the police cursor
  `
  CREATE TABLE alarms (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,               -- cluster-offline, temperature, throttled, play-failed, cache-insufficient, …
    severity     TEXT NOT NULL,               -- warning, critical
    subject_type TEXT NOT NULL,               -- cluster (camera in the police issue)
    subject_id   TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    raised_at    INTEGER NOT NULL,
    cleared_at   INTEGER,                     -- null while the alarm is open
    clear_detail TEXT
  );
  -- One open alarm per kind and subject: an episode is raised once, however often it is seen.
  CREATE UNIQUE INDEX alarms_open ON alarms(kind, subject_type, subject_id) WHERE cleared_at IS NULL;
  CREATE INDEX alarms_raised ON alarms(raised_at);

  -- Every raise and clear (and later other feed items, e.g. motion) in order. AUTOINCREMENT so an
  -- id is never reused, even after old rows are pruned: clients keep the last id as their cursor.
  CREATE TABLE events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    type         TEXT NOT NULL,               -- alarm-raised, alarm-cleared
    alarm_id     INTEGER REFERENCES alarms(id),
    kind         TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    severity     TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT ''
  );
  `,
  // 4: each box's own estimate of how far its start was from the common start time
  `
  ALTER TABLE broadcast_targets ADD COLUMN start_error_ms REAL;
  `,
  // 5: cameras for the police post: configuration (password encrypted) and the last poll's findings
  `
  CREATE TABLE cameras (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL DEFAULT '',
    village         TEXT,
    host            TEXT NOT NULL,
    port            INTEGER NOT NULL,
    path            TEXT NOT NULL,
    user            TEXT NOT NULL,
    password        TEXT NOT NULL,            -- AES-256-GCM, key in <dataDir>/camera-secrets.key
    source          TEXT NOT NULL,            -- config, operator
    created_at      INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'unknown',
    reason          TEXT,
    status_since    INTEGER,
    last_seen_at    INTEGER,
    last_checked_at INTEGER,
    clock_skew_ms   INTEGER,
    latency_ms      INTEGER,
    device          TEXT,                     -- JSON CameraDeviceInfo
    profiles        TEXT NOT NULL DEFAULT '[]',
    stream_uri      TEXT,
    snapshot_uri    TEXT                      -- the camera's own address; the API shows the hub's proxy
  );
  `,
  // 6: a broadcast may be a relay (schedule \`relay:\` item) instead of a library media file:
  // media_id becomes nullable and stream_url names the station. SQLite cannot drop NOT NULL, so both
  // tables are rebuilt; the targets first point at the new table, and the old ones are dropped
  // child before parent so no foreign key is ever left dangling (they stay enforced throughout).
  `
  CREATE TABLE broadcasts_v6 (
    id             TEXT PRIMARY KEY,
    media_id       TEXT REFERENCES media(id),  -- null for a relay
    stream_url     TEXT,                       -- the station relayed, when media_id is null
    start_at       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    created_by     TEXT NOT NULL DEFAULT '',
    volume         INTEGER,
    stopped_at     INTEGER,
    kind           TEXT NOT NULL DEFAULT 'adhoc',
    priority       TEXT NOT NULL DEFAULT 'normal',
    programme_id   TEXT,
    programme_name TEXT,
    planned_end    INTEGER,
    CHECK ((media_id IS NULL) <> (stream_url IS NULL))
  );
  INSERT INTO broadcasts_v6 (id, media_id, start_at, created_at, created_by, volume, stopped_at, kind, priority, programme_id, programme_name, planned_end)
    SELECT id, media_id, start_at, created_at, created_by, volume, stopped_at, kind, priority, programme_id, programme_name, planned_end FROM broadcasts;
  CREATE TABLE broadcast_targets_v6 (
    broadcast_id       TEXT NOT NULL REFERENCES broadcasts_v6(id),
    cluster_id         TEXT NOT NULL,
    status             TEXT NOT NULL,
    reason             TEXT,
    detail             TEXT,
    cmd_id             TEXT,
    seq                INTEGER,
    sent_at            INTEGER,
    accepted_at        INTEGER,
    started_at         INTEGER,
    finished_at        INTEGER,
    deadline_at        INTEGER,
    updated_at         INTEGER NOT NULL,
    played_ms          INTEGER NOT NULL DEFAULT 0,
    segments           INTEGER NOT NULL DEFAULT 0,
    segment_started_at INTEGER,
    first_offset_ms    INTEGER,
    start_error_ms     REAL,
    PRIMARY KEY (broadcast_id, cluster_id)
  );
  INSERT INTO broadcast_targets_v6 SELECT broadcast_id, cluster_id, status, reason, detail, cmd_id, seq, sent_at, accepted_at, started_at, finished_at,
    deadline_at, updated_at, played_ms, segments, segment_started_at, first_offset_ms, start_error_ms FROM broadcast_targets;
  DROP TABLE broadcast_targets;
  DROP TABLE broadcasts;
  -- Renaming rewrites broadcast_targets_v6's reference to the new name.
  ALTER TABLE broadcasts_v6 RENAME TO broadcasts;
  ALTER TABLE broadcast_targets_v6 RENAME TO broadcast_targets;
  CREATE INDEX broadcasts_start ON broadcasts(start_at);
  CREATE INDEX broadcasts_kind ON broadcasts(kind, start_at);
  CREATE INDEX broadcast_targets_cmd ON broadcast_targets(cmd_id);
  CREATE INDEX broadcast_targets_cluster ON broadcast_targets(cluster_id, broadcast_id);
  CREATE INDEX broadcast_targets_deadline ON broadcast_targets(deadline_at) WHERE deadline_at IS NOT NULL;
  `,
  // 7: external broker mode. A cluster's secret also hashed the way Mosquitto 2 checks it (PBKDF2-SHA512,
  // "$7$…"), computed when the secret is known in clear (add, rotate-secret); null for older clusters.
  `
  ALTER TABLE clusters ADD COLUMN mosquitto_hash TEXT;
  `,
  // 8: alarm details coded (common/i18n/reasons.ts) so readers translate them: code, parameters
  // (JSON) and an operator-only extra (the box's own words), for the raise and the clear. Older
  // rows keep their text with a null code.
  `
  ALTER TABLE alarms ADD COLUMN detail_code TEXT;
  ALTER TABLE alarms ADD COLUMN detail_params TEXT;
  ALTER TABLE alarms ADD COLUMN detail_extra TEXT;
  ALTER TABLE alarms ADD COLUMN clear_code TEXT;
  ALTER TABLE alarms ADD COLUMN clear_params TEXT;
  ALTER TABLE alarms ADD COLUMN clear_extra TEXT;
  ALTER TABLE events ADD COLUMN detail_code TEXT;
  ALTER TABLE events ADD COLUMN detail_params TEXT;
  ALTER TABLE events ADD COLUMN detail_extra TEXT;
  `,
  // 9: a media name belongs to one item at a time (issue 13). Where older hubs let two items not
  // removed share a name, the newest keeps it (it is the one schedules played) and each older one
  // is renamed "<name> (<first 12 characters of its id>)"; no row is lost. Removed rows keep
  // their names for the log.
  `
  UPDATE media SET name = name || ' (' || substr(id, 1, 12) || ')'
   WHERE removed_at IS NULL AND EXISTS (
     SELECT 1 FROM media newer WHERE newer.name = media.name AND newer.removed_at IS NULL
        AND (newer.created_at > media.created_at OR (newer.created_at = media.created_at AND newer.id > media.id)));
  CREATE UNIQUE INDEX media_name_unique ON media(name) WHERE removed_at IS NULL;
  `,
];
