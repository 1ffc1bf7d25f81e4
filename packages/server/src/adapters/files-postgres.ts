import { Readable } from 'node:stream';
import type pg from 'pg';
import type { FileStore } from '../ports/file-store.js';

/** Bytes per stored chunk: the most a read or a write holds of one file at a time. */
export const FILE_CHUNK_BYTES = 256 * 1024;

/**
 * Uploaded files in PostgreSQL (`file_chunks`, `file_blobs`; migration 20), so every node serving
 * the database serves the files. A put writes the source chunk by chunk as it arrives, each chunk in
 * a statement of its own (no connection is held while a slow client uploads), and marks the file
 * complete with its `file_blobs` row last: a failed put deletes its chunks, and a file without that
 * row is not readable. A get reads one chunk per statement as the answer is written.
 */
export class PostgresFileStore implements FileStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly chunkBytes = FILE_CHUNK_BYTES,
  ) {}

  async put(id: string, source: Readable): Promise<void> {
    let seq = 0;
    let size = 0;
    try {
      for await (const chunk of rechunk(source, this.chunkBytes)) {
        await this.pool.query('INSERT INTO file_chunks (file_id, seq, bytes) VALUES ($1, $2, $3)', [id, seq++, chunk]);
        size += chunk.length;
      }
      await this.pool.query('INSERT INTO file_blobs (file_id, chunks, size) VALUES ($1, $2, $3)', [id, seq, size]);
    } catch (err) {
      await this.pool.query('DELETE FROM file_chunks WHERE file_id = $1', [id]).catch(() => undefined);
      throw err;
    }
  }

  /** The blob row first: from then on the file is unreadable, whatever happens to its chunks. */
  async delete(id: string): Promise<void> {
    await this.pool.query('DELETE FROM file_blobs WHERE file_id = $1', [id]);
    await this.pool.query('DELETE FROM file_chunks WHERE file_id = $1', [id]);
  }

  async get(id: string): Promise<Readable | null> {
    const blob = (await this.pool.query<{ chunks: number }>('SELECT chunks FROM file_blobs WHERE file_id = $1', [id])).rows[0];
    if (!blob) return null;
    const { pool } = this;
    const chunks = Number(blob.chunks);
    async function* read(): AsyncGenerator<Buffer> {
      for (let seq = 0; seq < chunks; seq++) {
        const row = (await pool.query<{ bytes: Buffer }>('SELECT bytes FROM file_chunks WHERE file_id = $1 AND seq = $2', [id, seq])).rows[0];
        if (!row) throw new Error(`file ${id} is missing chunk ${seq}`);
        yield row.bytes;
      }
    }
    return Readable.from(read(), { objectMode: false });
  }
}

/** `source`'s bytes in chunks of `size` (the last one shorter). */
export async function* rechunk(source: AsyncIterable<Buffer | string>, size: number): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  for await (const piece of source) {
    let buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
    while (heldBytes + buf.length >= size) {
      const take = size - heldBytes;
      held.push(buf.subarray(0, take));
      yield Buffer.concat(held);
      held = [];
      heldBytes = 0;
      buf = buf.subarray(take);
    }
    if (buf.length) {
      held.push(buf);
      heldBytes += buf.length;
    }
  }
  if (heldBytes) yield Buffer.concat(held);
}
