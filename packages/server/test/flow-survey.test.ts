/**
 * Issue 18's flow-driven survey: a flow's `survey` step asks the question with 1-5 as quick replies at
 * the end of the bot part, asks again when the answer is not a rating, and stores the rating as the
 * widget's survey is stored (staff see it, the report counts it, a second answer is refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlow } from '../src/flows/definition.js';
import { http, startServerWithAdmin, V3, V3Customer, type Agent, type Running } from './helpers.js';

const QUESTION = 'How did I do? Tap 1 (very poor) to 5 (very good).';
const texts = (seen: any[]) => seen.filter((m) => m.type === 'Text').map((m) => m.text);

describe('a flow asks the survey', () => {
  let srv: Running;
  let admin: Agent;
  beforeAll(async () => {
    ({ srv, admin } = await startServerWithAdmin({}, undefined, { sweepEveryMs: 0 }));
    await srv.parley.store.tx(async (tx) => {
      const d = (await tx.getDeployment('demo'))!;
      const flow = parseFlow({
        id: 'rated',
        start: 'hi',
        steps: {
          hi: { say: 'Hello! Your order has shipped.', next: 'rate' },
          rate: { survey: QUESTION, thanks: 'Thank you for rating us!' },
        },
      });
      await tx.updateDeployment({ ...d, settings: { ...d.settings, flow } });
    });
    // Written past the admin API: announced by hand, as the admin API does.
    await srv.parley.directory.changed();
  });
  afterAll(() => srv.close());

  it('checks the step when the flow is saved', () => {
    expect(() => parseFlow({ id: 'x', start: 'r', steps: { r: { survey: 'Rate us', scale: 10 } } })).toThrow(/invalid flow/);
    expect(() => parseFlow({ id: 'x', start: 'r', steps: { r: { survey: 'Rate us', next: 'nowhere' } } })).toThrow(/names step "nowhere"/);
  });

  it('asks with 1-5 as quick replies, asks again on anything else, stores the rating and ends the bot part', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const seen = await c.pollUntil((s) => texts(s).includes(QUESTION));
    const question = seen.find((m) => m.text === QUESTION);
    expect(question.data.rich).toEqual({ kind: 'quickReplies', replies: ['1', '2', '3', '4', '5'].map((text) => ({ text })) });

    await c.send('Text', 'it was great');
    await c.pollUntil((s) => texts(s).filter((t) => t === QUESTION).length === 2);
    await c.send('Text', ' 4 ');
    await c.pollUntil((s) => texts(s).includes('Thank you for rating us!'));
    // the bot part is over: a synchronous chat ends
    await c.pollUntil((s) => s.some((m) => m.type === 'System' && m.data?.interactionState === 'Completed'));

    const stored = await admin.call('GET', `/sessions/${c.sessionId}/survey`);
    expect(stored.status).toBe(200);
    expect(stored.body.survey).toMatchObject({ sessionId: c.sessionId, rating: 4, comment: '' });
    // one answer per session: the widget's form after it is refused
    const again = await http(`${srv.url}${V3}/${c.sessionId}/survey`, { method: 'POST', headers: c.headers(), form: { data: { rating: 1 } } });
    expect(again.status).toBe(409);
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const report = await admin.call('GET', `/supervisor/reports/surveys?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(report.body.report.total).toEqual({ count: 1, average: 4 });
  });
});
