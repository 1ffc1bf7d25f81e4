import type { DeskListStore } from '../../ports/store.js';
import { deskListSql as sql } from '../sql/desk-lists.js';
import { toCannedResponse, toWrapUpCode } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteDeskLists = (db: SqliteConnection): DeskListStore => ({
  listCannedResponses: async () => db.all(sql.cannedResponses()).map(toCannedResponse),
  insertCannedResponse: async (c) => void db.run(sql.insertCannedResponse(c)),
  deleteCannedResponse: async (id) => db.run(sql.deleteCannedResponse(id)) === 1,
  listWrapUpCodes: async () => db.all(sql.wrapUpCodes()).map(toWrapUpCode),
  upsertWrapUpCode: async (c) => void db.run(sql.upsertWrapUpCode(c)),
  deleteWrapUpCode: async (code) => db.run(sql.deleteWrapUpCode(code)) === 1,
});
