import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, Agent, V3Customer, http, startServer, type Running } from './helpers.js';

const root = resolve(import.meta.dirname, '../../..');
/** Header values the log must never show, sent on every request below. */
const SECRET_HEADERS = { authorization: 'Bearer never-log-this-bearer-1', cookie: 'sid=never-log-this-cookie-2', apikey: 'never-log-this-apikey-3' };
const SECRET_VALUES = ['never-log-this-bearer-1', 'never-log-this-cookie-2', 'never-log-this-apikey-3'];

async function shortChat(base: string, agent: Agent): Promise<void> {
  const c = new V3Customer(base);
  await c.start();
  await c.send('Text', 'hello');
  await agent.acceptFor(c.sessionId);
  await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: 'how can I help?' });
  await c.pollUntil((seen) => seen.some((m) => m.text === 'how can I help?'));
  await c.poll();
  expect((await c.leave()).status).toBe(200);
}

describe('log volume', () => {
  const lines: { level: number; msg: string; reqId?: string; req?: { url: string }; res?: { statusCode: number } }[] = [];
  let srv: Running;
  beforeAll(async () => {
    const stream = new PassThrough();
    let rest = '';
    stream.on('data', (d: Buffer) => {
      const parts = (rest + d.toString()).split('\n');
      rest = parts.pop()!;
      for (const p of parts) if (p) lines.push(JSON.parse(p));
    });
    srv = await startServer({ LOG_LEVEL: 'debug', LONG_POLL_MS: '200' }, undefined, { logStream: stream });
  });
  afterAll(() => srv?.close());

  it('ten short chats write few info lines; the request lines are at debug', async () => {
    const agent = await new Agent(srv.url).login();
    for (let i = 0; i < 10; i++) await shortChat(srv.url, agent);
    for (let i = 0; i < 5; i++) {
      expect((await http(`${srv.url}/health`, { headers: SECRET_HEADERS })).status).toBe(200);
      expect((await http(`${srv.url}/ready`)).status).toBe(200);
    }
    expect((await http(`${srv.url}/no-such-route`, { headers: SECRET_HEADERS })).status).toBe(404);
    await new Promise((r) => setTimeout(r, 100));

    const info = lines.filter((l) => l.level >= 30);
    const debugRequests = lines.filter((l) => l.level === 20 && l.msg === 'request completed');
    expect(info.length).toBeLessThan(60);
    expect(info.filter((l) => l.msg === 'request completed' && l.res!.statusCode < 400)).toEqual([]);
    // Polls, health checks and every other 2xx answer are there for whoever turns on debug.
    expect(debugRequests.filter((l) => l.req?.url.includes('/messages?')).length).toBeGreaterThanOrEqual(20);
    expect(debugRequests.filter((l) => l.req?.url === '/health')).toHaveLength(5);
    expect(debugRequests.filter((l) => l.req?.url === '/ready')).toHaveLength(5);
    // Each names its request (the request's logger is made on its first line: src/logging.ts).
    expect(debugRequests.every((l) => /^req-\w+$/.test(l.reqId ?? ''))).toBe(true);
    expect(new Set(debugRequests.map((l) => l.reqId)).size).toBe(debugRequests.length);
    // A 4xx is for the operator.
    expect(info.some((l) => l.msg === 'request completed' && l.req?.url === '/no-such-route' && l.res?.statusCode === 404)).toBe(true);
    const all = JSON.stringify(lines);
    for (const secret of [...SECRET_VALUES, API_KEY]) expect(all).not.toContain(secret);
  });
});

/** Starts `npm start`'s entry with stdout piped (no terminal), makes two requests, stops it. */
function runMain(env: Record<string, string>): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-log-'));
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'p.db')}`, PARLEY_DATA_DIR: dir, PARLEY_DEMO_BOT: 'false', LOG_FORMAT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let asked = false;
    const onData = () => {
      const m = /widget demo:\s+(http:\/\/\S+)\//.exec(stdout + stderr);
      if (!m || asked) return;
      asked = true;
      const base = m[1]!;
      void (async () => {
        await http(`${base}/health`, { headers: SECRET_HEADERS });
        await http(`${base}/nope?token=never-log-this-token-4`, { headers: SECRET_HEADERS });
        setTimeout(() => child.kill('SIGTERM'), 300);
      })().catch(fail);
    };
    child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), onData()));
    child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), onData()));
    child.on('exit', (code) => done({ stdout, stderr, code }));
    setTimeout(() => child.kill('SIGKILL'), 25_000);
  });
}

describe('log format', () => {
  it('without a terminal: JSON lines on stdout, the banner on stderr; no secret header in either', async () => {
    const r = await runMain({ LOG_LEVEL: 'trace', PARLEY_DEMO_AGENT_PASSWORD: 'demo-password-5' });
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n').filter(Boolean);
    expect(out.length).toBeGreaterThan(3);
    const parsed = out.map((l) => JSON.parse(l) as { msg: string });
    expect(parsed.some((l) => l.msg.startsWith('Server listening at'))).toBe(true);
    expect(parsed.some((l) => l.msg === 'request completed')).toBe(true);
    expect(r.stdout).not.toContain('demo-password-5');
    expect(r.stderr).toMatch(/demo agent: user "\S+" password "demo-password-5"/);
    for (const secret of [...SECRET_VALUES, 'never-log-this-token-4']) expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('LOG_FORMAT=pretty: readable lines on stdout, with the banner; no secret header in them', async () => {
    const r = await runMain({ LOG_LEVEL: 'trace', LOG_FORMAT: 'pretty' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*: Server listening at http:\/\/127\.0\.0\.1:\d+/m);
    expect(r.stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*: request completed.*"url":"\/nope\?token=\[redacted\]"/m);
    expect(r.stdout).toMatch(/widget demo:/);
    expect(r.stdout.split('\n').some((l) => l.startsWith('{'))).toBe(false);
    for (const secret of [...SECRET_VALUES, 'never-log-this-token-4']) expect(r.stdout + r.stderr).not.toContain(secret);
  });
});
