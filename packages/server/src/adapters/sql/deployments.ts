import type { ApiKeyKind, Deployment } from '../../ports/store.js';
import { statement } from './dialect.js';

const columns = (d: Deployment) => [d.name, JSON.stringify(d.allowedOrigins), JSON.stringify(d.asyncPolicy), d.defaultQueue, JSON.stringify(d.settings ?? {})];

export const deploymentSql = {
  get: (id: string) => statement('SELECT * FROM deployments WHERE id = ?', id),
  byApiKeyHash: (hash: string, kind: ApiKeyKind) => statement('SELECT d.* FROM deployments d JOIN api_keys k ON k.deployment_id = d.id WHERE k.key_hash = ? AND k.kind = ?', hash, kind),
  insert: (d: Deployment) => {
    const [name, origins, policy, queue, settings] = columns(d);
    return statement(
      'INSERT INTO deployments (id, name, allowed_origins, async_policy, default_queue, created_at, settings) VALUES (?, ?, ?, ?, ?, ?, ?)',
      d.id,
      name,
      origins,
      policy,
      queue,
      d.createdAt,
      settings,
    );
  },
  update: (d: Deployment) => statement('UPDATE deployments SET name = ?, allowed_origins = ?, async_policy = ?, default_queue = ?, settings = ? WHERE id = ?', ...columns(d), d.id),
  list: () => statement('SELECT * FROM deployments ORDER BY created_at, rowid'),
  addApiKey: (deploymentId: string, keyHash: string, label: string, kind: ApiKeyKind) =>
    statement(
      `INSERT INTO api_keys (key_hash, deployment_id, label, kind) VALUES (?, ?, ?, ?)
       ON CONFLICT (key_hash) DO UPDATE SET deployment_id = excluded.deployment_id, label = excluded.label, kind = excluded.kind`,
      keyHash,
      deploymentId,
      label,
      kind,
    ),
  listApiKeys: (deploymentId: string) => statement('SELECT key_hash, label, kind FROM api_keys WHERE deployment_id = ? ORDER BY label COLLATE BINARY', deploymentId),
  deleteApiKey: (deploymentId: string, prefix: string) =>
    statement('DELETE FROM api_keys WHERE deployment_id = ? AND substr(key_hash, 1, length(?)) = ? AND length(?) >= 12', deploymentId, prefix, prefix, prefix),
};
