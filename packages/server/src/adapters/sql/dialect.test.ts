import { describe, expect, it } from 'vitest';
import { dialectTexts, isIn, limited, lockedIf } from './dialect.js';

describe('shared SQL dialect', () => {
  const sqlite = dialectTexts('sqlite');
  const postgres = dialectTexts('postgres');

  it('numbers placeholders in order on PostgreSQL and keeps them on SQLite', () => {
    const text = 'UPDATE t SET a = ?, b = COALESCE(?, b) WHERE id = ? AND x IN (?, ?)';
    expect(sqlite(text)).toBe(text);
    expect(postgres(text)).toBe('UPDATE t SET a = $1, b = COALESCE($2, b) WHERE id = $3 AND x IN ($4, $5)');
  });

  it('locks with FOR NO KEY UPDATE on PostgreSQL; SQLite needs no lock', () => {
    const text = lockedIf('SELECT * FROM sessions WHERE id = ?', true);
    expect(sqlite(text)).toBe('SELECT * FROM sessions WHERE id = ?');
    expect(postgres(text)).toBe('SELECT * FROM sessions WHERE id = $1 FOR NO KEY UPDATE');
    expect(lockedIf('SELECT 1', false)).toBe('SELECT 1');
  });

  it('locks a row about to be deleted with FOR UPDATE on PostgreSQL (inserts that reference it wait too)', () => {
    const text = 'SELECT id FROM sessions WHERE id = ? FOR KEY UPDATE';
    expect(sqlite(text)).toBe('SELECT id FROM sessions WHERE id = ?');
    expect(postgres(text)).toBe('SELECT id FROM sessions WHERE id = $1 FOR UPDATE');
  });

  it('orders text bytewise on both, and by insertion with row_seq on PostgreSQL', () => {
    const text = 'SELECT * FROM participants ORDER BY name COLLATE BINARY, rowid';
    expect(sqlite(text)).toBe(text);
    expect(postgres(text)).toBe('SELECT * FROM participants ORDER BY name COLLATE "C", row_seq');
  });

  it('leaves LIMIT out for a negative limit (no limit), and never matches an empty IN list', () => {
    expect(limited('SELECT 1', [], -1)).toEqual({ text: 'SELECT 1', values: [] });
    expect(limited('SELECT ?', ['a'], 5)).toEqual({ text: 'SELECT ? LIMIT ?', values: ['a', 5] });
    expect(isIn('state', [])).toEqual({ sql: '1 = 0', values: [] });
    expect(isIn('state', ['A', 'B'])).toEqual({ sql: 'state IN (?, ?)', values: ['A', 'B'] });
  });
});
