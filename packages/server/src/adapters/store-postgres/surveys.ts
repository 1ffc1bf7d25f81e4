import type { SurveyStore } from '../../ports/store.js';
import { surveySql as sql } from '../sql/surveys.js';
import { toSurvey, toSurveySummaryRow } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgSurveys = (db: PgConnection): SurveyStore => ({
  insertSurvey: async (s) => (await db.run(sql.insert(s))) === 1,
  getSurvey: async (sessionId) => {
    const row = await db.one(sql.get(sessionId));
    return row ? toSurvey(row) : null;
  },
  summarizeSurveys: async (q) => (await db.rows(sql.summarize(q))).map(toSurveySummaryRow),
});
