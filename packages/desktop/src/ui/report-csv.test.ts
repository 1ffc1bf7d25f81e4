import { describe, expect, it } from 'vitest';
import { reportCsv } from './report-csv.js';

const f = { offered: 3, handled: 2, abandoned: 1, waiting: 0, averageWaitSeconds: 12.5, averageHandleSeconds: null };

describe('report CSV', () => {
  it('has the total, queues and agents; quotes and neutralises formulas', () => {
    const csv = reportCsv({
      from: 'a',
      to: 'b',
      totals: f,
      queues: [{ queue: 'Billing, "EU"', deploymentId: 'demo', ...f }],
      agents: [{ accountId: 'x', displayName: '=HYPERLINK("x")', handled: 2, declined: 1, averageHandleSeconds: 30 }],
      truncated: false,
    });
    expect(csv.split('\r\n')).toEqual([
      'Scope,Name,Offered,Handled,Abandoned,Waiting,Declined,Average wait (s),Average handle (s)',
      'Total,All queues,3,2,1,0,,12.5,',
      'Queue,"Billing, ""EU""",3,2,1,0,,12.5,',
      `Agent,"'=HYPERLINK(""x"")",,2,,,1,,30`,
      '',
    ]);
  });
});
