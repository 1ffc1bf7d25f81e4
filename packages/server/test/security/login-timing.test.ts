/**
 * Issue 13, finding 10: a login with an unknown username costs the same password hashing as one
 * with a known username and a wrong password, so response times do not tell which usernames exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, http, startServer, type Running } from '../helpers.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('login timing', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ LOGIN_LOCKOUT_AFTER: '1000' });
  });
  afterAll(() => srv.close());

  const timeLogin = async (username: string) => {
    const t0 = performance.now();
    const r = await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: { username, password: 'certainly-wrong' } });
    const ms = performance.now() - t0;
    expect(r.status).toBe(401);
    expect(r.body.status.message).toBe('wrong username or password');
    return ms;
  };

  it('takes as long for an unknown username as for a wrong password', async () => {
    await timeLogin(AGENT.username); // warm-up (the first hash of each kind)
    await timeLogin('warm-up-nobody');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 9; i++) {
      known.push(await timeLogin(AGENT.username));
      unknown.push(await timeLogin(`nobody-${i}`));
    }
    // Hashing (scrypt) is most of a login: without it an unknown username answers many times faster.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.6);
  });
});
