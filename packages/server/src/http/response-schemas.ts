/**
 * JSON Schemas of the hot routes' 200 answers, for Fastify's compiled serializer (fast-json-stringify):
 * the v3 long poll and send, the agent's sends. Not the agent's message pages: with several messages
 * the compiled function was slower than JSON.stringify (bench/REPORT.md, 2026-12-01 bench16). They reproduce JSON.stringify's bytes:
 * properties in the order the mappers (toV3Message, toAgentMessage, the envelopes) build them, nothing
 * required (an absent property is left out, as JSON.stringify does), optional strings nullable (a null
 * stays null instead of becoming ""), and the free-form parts (attachments, data) schema-less, so they
 * go through JSON.stringify as they are.
 */
const text = { type: 'string' } as const;
const maybeText = { type: 'string', nullable: true } as const;
const anyJson = {} as const;

function messageSchema(order: readonly string[], from: Record<string, unknown>): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: text,
    index: text,
    streamId: text,
    utcTime: text,
    visibility: text,
    type: text,
    from,
    text: maybeText,
    url: maybeText,
    content: anyJson,
    event: maybeText,
    data: anyJson,
  };
  return { type: 'object', properties: Object.fromEntries(order.map((k) => [k, all[k]])) };
}

const sender = { type: 'object', properties: { participantId: text, type: text, nickname: maybeText } } as const;
const OPTIONAL_TAIL = ['text', 'url', 'content', 'event', 'data'] as const;

/** toV3Message's order. */
const v3Message = messageSchema(['type', 'from', 'visibility', 'id', 'utcTime', 'streamId', 'index', ...OPTIONAL_TAIL], sender);
/** toAgentMessage's order. */
const agentMessage = messageSchema(['id', 'index', 'utcTime', 'visibility', 'type', 'from', ...OPTIONAL_TAIL], sender);

/** The v3 envelope: `operationId` is added after `referenceId`. */
const v3Envelope = (data: Record<string, unknown>) => ({
  type: 'object',
  properties: { status: { type: 'object', properties: { code: text } }, data, referenceId: text, operationId: text },
});

export const v3SendAnswer = { 200: v3Envelope({ type: 'object', properties: { message: v3Message } }) };

export const v3ReadAnswer = {
  200: v3Envelope({ type: 'object', properties: { messages: { type: 'array', items: v3Message }, lastDeliveredIndex: maybeText, chatEnded: { type: 'boolean' } } }),
};

export const agentMessageAnswer = { 200: { type: 'object', properties: { message: agentMessage } } };
