import { PassThrough } from 'node:stream';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, http, startServer, SteppedClock, V3, V3Customer, type Running } from '../helpers.js';

const SECRET = 'link-expiry-test-secret-0123456789abcdef';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const DAY = 86_400_000;

/** Finding 15: file links and customer tokens expire (renewed while the session is used), and signatures stay out of the log. */
describe('file links and customer tokens', () => {
  let srv: Running;
  const clock = new SteppedClock();
  const log: string[] = [];
  beforeAll(async () => {
    const logStream = new PassThrough();
    logStream.on('data', (d: Buffer) => log.push(...d.toString().split('\n').filter(Boolean)));
    srv = await startServer({ PARLEY_SECRET: SECRET, LOG_LEVEL: 'debug', FILE_LINK_TTL_SECONDS: '3600', CLIENT_TOKEN_TTL_SECONDS: String(8 * 86_400) }, clock, { sweepEveryMs: 0, logStream });
  });
  afterAll(() => srv.close());

  const upload = async (c: V3Customer) => {
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'pixel.png');
    const r = await http(`${srv.url}${V3}/${c.sessionId}/images`, { method: 'POST', headers: c.headers(), body: form });
    expect(r.status).toBe(200);
    return r.body.data.message.content[0].url as string;
  };
  const fetchLink = (url: string) => fetch(`${srv.url}/nexus/v3/chat${url}`);

  it('a file link works, expires after its lifetime, and every read hands out a fresh one', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const url = await upload(c);
    expect(url).toMatch(/\?sig=\d+\.[A-Za-z0-9_-]+$/);
    expect((await fetchLink(url)).status).toBe(200);
    // The log keeps the link unsigned: a signature is made for each reader, at read time.
    const stored = await srv.parley.store.tx((tx) => tx.listMessages(c.sessionId, { visibilities: ['All'], limit: 100 }));
    expect(stored.find((m) => m.type === 'File')!.content![0]!.url).not.toContain('sig=');
    clock.advance(3_601_000);
    expect((await fetchLink(url)).status).toBe(403);
    const history = await http(`${srv.url}${V3}/${c.sessionId}/messages?count=10`, { headers: c.headers() });
    const fresh = history.body.data.messages.find((m: any) => m.type === 'File').content[0].url;
    expect(fresh).not.toBe(url);
    expect((await fetchLink(fresh)).status).toBe(200);
    // A signature is for its own file and session only.
    const other = new V3Customer(srv.url);
    await other.start();
    const sig = new URL(fresh, 'http://x').searchParams.get('sig');
    expect((await fetchLink(`/sessions/${other.sessionId}/images/${fresh.split('/')[4]!.split('?')[0]}?sig=${sig}`)).status).toBe(403);
  });

  it('customer tokens carry exp, stop working after it, and an async restore renews them', async () => {
    const c = new V3Customer(srv.url);
    await c.start({ firstName: 'Async', async: 'true' });
    const claims = JSON.parse(Buffer.from(c.token.split('.')[1]!, 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(8 * 86_400);
    clock.advance(5 * DAY);
    const restored = await http(`${srv.url}${V3}`, { method: 'POST', headers: c.headers(), form: { data: { firstName: 'Async' } } });
    expect(restored.body.data.sessionId).toBe(c.sessionId);
    const renewed = restored.body.data.clientToken as string;
    expect(JSON.parse(Buffer.from(renewed.split('.')[1]!, 'base64url').toString()).exp).toBeGreaterThan(claims.exp);
    clock.advance(4 * DAY);
    expect((await c.poll()).status).toBe(401);
    c.token = renewed;
    expect((await c.poll()).status).toBe(200);
  });

  it('a token issued without exp (before this change) ends its lifetime after issue too', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const claims = JSON.parse(Buffer.from(c.token.split('.')[1]!, 'base64url').toString());
    const key = new TextEncoder().encode(SECRET);
    const legacy = async (iat: number) =>
      new SignJWT({ sessionId: claims.sessionId, transportId: claims.transportId, participantId: claims.participantId, deploymentId: claims.deploymentId, kind: 'customer' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(iat)
        .sign(key);
    const now = Math.floor(clock.now() / 1000);
    c.token = await legacy(now - 60);
    expect((await c.poll()).status).toBe(200);
    c.token = await legacy(now - 9 * 86_400);
    expect((await c.poll()).status).toBe(401);
  });

  it('signatures and tokens in URLs never reach the log', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const url = await upload(c);
    expect((await fetchLink(url)).status).toBe(200);
    const sig = new URL(url, 'http://x').searchParams.get('sig')!;
    const gms = await http(`${srv.url}/genesys/2/chat/Support`, { method: 'POST', headers: { apikey: API_KEY }, form: { nickname: 'Logged' } });
    const q = new URLSearchParams({ alias: gms.body.alias, userId: gms.body.userId, secureKey: gms.body.secureKey });
    await http(`${srv.url}/genesys/2/chat/Support/${gms.body.chatId}/file/00000000-0000-0000-0000-000000000001/download?${q}`);
    await new Promise((r) => setTimeout(r, 100));
    const all = log.join('\n');
    expect(all).toContain('sig=[redacted]');
    expect(all).not.toContain(sig);
    expect(all).not.toContain(gms.body.secureKey);
    expect(all).not.toContain(c.token);
  });
});
