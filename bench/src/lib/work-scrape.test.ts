import { describe, expect, it } from 'vitest';
import { formatWork, parseWork, sumWork, workPerExchange } from './work-scrape.js';

const exposition = (tx: number, st: number, rt: number, publish: number, texts: number) =>
  [
    '# TYPE parley_store_work_total counter',
    `parley_store_work_total{kind="transactions"} ${tx}`,
    `parley_store_work_total{kind="statements"} ${st}`,
    `parley_store_work_total{kind="round_trips"} ${rt}`,
    `parley_fanout_commands_total{command="PUBLISH"} ${publish}`,
    `parley_messages_persisted_total{type="Text"} ${texts}`,
    `parley_messages_persisted_total{type="System"} 99`,
    'parley_open_long_polls 3',
  ].join('\n');

describe('work scrape', () => {
  it('divides the work of a window by the exchanges persisted in it, summed over nodes', () => {
    const before = sumWork([parseWork(exposition(10, 30, 50, 2, 4)), parseWork(exposition(0, 0, 0, 0, 0))]);
    const after = sumWork([parseWork(exposition(50, 150, 250, 12, 14)), parseWork(exposition(10, 30, 50, 3, 10))]);
    const w = workPerExchange(before, after);
    expect(w).toEqual({ 'store:transactions': 5, 'store:statements': 15, 'store:round_trips': 25, 'redis:PUBLISH': 1.3 });
    expect(formatWork(w)).toBe('5 tx, 15 st, 25 rt, 1.3 PUBLISH');
  });

  it("counts the rate limits' Redis commands with the fan-out's", () => {
    const w = parseWork(`${exposition(1, 2, 3, 4, 2)}\nparley_limits_commands_total{command="EVAL"} 5\nparley_limits_commands_total{command="PUBLISH"} 1`);
    expect(w['redis:EVAL']).toBe(5);
    expect(w['redis:PUBLISH']).toBe(5);
  });

  it('is n/a for a build that exports no work counters, or a window without exchanges', () => {
    const old = '# TYPE parley_messages_persisted_total counter\nparley_messages_persisted_total{type="Text"} 10\n';
    expect(workPerExchange(parseWork(old), parseWork(old.replace('10', '20')))).toBeNull();
    expect(workPerExchange(parseWork(exposition(1, 1, 1, 1, 4)), parseWork(exposition(2, 2, 2, 2, 4)))).toBeNull();
    expect(formatWork(null)).toBe('n/a');
  });
});
