import type { StoredFile } from '../../ports/store.js';
import { statement } from './dialect.js';

export const fileSql = {
  insert: (f: StoredFile) => statement('INSERT INTO files (id, session_id, name, mime, size, created_at) VALUES (?, ?, ?, ?, ?, ?)', f.id, f.sessionId, f.name, f.mime, f.size, f.createdAt),
  get: (id: string) => statement('SELECT * FROM files WHERE id = ?', id),
};
