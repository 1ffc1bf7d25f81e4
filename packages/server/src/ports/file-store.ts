import type { Readable } from 'node:stream';

/**
 * Where uploaded files' bytes live (their metadata is in the Store's `files` table). Bytes move as
 * streams both ways, so no adapter holds a whole file in memory. What `put` stored is readable by
 * `get` on every node that shares the adapter's backing (PostgreSQL, S3; the local disk only on its node).
 */
export interface FileStore {
  /** Stores what `source` yields under `id` (a server-made UUID). Rejects, keeping nothing readable, when the source or the backing fails. */
  put(id: string, source: Readable): Promise<void>;
  /** The file's bytes, read as they are consumed, or null when there is no such file. */
  get(id: string): Promise<Readable | null>;
  /** Removes the file's bytes (retention, erasure); a file that is not there is no error. */
  delete(id: string): Promise<void>;
  /** Releases what the adapter holds of its own (connections to an object store); the store it may share is closed by its owner. */
  close?(): void;
}
