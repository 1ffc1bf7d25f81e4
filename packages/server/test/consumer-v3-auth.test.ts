import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/core/secrets.js';
import { API_KEY, http, startServer, V3, V3Customer, type Running } from './helpers.js';

describe('consumer v3: authorization and CORS', () => {
  let srv: Running;
  let a: V3Customer;
  let b: V3Customer;
  const OTHER_KEY = 'other-deployment-key';

  beforeAll(async () => {
    srv = await startServer();
    await srv.parley.store.tx(async (tx) => {
      const demo = (await tx.getDeployment('demo'))!;
      await tx.insertDeployment({ ...demo, id: 'shop', name: 'Shop', allowedOrigins: ['https://shop.example'] });
      await tx.addApiKey('shop', hashApiKey(OTHER_KEY), 'test');
    });
    a = new V3Customer(srv.url);
    b = new V3Customer(srv.url);
    await a.start();
    await b.start();
  });
  afterAll(() => srv.close());

  it('refuses a start without an API key, or with an unknown one', async () => {
    const none = await http(`${srv.url}${V3}`, { method: 'POST', form: { data: { firstName: 'x' } } });
    expect(none.status).toBe(401);
    expect(none.body.status).toEqual({ code: 'UNAUTHORIZED', message: 'the x-api-key header is required' });
    const bad = await http(`${srv.url}${V3}`, { method: 'POST', headers: { 'x-api-key': 'nope' }, form: { data: {} } });
    expect(bad.status).toBe(401);
    expect(bad.body.status.message).toBe('unknown API key');
  });

  it('refuses every session request without the API key', async () => {
    const r = await http(`${srv.url}${V3}/${a.sessionId}/messages`, { headers: { 'x-nexus-client-key': a.token } });
    expect(r.status).toBe(401);
  });

  it("refuses another session's token", async () => {
    const r = await http(`${srv.url}${V3}/${b.sessionId}/messages`, { headers: { 'x-api-key': API_KEY, 'x-nexus-client-key': a.token } });
    expect(r.status).toBe(403);
    expect(r.body.status.message).toBe('the client key does not open this session');
    const send = await http(`${srv.url}${V3}/${b.sessionId}/messages`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'x-nexus-client-key': a.token },
      form: { data: { type: 'Text', text: 'sneaky' } },
    });
    expect(send.status).toBe(403);
    const leave = await http(`${srv.url}${V3}/${a.sessionId}/participants/${b.participantId}`, { method: 'DELETE', headers: a.headers() });
    expect(leave.status).toBe(403);
  });

  it("refuses another deployment's key with a valid token", async () => {
    const r = await http(`${srv.url}${V3}/${a.sessionId}/messages`, { headers: { 'x-api-key': OTHER_KEY, 'x-nexus-client-key': a.token } });
    expect(r.status).toBe(403);
    expect(r.body.status.message).toBe('the client key belongs to another deployment');
  });

  it('refuses a missing, forged or tampered client key', async () => {
    const missing = await http(`${srv.url}${V3}/${a.sessionId}/messages`, { headers: { 'x-api-key': API_KEY } });
    expect(missing.status).toBe(401);
    const [h, p] = a.token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.sessionId = b.sessionId;
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${a.token.split('.')[2]}`;
    const r = await http(`${srv.url}${V3}/${b.sessionId}/messages`, { headers: { 'x-api-key': API_KEY, 'x-nexus-client-key': forged } });
    expect(r.status).toBe(401);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    expect((await http(`${srv.url}${V3}/${a.sessionId}/messages`, { headers: { 'x-api-key': API_KEY, 'x-nexus-client-key': none } })).status).toBe(401);
  });

  it('answers INVALID_SESSION / 404 for an unknown session', async () => {
    const r = await http(`${srv.url}${V3}/not-a-uuid/messages`, { headers: a.headers() });
    expect(r.status).toBe(400);
    expect(r.body.status.message).toMatch(/sessionId must be a UUID/);
  });

  it('answers CORS preflight for allowed origins only, and checks the real request against its deployment', async () => {
    const pre = await fetch(`${srv.url}${V3}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key,content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-nexus-client-key');
    const evil = await fetch(`${srv.url}${V3}`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();

    const shopStart = await http(`${srv.url}${V3}`, { method: 'POST', headers: { origin: 'https://shop.example', 'x-api-key': OTHER_KEY }, form: { data: { firstName: 'S' } } });
    expect(shopStart.status).toBe(200);
    expect(shopStart.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    // The demo deployment does not list shop.example.
    const crossed = await http(`${srv.url}${V3}`, { method: 'POST', headers: { origin: 'https://shop.example', 'x-api-key': API_KEY }, form: { data: { firstName: 'S' } } });
    expect(crossed.status).toBe(403);
    expect(crossed.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses agent API calls without a valid bearer token', async () => {
    expect((await http(`${srv.url}/agent/v1/interactions`)).status).toBe(401);
    expect((await http(`${srv.url}/agent/v1/interactions`, { headers: { authorization: `Bearer ${a.token}` } })).status).toBe(401);
    const wrong = await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: { username: 'agent', password: 'wrong' } });
    expect(wrong.status).toBe(401);
  });
});
