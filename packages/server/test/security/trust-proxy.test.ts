/**
 * Issue 13, finding 1: a forged X-Forwarded-For no longer buys a fresh rate limit (proxy headers
 * count only from TRUST_PROXY), and wrong passwords lock the username whatever address they come from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { API_KEY, AGENT, http, SteppedClock, startServer, V3, type Running } from '../helpers.js';

let forged = 0;
const forgedAddress = () => `203.0.113.${++forged % 250}`;
const login = (base: string, password: string, from = forgedAddress(), username = AGENT.username) =>
  http(`${base}/agent/v1/login`, { method: 'POST', headers: { 'x-forwarded-for': from }, json: { username, password } });

describe('TRUST_PROXY off (the default)', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ LOGIN_LIMIT_PER_MINUTE: '3', START_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '' });
  });
  afterAll(() => srv.close());

  it('counts every request from one socket address, whatever X-Forwarded-For claims', async () => {
    const logins = [];
    for (let i = 0; i < 5; i++) logins.push((await login(srv.url, 'wrong-password')).status);
    expect(logins).toEqual([401, 401, 401, 429, 429]);
    const starts = [];
    for (let i = 0; i < 5; i++) {
      const r = await http(`${srv.url}${V3}`, { method: 'POST', headers: { 'x-api-key': API_KEY, 'x-forwarded-for': forgedAddress() }, form: { data: { firstName: `f${i}` } } });
      starts.push(r.status);
    }
    expect(starts).toEqual([200, 200, 200, 429, 429]);
  });
});

describe('TRUST_PROXY naming the proxy in front', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ LOGIN_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1/32' });
  });
  afterAll(() => srv.close());

  it('limits per client address as the proxy reports it', async () => {
    const a = [(await login(srv.url, 'x', '198.51.100.1')).status, (await login(srv.url, 'x', '198.51.100.1')).status, (await login(srv.url, 'x', '198.51.100.1')).status];
    expect(a).toEqual([401, 401, 429]);
    expect((await login(srv.url, AGENT.password, '198.51.100.2')).status).toBe(200);
  });
});

describe('per-username login lockout', () => {
  let srv: Running;
  const clock = new SteppedClock();
  beforeAll(async () => {
    // Each try from a new (proxy-reported) address: only the username can be what locks.
    srv = await startServer({ LOGIN_LOCKOUT_AFTER: '3', TRUST_PROXY: 'loopback' }, clock);
  });
  afterAll(() => srv.close());

  it('locks a username after wrong passwords from any addresses, longer each time, and a success resets it', async () => {
    for (let i = 0; i < 3; i++) expect((await login(srv.url, 'guess-' + i)).status).toBe(401);
    // The fourth wrong one locks for 1 s: even the right password waits.
    expect((await login(srv.url, 'guess-3')).status).toBe(401);
    const locked = await login(srv.url, AGENT.password);
    expect(locked.status).toBe(429);
    expect(locked.body.status.message).toMatch(/too many wrong passwords/);
    clock.advance(1_100);
    // The next wrong one locks for 2 s.
    expect((await login(srv.url, 'guess-4')).status).toBe(401);
    clock.advance(1_100);
    expect((await login(srv.url, AGENT.password)).status).toBe(429);
    clock.advance(1_000);
    expect((await login(srv.url, AGENT.password)).status).toBe(200);
    // Reset: three more free tries.
    for (let i = 0; i < 3; i++) expect((await login(srv.url, 'again-' + i)).status).toBe(401);
    expect((await login(srv.url, AGENT.password)).status).toBe(200);
  });

  it('locks unknown usernames the same way (a lockout tells nothing about who exists)', async () => {
    for (let i = 0; i < 4; i++) expect((await login(srv.url, 'x', forgedAddress(), 'no-such-user')).status).toBe(401);
    expect((await login(srv.url, 'x', forgedAddress(), 'no-such-user')).status).toBe(429);
  });
});

describe('TRUST_PROXY setting', () => {
  it('takes nothing, a hop count, or proxy addresses and CIDRs; refuses anything else', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1,loopback' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '192.168.1.7', '::1', 'loopback']);
    for (const bad of ['true', '*', '10.0.0.0/33', 'proxy.example', '1.2.3']) expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
  });
});
