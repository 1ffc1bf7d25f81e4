import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileStore } from '../ports/file-store.js';

/** Uploaded files on local disk, one file per id (ids are server-made UUIDs). Only its own node reads them. */
export class DiskFileStore implements FileStore {
  constructor(private readonly dir: string) {}

  private path(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad file id');
    return join(this.dir, id);
  }

  async put(id: string, source: Readable): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.path(id)}.tmp`;
    try {
      await pipeline(source, createWriteStream(tmp));
      await rename(tmp, this.path(id));
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return;
    await unlink(this.path(id)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async get(id: string): Promise<Readable | null> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    const path = this.path(id);
    try {
      if (!(await stat(path)).isFile()) return null;
    } catch {
      return null;
    }
    return createReadStream(path);
  }
}
