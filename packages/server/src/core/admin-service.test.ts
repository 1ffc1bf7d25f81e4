import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryFanout } from '../adapters/fanout-memory.js';
import { SqliteStore } from '../adapters/store-sqlite/index.js';
import { systemClock } from '../ports/clock.js';
import { topics } from '../ports/fanout.js';
import { AdminService } from './admin-service.js';
import { AuditTrail } from './audit-trail.js';
import { CustomerData } from './customer-data.js';
import { DiskFileStore } from '../adapters/files-disk.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeploymentInput } from './admin/deployments.js';
import { authorize } from './authorize.js';
import { DirectoryCache } from './directory-cache.js';
import { chatCore } from './chat.testkit.js';
import { ChatError } from './errors.js';
import { Authenticator } from './request-context.js';
import { StaffAuth } from './staff-auth.js';
import { TokenService } from './tokens.js';

const shop: DeploymentInput = {
  id: 'shop',
  name: 'Shop',
  allowedOrigins: ['https://shop.example'],
  asyncPolicy: { mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: 'Thank you.' },
  defaultQueue: 'Support',
  settings: {},
};
const staff = { displayName: 'Staff', capacity: 2, skills: {}, languages: [], queues: [] };

/** The code of the ChatError a promise rejects with. */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (err: unknown) => (err instanceof ChatError ? err.code : err),
  );

