import { describe, expect, it } from 'vitest';
import { ClientGone } from './client-gone.js';

describe('ClientGone', () => {
  it('wakes the waiting hold once when the client leaves, and nothing after it stopped waiting', () => {
    const woken: string[] = [];
    const client = new ClientGone();
    client.onLeave(() => woken.push('first'));
    client.onLeave(() => woken.push('second'));
    client.leave();
    client.leave();
    expect(client.gone).toBe(true);
    expect(woken).toEqual(['second']);

    const other = new ClientGone();
    other.onLeave(() => woken.push('cleared'));
    other.onLeave(undefined);
    other.leave();
    expect(woken).toEqual(['second']);
  });
});
