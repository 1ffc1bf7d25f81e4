import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '@parley/protocol';
import type { MailMessage, Mailer } from '../ports/mailer.js';
import { AvailabilityService } from './availability.js';
import { CustomerViews } from './customer-views.js';
import { OfflineMessageService } from './offline-messages.js';
import { SurveyService } from './survey-service.js';
import { isEmailAddress, transcriptHtml, transcriptLine, transcriptText, TranscriptService } from './transcript.js';
import { account, deployment, openCoreFixture, type CoreFixture } from './views.testkit.js';

const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> & "q"';
const clock = { now: () => Date.now() };

describe('transcript rendering', () => {
  const msg = (over: Partial<Message>): Message => ({
    id: 'm',
    sessionId: 's',
    index: '1-0',
    type: 'Text',
    from: { participantId: 'p', type: 'Customer', nickname: HOSTILE },
    visibility: 'All',
    utcTime: '2026-01-02T03:04:05.678Z',
    ...over,
  });

  it('keeps what a reader needs as lines of text, with one clock (UTC)', () => {
    expect(transcriptLine(msg({ text: 'hi' }))).toEqual({ time: '2026-01-02 03:04:05 UTC', from: HOSTILE, text: 'hi' });
    expect(transcriptLine(msg({ type: 'TypingStarted' }))).toBeNull();
    expect(transcriptLine(msg({ type: 'System' }))).toBeNull();
    expect(transcriptLine(msg({ type: 'ParticipantJoined', from: { participantId: 'a', type: 'Agent', nickname: 'Ann' } }))?.text).toBe('Ann joined the chat');
    expect(transcriptLine(msg({ type: 'File', content: [{ type: 'file', mime: 'application/pdf', url: '/x', name: 'bill.pdf' }] }))?.text).toBe('[file] bill.pdf');
  });

  it('the HTML escapes every chat text and allows nothing active', () => {
    const t = { sessionId: 's', lines: [{ time: 't', from: HOSTILE, text: `${HOSTILE}\nline 2` }] };
    const html = transcriptHtml(t);
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &quot;q&quot;<br>line 2');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(transcriptText(t)).toContain(`[t] ${HOSTILE}: ${HOSTILE}\nline 2`);
  });

  it('validates one address, no header injection, no list', () => {
    for (const ok of ['a@b.co', 'first.last+tag@sub.example.org']) expect(isEmailAddress(ok), ok).toBe(true);
    for (const bad of ['', 'a@b', 'a b@c.co', 'a@b.co,c@d.co', 'a@b.co\r\nBcc: x@y.co', '<a@b.co>', `${'x'.repeat(250)}@b.co`]) expect(isEmailAddress(bad), bad).toBe(false);
  });
});

