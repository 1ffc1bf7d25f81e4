import { describe, expect, it } from 'vitest';
import { createV3Transport, formEncode, jwtPayload, operationId } from './pureengage-v3-rest.js';
import { createTransport, TransportError } from './transport.js';

describe('pureengage-v3-rest helpers', () => {
  it('form-encodes with bracket nesting, as the Genesys client does', () => {
    const body = formEncode({ data: { type: 'Text', text: 'hi & bye', userData: { customerId: 59606, skip: undefined } }, operationId: 'op1' });
    expect(decodeURIComponent(body)).toBe('data[type]=Text&data[text]=hi & bye&data[userData][customerId]=59606&operationId=op1');
    expect(body).toContain('hi%20%26%20bye');
  });

  it('reads the JWT payload without verifying it', () => {
    const payload = { sessionId: 's1', transportId: 't1', participantId: 'p1' };
    const token = 'x.' + Buffer.from(JSON.stringify(payload)).toString('base64url') + '.sig';
    expect(jwtPayload(token)).toEqual(payload);
    expect(jwtPayload('garbage')).toEqual({});
  });

  it('makes a fresh operationId per request', () => {
    expect(operationId()).not.toBe(operationId());
  });

  it('resolves attachment URLs against dataURL minus /sessions', () => {
    const t = createV3Transport({ dataURL: 'https://chat.example.com/nexus/v3/chat/sessions/' });
    expect(t.fileUrl('/sessions/s/images/f?sig=1')).toBe('https://chat.example.com/nexus/v3/chat/sessions/s/images/f?sig=1');
    expect(t.fileUrl('https://cdn.example.com/x.png')).toBe('https://cdn.example.com/x.png');
    expect(createV3Transport({}).fileUrl('/sessions/a')).toBe('/nexus/v3/chat/sessions/a');
  });

  it('turns a network failure into a TransportError with a status envelope', async () => {
    const t = createV3Transport({ dataURL: 'http://127.0.0.1:1/nexus/v3/chat/sessions', writeRetryDelaysMs: [] });
    const err = await t.start({ userData: {}, async: false }).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ httpStatus: 0, code: 'NETWORK_ERROR', response: { status: { code: 'NETWORK_ERROR' } } });
  });
});

describe('transport registry', () => {
  it('creates the v3 transport by type (the default) and names the supported ones for an unknown type', () => {
    expect(createTransport({ type: 'pureengage-v3-rest' }).can.poll).toBe(true);
    expect(createTransport({}).can.customNotice).toBe(false);
    expect(() => createTransport({ type: 'gms' })).toThrow('Unknown webchat transport.type "gms". Supported: pureengage-v3-rest');
  });
});

describe('pureengage-v3-rest retries a write whose answer was lost, with the same operationId', () => {
  it('a send whose answer is cut is sent again and stored once', async () => {
    const { startServer, API_KEY } = await import('../service/server.testkit.js');
    const srv = await startServer();
    try {
      // The server stores the first send, then its answer is lost on the wire (the socket is cut as it is written).
      let sends = 0;
      srv.parley.app.server.on('request', (req, res) => {
        if (req.method !== 'POST' || !/\/messages$/.test(req.url ?? '')) return;
        if (++sends > 1) return;
        res.end = (() => {
          res.socket?.destroy();
          return res;
        }) as typeof res.end;
      });
      const t = createV3Transport({ dataURL: `${srv.url}/nexus/v3/chat/sessions`, headers: { 'x-api-key': API_KEY } });
      await t.start({ nickname: 'Retry', userData: {}, async: false });
      const sent = await t.send('stored once');
      expect(sent.message?.text).toBe('stored once');
      expect(sends).toBe(2);
      const log = await t.history(50);
      expect(log.messages.filter((m) => m.type === 'Text' && m.text === 'stored once')).toHaveLength(1);
    } finally {
      await srv.close();
    }
  }, 30_000);
});
