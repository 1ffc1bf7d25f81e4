import type { Account, AccountStore } from '../../ports/store.js';
import { setClause } from '../store-rows.js';
import { statement, updateById } from './dialect.js';

export const accountSql = {
  insert: (a: Account) =>
    statement(
      'INSERT INTO accounts (id, username, display_name, password_hash, role, created_at, token_generation, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      a.id,
      a.username,
      a.displayName,
      a.passwordHash,
      a.role,
      a.createdAt,
      a.tokenGeneration,
      a.disabled ? 1 : 0,
    ),
  get: (id: string) => statement('SELECT * FROM accounts WHERE id = ?', id),
  byUsername: (username: string) => statement('SELECT * FROM accounts WHERE username = ?', username),
  list: () => statement('SELECT * FROM accounts ORDER BY username COLLATE BINARY'),
  update: (id: string, patch: Parameters<AccountStore['updateAccount']>[1]) => updateById('accounts', setClause(patch), id),
  setPassword: (id: string, hash: string) => statement('UPDATE accounts SET password_hash = ? WHERE id = ?', hash, id),
};
