import type { Config } from './config.js';
import { newId } from './core/ids.js';
import { defaultProfile } from './core/routing-service.js';
import { hashApiKey, hashPassword, randomToken } from './core/secrets.js';
import type { AsyncPolicy, Deployment, IdlePolicy, Store } from './ports/store.js';
import { systemClock, type Clock } from './ports/clock.js';
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
  /** The public (page) key the demo page uses; not a secret, it is in the page. */
  apiKey: string;
  /** Usernames of the demo accounts with their roles, e.g. `agent2 (agent)`. */
  accounts: string[];
  /**
   * Secrets, only on the start that created the demo data (shown once, on the terminal): later
   * starts do not know them, since only their hashes are stored.
   */
  created: { serverKey: string; agentUser: string; agentPassword: string } | null;
}

/**
 * The demo deployment, keys and accounts that `npm start` prints. Created once, on an empty
 * database (no deployment, no account), and never touched again: a password changed or a key
 * revoked by an operator stays so. No secret is kept in plaintext; the PARLEY_DEMO_* variables fix
 * them for the first start.
 */
export async function ensureDemo(store: Store, config: Config, clock: Clock = systemClock): Promise<DemoCredentials | null> {
  return store.tx(async (tx) => {
    if (await tx.getDeployment(DEMO_DEPLOYMENT_ID)) {
      // Earlier versions kept the demo password in plaintext: it goes.
      if (await tx.getSetting('demo.agentPassword')) await tx.putSetting('demo.agentPassword', '');
      if (await tx.getSetting('demo.serverKey')) await tx.putSetting('demo.serverKey', '');
      const apiKey = await tx.getSetting('demo.apiKey');
      const agentUser = (await tx.getSetting('demo.agentUser')) ?? 'agent';
      return apiKey ? { deploymentId: DEMO_DEPLOYMENT_ID, apiKey, accounts: demoAccounts(agentUser).map(label), created: null } : null;
    }
    if ((await tx.listDeployments()).length > 0 || (await tx.listAccounts()).length > 0) return null;
    // Made once, ever. Of nodes starting together on an empty database, the later one's transaction
    // fails on this unique record, is run again by the store once the first has committed, and then
    // finds the demo deployment.
    if ((await tx.getOperation('settings', 'demo.created')) !== null) return null;
    await tx.putOperation('settings', 'demo.created', 'created', new Date(clock.now()).toISOString());

    const apiKey = config.PARLEY_DEMO_API_KEY ?? `pk_demo_${randomToken(18)}`;
    const agentUser = config.PARLEY_DEMO_AGENT_USER ?? 'agent';
    const agentPassword = config.PARLEY_DEMO_AGENT_PASSWORD ?? randomToken(12);
    const serverKey = config.PARLEY_DEMO_SERVER_KEY ?? `sk_demo_${randomToken(24)}`;
    await tx.putSetting('demo.apiKey', apiKey);
    await tx.putSetting('demo.agentUser', agentUser);

    const d: Deployment = {
      id: DEMO_DEPLOYMENT_ID,
      name: 'Demo website',
      allowedOrigins: [`http://localhost:${config.PORT}`, `http://127.0.0.1:${config.PORT}`],
      asyncPolicy: defaultAsyncPolicy,
      defaultQueue: 'Support',
      createdAt: new Date(clock.now()).toISOString(),
      settings: config.PARLEY_DEMO_BOT ? { flow: demoFlow, idle: defaultIdlePolicy, appName: 'parley' } : { idle: defaultIdlePolicy, appName: 'parley' },
    };
    await tx.insertDeployment(d);
    await tx.addApiKey(DEMO_DEPLOYMENT_ID, hashApiKey(apiKey), 'demo');
    await tx.addApiKey(DEMO_DEPLOYMENT_ID, hashApiKey(serverKey), 'demo workflows', 'server');

    const now = new Date(clock.now()).toISOString();
    const passwordHash = await hashPassword(agentPassword);
    for (const a of demoAccounts(agentUser)) {
      const id = newId();
      await tx.insertAccount({ id, ...a, passwordHash, createdAt: now, tokenGeneration: 0, disabled: false });
      if (a.role !== 'admin') await tx.upsertProfile({ ...defaultProfile(id, now), skills: { billing: 5, tech: 5 }, languages: ['English - Written'] });
    }
    await tx.upsertQueue({ id: newId(), deploymentId: DEMO_DEPLOYMENT_ID, name: 'Support', skills: [], language: null, offerTimeoutSeconds: 30, stickySeconds: 120 });
    await tx.upsertQueue({ id: newId(), deploymentId: DEMO_DEPLOYMENT_ID, name: 'Billing', skills: ['billing'], language: null, offerTimeoutSeconds: 30, stickySeconds: 120 });
    for (const [title, text] of [
      ['Greeting', 'Hello, thanks for reaching out! How can I help you today?'],
      ['One moment', 'Let me check that for you, one moment please.'],
      ['Closing', 'Is there anything else I can help you with?'],
    ])
      await tx.insertCannedResponse({ id: newId(), title: title!, text: text! });
    for (const [code, label] of [
      ['resolved', 'Resolved'],
      ['follow-up', 'Needs follow-up'],
      ['no-response', 'Customer did not respond'],
    ])
      await tx.upsertWrapUpCode({ code: code!, label: label! });
    return { deploymentId: DEMO_DEPLOYMENT_ID, apiKey, accounts: demoAccounts(agentUser).map(label), created: { serverKey, agentUser, agentPassword } };
  });
}

function demoAccounts(agentUser: string) {
  return [
    { username: agentUser, displayName: 'Demo Agent', role: 'agent' as const },
    { username: `${agentUser}2`, displayName: 'Second Agent', role: 'agent' as const },
    { username: 'supervisor', displayName: 'Demo Supervisor', role: 'supervisor' as const },
    { username: 'admin', displayName: 'Demo Admin', role: 'admin' as const },
  ];
}

const label = (a: { username: string; role: string }) => `${a.username} (${a.role})`;
