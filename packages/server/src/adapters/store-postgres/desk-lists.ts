import type { DeskListStore } from '../../ports/store.js';
import { deskListSql as sql } from '../sql/desk-lists.js';
import { toCannedResponse, toWrapUpCode } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgDeskLists = (db: PgConnection): DeskListStore => ({
  listCannedResponses: async () => (await db.rows(sql.cannedResponses())).map(toCannedResponse),
  insertCannedResponse: async (c) => {
    await db.run(sql.insertCannedResponse(c));
  },
  deleteCannedResponse: async (id) => (await db.run(sql.deleteCannedResponse(id))) === 1,
  listWrapUpCodes: async () => (await db.rows(sql.wrapUpCodes())).map(toWrapUpCode),
  upsertWrapUpCode: async (c) => {
    await db.run(sql.upsertWrapUpCode(c));
  },
  deleteWrapUpCode: async (code) => (await db.run(sql.deleteWrapUpCode(code))) === 1,
});
