/**
 * Retention and erasure (GDPR access and erasure): what is erased leaves no trace in any table of
 * the store (every table scanned with SQL for the customer's marker text) nor in the file store,
 * while other customers' data stays. Runs on SQLite and on PostgreSQL + Redis.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, AGENT, backendServices, createTestData, http, opId, SteppedClock, startServer, V3, V3Customer, type Running, type TestData } from './helpers.js';
import { WebhookReceiver } from './webhook-receiver.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

/** Every row of every table of the store, as text (lower case). */
async function dumpStore(data: TestData): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (data.backend === 'sqlite') {
    const db = new Database(data.name, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      for (const { name } of tables) out.set(name, JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all()).toLowerCase());
    } finally {
      db.close();
    }
    return out;
  }
  const svc = await backendServices();
  if (!svc.ok) throw new Error(svc.reason);
  const client = new pg.Client({ connectionString: svc.postgres });
  await client.connect();
  try {
    const tables = await client.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [data.name]);
    expect(tables.rows.length).toBeGreaterThan(10);
    // File bytes (file_chunks) are read as text, so a marker inside a stored file is found too.
    const asText = (_key: string, value: unknown) =>
      value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' ? Buffer.from((value as { data: number[] }).data).toString('utf8') : value;
    for (const { table_name } of tables.rows) out.set(table_name, JSON.stringify((await client.query(`SELECT * FROM "${data.name}"."${table_name}"`)).rows, asText).toLowerCase());
  } finally {
    await client.end();
  }
  return out;
}
const tablesHolding = (dump: Map<string, string>, marker: string) => [...dump].filter(([, rows]) => rows.includes(marker.toLowerCase())).map(([t]) => t);
/** The stored files holding `marker`: files on disk (SQLite), file ids in `file_chunks` (PostgreSQL, FILE_STORE=auto). */
async function storedFilesHolding(w: World, marker: string): Promise<string[]> {
  if (w.data.backend === 'sqlite') return filesHolding(w.filesDir, marker);
  const svc = await backendServices();
  if (!svc.ok) throw new Error(svc.reason);
  const client = new pg.Client({ connectionString: svc.postgres });
  await client.connect();
  try {
    const rows = (await client.query(`SELECT file_id, bytes FROM "${w.data.name}".file_chunks`)).rows as { file_id: string; bytes: Buffer }[];
    return [...new Set(rows.filter((r) => r.bytes.toString('utf8').toLowerCase().includes(marker.toLowerCase())).map((r) => r.file_id))];
  } finally {
    await client.end();
  }
}
function filesHolding(dir: string, marker: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.toLowerCase().includes(marker.toLowerCase()) || readFileSync(join(dir, n), 'utf8').toLowerCase().includes(marker.toLowerCase()));
}

interface World {
  data: TestData;
  srv: Running;
  clock: SteppedClock;
  filesDir: string;
  admin: Agent;
  agent: Agent;
  receiver: WebhookReceiver;
  webhookId: string;
}

async function world(overrides: Record<string, string> = {}): Promise<World> {
  const data = await createTestData();
  cleanup.push(() => data.drop());
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-erasure-'));
  const clock = new SteppedClock();
  const srv = await startServer(
    { PARLEY_DATA_DIR: dataDir, PARLEY_DEMO_BOT: 'true', RETENTION_EVERY_MINUTES: '0', WEBHOOK_POLL_MS: '20', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_RETRY_MAX_MS: '100', ...overrides },
    clock,
    { data },
  );
  cleanup.push(() => srv.close());
  const receiver = new WebhookReceiver();
  await receiver.up();
  cleanup.push(() => receiver.down());
  const admin = await new Agent(srv.url, { username: 'admin', password: AGENT.password }).login();
  const agent = await new Agent(srv.url).login();
  const hook = await http(`${srv.url}/admin/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}` },
    json: { deploymentId: 'demo', url: receiver.url, events: ['session.started', 'session.ended', 'message.created'], visibilities: ['All', 'Int'] },
  });
  receiver.secret = hook.body.secret;
  return { data, srv, clock, filesDir: join(dataDir, 'files'), admin, agent, receiver, webhookId: hook.body.webhook.id };
}

