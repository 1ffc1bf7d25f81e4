import { describe, expect, it, vi } from 'vitest';
import { deferred, rejected, resolved } from './deferred.js';

describe('deferred', () => {
  it('runs done and always on resolve, in order, and later-added callbacks at once', () => {
    const calls: string[] = [];
    const d = deferred<number>();
    d.done((v) => calls.push('done' + v))
      .fail(() => calls.push('fail'))
      .always((v) => calls.push('always' + v));
    expect(d.state()).toBe('pending');
    d.resolve(1);
    d.resolve(2);
    d.reject('x');
    expect(d.state()).toBe('resolved');
    d.done((v) => calls.push('late' + v));
    expect(calls).toEqual(['done1', 'always1', 'late1']);
  });

  it('runs fail and always on reject; accepts arrays of callbacks', () => {
    const calls: string[] = [];
    rejected('why')
      .done(() => calls.push('done'))
      .fail([(r) => calls.push('fail:' + r), (r) => calls.push('fail2:' + r)])
      .always(() => calls.push('always'));
    expect(calls).toEqual(['fail:why', 'fail2:why', 'always']);
  });

  it('is awaitable and then-able', async () => {
    await expect(resolved(5)).resolves.toBe(5);
    await expect(rejected('no')).rejects.toBe('no');
    const d = deferred<string>();
    setTimeout(() => d.resolve('later'));
    expect(await d).toBe('later');
    expect(await d.then((v) => v + '!')).toBe('later!');
    expect(await rejected('r').catch((r) => 'caught ' + r)).toBe('caught r');
    expect(d.promise()).toBe(d);
  });

  it('keeps calling the other callbacks when one throws', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const calls: number[] = [];
    resolved().done(
      () => {
        throw new Error('boom');
      },
      () => calls.push(2),
    );
    expect(calls).toEqual([2]);
    expect(err).toHaveBeenCalled();
    err.mockRestore();
  });
});
