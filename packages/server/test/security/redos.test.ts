import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlow } from '../../src/flows/definition.js';
import { demoFlow } from '../../src/flows/demo-flow.js';
import { createStaff, http, startServer, V3Customer, type Running } from '../helpers.js';

const texts = (seen: any[]) => seen.filter((m) => m.type === 'Text').map((m) => m.text as string);

/** Finding 2: flow patterns run on customer text; no answer may hold the event loop. */
describe('flow patterns on hostile answers (ReDoS)', () => {
  let srv: Running;
  beforeAll(async () => {
    // Answers of 20,000 characters: a backtracking engine needs ~1.5 s for each on the demo pattern.
    srv = await startServer({ PARLEY_DEMO_BOT: 'true', MAX_MESSAGE_LENGTH: '20000' }, undefined, { sweepEveryMs: 0 });
  });
  afterAll(() => srv.close());

  it('an answer built to make the e-mail pattern backtrack costs the server little event-loop time', async () => {
    const c = new V3Customer(srv.url);
    await c.start({ firstName: 'Mallory' });
    await c.pollUntil((seen) => texts(seen).some((t) => t.startsWith("Type 'hours'")));
    await c.send('Text', 'agent');
    await c.pollUntil((seen) => texts(seen).some((t) => t.includes('What email address')));
    const hostile = `a@${'.'.repeat(19_990)} `;
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    for (let i = 0; i < 3; i++) expect((await c.send('Text', hostile)).status).toBe(200);
    await c.pollUntil((seen) => texts(seen).filter((t) => t.startsWith("That doesn't look like an email")).length >= 3);
    lag.disable();
    // Generous for a loaded machine; one hostile answer alone held a backtracking engine ~1.5 s.
    expect(lag.max / 1e6).toBeLessThan(400);
    // Still a working validation: a real address goes through.
    await c.send('Text', 'mallory@example.com');
    await c.pollUntil((seen) => texts(seen).includes('Thanks! An agent will be with you shortly.'));
  });

  it('a pattern that needs backtracking is refused when the flow is loaded, with a clear error', async () => {
    const withPattern = (validate: string) => ({ ...demoFlow, steps: { ...demoFlow.steps, 'ask-email': { ...demoFlow.steps['ask-email'], validate } } });
    expect(() => parseFlow(withPattern('^(a+)\\1$'))).toThrow(/steps\.ask-email\.validate: .*linear-time engine.*backreferences/);
    expect(() => parseFlow({ ...demoFlow, steps: { ...demoFlow.steps, menu: { ...demoFlow.steps.menu, intents: [{ name: 'x', regex: 'foo(?=bar)', next: 'hours' }] } } })).toThrow(/lookaround/);
    const { admin } = await createStaff(srv.url, []);
    const r = await http(`${srv.url}/admin/v1/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
      json: { id: 'redos', name: 'ReDoS', settings: { flow: withPattern('(x+x+)+\\1y') } },
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/backreferences and lookaround are not supported/);
  });
});