describe('AdminService (core, on the SQLite store)', () => {
  let store: SqliteStore;
  let fanout: MemoryFanout;
  let auth: StaffAuth;
  let admin: AdminService;
  let authn: Authenticator;
  /** What the admin API's preHandler does with a bearer token. */
  const adminOf = async (token: string | null) => {
    const who = await authn.staff(token);
    authorize(who, 'admin.manage');
    return who.account;
  };
  beforeEach(() => {
    store = new SqliteStore(':memory:');
    fanout = new MemoryFanout();
    const tokens = new TokenService('a-test-secret-of-some-length', 3600);
    auth = new StaffAuth(store, fanout, tokens, systemClock);
    admin = new AdminService(
      store,
      auth,
      systemClock,
      fanout,
      new AuditTrail(store, systemClock),
      new CustomerData(store, new DiskFileStore(mkdtempSync(join(tmpdir(), 'parley-admin-'))), systemClock),
    );
    // A cache that outlives the test: only the announcements can make it forget.
    authn = new Authenticator(new DirectoryCache(store, fanout, systemClock, 3_600_000), tokens);
  });
  afterEach(() => store.close());

  it('creates a deployment once, with a public first key; a second with its id conflicts', async () => {
    const { deployment, apiKey } = await admin.deployments.create(shop);
    expect(deployment).toMatchObject({ id: 'shop', name: 'Shop', defaultQueue: 'Support' });
    expect(apiKey).toMatch(/^pk_/);
    expect(await admin.deployments.listKeys('shop')).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{16}$/), label: 'default', kind: 'public' }]);
    // A public key is not a server key: the workflow API refuses it.
    expect(await refusal(authn.backEnd(apiKey))).toBe('UNAUTHORIZED');
    expect(await refusal(admin.deployments.create(shop))).toBe('CONFLICT');
    expect((await admin.deployments.list()).map((d) => d.id)).toEqual(['shop']);
  });

  it('generates an id when none is given, and replace keeps the id and creation time', async () => {
    const { deployment } = await admin.deployments.create({ ...shop, id: undefined });
    expect(deployment.id).toMatch(/^[0-9a-f-]{36}$/);
    const replaced = await admin.deployments.replace(deployment.id, { ...shop, name: 'Renamed', defaultQueue: 'Billing' });
    expect(replaced).toEqual({ ...deployment, name: 'Renamed', defaultQueue: 'Billing' });
    expect((await admin.deployments.list())[0]).toEqual(replaced);
    expect(await refusal(admin.deployments.replace('nope', shop))).toBe('NOT_FOUND');
  });

  it('makes a server key that authenticates workflows until it is revoked', async () => {
    await admin.deployments.create(shop);
    const key = await admin.deployments.createKey('shop', 'bots', 'server');
    expect(key).toMatchObject({ label: 'bots', kind: 'server', apiKey: expect.stringMatching(/^sk_/) });
    expect((await authn.backEnd(key.apiKey)).deployment.id).toBe('shop');
    expect(await refusal(admin.deployments.revokeKey('shop', 'not-a-key-id'))).toBe('INVALID_REQUEST');
    await admin.deployments.revokeKey('shop', key.id);
    expect(await refusal(authn.backEnd(key.apiKey))).toBe('UNAUTHORIZED');
    expect(await refusal(admin.deployments.revokeKey('shop', key.id))).toBe('NOT_FOUND');
    expect(await refusal(admin.deployments.createKey('nope', 'x', 'public'))).toBe('NOT_FOUND');
  });

  it('puts a queue by deployment and name (keeping its id), and deletes it once', async () => {
    await admin.deployments.create(shop);
    const queue = { deploymentId: 'shop', name: 'Billing', skills: ['billing'], language: null, offerTimeoutSeconds: 20, stickySeconds: 0 };
    const first = await admin.queues.put(queue);
    const second = await admin.queues.put({ ...queue, offerTimeoutSeconds: 60 });
    expect(second).toEqual({ ...first, offerTimeoutSeconds: 60 });
    expect(await admin.queues.list()).toEqual([second]);
    expect(await refusal(admin.queues.put({ ...queue, deploymentId: 'nope' }))).toBe('NOT_FOUND');
    await admin.queues.delete(first.id);
    expect(await refusal(admin.queues.delete(first.id))).toBe('NOT_FOUND');
  });

  it('creates accounts with unique usernames and their routing profile', async () => {
    const { account, profile } = await admin.accounts.create({ ...staff, username: 'ann', password: 'ann-password-1', role: 'agent', skills: { billing: 4 } });
    expect(account).toMatchObject({ username: 'ann', role: 'agent', disabled: false });
    expect(profile).toMatchObject({ accountId: account.id, capacity: 2, skills: { billing: 4 }, presence: 'NotReady' });
    expect(await refusal(admin.accounts.create({ ...staff, username: 'ann', password: 'other-password', role: 'admin' }))).toBe('CONFLICT');
    expect((await admin.accounts.list()).map((m) => [m.account.username, m.profile.capacity])).toEqual([['ann', 2]]);
    expect((await auth.login('ann', 'ann-password-1')).account.id).toBe(account.id);
  });

  it('admits admins only; a role change revokes tokens and tells every node; the last admin stays', async () => {
    const boss = await admin.accounts.create({ ...staff, username: 'boss', password: 'boss-password-1', role: 'admin' });
    const ann = await admin.accounts.create({ ...staff, username: 'ann', password: 'ann-password-1', role: 'agent' });
    const bossToken = (await auth.login('boss', 'boss-password-1')).token;
    const annToken = (await auth.login('ann', 'ann-password-1')).token;
    expect((await adminOf(bossToken)).id).toBe(boss.account.id);
    expect(await refusal(adminOf(annToken))).toBe('FORBIDDEN');
    expect(await refusal(adminOf(null))).toBe('UNAUTHORIZED');

    expect(await refusal(admin.accounts.update(boss.account.id, { role: 'agent' }))).toBe('CONFLICT');
    const announced: string[] = [];
    fanout.listen(topics.account(ann.account.id), () => announced.push(ann.account.id));
    const promoted = await admin.accounts.update(ann.account.id, { role: 'admin', capacity: 5 });
    expect(promoted.account.role).toBe('admin');
    expect(promoted.profile.capacity).toBe(5);
    expect(announced).toEqual([ann.account.id]);
    expect(await refusal(adminOf(annToken))).toBe('UNAUTHORIZED');
    // With a second admin, the first may step down.
    expect((await admin.accounts.update(boss.account.id, { role: 'supervisor' })).account.role).toBe('supervisor');
    expect(await refusal(admin.accounts.update('nope', { displayName: 'x' }))).toBe('NOT_FOUND');
  });

  it('adds and deletes canned responses; puts (renames) and deletes wrap-up codes', async () => {
    const canned = await admin.cannedResponses.add({ title: 'Hi', text: 'Hello, how can I help?' });
    expect(canned).toEqual({ id: expect.any(String), title: 'Hi', text: 'Hello, how can I help?' });
    expect(await store.tx((tx) => tx.listCannedResponses())).toEqual([canned]);
    await admin.cannedResponses.delete(canned.id);
    expect(await refusal(admin.cannedResponses.delete(canned.id))).toBe('NOT_FOUND');

    await admin.wrapUpCodes.put({ code: 'done', label: 'Done' });
    await admin.wrapUpCodes.put({ code: 'done', label: 'Resolved' });
    expect(await store.tx((tx) => tx.listWrapUpCodes())).toEqual([{ code: 'done', label: 'Resolved' }]);
    await admin.wrapUpCodes.delete('done');
    expect(await refusal(admin.wrapUpCodes.delete('done'))).toBe('NOT_FOUND');
  });
});
