import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFlow } from '../../src/flows/demo-flow.js';
import { Agent, createStaff, http, startServer, V3Customer, type Running } from '../helpers.js';

const SERVER_KEY = 'sk-test-promotion-key-123456';
const HOSTILE = [
  'javascript:alert(document.cookie)',
  'JavaScript:alert(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  ' javascript:alert(1)',
  'https://ok.example/\u0000',
];

/** Finding 14: every link shown to a customer (banner options, pushed URLs) is an absolute http(s) URL, checked by one validator. */
describe('promotion (banner) and pushed links', () => {
  let srv: Running;
  let c: V3Customer;
  const wf = (path: string, body: unknown) => http(`${srv.url}/workflow/v1${path}`, { method: 'POST', headers: { 'x-api-key': SERVER_KEY }, json: body });
  beforeAll(async () => {
    srv = await startServer({ PARLEY_DEMO_SERVER_KEY: SERVER_KEY });
    c = new V3Customer(srv.url);
    await c.start();
  });
  afterAll(() => srv.close());

  it('the workflow API refuses banner options and pushed URLs that are not http(s)', async () => {
    for (const url of HOSTILE) {
      const ev = await wf(`/sessions/${c.sessionId}/ui-events`, { name: 'ui-event-update-promotion', data: { title: 'Go', options: [{ title: 'Open', url }] } });
      expect(ev.status, url).toBe(400);
      const push = await wf(`/sessions/${c.sessionId}/notice`, { NoticeType: 'USER_PUSHED_URL', NoticeText: url, Visibility: 'ALL' });
      expect(push.status, url).toBe(400);
    }
    const ok = await wf(`/sessions/${c.sessionId}/ui-events`, { name: 'ui-event-update-promotion', data: { title: 'Go', options: [{ title: 'Open', url: 'https://shop.example/offer?x=1' }] } });
    expect(ok.status).toBe(200);
  });

  it('the admin API refuses a flow whose banner option links elsewhere than http(s)', async () => {
    const { admin } = await createStaff(srv.url, []);
    for (const url of HOSTILE) {
      const flow = { ...demoFlow, steps: { ...demoFlow.steps, handoff: { ...demoFlow.steps.handoff, onAgentJoin: { promotion: { title: 'Go', options: [{ title: 'Open', url }] } } } } };
      const r = await http(`${srv.url}/admin/v1/deployments`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, json: { name: 'Links', settings: { flow } } });
      expect(r.status, url).toBe(400);
    }
  });

  it('agents cannot push such links either', async () => {
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(c.sessionId);
    for (const url of HOSTILE) expect((await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'PushUrl', url })).status, url).toBe(400);
    expect((await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'PushUrl', url: 'https://shop.example/' })).status).toBe(200);
  });
});
