import { describe, expect, it } from 'vitest';
import { http, startServer, V3, API_KEY } from './helpers.js';

describe('rate limits', () => {
  it('limits chat starts and logins per client address with a clear error', async () => {
    const srv = await startServer({ START_LIMIT_PER_MINUTE: '3', LOGIN_LIMIT_PER_MINUTE: '2' });
    try {
      const starts = [];
      for (let i = 0; i < 4; i++) starts.push(await http(`${srv.url}${V3}`, { method: 'POST', headers: { 'x-api-key': API_KEY }, form: { data: { firstName: `r${i}` } } }));
      expect(starts.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      expect(starts[3]!.body.status.code).toBe('RATE_LIMITED');
      expect(starts[3]!.body.status.message).toMatch(/too many requests; retry in \d+ s/);
      const logins = [];
      for (let i = 0; i < 3; i++) logins.push(await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: { username: 'agent', password: 'guess' + i } }));
      expect(logins.map((r) => r.status)).toEqual([401, 401, 429]);
    } finally {
      await srv.close();
    }
  });
});
