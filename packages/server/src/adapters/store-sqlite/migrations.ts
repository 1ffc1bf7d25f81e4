/** Versioned schema. Append new entries; never edit an applied one. */
export const migrations: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE deployments (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, allowed_origins TEXT NOT NULL, async_policy TEXT NOT NULL,
  default_queue TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE api_keys (key_hash TEXT PRIMARY KEY, deployment_id TEXT NOT NULL REFERENCES deployments(id), label TEXT NOT NULL);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY, deployment_id TEXT NOT NULL REFERENCES deployments(id), async INTEGER NOT NULL, state TEXT NOT NULL,
  customer_participant_id TEXT NOT NULL, transport_id TEXT NOT NULL, user_data TEXT NOT NULL,
  created_at TEXT NOT NULL, ended_at TEXT, last_index_num INTEGER NOT NULL);
CREATE TABLE participants (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id), type TEXT NOT NULL, nickname TEXT NOT NULL,
  account_id TEXT, state TEXT NOT NULL, joined_at TEXT NOT NULL, left_at TEXT, cursor_num INTEGER NOT NULL);
CREATE INDEX participants_session ON participants(session_id);
CREATE TABLE messages (
  session_id TEXT NOT NULL REFERENCES sessions(id), index_num INTEGER NOT NULL, visibility TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (session_id, index_num)) WITHOUT ROWID;
CREATE TABLE interactions (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id), deployment_id TEXT NOT NULL, state TEXT NOT NULL,
  queue TEXT NOT NULL, priority INTEGER NOT NULL, agent_account_id TEXT, wrap_up_code TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, completed_at TEXT, seq INTEGER NOT NULL);
