/**
 * Issue 13, finding 3: demo data is created once, on an empty database, and never touched again:
 * a changed password and a revoked key stay so across restarts, no demo secret is kept in
 * plaintext, and the secrets are shown once on the terminal, never in the JSON log.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent, AGENT, createTestData, http, startServer, type TestData } from '../helpers.js';

const SERVER_KEY = 'sk-demo-hardening-key-1234';
const root = resolve(import.meta.dirname, '../../../..');
const workflowKeyWorks = async (base: string) => (await http(`${base}/workflow/v1/sessions/${randomUUID()}`, { headers: { 'x-api-key': SERVER_KEY } })).status !== 401;

describe('demo data on restart', () => {
  const made: TestData[] = [];
  afterAll(async () => {
    for (const d of made) await d.drop();
  });

  it('keeps a changed demo password and a revoked demo key across restarts, with no plaintext secret stored', async () => {
    const data = await createTestData();
    made.push(data);
    const first = await startServer({ PARLEY_DEMO_SERVER_KEY: SERVER_KEY }, undefined, { data });
    expect(first.parley.demo?.created?.agentPassword).toBe(AGENT.password);
    expect(await workflowKeyWorks(first.url)).toBe(true);
    const admin = await new Agent(first.url, { username: 'admin', password: AGENT.password }).login();
    const auth = { authorization: `Bearer ${admin.token}` };
    const agentId = (await http(`${first.url}/admin/v1/agents`, { headers: auth })).body.agents.find((a: any) => a.username === AGENT.username).id;
    expect((await http(`${first.url}/admin/v1/agents/${agentId}`, { method: 'PUT', headers: auth, json: { password: 'operator-chosen-1' } })).status).toBe(200);
    const keys = (await http(`${first.url}/admin/v1/deployments/demo/api-keys`, { headers: auth })).body.apiKeys as any[];
    const serverKeyId = keys.find((k) => k.kind === 'server').id;
    expect((await http(`${first.url}/admin/v1/deployments/demo/api-keys/${serverKeyId}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    await first.close();

    const second = await startServer({ PARLEY_DEMO_SERVER_KEY: SERVER_KEY }, undefined, { data });
    try {
      expect(second.parley.demo?.created).toBeNull();
      expect((await http(`${second.url}/agent/v1/login`, { method: 'POST', json: AGENT })).status).toBe(401);
      expect((await http(`${second.url}/agent/v1/login`, { method: 'POST', json: { username: AGENT.username, password: 'operator-chosen-1' } })).status).toBe(200);
      expect(await workflowKeyWorks(second.url)).toBe(false);
      // The demo page still gets its public key.
      expect((await http(`${second.url}/demo/config.json`)).body).toMatchObject({ deploymentId: 'demo' });
      const stored = await second.parley.store.tx(async (tx) => [await tx.getSetting('demo.agentPassword'), await tx.getSetting('demo.serverKey')]);
      expect(stored.filter(Boolean)).toEqual([]);
    } finally {
      await second.close();
    }
    if (data.backend === 'sqlite') {
      const file = readFileSync(data.name);
      expect(file.includes(AGENT.password)).toBe(false);
      expect(file.includes(SERVER_KEY)).toBe(false);
    }
  });

  it('creates nothing on a database that already has accounts', async () => {
    const data = await createTestData();
    made.push(data);
    const plain = await startServer({ PARLEY_DEMO: 'false' }, undefined, { data });
    await plain.parley.store.tx((tx) =>
      tx.insertAccount({ id: randomUUID(), username: 'ops', displayName: 'Ops', passwordHash: 'scrypt$x$y', role: 'admin', createdAt: new Date().toISOString(), tokenGeneration: 0, disabled: false }),
    );
    await plain.close();
    const demoOn = await startServer({ PARLEY_DEMO: 'true' }, undefined, { data });
    try {
      expect(demoOn.parley.demo).toBeNull();
      expect((await http(`${demoOn.url}/agent/v1/login`, { method: 'POST', json: AGENT })).status).toBe(401);
      expect((await demoOn.parley.store.tx((tx) => tx.listDeployments())).length).toBe(0);
    } finally {
      await demoOn.close();
    }
  });
});

/** `npm start` as a user runs it, stdout piped: the JSON log on stdout, the banner on stderr. */
function start(env: Record<string, string>): Promise<string> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], { cwd: root, env: { ...process.env, ...env } });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/Parley is listening[\s\S]*API docs[^\n]*\n[\s\S]*demo[^\n]*\n/.test(out)) setTimeout(() => child.kill('SIGTERM'), 300);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', () => done(out));
    setTimeout(() => child.kill('SIGKILL'), 25_000);
  });
}

describe('npm start with demo data', () => {
  it('shows the generated demo password on the first start only, and never in the JSON log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-demo-'));
    const env = { PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: `sqlite:${join(dir, 'p.db')}`, PARLEY_DATA_DIR: dir, PARLEY_DEMO: 'true' };
    const first = await start(env);
    const password = /demo agent: user "agent" password "([^"]+)"/.exec(first)?.[1];
    expect(password, first).toBeTruthy();
    const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{'));
    expect(jsonLines(first).length).toBeGreaterThan(0);
    expect(jsonLines(first).filter((l) => l.includes(password!))).toEqual([]);
    const second = await start(env);
    expect(second).toMatch(/demo accounts: agent \(agent\), agent2 \(agent\), supervisor \(supervisor\), admin \(admin\)/);
    expect(second.includes(password!)).toBe(false);
    expect(readFileSync(join(dir, 'p.db')).includes(password!)).toBe(false);
  });
});
