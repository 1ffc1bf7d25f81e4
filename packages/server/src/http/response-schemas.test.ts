import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { toV3Message, type Message } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageArb } from '../../test/wire-arbitraries.js';
import { toAgentMessage } from './agent/wire.js';
import { agentMessageAnswer, v3ReadAnswer, v3SendAnswer } from './response-schemas.js';

/** Any UTF-16 text: quotes, backslashes, control characters, astral characters and lone surrogates. */
const anyText = fc.string({ unit: 'binary', maxLength: 60 });
const nastyMessageArb: fc.Arbitrary<Message> = fc
  .tuple(messageArb, fc.option(anyText, { nil: undefined }), fc.option(anyText, { nil: undefined }), fc.option(anyText, { nil: undefined }), fc.dictionary(anyText, anyText, { maxKeys: 2 }))
  .map(([m, text, nickname, event, data]) => ({
    ...m,
    ...(text !== undefined ? { text } : {}),
    ...(event !== undefined ? { event } : {}),
    ...(m.data ? { data: { ...m.data, ...data } } : {}),
    from: { ...m.from, ...(nickname !== undefined ? { nickname } : {}) },
  }));

const v3Envelope = (data: unknown, operationId?: string) => ({ status: { code: 'SUCCESS' }, data, referenceId: 'req-1', ...(operationId !== undefined ? { operationId } : {}) });

/** The compiled serializer writes exactly what JSON.stringify writes (what the routes answered before they had schemas). */
describe('compiled response serializers of the hot routes', () => {
  let app: FastifyInstance;
  let next: unknown;
  beforeAll(async () => {
    app = Fastify();
    for (const [path, response] of [
      ['/v3-send', v3SendAnswer],
      ['/v3-read', v3ReadAnswer],
      ['/agent-message', agentMessageAnswer],
    ] as const)
      app.post(path, { schema: { response } }, async () => next);
    await app.ready();
  });
  afterAll(() => app.close());

  const sameBytes = async (path: string, value: unknown) => {
    next = value;
    const r = await app.inject({ method: 'POST', url: path });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe(JSON.stringify(value));
  };

  it('v3 send and read answers', async () => {
    await fc.assert(
      fc.asyncProperty(
        nastyMessageArb,
        fc.array(nastyMessageArb, { maxLength: 3 }),
        fc.option(anyText, { nil: undefined }),
        fc.option(fc.string(), { nil: null }),
        fc.boolean(),
        async (m, page, op, last, ended) => {
          await sameBytes('/v3-send', v3Envelope({ message: toV3Message(m) }, op));
          await sameBytes('/v3-read', v3Envelope({ messages: page.map(toV3Message), lastDeliveredIndex: last, chatEnded: ended }, op));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('agent message answers', async () => {
    await fc.assert(
      fc.asyncProperty(nastyMessageArb, async (m) => {
        await sameBytes('/agent-message', { message: toAgentMessage(m) });
      }),
      { numRuns: 150 },
    );
  });

  it('a null where a text is expected stays null', async () => {
    const m = { ...toV3Message({ id: 'm1', sessionId: 's', index: '1-0', type: 'Text', from: { participantId: 'p', type: 'Customer' }, visibility: 'All', utcTime: '2026-01-01T00:00:00.000Z' }) };
    await sameBytes('/v3-send', v3Envelope({ message: { ...m, text: null, from: { ...m.from, nickname: null } } }));
  });
});
