import type { DeploymentStore } from '../../ports/store.js';
import { deploymentSql as sql } from '../sql/deployments.js';
import { orNull, toApiKey, toDeployment } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgDeployments = (db: PgConnection): DeploymentStore => ({
  getDeployment: async (id) => orNull(await db.one(sql.get(id)), toDeployment),
  getDeploymentByApiKeyHash: async (hash, kind = 'public') => orNull(await db.one(sql.byApiKeyHash(hash, kind)), toDeployment),
  insertDeployment: async (d) => {
    await db.run(sql.insert(d));
  },
  updateDeployment: async (d) => {
    await db.run(sql.update(d));
  },
  listDeployments: async () => (await db.rows(sql.list())).map(toDeployment),
  addApiKey: async (deploymentId, keyHash, label, kind = 'public') => {
    await db.run(sql.addApiKey(deploymentId, keyHash, label, kind));
  },
  listApiKeys: async (deploymentId) => (await db.rows(sql.listApiKeys(deploymentId))).map(toApiKey),
  deleteApiKey: async (deploymentId, prefix) => (await db.run(sql.deleteApiKey(deploymentId, prefix))) > 0,
});
