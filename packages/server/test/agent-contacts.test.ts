/**
 * Contacts through the server (SQLite in `integration`, PostgreSQL in `integration-pg`): sessions of
 * one customer (by customer id, then e-mail) share a contact with its past sessions, notes persist
 * across conversations, and only staff who may read the conversation see or write them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentResponses } from '@parley/protocol';
import { Agent, createStaff, startServer, V3Customer, type Running } from './helpers.js';

describe('contacts', () => {
  let srv: Running;
  let agent: Agent;
  let other: Agent;
  beforeAll(async () => {
    srv = await startServer();
    agent = await new Agent(srv.url).login();
    other = (await createStaff(srv.url, [{ username: 'other-c' }])).staff[0]!;
  });
  afterAll(() => srv?.close());

  const start = async (data: Record<string, unknown>) => {
    const c = new V3Customer(srv.url);
    await c.start(data);
    await agent.acceptFor(c.sessionId);
    return c.sessionId;
  };
  const contactOf = async (who: Agent, sessionId: string) => {
    const r = await who.call('GET', `/sessions/${sessionId}/contact`);
    if (r.status !== 200) return r;
    return { ...r, body: agentResponses.contact.parse(r.body) };
  };

  it('links sessions by customer id, then e-mail; notes persist across conversations', async () => {
    const first = await start({ firstName: 'Zoë', lastName: 'Ünal', email: 'Zoe@Example.com', userData: { customerId: 'C-77' } });
    const second = await start({ firstName: 'Zoë', lastName: 'Ünal-Smith', userData: { customerId: 'C-77' } });
    const third = await start({ firstName: 'Z', email: 'zoe@example.com' });
    const note = await agent.call('POST', `/sessions/${first}/contact/notes`, { text: 'Prefers e-mail; VIP customer since 2019' });
    expect(note.status).toBe(201);
    expect(agentResponses.contactNote.parse(note.body).note).toMatchObject({ text: 'Prefers e-mail; VIP customer since 2019', authorName: 'Demo Agent' });

    const view = (await contactOf(agent, third)).body.contact!;
    expect(view.sessions.map((s: { id: string }) => s.id)).toEqual([third, second, first]);
    expect(view.keys).toEqual([
      { kind: 'customerId', value: 'C-77' },
      { kind: 'email', value: 'zoe@example.com' },
    ]);
    // The newest name the customer gave.
    expect(view.displayName).toBe('Z');
    expect(view.notes.map((n: { text: string }) => n.text)).toEqual(['Prefers e-mail; VIP customer since 2019']);
    expect(view.sessions[2].interactions[0]).toMatchObject({ state: 'Handling' });
  });

  it('a customer with neither id nor e-mail has no contact; staff who may not read the conversation are refused', async () => {
    const anonymous = await start({ firstName: 'Anon', userData: {} });
    expect((await contactOf(agent, anonymous)).body).toEqual({ contact: null });
    expect((await agent.call('POST', `/sessions/${anonymous}/contact/notes`, { text: 'x' })).status).toBe(409);
    const known = await start({ firstName: 'Kim', userData: { customerId: 'K-1' } });
    expect((await other.call('GET', `/sessions/${known}/contact`)).status).toBe(403);
    expect((await other.call('POST', `/sessions/${known}/contact/notes`, { text: 'sneaky' })).status).toBe(403);
    expect((await agent.call('POST', `/sessions/${known}/contact/notes`, { text: '' })).status).toBe(400);
    expect((await agent.call('POST', `/sessions/${known}/contact/notes`, { text: 'x'.repeat(2001) })).status).toBe(400);
    expect((await contactOf(agent, known)).body.contact.notes).toEqual([]);
  });
});
