import { statement } from './dialect.js';

export const settingSql = {
  get: (key: string) => statement('SELECT value FROM settings WHERE key = ?', key),
  put: (key: string, value: string) => statement('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value),
};
