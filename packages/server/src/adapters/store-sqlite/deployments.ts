import type { DeploymentStore } from '../../ports/store.js';
import { deploymentSql as sql } from '../sql/deployments.js';
import { orNull, toApiKey, toDeployment } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteDeployments = (db: SqliteConnection): DeploymentStore => ({
  getDeployment: async (id) => orNull(db.get(sql.get(id)), toDeployment),
  getDeploymentByApiKeyHash: async (hash, kind = 'public') => orNull(db.get(sql.byApiKeyHash(hash, kind)), toDeployment),
  insertDeployment: async (d) => void db.run(sql.insert(d)),
  updateDeployment: async (d) => void db.run(sql.update(d)),
  listDeployments: async () => db.all(sql.list()).map(toDeployment),
  addApiKey: async (deploymentId, keyHash, label, kind = 'public') => void db.run(sql.addApiKey(deploymentId, keyHash, label, kind)),
  listApiKeys: async (deploymentId) => db.all(sql.listApiKeys(deploymentId)).map(toApiKey),
  deleteApiKey: async (deploymentId, prefix) => db.run(sql.deleteApiKey(deploymentId, prefix)) > 0,
});
