import type { Config } from './config.js';
import { newId } from './core/ids.js';
import { defaultProfile } from './core/routing-service.js';
import { hashApiKey, hashPassword, randomToken, verifyPassword } from './core/secrets.js';
import type { AsyncPolicy, Deployment, IdlePolicy, Store } from './ports/store.js';
import { demoFlow } from './flows/demo-flow.js';

export const DEMO_DEPLOYMENT_ID = 'demo';

export const defaultIdlePolicy: IdlePolicy = {
  alertAfterSeconds: 120,
  alertText: 'Are you still there? This chat will close soon if there is no reply.',
  closeAfterSeconds: 300,
  closeText: 'This chat was closed because there was no reply.',
  asyncCloseAfterSeconds: 7 * 86_400,
};

/**
 * The demo's chats are synchronous unless they start on the `async` endpoint (v3
 * `transport.endpoint: 'async'`, GMS service `async`), as a Genesys async site's are; Parley's SDK
 * may also ask with `data[async]` (`client`).
 */
export const defaultAsyncPolicy: AsyncPolicy = {
  mode: 'client',
  endpoints: { async: 'async' },
  afterCompletion: 'notice',
  noticeWindowSeconds: 60,
  noticeText: 'Thank you for your query. Please do not respond to this automated message if you do not have additional questions.',
};

export interface DemoCredentials {
  deploymentId: string;
  apiKey: string;
  /** Secret key for the workflow API. */
  serverKey: string;
  agentUser: string;
  agentPassword: string;
  /** More demo accounts, same password. */
  otherUsers: string[];
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

    const existing = await tx.getDeployment(DEMO_DEPLOYMENT_ID);
    if (existing && existing.asyncPolicy.endpoints === undefined) {
      // A demo deployment stored before endpoints existed gets the demo's async endpoint.
      await tx.updateDeployment({ ...existing, asyncPolicy: { ...existing.asyncPolicy, endpoints: defaultAsyncPolicy.endpoints! } });
    }
    if (!existing) {
      const d: Deployment = {
        id: DEMO_DEPLOYMENT_ID,
        name: 'Demo website',
        allowedOrigins: [`http://localhost:${config.PORT}`, `http://127.0.0.1:${config.PORT}`],
        asyncPolicy: defaultAsyncPolicy,
        defaultQueue: 'Support',
        createdAt: new Date().toISOString(),
        settings: config.PARLEY_DEMO_BOT ? { flow: demoFlow, idle: defaultIdlePolicy, appName: 'parley' } : { idle: defaultIdlePolicy, appName: 'parley' },
      };
      await tx.insertDeployment(d);
    }
    await tx.addApiKey(DEMO_DEPLOYMENT_ID, hashApiKey(apiKey), 'demo');
    const serverKey = config.PARLEY_DEMO_SERVER_KEY ?? (await tx.getSetting('demo.serverKey')) ?? `sk_demo_${randomToken(24)}`;
    await tx.putSetting('demo.serverKey', serverKey);
    await tx.addApiKey(DEMO_DEPLOYMENT_ID, hashApiKey(serverKey), 'demo workflows', 'server');

    const now = new Date().toISOString();
    const accounts = [
      { username: agentUser, displayName: 'Demo Agent', role: 'agent' as const },
      { username: `${agentUser}2`, displayName: 'Second Agent', role: 'agent' as const },
      { username: 'supervisor', displayName: 'Demo Supervisor', role: 'supervisor' as const },
      { username: 'admin', displayName: 'Demo Admin', role: 'admin' as const },
    ];
    for (const a of accounts) {
      const existing = await tx.getAccountByUsername(a.username);
      if (!existing) {
        const id = newId();
        await tx.insertAccount({ id, ...a, passwordHash: await hashPassword(agentPassword), createdAt: now });
        if (a.role !== 'admin') await tx.upsertProfile({ ...defaultProfile(id, now), skills: { billing: 5, tech: 5 }, languages: ['English - Written'] });
      } else if (!(await verifyPassword(agentPassword, existing.passwordHash))) {
        await tx.updateAccountPassword(existing.id, await hashPassword(agentPassword));
      }
    }
    if (!(await tx.getQueue(DEMO_DEPLOYMENT_ID, 'Support'))) {
      await tx.upsertQueue({ id: newId(), deploymentId: DEMO_DEPLOYMENT_ID, name: 'Support', skills: [], language: null, offerTimeoutSeconds: 30, stickySeconds: 120 });
      await tx.upsertQueue({ id: newId(), deploymentId: DEMO_DEPLOYMENT_ID, name: 'Billing', skills: ['billing'], language: null, offerTimeoutSeconds: 30, stickySeconds: 120 });
      for (const [title, text] of [
        ['Greeting', 'Hello, thanks for reaching out! How can I help you today?'],
        ['One moment', 'Let me check that for you, one moment please.'],
        ['Closing', 'Is there anything else I can help you with?'],
      ]) await tx.insertCannedResponse({ id: newId(), title: title!, text: text! });
      for (const [code, label] of [['resolved', 'Resolved'], ['follow-up', 'Needs follow-up'], ['no-response', 'Customer did not respond']]) await tx.upsertWrapUpCode({ code: code!, label: label! });
    }
    return { deploymentId: DEMO_DEPLOYMENT_ID, apiKey, serverKey, agentUser, agentPassword, otherUsers: accounts.slice(1).map((a) => `${a.username} (${a.role})`) };
  });
}
