/** The registry: selection by configuration, and transports kept in their own file (loaded on first use). */
import { afterEach, describe, expect, it } from 'vitest';
import { createTransport, defineLazyTransport, defineTransport, loadTransportFile, setTransportLoader, TransportError, type Transport } from './transport.js';
import './index.js';

const original = loadTransportFile;
afterEach(() => setTransportLoader(original));

const fake = (log: string[]): Transport => ({
  can: { poll: true, customNotice: true, userData: true, files: false, history: true },
  start: async () => (log.push('start'), { session: { id: 's' }, response: { ok: 1 } }),
  resume: async (d) => d,
  poll: async () => ({ messages: [], chatEnded: false, response: {} }),
  history: async () => ({ messages: [], chatEnded: false, response: {} }),
  send: async (t) => (log.push('send ' + t), { response: {} }),
  customNotice: async (t) => (log.push('notice ' + t), {}),
  typing: async () => ({}),
  updateUserData: async () => ({}),
  leave: async () => ({}),
  upload: async () => ({ response: {} }),
  fileUrl: (u) => 'abs:' + u,
  abort: () => log.push('abort'),
});

describe('transport registry', () => {
  it('selects as the Genesys client: type, else webchat.dataURL means GMS, else v3', () => {
    expect(createTransport({ type: 'purecloud-v2-sockets' }, { dataURL: 'https://gms' }).can.poll).toBe(false);
    expect(createTransport({}, { dataURL: 'https://gms/genesys/2/chat/x' }).can.customNotice).toBe(true);
    expect(createTransport({}, {}).can.customNotice).toBe(false);
    expect(() => createTransport({ type: 'x' })).toThrow('Unknown webchat transport.type "x". Supported: pureengage-v3-rest, purecloud-v2-sockets (or no type with webchat.dataURL for GMS chat v2).');
  });

  it('fills in webchat.transport for GMS, so page code that reads it (seed 000) does not throw', () => {
    const webchat: Record<string, any> = { dataURL: 'https://gms/genesys/2/chat/x' };
    createTransport({}, webchat);
    expect(webchat.transport).toEqual({});
  });

  it('a lazy transport answers its capabilities at once, loads its file on the first call and delegates', async () => {
    const log: string[] = [];
    const loads: string[] = [];
    setTransportLoader(async (type) => {
      loads.push(type);
      defineTransport(type, (config, webchat) => (log.push(`made ${config.k} ${webchat.w}`), fake(log)));
    });
    defineLazyTransport('test-lazy', { can: { poll: true, customNotice: true, userData: true, files: false, history: true }, selfTimed: true });
    const t = createTransport({ type: 'test-lazy', k: 1 }, { w: 2 });
    expect(t.can.files).toBe(false);
    expect(t.selfTimed).toBe(true);
    expect(t.fileUrl('/x')).toBe('/x'); // not loaded yet
    t.abort(); // nothing to abort yet
    expect(loads).toEqual([]);
    expect(await t.start({ userData: {}, async: false })).toEqual({ session: { id: 's' }, response: { ok: 1 } });
    await t.send('hi');
    await t.customNotice!('n');
    expect(t.fileUrl('/x')).toBe('abs:/x');
    t.abort();
    expect(loads).toEqual(['test-lazy']);
    expect(log).toEqual(['made 1 2', 'start', 'send hi', 'notice n', 'abort']);
  });

  it('a file that does not load rejects with a TransportError, and is tried again next time', async () => {
    let fail = true;
    setTransportLoader(async (type) => {
      if (fail) throw new Error('404');
      defineTransport(type, () => fake([]));
    });
    defineLazyTransport('test-flaky', { can: { poll: true, customNotice: false, userData: true, files: true, history: true } });
    const t = createTransport({ type: 'test-flaky' });
    expect(t.customNotice).toBeUndefined();
    const err = await t.start({ userData: {}, async: false }).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ httpStatus: 0, code: 'NETWORK_ERROR', response: { status: { code: 'NETWORK_ERROR', message: 'The chat transport could not be loaded.' } } });
    fail = false;
    expect((await t.start({ userData: {}, async: false })).response).toEqual({ ok: 1 });
  });
});
