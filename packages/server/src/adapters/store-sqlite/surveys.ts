import type { SurveyStore } from '../../ports/store.js';
import { surveySql as sql } from '../sql/surveys.js';
import { toSurvey, toSurveySummaryRow } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteSurveys = (db: SqliteConnection): SurveyStore => ({
  insertSurvey: async (s) => db.run(sql.insert(s)) === 1,
  getSurvey: async (sessionId) => {
    const row = db.get(sql.get(sessionId));
    return row ? toSurvey(row) : null;
  },
  summarizeSurveys: async (q) => db.all(sql.summarize(q)).map(toSurveySummaryRow),
});