/**
 * A customer's whole journey, with `marker` in everything they give: name, e-mail, customer id,
 * messages to the bot and the agent, a file; the agent answers quoting it; the chat ends (unless `end: false`).
 */
async function journey(w: World, marker: string, customerId: string, opts: { end?: boolean } = {}) {
  const c = new V3Customer(w.srv.url);
  await c.start({ firstName: marker, lastName: 'Smith', nickname: marker, userData: { customerId, note: `${marker} note` } });
  const until = async (pred: (m: any[]) => boolean) => c.pollUntil(pred, 40);
  await until((m) => m.some((x) => /Type 'hours'/.test(x.text ?? '')));
  expect((await c.send('Text', 'agent')).status).toBe(200);
  await until((m) => m.some((x) => /email address/.test(x.text ?? '')));
  expect((await c.send('Text', `${marker}@example.com`)).status).toBe(200);
  await until((m) => m.some((x) => /An agent will be with you/.test(x.text ?? '')));
  expect((await c.send('Text', `my secret is ${marker}`)).status).toBe(200);
  const form = new FormData();
  form.set('operationId', opId());
  form.set('file', new Blob([`file body ${marker}`], { type: 'text/plain' }), `${marker}.txt`);
  expect((await http(`${w.srv.url}${V3}/${c.sessionId}/images`, { method: 'POST', headers: c.headers(), body: form })).status).toBe(200);
  const i = await w.agent.acceptFor(c.sessionId);
  expect((await w.agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: `Hello ${marker}` })).status).toBe(200);
  expect((await w.agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: `note about ${marker}`, visibility: 'Int' })).status).toBe(200);
  if (opts.end !== false) {
    expect((await w.agent.call('POST', `/interactions/${i.id}/done`)).status).toBe(200);
    // Completing the one interaction of a synchronous chat ends the session.
    expect((await w.agent.call('POST', `/interactions/${i.id}/complete`, {})).status).toBe(200);
  }
  await w.receiver.until((r) => r.some((x) => x.event.sessionId === c.sessionId && x.event.data?.message?.text === `note about ${marker}`));
  return c;
}

const adminCall = (w: World, method: string, path: string, json?: unknown) =>
  http(`${w.srv.url}/admin/v1${path}`, { method, headers: { authorization: `Bearer ${w.admin.token}` }, ...(json !== undefined ? { json } : {}) });

