/**
 * Issue 18, the pre-chat form asks only for what the deployment requires: an admin sets the form's
 * fields on the deployment (validated), the widget reads them with the availability it already asks
 * for, and every customer API refuses a start without a required field, in its own error format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, Agent, http, startServerWithAdmin, V3, type Running } from './helpers.js';
import { GMS, GUEST, gmsStartForm, guestCreateBody } from './compat-helpers.js';

describe('the pre-chat form’s required fields, a deployment setting', () => {
  let srv: Running;
  let admin: Agent;
  beforeAll(async () => ({ srv, admin } = await startServerWithAdmin()));
  afterAll(() => srv.close());

  /** PUT replaces the deployment: its current fields, with `form` in the settings. */
  async function setForm(form: unknown) {
    const auth = { authorization: `Bearer ${admin.token}` };
    const current = (await http(`${srv.url}/admin/v1/deployments`, { headers: auth })).body.deployments.find((d: any) => d.id === 'demo');
    const { id: _id, createdAt: _c, ...body } = current;
    return http(`${srv.url}/admin/v1/deployments/demo`, { method: 'PUT', headers: auth, json: { ...body, settings: { ...body.settings, form } } });
  }
  const availability = async () => (await http(`${srv.url}${V3}/availability`, { headers: { 'x-api-key': API_KEY } })).body.data;
  const v3Start = (data: Record<string, unknown>) => http(`${srv.url}${V3}`, { method: 'POST', headers: { 'x-api-key': API_KEY }, form: { data } });

  it('is validated by the admin API, served with availability, and enforced at start on Chat API v3, GMS and guest chat', async () => {
    expect((await availability()).form).toBeNull();
    // without the setting nothing is required: a bare start works
    expect((await v3Start({ nickname: 'Bare' })).status).toBe(200);

    for (const bad of [{ fields: { phone: 'required' } }, { fields: { email: 'mandatory' } }, { fields: { email: true } }, { fields: {}, extra: 1 }, { email: 'required' }]) {
      const r = await setForm(bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(JSON.stringify(r.body)).toMatch(/form/);
    }
    const form = { fields: { firstname: 'required', email: 'required', subject: 'optional', lastname: false } };
    expect((await setForm(form)).status).toBe(200);
    expect((await availability()).form).toEqual(form);

    // Chat API v3: {status: {code, message}} naming what is missing
    const missing = await v3Start({ firstName: 'Kim', email: '  ' });
    expect(missing.status).toBe(400);
    expect(missing.body.status.code).toBe('INVALID_REQUEST');
    expect(missing.body.status.message).toBe('this deployment requires e-mail address to start a chat (missing or not valid)');
    const both = await v3Start({ lastName: 'Lee', email: 'not-an-address' });
    expect(both.body.status.message).toContain('first name, e-mail address');
    expect((await v3Start({ firstName: 'Kim', email: 'kim@example.com' })).status).toBe(200);

    // GMS chat v2: {statusCode: 2, errors}
    const gms = await http(`${srv.url}${GMS}/Support`, { method: 'POST', headers: { apikey: API_KEY }, form: gmsStartForm({ emailAddress: '' }) });
    expect(gms.status).toBe(400);
    expect(gms.body.statusCode).toBe(2);
    expect(JSON.stringify(gms.body.errors)).toContain('e-mail address');
    expect((await http(`${srv.url}${GMS}/Support`, { method: 'POST', headers: { apikey: API_KEY }, form: gmsStartForm() })).status).toBe(200);

    // guest chat v2: {message, code, status}
    const body = guestCreateBody('demo');
    const { firstName: _f, ...withoutFirstName } = body.memberInfo.customFields;
    const guest = await http(`${srv.url}${GUEST}`, { method: 'POST', json: { ...body, memberInfo: { ...body.memberInfo, customFields: withoutFirstName } } });
    expect(guest.status).toBe(400);
    expect(guest.body.status).toBe(400);
    expect(guest.body.message).toContain('first name');
    expect((await http(`${srv.url}${GUEST}`, { method: 'POST', json: body })).status).toBe(200);

    // "leave a message" has a form of its own (name, address, message): the chat form does not apply
    const left = await http(`${srv.url}${V3}/offline-messages`, { method: 'POST', headers: { 'x-api-key': API_KEY }, form: { data: { name: 'Kim', email: 'kim@example.com', text: 'call me' } } });
    expect(left.status).toBe(200);

    // taken away again: nothing is required
    const cleared = await setForm(undefined);
    expect(cleared.status).toBe(200);
    expect((await availability()).form).toBeNull();
    expect((await v3Start({ nickname: 'Bare again' })).status).toBe(200);
  });
});
