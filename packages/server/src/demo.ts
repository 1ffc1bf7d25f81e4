import type { Config } from './config.js';
import { newId } from './core/ids.js';
import { hashApiKey, hashPassword, randomToken, verifyPassword } from './core/secrets.js';
import type { AsyncPolicy, Deployment, Store } from './ports/store.js';

export const DEMO_DEPLOYMENT_ID = 'demo';

export const defaultAsyncPolicy: AsyncPolicy = {
  mode: 'client',
  afterCompletion: 'notice',
  noticeWindowSeconds: 60,
  noticeText: 'Thank you for your query. Please do not respond to this automated message if you do not have additional questions.',
};

export interface DemoCredentials {
  deploymentId: string;
  apiKey: string;
  agentUser: string;
  agentPassword: string;
}

/**
 * The demo deployment and agent that `npm start` prints. Generated credentials are kept in the
 * settings table so every start prints the same ones; the PARLEY_DEMO_* variables fix them.
 */
export async function ensureDemo(store: Store, config: Config): Promise<DemoCredentials> {
  return store.tx(async (tx) => {
    const apiKey = config.PARLEY_DEMO_API_KEY ?? (await tx.getSetting('demo.apiKey')) ?? `pk_demo_${randomToken(18)}`;
    const agentUser = config.PARLEY_DEMO_AGENT_USER ?? (await tx.getSetting('demo.agentUser')) ?? 'agent';
    const agentPassword = config.PARLEY_DEMO_AGENT_PASSWORD ?? (await tx.getSetting('demo.agentPassword')) ?? randomToken(12);
    await tx.putSetting('demo.apiKey', apiKey);
    await tx.putSetting('demo.agentUser', agentUser);
    await tx.putSetting('demo.agentPassword', agentPassword);

    if (!(await tx.getDeployment(DEMO_DEPLOYMENT_ID))) {
      const d: Deployment = {
        id: DEMO_DEPLOYMENT_ID,
        name: 'Demo website',
        allowedOrigins: [`http://localhost:${config.PORT}`, `http://127.0.0.1:${config.PORT}`],
        asyncPolicy: defaultAsyncPolicy,
        defaultQueue: 'Support',
        createdAt: new Date().toISOString(),
      };
      await tx.insertDeployment(d);
    }
    await tx.addApiKey(DEMO_DEPLOYMENT_ID, hashApiKey(apiKey), 'demo');

    const existing = await tx.getAccountByUsername(agentUser);
    if (!existing) {
      await tx.insertAccount({ id: newId(), username: agentUser, displayName: 'Demo Agent', passwordHash: await hashPassword(agentPassword), role: 'agent', createdAt: new Date().toISOString() });
    } else if (!(await verifyPassword(agentPassword, existing.passwordHash))) {
      await tx.updateAccountPassword(existing.id, await hashPassword(agentPassword));
    }
    return { deploymentId: DEMO_DEPLOYMENT_ID, apiKey, agentUser, agentPassword };
  });
}