describe('erasure and export (GDPR)', () => {
  it('exports a customer as JSON, then erases them from every table and the file store; others stay', async () => {
    const w = await world();
    const gone = 'zq-erase-7f3a';
    const kept = 'zq-keep-91bc';
    const first = await journey(w, gone, `cust-${gone}`);
    const second = await journey(w, `${gone}-again`, `cust-${gone}`, { end: false });
    const other = await journey(w, kept, `cust-${kept}`);
    let dump = await dumpStore(w.data);
    // The scan sees the data where it lives: the test could fail.
    for (const table of ['sessions', 'messages', 'participants', 'files', 'operations', 'webhook_deliveries', 'flow_runs']) expect(tablesHolding(dump, gone)).toContain(table);
    // A file message reaches webhooks with its name, type and size, never its link.
    const fileEvent = w.receiver.received.find((r) => r.event.sessionId === first.sessionId && r.event.data.message?.type === 'File')!.event;
    expect(fileEvent.data.message.attachments).toEqual([{ type: 'file', mime: 'text/plain', name: `${gone}.txt`, size: `file body ${gone}`.length }]);
    expect(JSON.stringify(fileEvent)).not.toMatch(/sig=|\/images\//);
    expect(await storedFilesHolding(w, gone)).toHaveLength(2);

    const exported = await adminCall(w, 'POST', '/customers/export', { email: `${gone.toUpperCase()}@example.com` });
    expect(exported.status).toBe(200);
    expect(exported.body.sessions.map((s: any) => s.session.id)).toEqual([first.sessionId]);
    const byId = await adminCall(w, 'POST', '/customers/export', { customerId: `cust-${gone}` });
    expect(byId.body.sessions.map((s: any) => s.session.id).sort()).toEqual([first.sessionId, second.sessionId].sort());
    const s0 = exported.body.sessions[0];
    expect(s0.messages.some((m: any) => m.text === `my secret is ${gone}`)).toBe(true);
    expect(s0.messages.some((m: any) => m.text === `note about ${gone}` && m.visibility === 'Int')).toBe(true);
    expect(Buffer.from(s0.files[0].base64, 'base64').toString()).toBe(`file body ${gone}`);
    expect(s0.session.userData).toMatchObject({ customerId: `cust-${gone}`, EmailAddress: `${gone}@example.com` });
    expect(s0.flowRun).toBeTruthy();
    expect(JSON.stringify(byId.body)).not.toContain(kept);
    expect((await adminCall(w, 'POST', '/customers/export', { email: 'a@b.c', sessionId: 'x' })).status).toBe(400);

    const erased = await adminCall(w, 'POST', '/customers/erase', { customerId: `cust-${gone}` });
    expect(erased.body).toEqual({ by: 'customerId', erased: { sessions: 2, files: 2 } });
    dump = await dumpStore(w.data);
    expect(tablesHolding(dump, gone)).toEqual([]);
    for (const id of [first.sessionId, second.sessionId]) expect(tablesHolding(dump, id).filter((t) => t !== 'audit_entries')).toEqual([]);
    expect(await storedFilesHolding(w, gone)).toEqual([]);
    // The other customer is whole.
    expect(tablesHolding(dump, kept)).toEqual(expect.arrayContaining(['sessions', 'messages', 'files', 'operations', 'webhook_deliveries']));
    expect(await storedFilesHolding(w, kept)).toHaveLength(1);
    expect((await w.agent.call('GET', `/sessions/${other.sessionId}/messages`)).body.messages.some((m: any) => m.text === `my secret is ${kept}`)).toBe(true);
    expect((await w.agent.call('GET', `/sessions/${first.sessionId}`)).status).toBe(404);
    // The erasure is in the audit trail, without the key that named the customer.
    const audit = (await adminCall(w, 'GET', '/audit?action=admin.customer.')).body.entries;
    expect(audit.map((e: any) => e.action)).toEqual(expect.arrayContaining(['admin.customer.erase', 'admin.customer.export']));
    expect(audit.find((e: any) => e.action === 'admin.customer.erase').details).toEqual({ by: 'customerId', sessions: 2, files: 2 });
    // Erasing by session id, and again: nothing left to erase.
    expect((await adminCall(w, 'POST', '/customers/erase', { sessionId: other.sessionId })).body.erased).toEqual({ sessions: 1, files: 1 });
    expect(tablesHolding(await dumpStore(w.data), kept)).toEqual([]);
    expect((await adminCall(w, 'POST', '/customers/erase', { email: `${kept}@example.com` })).body.erased).toEqual({ sessions: 0, files: 0 });
  });
});

describe('retention', () => {
  async function setRetention(w: World, retention: unknown) {
    const dep = (await adminCall(w, 'GET', '/deployments')).body.deployments.find((d: any) => d.id === 'demo');
    const r = await adminCall(w, 'PUT', '/deployments/demo', {
      name: dep.name,
      allowedOrigins: dep.allowedOrigins,
      asyncPolicy: dep.asyncPolicy,
      defaultQueue: dep.defaultQueue,
      settings: { ...dep.settings, retention },
    });
    expect(r.status).toBe(200);
  }
  const DAY = 86_400_000;

  it('deletes sessions ended more than N days ago from every table and the file store, keeps newer ones, and records the run', async () => {
    const w = await world();
    await setRetention(w, { days: 30, mode: 'delete' });
    const old = await journey(w, 'zq-old-d41', 'cust-old');
    const open = await journey(w, 'zq-open-d42', 'cust-open', { end: false });
    w.clock.advance(31 * DAY);
    w.admin = await w.admin.login();
    w.agent = await w.agent.login();
    const recent = await journey(w, 'zq-new-d43', 'cust-new');
    const openOutboxBefore = (await adminCall(w, 'GET', `/webhooks/${w.webhookId}/deliveries?sessionId=${open.sessionId}&limit=500`)).body.deliveries.length;
    expect(await w.srv.parley.retention.runOnce()).toEqual({ demo: 1 });
    const dump = await dumpStore(w.data);
    expect(tablesHolding(dump, 'zq-old-d41')).toEqual([]);
    expect(tablesHolding(dump, old.sessionId).filter((t) => t !== 'audit_entries')).toEqual([]);
    expect(await storedFilesHolding(w, 'zq-old-d41')).toEqual([]);
    // Still open (not ended), and ended within the 30 days: kept.
    for (const marker of ['zq-open-d42', 'zq-new-d43']) expect(tablesHolding(dump, marker)).toEqual(expect.arrayContaining(['sessions', 'messages', 'files']));
    expect(await storedFilesHolding(w, 'zq-new-d43')).toHaveLength(1);
    // The webhook outbox keeps what was sent for WEBHOOK_KEEP_DAYS (30): the open session's 31-day-old rows went, the new ones stay.
    const outbox = async (sessionId: string) => (await adminCall(w, 'GET', `/webhooks/${w.webhookId}/deliveries?sessionId=${sessionId}&limit=500`)).body.deliveries;
    expect((await outbox(open.sessionId)).filter((d: any) => Date.parse(d.createdAt) < w.clock.now() - 30 * DAY)).toEqual([]);
    expect(openOutboxBefore).toBeGreaterThan(3);
    expect((await outbox(recent.sessionId)).length).toBeGreaterThan(3);
    const runs = (await adminCall(w, 'GET', '/audit?action=retention.run')).body.entries;
    expect(runs[0]).toMatchObject({ actorName: 'system', actorRole: 'system', targetId: 'demo', details: { mode: 'delete', days: 30, sessions: 1 } });

    // Another run finds nothing left; a tick while this node holds the lease runs again (its own lease).
    expect(await w.srv.parley.retention.runOnce()).toEqual({ demo: 0 });
  });

  it('anonymizes instead when the policy says so: the sessions stay, nothing identifies the customer', async () => {
    const w = await world();
    await setRetention(w, { days: 7, mode: 'anonymize' });
    const old = await journey(w, 'zq-anon-e51', 'cust-anon-e51');
    const before = (await adminCall(w, 'POST', '/customers/export', { sessionId: old.sessionId })).body.sessions[0];
    w.clock.advance(8 * DAY);
    w.admin = await w.admin.login();
    expect(await w.srv.parley.retention.runOnce()).toEqual({ demo: 1 });
    expect(tablesHolding(await dumpStore(w.data), 'zq-anon-e51')).toEqual([]);
    expect(await storedFilesHolding(w, 'zq-anon-e51')).toEqual([]);
    const after = (await adminCall(w, 'POST', '/customers/export', { sessionId: old.sessionId })).body.sessions[0];
    expect(after.session.userData).toEqual({});
    expect(after.files).toEqual([]);
    expect(after.flowRun).toBeNull();
    expect(after.messages.map((m: any) => [m.index, m.type, m.from.type])).toEqual(before.messages.map((m: any) => [m.index, m.type, m.from.type]));
    expect(after.messages.filter((m: any) => m.text !== undefined).every((m: any) => m.text === '[removed]')).toBe(true);
    expect(after.interactions.map((i: any) => i.state)).toEqual(before.interactions.map((i: any) => i.state));
    // Anonymized once: the next run finds nothing to do.
    expect(await w.srv.parley.retention.runOnce()).toEqual({ demo: 0 });
  });
});