describe('survey, transcript e-mail, availability, leave a message (core, SQLite in memory)', () => {
  let fx: CoreFixture;
  beforeEach(async () => {
    fx = await openCoreFixture([account('ag', 'agent'), account('other', 'agent'), account('sup', 'supervisor')]);
  });
  afterEach(() => fx.store.close());

  async function handledAndEnded() {
    const started = await fx.chat.startSession(deployment, { nickname: 'Jo' });
    const ag = (await fx.store.tx((tx) => tx.getAccount('ag')))!;
    await fx.chat.accept(started.interaction.id, ag);
    await fx.chat.customerLeave(started.session.id, started.participant.id);
    return started;
  }

  it('one survey per session, after the chat, bounded; staff who may read it see it; the report groups it', async () => {
    const surveys = new SurveyService(fx.store, fx.chat, clock);
    const live = await fx.chat.startSession(deployment, { nickname: 'Live' });
    await expect(surveys.submit(live.session.id, live.participant.id, { rating: 3, comment: '' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const s = await handledAndEnded();
    await expect(surveys.submit(s.session.id, s.participant.id, { rating: 0, comment: '' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(surveys.submit(s.session.id, s.participant.id, { rating: 5, comment: 'x'.repeat(1001) })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(surveys.submit(s.session.id, live.participant.id, { rating: 5, comment: '' })).rejects.toMatchObject({ code: 'INVALID_SESSION' });
    expect(await surveys.submit(s.session.id, s.participant.id, { rating: 5, comment: HOSTILE })).toMatchObject({ queue: 'Support', agentAccountId: 'ag', rating: 5 });
    await expect(surveys.submit(s.session.id, s.participant.id, { rating: 1, comment: '' })).rejects.toMatchObject({ code: 'CONFLICT' });

    const [ag, other, sup] = await fx.store.tx(async (tx) => [(await tx.getAccount('ag'))!, (await tx.getAccount('other'))!, (await tx.getAccount('sup'))!]);
    expect((await surveys.forStaff(s.session.id, ag!))?.comment).toBe(HOSTILE);
    await expect(surveys.forStaff(s.session.id, other!)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const range = { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    expect(await surveys.report(sup!, { ...range, groupBy: 'agent' })).toMatchObject({ rows: [{ key: 'ag', label: 'AG', count: 1, average: 5 }], total: { count: 1, average: 5 } });
    await expect(surveys.report(ag!, { ...range, groupBy: 'queue' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(surveys.report(sup!, { from: range.to, to: range.from, groupBy: 'queue' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(surveys.report(sup!, { from: '2020-01-01T00:00:00Z', to: '2022-01-01T00:00:00Z', groupBy: 'queue' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('e-mails a transcript only with a mailer, to a valid address, three times per chat', async () => {
    const sent: MailMessage[] = [];
    const mailer: Mailer = { send: async (m) => void sent.push(m), close: () => undefined };
    const s = await handledAndEnded();
    const views = new CustomerViews(fx.store, fx.chat);
    await expect(new TranscriptService(fx.chat, views, clock, null).email(s.session.id, s.participant.id, 'a@b.co')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const transcripts = new TranscriptService(fx.chat, views, clock, mailer);
    await expect(transcripts.email(s.session.id, s.participant.id, 'a@b')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    for (let i = 0; i < 3; i++) await transcripts.email(s.session.id, s.participant.id, 'a@b.co');
    await expect(transcripts.email(s.session.id, s.participant.id, 'a@b.co')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(sent.map((m) => m.to)).toEqual(['a@b.co', 'a@b.co', 'a@b.co']);
    expect(sent[0]!.text).toContain('AG joined the chat');
  });

  it('availability follows the hours, holidays and agents able to take a chat; a message left is a queued async session', async () => {
    const availability = new AvailabilityService(fx.store, clock);
    expect(await availability.of(deployment)).toMatchObject({ open: true, reason: null, queue: 'Support' });
    const now = new Date();
    const put = (over: object) => fx.store.tx((tx) => tx.putBusinessHours({ deploymentId: 'shop', queue: '', timeZone: 'UTC', weekly: {}, holidays: [], updatedAt: now.toISOString(), ...over }));
    await put({});
    expect(await availability.of(deployment)).toMatchObject({ open: false, reason: 'closed' });
    const day = (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const)[now.getUTCDay()]!;
    await put({ weekly: { [day]: [{ open: '00:00', close: '24:00' }] } });
    expect(await availability.of(deployment)).toMatchObject({ open: false, reason: 'noAgents' });
    await fx.store.tx((tx) =>
      tx.upsertProfile({ accountId: 'ag', presence: 'Ready', reason: null, capacity: 1, skills: {}, languages: [], queues: [], idleSince: now.toISOString(), updatedAt: now.toISOString() }),
    );
    expect(await availability.of(deployment)).toMatchObject({ open: true, agentsAvailable: 1 });
    await put({ weekly: { [day]: [{ open: '00:00', close: '24:00' }] }, holidays: [now.toISOString().slice(0, 10)] });
    expect(await availability.of(deployment)).toMatchObject({ open: false, reason: 'closed' });

    const left = await new OfflineMessageService(fx.chat).leave(deployment, { name: 'Ann', email: 'ann@example.com', text: 'call me', queue: 'Support' }, { operationId: 'op-1' });
    expect(left.session.async).toBe(true);
    expect(left.interaction.state).toBe('Queued');
    const log = await fx.store.tx((tx) => tx.listMessages(left.session.id, { visibilities: ['All'], limit: 100 }));
    expect(log.filter((m) => m.type === 'Text').map((m) => m.text)).toEqual(['call me']);
    await expect(new OfflineMessageService(fx.chat).leave(deployment, { name: 'Ann', email: 'nope', text: 'x', queue: 'Support' }, {})).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
