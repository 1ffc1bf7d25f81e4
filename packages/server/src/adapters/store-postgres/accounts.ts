import type { AccountStore } from '../../ports/store.js';
import { accountSql as sql } from '../sql/accounts.js';
import { orNull, toAccount } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgAccounts = (db: PgConnection): AccountStore => ({
  insertAccount: async (a) => {
    await db.run(sql.insert(a));
  },
  getAccount: async (id) => orNull(await db.one(sql.get(id)), toAccount),
  getAccountByUsername: async (username) => orNull(await db.one(sql.byUsername(username)), toAccount),
  listAccounts: async () => (await db.rows(sql.list())).map(toAccount),
  updateAccount: async (id, patch) => {
    const update = sql.update(id, patch);
    if (update) await db.run(update);
  },
  updateAccountPassword: async (id, hash) => {
    await db.run(sql.setPassword(id, hash));
  },
});
