import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, API_KEY, createStaff, http, startServer, V3, V3Customer, type Running } from '../helpers.js';

const NUL = '\u0000';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/**
 * Finding 13: a NUL character (which PostgreSQL cannot store) or another control character in a
 * name is refused at the edge with a 400, the same on SQLite and PostgreSQL; file names lose them.
 * Runs in both the integration and the integration-pg project.
 */
describe('control characters in user input', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());

  it('names with NUL or other control characters are refused on all three start APIs', async () => {
    for (const nickname of [`Eve${NUL}`, 'Eve\u0007', 'Eve\u001b[31m']) {
      const v3 = await http(`${srv.url}${V3}`, { method: 'POST', headers: { 'x-api-key': API_KEY }, form: { data: { nickname, firstName: 'E' } } });
      expect(v3.status, JSON.stringify(nickname)).toBe(400);
      expect(v3.body.status.code).toBe('INVALID_REQUEST');
      const gms = await http(`${srv.url}/genesys/2/chat/Support`, { method: 'POST', headers: { apikey: API_KEY }, form: { nickname } });
      expect(gms.status).toBe(400);
      expect(gms.body.statusCode).toBe(2);
      const guest = await http(`${srv.url}/api/v2/webchat/guest/conversations`, { method: 'POST', json: { deploymentId: 'demo', memberInfo: { displayName: nickname } } });
      expect(guest.status).toBe(400);
      expect(guest.body.code).toBe('bad.request');
    }
  });

  it('NUL in message text, user data, usernames, display names and path parameters is a 400, never a 500', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    expect((await c.send('Text', `hi${NUL}there`)).status).toBe(400);
    const ud = await http(`${srv.url}${V3}/${c.sessionId}/userdata`, { method: 'PUT', headers: c.headers(), form: { data: { [`k${NUL}`]: 'v', ok: `v${NUL}` } } });
    expect(ud.status).toBe(400);
    expect((await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: { username: `agent${NUL}`, password: 'x' } })).status).toBe(400);
    const { admin } = await createStaff(srv.url, []);
    const created = await http(`${srv.url}/admin/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
      json: { username: 'nul-agent', password: 'staff-password-1', displayName: `N${NUL}` },
    });
    expect(created.status).toBe(400);
    const agent = await new Agent(srv.url).login();
    expect((await agent.call('GET', `/sessions/${c.sessionId}%00`)).status).toBe(400);
    const gmsFile = await http(`${srv.url}/genesys/2/chat/Support/${c.sessionId}/file/x%00y/download?alias=a&userId=u&secureKey=k`);
    expect(gmsFile.status).toBe(400);
    // The chat still works afterwards.
    expect((await c.send('Text', 'still here')).status).toBe(200);
  });

  it('an uploaded file keeps its name without the control characters', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), `cat${NUL}\u0007.png`);
    const r = await fetch(`${srv.url}${V3}/${c.sessionId}/images`, { method: 'POST', headers: c.headers(), body: form });
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.data.message.content[0].name).toBe('cat.png');
  });
});