CREATE INDEX interactions_session ON interactions(session_id, seq);
CREATE INDEX interactions_state ON interactions(state);
CREATE TABLE accounts (
  id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, password_hash TEXT NOT NULL,
  role TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE operations (scope TEXT NOT NULL, operation_id TEXT NOT NULL, result TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (scope, operation_id)) WITHOUT ROWID;
CREATE TABLE files (id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id), name TEXT NOT NULL, mime TEXT NOT NULL,
  size INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`,
  },
  {
    version: 2,
    sql: `
ALTER TABLE interactions ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
ALTER TABLE interactions ADD COLUMN language TEXT;
ALTER TABLE interactions ADD COLUMN queued_at TEXT NOT NULL DEFAULT '';
ALTER TABLE interactions ADD COLUMN handled_at TEXT;
ALTER TABLE interactions ADD COLUMN offer_expires_at TEXT;
ALTER TABLE interactions ADD COLUMN declined_by TEXT NOT NULL DEFAULT '[]';
ALTER TABLE interactions ADD COLUMN preferred_agent_id TEXT;
ALTER TABLE interactions ADD COLUMN preferred_until TEXT;
CREATE INDEX interactions_agent ON interactions(agent_account_id, state);
ALTER TABLE messages ADD COLUMN audience TEXT;
CREATE TABLE queues (
  id TEXT PRIMARY KEY, deployment_id TEXT NOT NULL REFERENCES deployments(id), name TEXT NOT NULL, skills TEXT NOT NULL,
  language TEXT, offer_timeout_seconds INTEGER NOT NULL, sticky_seconds INTEGER NOT NULL, UNIQUE (deployment_id, name));
CREATE TABLE agent_profiles (
  account_id TEXT PRIMARY KEY REFERENCES accounts(id), presence TEXT NOT NULL, reason TEXT, capacity INTEGER NOT NULL,
  skills TEXT NOT NULL, languages TEXT NOT NULL, queues TEXT NOT NULL, idle_since TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE canned_responses (id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE wrap_up_codes (code TEXT PRIMARY KEY, label TEXT NOT NULL);
`,
  },
  {
    version: 3,
    sql: `
ALTER TABLE deployments ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE api_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'public';
ALTER TABLE sessions ADD COLUMN last_customer_at TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_activity_at TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_active_customer ON sessions(state, last_customer_at);
CREATE INDEX sessions_active_activity ON sessions(state, last_activity_at);
CREATE TABLE flow_runs (
  session_id TEXT PRIMARY KEY REFERENCES sessions(id), interaction_id TEXT NOT NULL, step TEXT NOT NULL, waiting TEXT,
  vars TEXT NOT NULL, last_index_num INTEGER NOT NULL, updated_at TEXT NOT NULL);
`,
  },
  {
    version: 4,
    sql: `
ALTER TABLE accounts ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
`,
  },
  {
    version: 5,
    sql: `
CREATE TABLE agent_connections (
  id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), node_id TEXT NOT NULL, seen_at TEXT NOT NULL, closed_at TEXT);
CREATE INDEX agent_connections_account ON agent_connections(account_id, seen_at);
CREATE INDEX agent_connections_node ON agent_connections(node_id) WHERE closed_at IS NULL;
`,
  },
  {
    // Conversation search (ports/store/search.ts): core writes normalized words, so the default tokenizer splits them as PostgreSQL does.
    version: 10,
    sql: `
CREATE VIRTUAL TABLE search_messages USING fts5(words, session_id UNINDEXED, index_num UNINDEXED, visibility UNINDEXED);
CREATE TABLE search_sessions (session_id TEXT PRIMARY KEY REFERENCES sessions(id), customer TEXT NOT NULL);
`,
  },
  {
    // Contacts (ports/store/contacts.ts): a customer across sessions, by customer id or e-mail, with notes.
    version: 11,
    sql: `
CREATE TABLE contacts (id TEXT PRIMARY KEY, display_name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE contact_keys (kind TEXT NOT NULL, value TEXT NOT NULL, contact_id TEXT NOT NULL REFERENCES contacts(id), PRIMARY KEY (kind, value));
CREATE INDEX contact_keys_contact ON contact_keys(contact_id);
CREATE TABLE contact_sessions (session_id TEXT PRIMARY KEY REFERENCES sessions(id), contact_id TEXT NOT NULL REFERENCES contacts(id));
CREATE INDEX contact_sessions_contact ON contact_sessions(contact_id);
CREATE TABLE contact_notes (
  id TEXT PRIMARY KEY, contact_id TEXT NOT NULL REFERENCES contacts(id), author_account_id TEXT NOT NULL, author_name TEXT NOT NULL,
  text TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX contact_notes_contact ON contact_notes(contact_id, created_at);
`,
  },
  {
    // The supervisors' day report (ports/store/reports.ts): interaction state changes beside the log.
    version: 12,
    sql: `
CREATE TABLE interaction_state_changes (
  session_id TEXT NOT NULL REFERENCES sessions(id), index_num INTEGER NOT NULL, interaction_id TEXT NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL,
  PRIMARY KEY (session_id, index_num));
CREATE INDEX interaction_state_changes_interaction ON interaction_state_changes(interaction_id, index_num);
CREATE INDEX interactions_created ON interactions(created_at);
`,
  },
  {
    // Staff single sign-on: an OpenID Connect identity (issuer, subject) linked to an account (core/sso.ts).
    version: 21,
    sql: `
CREATE TABLE staff_identities (
  issuer TEXT NOT NULL, subject TEXT NOT NULL, account_id TEXT NOT NULL REFERENCES accounts(id), created_at TEXT NOT NULL,
  PRIMARY KEY (issuer, subject));
CREATE INDEX staff_identities_account ON staff_identities(account_id);
`,
  },
  {
    version: 30,
    sql: `
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY, deployment_id TEXT NOT NULL REFERENCES deployments(id), url TEXT NOT NULL, events TEXT NOT NULL,
  visibilities TEXT NOT NULL, secret TEXT NOT NULL, enabled INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX webhooks_deployment ON webhooks(deployment_id);
CREATE TABLE webhook_deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, webhook_id TEXT NOT NULL REFERENCES webhooks(id),
  event_id TEXT NOT NULL, event_type TEXT NOT NULL, ordering_key TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL,
  state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at TEXT NOT NULL, lease_owner TEXT, lease_until TEXT,
  last_error TEXT, last_status INTEGER, delivered_at TEXT, replay_of TEXT);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries(webhook_id, ordering_key, state, seq);
CREATE INDEX webhook_deliveries_key ON webhook_deliveries(ordering_key);
`,
  },
  {
    version: 31,
    sql: `
CREATE TABLE audit_entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, actor_id TEXT, actor_name TEXT NOT NULL, actor_role TEXT,
  action TEXT NOT NULL, target_type TEXT, target_id TEXT, details TEXT NOT NULL, ip TEXT, status INTEGER);
CREATE INDEX audit_entries_at ON audit_entries(at);
CREATE INDEX audit_entries_actor ON audit_entries(actor_id, seq);
CREATE INDEX audit_entries_target ON audit_entries(target_id, seq);
CREATE INDEX audit_entries_action ON audit_entries(action, seq);
`,
  },
  {
    version: 32,
    sql: `
ALTER TABLE sessions ADD COLUMN anonymized_at TEXT;
CREATE INDEX sessions_retention ON sessions(deployment_id, state, ended_at);
CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until TEXT NOT NULL);
`,
  },
  {
    version: 55,
    sql: `
CREATE TABLE surveys (
  session_id TEXT PRIMARY KEY REFERENCES sessions(id), deployment_id TEXT NOT NULL, queue TEXT NOT NULL, agent_account_id TEXT,
  rating INTEGER NOT NULL, comment TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX surveys_created ON surveys(created_at);
CREATE TABLE business_hours (
  deployment_id TEXT NOT NULL REFERENCES deployments(id), queue TEXT NOT NULL, time_zone TEXT NOT NULL, weekly TEXT NOT NULL,
  holidays TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (deployment_id, queue));
`,
  },
  {
    version: 60,
    sql: `
CREATE INDEX operations_created ON operations(created_at);
`,
  },
  {
    // Words wait here and go into search_messages together (search.ts): one FTS5 segment per batch.
    version: 61,
    sql: `
CREATE TABLE search_pending (id INTEGER PRIMARY KEY, words TEXT NOT NULL, session_id TEXT NOT NULL, index_num INTEGER NOT NULL, visibility TEXT NOT NULL);
`,
  },
  {
    // Nothing reads sessions by last_activity_at (idle control finds its candidates by the customer's
    // clock): the index only cost every appended message an index write.
    version: 62,
    sql: `
DROP INDEX sessions_active_activity;
`,
  },
];
