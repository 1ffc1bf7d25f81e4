import type { AccountStore } from '../../ports/store.js';
import { accountSql as sql } from '../sql/accounts.js';
import { orNull, toAccount } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteAccounts = (db: SqliteConnection): AccountStore => ({
  insertAccount: async (a) => void db.run(sql.insert(a)),
  getAccount: async (id) => orNull(db.get(sql.get(id)), toAccount),
  getAccountByUsername: async (username) => orNull(db.get(sql.byUsername(username)), toAccount),
  listAccounts: async () => db.all(sql.list()).map(toAccount),
  updateAccount: async (id, patch) => {
    const update = sql.update(id, patch);
    if (update) db.run(update);
  },
  updateAccountPassword: async (id, hash) => void db.run(sql.setPassword(id, hash)),
});
