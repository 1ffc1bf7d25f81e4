import type { CannedResponse, WrapUpCode } from '../../ports/store.js';
import { statement } from './dialect.js';

export const deskListSql = {
  cannedResponses: () => statement('SELECT id, title, text FROM canned_responses ORDER BY title COLLATE BINARY'),
  insertCannedResponse: (c: CannedResponse) => statement('INSERT INTO canned_responses (id, title, text) VALUES (?, ?, ?)', c.id, c.title, c.text),
  deleteCannedResponse: (id: string) => statement('DELETE FROM canned_responses WHERE id = ?', id),
  wrapUpCodes: () => statement('SELECT code, label FROM wrap_up_codes ORDER BY code COLLATE BINARY'),
  upsertWrapUpCode: (c: WrapUpCode) => statement('INSERT INTO wrap_up_codes (code, label) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET label = excluded.label', c.code, c.label),
  deleteWrapUpCode: (code: string) => statement('DELETE FROM wrap_up_codes WHERE code = ?', code),
};
