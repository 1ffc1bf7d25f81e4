import { randomUUID } from 'node:crypto';
import { agentResponses, agentServerFrame, workflowResponses } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, AGENT, createStaff, http, startServer, V3, V3Customer, type HttpResult, type Running } from './helpers.js';
import { AgentSocket } from './security/agent-socket.js';

const SERVER_KEY = 'sk-test-server-key-contract';

/** The answer is a success and matches the protocol's (strict) schema: a field added on the server alone fails here. */
function conforms<T extends z.ZodTypeAny>(schema: T, r: HttpResult, what: string): z.infer<T> {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(200);
  const parsed = schema.safeParse(r.body);
  expect(parsed.error, `${what} does not match the contract`).toBeUndefined();
  return parsed.data;
}

describe('the agent and workflow APIs answer exactly their protocol contracts', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ PARLEY_DEMO_SERVER_KEY: SERVER_KEY });
  });
  afterAll(() => srv.close());

  it('agent and supervisor REST answers and every WebSocket frame parse with the agent-api schemas', async () => {
    const login = await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: AGENT });
    conforms(agentResponses.login, login, 'login');
    conforms(agentResponses.sso, await http(`${srv.url}/agent/v1/sso`), 'sso');
    const agent = await new Agent(srv.url).login();
    const sup = await new Agent(srv.url, { username: 'supervisor', password: AGENT.password }).login();
    const { staff } = await createStaff(srv.url, [{ username: 'contract-second' }]);
    const second = staff[0]!;
    const secondId = conforms(agentResponses.me, await second.call('GET', '/me'), 'me').account.id;

    const agentSocket = await AgentSocket.connect(srv.url, agent.token);
    const supSocket = await AgentSocket.connect(srv.url, sup.token);

    conforms(agentResponses.me, await agent.call('GET', '/me'), 'me');
    conforms(agentResponses.profile, await agent.call('PUT', '/me/presence', { presence: 'NotReady', reason: 'Break' }), 'presence');
    conforms(agentResponses.profile, await sup.call('PUT', `/agents/${secondId}/presence`, { presence: 'NotReady', reason: 'Training' }), 'agent presence');

    const customer = new V3Customer(srv.url);
    await customer.start();
    const queued = conforms(agentResponses.interactions, await agent.call('GET', '/interactions?state=Queued'), 'queued');
    expect(queued.interactions.some((i) => i.sessionId === customer.sessionId && i.customer.nickname === 'Jonny')).toBe(true);
    const interaction = await agent.acceptFor(customer.sessionId);
    const sessionId = customer.sessionId;
    conforms(agentResponses.interactions, await agent.call('GET', '/interactions?mine=true'), 'mine');

    agentSocket.send({ type: 'subscribe', sessionId });
    supSocket.send({ type: 'subscribe', sessionId });
    await customer.send('Text', 'hello');
    conforms(agentResponses.message, await agent.call('POST', `/sessions/${sessionId}/messages`, { type: 'Text', text: 'Hi Jonny', operationId: 'contract-1' }), 'send');
    conforms(agentResponses.message, await agent.call('POST', `/sessions/${sessionId}/messages`, { type: 'PushUrl', url: 'https://example.com/help' }), 'push url');
    conforms(agentResponses.monitoring, await sup.call('POST', `/sessions/${sessionId}/monitor`), 'monitor');
    conforms(agentResponses.message, await sup.call('POST', `/sessions/${sessionId}/whisper`, { text: 'offer a refund' }), 'whisper');

    const details = conforms(agentResponses.session, await agent.call('GET', `/sessions/${sessionId}`), 'session');
    expect(details.participants.some((p) => p.type === 'Customer')).toBe(true);
    const page = conforms(agentResponses.messages, await agent.call('GET', `/sessions/${sessionId}/messages`), 'messages');
    expect(page.messages.some((m) => m.type === 'System' && m.data?.interactionState === 'Handling')).toBe(true);
    conforms(agentResponses.messages, await sup.call('GET', `/sessions/${sessionId}/messages?after=${page.lastIndex}&wait=50`), 'long poll');

    conforms(agentResponses.overview, await sup.call('GET', '/supervisor/overview'), 'overview');
    conforms(agentResponses.agents, await agent.call('GET', '/agents'), 'agents');
    conforms(agentResponses.queues, await agent.call('GET', '/queues'), 'queues');
    conforms(agentResponses.cannedResponses, await agent.call('GET', '/canned-responses'), 'canned responses');
    conforms(agentResponses.wrapUpCodes, await agent.call('GET', '/wrap-up-codes'), 'wrap-up codes');
    conforms(agentResponses.conferenced, await agent.call('POST', `/sessions/${sessionId}/conference`, { agentId: secondId }), 'conference');
    conforms(agentResponses.left, await second.call('POST', `/sessions/${sessionId}/leave`), 'leave');
    conforms(agentResponses.joined, await sup.call('POST', `/sessions/${sessionId}/barge`), 'barge');

    conforms(agentResponses.interaction, await agent.call('POST', `/interactions/${interaction.id}/done`), 'done');
    conforms(agentResponses.interaction, await agent.call('POST', `/interactions/${interaction.id}/complete`, { wrapUpCode: 'resolved' }), 'complete');
    const history = conforms(agentResponses.sessions, await agent.call('GET', '/sessions?mine=true'), 'history');
    expect(history.sessions.find((s) => s.id === sessionId)?.interactions.map((i) => i.state)).toEqual(['Completed']);

    // The customer's survey (the chat is over), seen by the agent, and the supervisors' report.
    expect(conforms(agentResponses.survey, await agent.call('GET', `/sessions/${sessionId}/survey`), 'no survey yet').survey).toBeNull();
    const rated = await http(`${srv.url}${V3}/${sessionId}/survey`, { method: 'POST', headers: customer.headers(), form: { data: { rating: 5, comment: 'great' } } });
    expect(rated.status).toBe(200);
    expect(conforms(agentResponses.survey, await agent.call('GET', `/sessions/${sessionId}/survey`), 'survey').survey?.rating).toBe(5);
    const range = `from=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`;
    conforms(agentResponses.surveyReport, await sup.call('GET', `/supervisor/reports/surveys?${range}&groupBy=agent`), 'survey report');

    // Offers and a reject, a transfer: the same interaction shape.
    const other = new V3Customer(srv.url);
    await other.start();
    const handling = await agent.acceptFor(other.sessionId);
    conforms(agentResponses.interaction, await agent.call('POST', `/interactions/${handling.id}/transfer`, { queue: 'Support' }), 'transfer');

    // A refused subscription is an error frame naming the session.
    const unknown = randomUUID();
    agentSocket.send({ type: 'subscribe', sessionId: unknown });
    await agentSocket.until((f) => f.some((x) => x.type === 'error' && x.sessionId === unknown), 'error frame');
    await agentSocket.until((f) => f.some((x) => x.type === 'message' && x.message.text === 'Hi Jonny'), 'message frame');
    await supSocket.until((f) => f.some((x) => x.type === 'message' && x.message.visibility === 'Vip'), 'whisper frame');
    await supSocket.until((f) => f.some((x) => x.type === 'overview'), 'overview frame');

    conforms(agentResponses.logout, await second.call('POST', '/logout'), 'logout');
    agentSocket.close();
    supSocket.close();

    const frames = [...agentSocket.frames, ...supSocket.frames];
    for (const type of ['ready', 'interactions', 'profile', 'subscribed', 'message', 'overview', 'error'])
      expect(
        frames.some((f) => f.type === type),
        type,
      ).toBe(true);
    for (const f of frames) expect(agentServerFrame.safeParse(f).error, `frame ${JSON.stringify(f).slice(0, 300)}`).toBeUndefined();
  });

  it('workflow answers parse with the workflow-api schemas', async () => {
    const customer = new V3Customer(srv.url);
    await customer.start();
    const wf = (method: string, path: string, json?: unknown) => http(`${srv.url}/workflow/v1${path}`, { method, headers: { 'x-api-key': SERVER_KEY }, ...(json ? { json } : {}) });
    const session = conforms(workflowResponses.session, await wf('GET', `/sessions/${customer.sessionId}`), 'session');
    expect(session.userData.IsOnline).toBe('1');
    conforms(workflowResponses.message, await wf('POST', `/sessions/${customer.sessionId}/message`, { MessageText: 'An agent is coming', Nickname: 'Router', Visibility: 'INT' }), 'message');
    conforms(workflowResponses.message, await wf('POST', `/sessions/${customer.sessionId}/notice`, { NoticeType: 'USER_PUSHED_URL', NoticeText: 'https://example.com/faq' }), 'notice');
    conforms(
      workflowResponses.message,
      await wf('POST', `/sessions/${customer.sessionId}/ui-events`, { name: 'ui-event-update-promotion', data: { title: 'Talk to a bot?', options: [] } }),
      'ui event',
    );
    const tickets = conforms(workflowResponses.tickets, await wf('GET', `/tickets?sessionId=${customer.sessionId}`), 'tickets');
    const ticketId = tickets.tickets[0]!.id;
    conforms(workflowResponses.ticket, await wf('GET', `/tickets/${ticketId}`), 'ticket');
    conforms(workflowResponses.ticket, await wf('POST', `/tickets/${ticketId}/close`, { comments: 'done' }), 'close');
    conforms(workflowResponses.tickets, await wf('GET', '/tickets?state=all'), 'all tickets');
  });

  it('/openapi.json documents these answers with the same schemas', async () => {
    const doc = (await http(`${srv.url}/openapi.json`)).body;
    const schemaOf = (path: string, method: string) => doc.paths[path][method].responses['200'].content['application/json'].schema;
    expect(schemaOf('/agent/v1/sessions/{id}/messages', 'get')).toEqual(z.toJSONSchema(agentResponses.messages, { unrepresentable: 'any', io: 'output' }));
    expect(schemaOf('/agent/v1/supervisor/overview', 'get').properties.sessions.items.required).toContain('interactionState');
    expect(schemaOf('/workflow/v1/tickets/{ticketId}', 'get')).toEqual(z.toJSONSchema(workflowResponses.ticket, { unrepresentable: 'any', io: 'output' }));
    expect(JSON.stringify(schemaOf('/agent/v1/interactions', 'get'))).not.toContain('declinedBy');
  });
});
