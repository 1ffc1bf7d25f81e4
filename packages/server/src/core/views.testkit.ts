/**
 * A fixture of the core view tests: an in-memory SQLite store holding one deployment (`shop`,
 * queue `Support`) and the given staff accounts, and a ChatService over it.
 */
import { MemoryFanout } from '../adapters/fanout-memory.js';
import { SqliteStore } from '../adapters/store-sqlite/index.js';
import type { Account, Deployment, Role } from '../ports/store.js';
import type { ChatService } from './chat-service.js';
import { chatCore } from './chat.testkit.js';
import type { LogWriter } from './log-writer.js';

export const deployment: Deployment = {
  id: 'shop',
  name: 'Shop',
  allowedOrigins: [],
  asyncPolicy: { mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: '' },
  defaultQueue: 'Support',
  createdAt: new Date(0).toISOString(),
  settings: {},
};

export const account = (id: string, role: Role): Account => ({
  id,
  username: id,
  displayName: id.toUpperCase(),
  passwordHash: 'x',
  role,
  createdAt: new Date(0).toISOString(),
  tokenGeneration: 0,
  disabled: false,
});

export interface CoreFixture {
  store: SqliteStore;
  fanout: MemoryFanout;
  chat: ChatService;
  writer: LogWriter;
}

/** The store with `deployment` and `accounts` in it; the caller closes the store. */
export async function openCoreFixture(accounts: Account[]): Promise<CoreFixture> {
  const store = new SqliteStore(':memory:');
  const fanout = new MemoryFanout();
  const { chat, writer } = chatCore(store, { fanout });
  await store.tx(async (tx) => {
    await tx.insertDeployment(deployment);
    for (const a of accounts) await tx.insertAccount(a);
  });
  return { store, fanout, chat, writer };
}
