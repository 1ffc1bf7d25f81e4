/**
 * The compiled response serializers of the hot routes against JSON.stringify, in one process:
 * typical answers (a v3 send, v3 polls with 1 and 5 messages, an agent send answer), alternating
 * rounds, median time per answer (the agent's message pages have no schema: compiled, they were slower). The compiled functions are the ones Fastify builds from the
 * routes' schemas (packages/server/dist/http/response-schemas.js); each output is checked to be
 * byte for byte JSON.stringify's first.
 *
 *   npx tsx bench/src/micro-serializers.ts
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './lib/proc.js';

type Serialize = (value: unknown) => string;

const serverRequire = createRequire(join(repoRoot, 'packages/server/package.json'));
const Fastify = serverRequire('fastify') as (o?: object) => {
  get(path: string, handler: (req: unknown, reply: { compileSerializationSchema(schema: object, status: string): Serialize }) => unknown): void;
  inject(o: { method: string; url: string }): Promise<unknown>;
  close(): Promise<void>;
};
const schemas = (await import(pathToFileURL(join(repoRoot, 'packages/server/dist/http/response-schemas.js')).href)) as Record<string, Record<number, object>>;

const message = (i: number) => ({
  type: 'Text',
  from: { participantId: '5a0c7c52-2b7e-4c2e-9a55-0b1f8c7f9d1e', type: 'Agent', nickname: 'Ada' },
  visibility: 'All',
  id: `0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b${String(10 + i)}`,
  utcTime: '2026-12-01T04:00:00.000Z',
  streamId: `1764561600000-${i}`,
  index: `1764561600000-${i}`,
  text: `echo|${i}|123456789.123|123456789.456 — a reply with "quotes" and ünïcode`,
});
const envelope = (data: unknown) => ({ status: { code: 'SUCCESS' }, data, referenceId: 'req-4f2a' });
const agentMessage = (i: number) => {
  const { streamId: _streamId, ...m } = message(i);
  return { id: m.id, index: m.index, utcTime: m.utcTime, visibility: m.visibility, type: m.type, from: m.from, text: m.text };
};

const cases: { name: string; schema: object; value: unknown }[] = [
  { name: 'v3 send answer', schema: schemas.v3SendAnswer![200]!, value: envelope({ message: message(1) }) },
  { name: 'v3 poll answer, 1 message', schema: schemas.v3ReadAnswer![200]!, value: envelope({ messages: [message(1)], lastDeliveredIndex: '1764561600000-1', chatEnded: false }) },
  { name: 'v3 poll answer, 5 messages', schema: schemas.v3ReadAnswer![200]!, value: envelope({ messages: [1, 2, 3, 4, 5].map(message), lastDeliveredIndex: '1764561600000-5', chatEnded: false }) },
  { name: 'agent message answer', schema: schemas.agentMessageAnswer![200]!, value: { message: agentMessage(1) } },
];

// Fastify's own compiler (the one the routes use), reached through a reply.
const compiled: Serialize[] = [];
const app = Fastify();
app.get('/compile', (_req, reply) => {
  for (const c of cases) compiled.push(reply.compileSerializationSchema(c.schema, '200'));
  return 'ok';
});
await app.inject({ method: 'GET', url: '/compile' });
await app.close();

const ITERATIONS = 100_000;
const ROUNDS = 7;
const timeNs = (fn: Serialize, value: unknown) => {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) sink += fn(value).length;
  const ns = Number(process.hrtime.bigint() - t0) / ITERATIONS;
  if (sink < 0) console.log(sink);
  return ns;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`| answer | bytes | JSON.stringify (ns) | compiled (ns) | compiled / JSON.stringify |`);
console.log(`| --- | ---: | ---: | ---: | ---: |`);
cases.forEach((c, k) => {
  const fast = compiled[k]!;
  if (fast(c.value) !== JSON.stringify(c.value)) throw new Error(`${c.name}: the compiled serializer writes other bytes`);
  const plain: number[] = [];
  const comp: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) {
      comp.push(timeNs(fast, c.value));
      plain.push(timeNs(JSON.stringify, c.value));
    } else {
      plain.push(timeNs(JSON.stringify, c.value));
      comp.push(timeNs(fast, c.value));
    }
  }
  const [p, q] = [median(plain), median(comp)];
  console.log(`| ${c.name} | ${JSON.stringify(c.value).length} | ${p.toFixed(0)} | ${q.toFixed(0)} | ${(q / p).toFixed(2)} |`);
});
