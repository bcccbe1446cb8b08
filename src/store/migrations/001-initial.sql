-- 001: the configuration store's first tables. Applied once, in a transaction, by src/store/migrate.ts.
-- Names are the keys (engines and services are referred to by name, and names never change), so that a
-- topic row reads `engine = 'local'` in any SQL console. Every row carries `version` for optimistic writes.

-- One row: bumped by every write transaction, read by pollers every second or two to notice changes.
CREATE TABLE config_revision (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  revision bigint NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO config_revision (id, revision) VALUES (true, 0);

-- Camunda engines that pollers fetch tasks from. `auth` holds secrets encrypted: {"$enc": "v1:…"}.
CREATE TABLE engines (
  name text PRIMARY KEY,
  url text NOT NULL,
  auth jsonb NOT NULL,
  worker_id_prefix text,
  version integer NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Systems that work units call (ZGW APIs, HTTP services), with their default credentials.
CREATE TABLE services (
  name text PRIMARY KEY,
  base_url text NOT NULL,
  kind text NOT NULL,
  auth jsonb NOT NULL,
  version integer NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Per-application credentials for a service: a task's `bptlAppId` variable picks them; without a row for that
-- application the service's own `auth` is used.
CREATE TABLE service_credentials (
  service text NOT NULL REFERENCES services (name) ON DELETE CASCADE,
  application_id text NOT NULL,
  auth jsonb NOT NULL,
  version integer NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (service, application_id)
);

-- Topics: which work unit handles a Camunda topic of an engine. The columns are what pollers filter on; the
-- other settings (lock, retry, timeouts, variables …) are one JSONB document, validated by the topic schema.
CREATE TABLE topics (
  engine text NOT NULL REFERENCES engines (name) ON DELETE RESTRICT,
  topic text NOT NULL,
  work_unit text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  settings jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (engine, topic)
);

-- Who changed what. `before`/`after` are redacted copies: secrets appear as {"set": true}, never in any form.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  revision bigint NOT NULL,
  actor text NOT NULL,
  action text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  resource_type text NOT NULL,
  resource_name text NOT NULL,
  before jsonb,
  after jsonb
);
CREATE INDEX audit_log_by_resource ON audit_log (resource_type, resource_name, id DESC);
