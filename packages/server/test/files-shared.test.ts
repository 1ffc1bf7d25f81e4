/**
 * Files on every node: a file uploaded through node 1 downloads from node 2, with the signed link
 * node 1 handed out, when the files live in PostgreSQL or in an S3-compatible bucket. The nodes
 * share the data and PARLEY_SECRET and nothing else (each has its own PARLEY_DATA_DIR); with the
 * local disk the same download is a 404, which is what this feature fixes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithService, probePostgres } from './external-services.js';
import { createTestData, http, opId, startServer, V3, V3Customer, type Overrides, type Running, type TestData } from './helpers.js';
import { startS3, type TestS3 } from './s3-server.js';

const SECRET = 'files-shared-secret-'.padEnd(48, 'x');
const PNG_HEAD = Buffer.from('89504e470d0a1a0a', 'hex');
/** An image of several storage chunks (the PostgreSQL store cuts at 256 KiB). */
const bigImage = () => Buffer.concat([PNG_HEAD, randomBytes(600_000)]);

async function twoNodes(data: TestData, overrides: Overrides): Promise<[Running, Running]> {
  const one = await startServer({ PARLEY_SECRET: SECRET, ...overrides }, undefined, { data });
  try {
    return [one, await startServer({ PARLEY_SECRET: SECRET, PARLEY_DEMO: 'false', ...overrides }, undefined, { data })];
  } catch (err) {
    await one.close();
    throw err;
  }
}

/** Uploads through `node`, returns the signed download URL and the bytes. */
async function upload(node: Running, customer: V3Customer, bytes: Buffer): Promise<string> {
  const form = new FormData();
  form.set('operationId', opId());
  form.set('file', new Blob([bytes], { type: 'image/png' }), 'photo.png');
  const r = await http(`${node.url}${V3}/${customer.sessionId}/images`, { method: 'POST', headers: customer.headers(), body: form });
  expect(r.status).toBe(200);
  expect(r.body.data.message.content[0]).toMatchObject({ mime: 'image/png', size: bytes.length });
  return `${V3.replace(/\/sessions$/, '')}${r.body.data.message.content[0].url}`;
}

function sharedFiles(label: string, setup: () => Promise<{ data: TestData; overrides: Overrides; done?: () => Promise<void> }>) {
  describe(label, () => {
    let nodes: [Running, Running];
    let done: (() => Promise<void>) | undefined;
    let data: TestData;
    beforeAll(async () => {
      const s = await setup();
      data = s.data;
      done = s.done;
      nodes = await twoNodes(s.data, s.overrides);
    });
    afterAll(async () => {
      await Promise.all((nodes ?? []).map((n) => n.close()));
      await data?.drop();
      await done?.();
    });

    it('a file uploaded through node 1 downloads from node 2 with the link node 1 signed, byte for byte', async () => {
      const [one, two] = nodes;
      const customer = new V3Customer(one.url);
      await customer.start();
      const bytes = bigImage();
      const link = await upload(one, customer, bytes);
      const got = await fetch(`${two.url}${link}`);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('image/png');
      expect(got.headers.get('content-length')).toBe(String(bytes.length));
      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
      // Node 2's own read of the log signs a link that works on node 1 too.
      const onTwo = new V3Customer(two.url);
      Object.assign(onTwo, { token: customer.token, sessionId: customer.sessionId });
      const seen = await onTwo.pollUntil((s) => s.some((m) => m.type === 'File'));
      const fresh = seen.find((m) => m.type === 'File').content[0].url as string;
      const back = await fetch(`${one.url}${V3.replace(/\/sessions$/, '')}${fresh}`);
      expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).toBe(true);
      // A tampered signature is refused on both nodes.
      for (const node of nodes) expect((await fetch(`${node.url}${link.replace(/sig=\d+\./, 'sig=9999999999.')}`)).status).toBe(403);
    });

    it('an upload refused for its content (checked while it streams to the shared store) is answered 415, and the next one works', async () => {
      const [one, two] = nodes;
      const customer = new V3Customer(two.url);
      await customer.start();
      const form = new FormData();
      form.set('file', new Blob([Buffer.concat([Buffer.from('<script>'), randomBytes(300_000)])], { type: 'image/png' }), 'x.png');
      const refused = await http(`${two.url}${V3}/${customer.sessionId}/images`, { method: 'POST', headers: customer.headers(), body: form });
      expect(refused.status).toBe(415);
      const link = await upload(one, customer, bigImage());
      expect((await fetch(`${two.url}${link}`)).status).toBe(200);
    });

    it('a repeated upload (same operationId) answers with the first file; a large upload of a refused type is answered 415', async () => {
      const [one, two] = nodes;
      const customer = new V3Customer(one.url);
      await customer.start();
      const operationId = opId();
      const send = async (node: Running, bytes: Buffer, type = 'image/png') => {
        const form = new FormData();
        form.set('operationId', operationId);
        form.set('file', new Blob([bytes], { type }), 'photo.png');
        return http(`${node.url}${V3}/${customer.sessionId}/images`, { method: 'POST', headers: customer.headers(), body: form });
      };
      const first = bigImage();
      const a = await send(one, first);
      const b = await send(two, bigImage());
      expect(b.status).toBe(200);
      const path = (r: typeof a) => (r.body.data.message.content[0].url as string).split('?')[0];
      expect(path(b)).toBe(path(a));
      const got = await fetch(`${two.url}${V3.replace(/\/sessions$/, '')}${b.body.data.message.content[0].url}`);
      expect(Buffer.from(await got.arrayBuffer()).equals(first)).toBe(true);
      const html = new FormData();
      html.set('file', new Blob([Buffer.alloc(400_000, 'a')], { type: 'text/html' }), 'page.html');
      const refused = await http(`${two.url}${V3}/${customer.sessionId}/images`, { method: 'POST', headers: customer.headers(), body: html });
      expect(refused.status).toBe(415);
    });
  });
}

const postgres = await probePostgres();
describeWithService('files on every node: PostgreSQL', postgres, () => {
  sharedFiles('FILE_STORE=auto on PostgreSQL (the database keeps the files)', async () => ({ data: await createTestData('postgres'), overrides: {} }));
});

sharedFiles('FILE_STORE=s3 (s3rver)', async () => {
  const s3: TestS3 = await startS3();
  return { data: await createTestData(), overrides: s3.overrides, done: () => s3.close() };
});

describe('FILE_STORE=disk: each node has its own files', () => {
  it('a file uploaded through node 1 is not found on node 2 (what the shared stores fix)', async () => {
    const data = await createTestData();
    const [one, two] = await twoNodes(data, { FILE_STORE: 'disk' });
    try {
      const customer = new V3Customer(one.url);
      await customer.start();
      const link = await upload(one, customer, bigImage());
      expect((await fetch(`${one.url}${link}`)).status).toBe(200);
      expect((await fetch(`${two.url}${link}`)).status).toBe(404);
    } finally {
      await Promise.all([one.close(), two.close()]);
      await data.drop();
    }
  });
});
