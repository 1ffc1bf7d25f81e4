/**
 * The three FileStore adapters against their real backings: the local disk, PostgreSQL (its own
 * schema) and an S3-compatible server started here (s3rver). Each streams a file of several chunks
 * in and out, answers null for a file it does not have, and keeps nothing of a put whose source fails.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskFileStore } from '../src/adapters/files-disk.js';
import { FILE_CHUNK_BYTES, rechunk } from '../src/adapters/files-postgres.js';
import { S3FileStore } from '../src/adapters/files-s3.js';
import { PostgresStore } from '../src/adapters/store-postgres/index.js';
import type { FileStore } from '../src/ports/file-store.js';
import { describeWithService, probePostgres } from './external-services.js';
import { startS3, type TestS3 } from './s3-server.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

/** A source that yields `bytes` in uneven pieces, then fails. */
function failingSource(bytes: Buffer): Readable {
  return Readable.from(
    (async function* () {
      yield bytes.subarray(0, 1000);
      yield bytes.subarray(1000);
      throw new Error('client went away');
    })(),
    { objectMode: false },
  );
}

/** A source in pieces that do not line up with chunk boundaries. */
const piecewise = (bytes: Buffer) =>
  Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += 70_001) yield bytes.subarray(at, at + 70_001);
    })(),
    { objectMode: false },
  );

function fileStoreContract(name: string, make: () => FileStore, extra?: (store: () => FileStore) => void) {
  describe(name, () => {
    it('streams a file of several chunks in and out, byte for byte', async () => {
      const store = make();
      const id = randomUUID();
      const bytes = randomBytes(FILE_CHUNK_BYTES * 2 + 12_345);
      await store.put(id, piecewise(bytes));
      const back = await store.get(id);
      expect(back).not.toBeNull();
      expect((await readAll(back!)).equals(bytes)).toBe(true);
      // Read again: a get does not consume the file.
      expect((await readAll((await store.get(id))!)).length).toBe(bytes.length);
    });

    it('answers null for a file it does not have (and for an id that is not one)', async () => {
      const store = make();
      expect(await store.get(randomUUID())).toBeNull();
      expect(await store.get('../../etc/passwd')).toBeNull();
    });

    it('a put whose source fails rejects with its error and leaves nothing readable', async () => {
      const store = make();
      const id = randomUUID();
      await expect(store.put(id, failingSource(randomBytes(FILE_CHUNK_BYTES + 5000)))).rejects.toThrow('client went away');
      expect(await store.get(id)).toBeNull();
    });

    it('deletes a file (then it is gone); deleting a missing file is no error', async () => {
      const store = make();
      const id = randomUUID();
      await store.put(id, piecewise(randomBytes(FILE_CHUNK_BYTES + 1)));
      await store.delete(id);
      expect(await store.get(id)).toBeNull();
      await store.delete(id);
      await store.delete(randomUUID());
    });

    it('an empty file round-trips', async () => {
      const store = make();
      const id = randomUUID();
      await store.put(id, Readable.from([], { objectMode: false }));
      expect((await readAll((await store.get(id))!)).length).toBe(0);
    });
    extra?.(make);
  });
}

describe('rechunk', () => {
  it('cuts any pieces into chunks of the size, the last one shorter', async () => {
    const bytes = randomBytes(1000);
    const out: Buffer[] = [];
    for await (const c of rechunk(Readable.from([bytes.subarray(0, 1), bytes.subarray(1, 333), bytes.subarray(333)], { objectMode: false }), 256)) out.push(c);
    expect(out.map((c) => c.length)).toEqual([256, 256, 256, 232]);
    expect(Buffer.concat(out).equals(bytes)).toBe(true);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'parley-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
fileStoreContract(
  'disk',
  () => new DiskFileStore(dir),
  () => {
    it('a failed put leaves no temporary file behind', () => {
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  },
);

let s3: TestS3;
let s3Store: S3FileStore;
describe('s3 (s3rver)', () => {
  beforeAll(async () => {
    s3 = await startS3();
    s3Store = new S3FileStore({
      bucket: s3.bucket,
      prefix: 'files/',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
  });
  afterAll(async () => {
    s3Store?.close();
    await s3?.close();
  });
  fileStoreContract('S3FileStore', () => s3Store);
});

const postgres = await probePostgres();
describeWithService('postgres', postgres, (url) => {
  const schema = `parley_files_${process.pid}_${randomBytes(4).toString('hex')}`;
  let store: PostgresStore;
  beforeAll(async () => {
    store = await PostgresStore.connect(url, { schema, max: 4 });
  });
  afterAll(async () => {
    await store?.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });
  fileStoreContract(
    'PostgresFileStore',
    () => store.fileStore(),
    (make) => {
      it('keeps a file as chunks of FILE_CHUNK_BYTES and a failed put leaves no chunk', async () => {
        const id = randomUUID();
        await make().put(id, piecewise(randomBytes(FILE_CHUNK_BYTES * 2 + 1)));
        const failed = randomUUID();
        await expect(make().put(failed, failingSource(randomBytes(FILE_CHUNK_BYTES * 2)))).rejects.toThrow();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const sizes = await client.query(`SELECT file_id, octet_length(bytes) AS n FROM "${schema}".file_chunks WHERE file_id = ANY($1) ORDER BY file_id = $2 DESC, seq`, [[id, failed], id]);
          expect(sizes.rows.map((r) => [r.file_id, r.n])).toEqual([
            [id, FILE_CHUNK_BYTES],
            [id, FILE_CHUNK_BYTES],
            [id, 1],
          ]);
        } finally {
          await client.end();
        }
      });
    },
  );
});
