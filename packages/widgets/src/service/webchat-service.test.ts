import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEXT } from './webchat-service.js';
import { clearCookies, openPage, PNG, startServer, TestAgent, v3Config, type Page, type TestServer } from './server.testkit.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let srv: TestServer;
const pages: Page[] = [];
const page = (extra: Record<string, any> = {}) => {
  const p = openPage(v3Config(srv.url, extra));
  pages.push(p);
  return p;
};

beforeAll(async () => {
  srv = await startServer();
});
afterAll(() => srv.close());
beforeEach(() => clearCookies());
afterEach(async () => {
  // end whatever the test left running, so polls do not outlive it
  for (const p of pages.splice(0)) {
    if (p.svc.data('sessionActive')) await p.cmd('WebChatService.endChat').catch(() => undefined);
    p.unload();
  }
});

describe('WebChatService without a session', () => {
  it('publishes ready and sets its plugin data', async () => {
    const p = page({ userData: { customerId: '1' } });
    expect((await p.next('ready')).publisher).toBe('WebChatService');
    expect(p.bus.data('WebChatService.sessionActive')).toBe(false);
    expect(p.bus.data('WebChatService.agentTyping')).toBe(false);
    expect(p.bus.data('WebChatService.userData')).toEqual({ customerId: '1' });
  });

  it('rejects session commands with the exact texts', async () => {
    const p = page();
    await expect(p.cmd('WebChatService.endChat')).rejects.toBe('There is no active chat session.');
    await expect(p.cmd('WebChatService.sendMessage', { message: 'hi' })).rejects.toBe('There is no active chat session.');
    await expect(p.cmd('WebChatService.sendMessage', { message: '  ' })).rejects.toBe('No message text provided.');
    await expect(p.cmd('WebChatService.sendMessage')).rejects.toBe('No message text provided.');
    await expect(p.cmd('WebChatService.sendTyping')).rejects.toBe('There is no active chat session.');
    await expect(p.cmd('WebChatService.sendFilteredMessage', { message: 'x', regex: /x/ })).rejects.toBe('No active chat session.');
    await expect(p.cmd('WebChatService.startPoll')).rejects.toBe('No active chat session.');
    await expect(p.cmd('WebChatService.stopPoll')).rejects.toBe('No active chat session.');
    await expect(p.cmd('WebChatService.sendFile', { files: [new Blob(['x'])] })).rejects.toBe('There is no active chat session.');
    await expect(p.cmd('WebChatService.sendCustomNotice', { message: 'bye' })).rejects.toBe("This transport doesn't support sendCustomNotice command.");
    await expect(p.cmd('WebChatService.fetchHistory')).rejects.toBe('Fetching history messages applies only to Asynchronous chat.');
  });

  it('poll and restore are private (restore only outside async mode)', async () => {
    const p = page();
    await expect(p.cmd('WebChatService.poll')).rejects.toBe('Access Denied to private command. Only WebChatService is allowed to invoke this command.');
    // WebChatService itself may poll, but not without a session
    await expect(p.svc.command('WebChatService.poll')).rejects.toBe('previous poll has not finished.');
    await expect(p.cmd('WebChatService.restore')).rejects.toBe('Access Denied to private command. Only WebChatService is allowed to invoke this command in Non-Async mode.');
  });

  it('startChat rejects malformed userData, as a string or a non-object', async () => {
    const p = page();
    await expect(p.cmd('WebChatService.startChat', { userData: '{not json' })).rejects.toBe('malformed data object provided in userData property.');
    await expect(p.cmd('WebChatService.startChat', { userData: 5 })).rejects.toBe('malformed data object provided in userData property.');
    await expect(p.cmd('WebChatService.startChat', { userData: '[1]' })).rejects.toBe('malformed data object provided in userData property.');
    expect(p.svc.data('sessionActive')).toBe(false);
  });

  it('an unknown transport.type is a clear error', async () => {
    const p = openPage({ transport: { type: 'carrier-pigeon' } });
    await expect(p.cmd('WebChatService.startChat', {})).rejects.toBe(
      'Unknown webchat transport.type "carrier-pigeon". Supported: pureengage-v3-rest, purecloud-v2-sockets (or no type with webchat.dataURL for GMS chat v2).',
    );
  });

  it('addPrefilter accepts a RegExp or an array of them and resolves with all of them', async () => {
    const p = page();
    const a = /secret/;
    const b = /token-\d+/g;
    expect(await p.cmd('WebChatService.addPrefilter', { filters: a })).toEqual([a]);
    expect(await p.cmd('WebChatService.addPrefilter', { filters: [b] })).toEqual([a, b]);
    const bad = 'Missing or invalid filters provided. Please provide a regular expression or an array of regular expressions.';
    await expect(p.cmd('WebChatService.addPrefilter')).rejects.toBe(bad);
    await expect(p.cmd('WebChatService.addPrefilter', { filters: 'x' })).rejects.toBe(bad);
    await expect(p.cmd('WebChatService.addPrefilter', { filters: [] })).rejects.toBe(bad);
    await expect(p.cmd('WebChatService.addPrefilter', { filters: [/a/, 'b'] })).rejects.toBe(bad);
  });

  it('registerPreProcessor resolves with the function, rejects other types with their type', async () => {
    const p = page();
    const fn = (m: any) => m;
    expect(await p.cmd('WebChatService.registerPreProcessor', { preprocessor: fn })).toBe(fn);
    await expect(p.cmd('WebChatService.registerPreProcessor', { preprocessor: 'x' })).rejects.toBe("No preprocessor function provided. Type provided was 'string'.");
    await expect(p.cmd('WebChatService.registerPreProcessor')).rejects.toBe("No preprocessor function provided. Type provided was 'undefined'.");
  });

  it('registerTypingPreviewInput takes a textarea or text input (also jQuery-like), rejects anything else', async () => {
    const p = page();
    const bad = 'Invalid value provided for the input property. An HTML element reference to a textarea or text input is required.';
    await expect(p.cmd('WebChatService.registerTypingPreviewInput', { input: document.createElement('textarea') })).resolves.toBeUndefined();
    await expect(p.cmd('WebChatService.registerTypingPreviewInput', { input: [document.createElement('input')] })).resolves.toBeUndefined();
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    await expect(p.cmd('WebChatService.registerTypingPreviewInput', { input: checkbox })).rejects.toBe(bad);
    await expect(p.cmd('WebChatService.registerTypingPreviewInput', { input: document.createElement('div') })).rejects.toBe(bad);
    await expect(p.cmd('WebChatService.registerTypingPreviewInput')).rejects.toBe(bad);
  });

  it('updateUserData before a session merges into the userData sent at start', async () => {
    const p = page({ userData: { a: '1' } });
    expect(await p.cmd('WebChatService.updateUserData', { b: '2' })).toEqual({ a: '1', b: '2' });
    expect(p.bus.data('WebChatService.userData')).toEqual({ a: '1', b: '2' });
  });

  it('the query commands always resolve', async () => {
    const p = page();
    expect(await p.cmd('WebChatService.verifySession')).toEqual({ sessionActive: false });
    expect(await p.cmd('WebChatService.getTranscript')).toEqual({ messages: [], originalMessages: [] });
    expect(await p.cmd('WebChatService.getAgents')).toEqual({});
    expect(await p.cmd('WebChatService.getStats')).toMatchObject({ agents: {}, duration: 0 });
    expect(await p.cmd('WebChatService.getSessionData')).toEqual({});
    await expect(p.cmd('WebChatService.resetPollExceptions')).resolves.toBeUndefined();
    await expect(p.cmd('WebChatService.configure', { restoreTimeout: 1000 })).resolves.toBeUndefined();
  });
});

describe('WebChatService with a live chat', () => {
  it('runs a whole chat: start, messages both ways, typing, user data, files, history, end', async () => {
    const p = page({ userData: { customerId: '59606' } });
    const agent = await new TestAgent(srv.url).login();

    // startChat resolves with the server response, publishes started and sets sessionActive
    const r = await p.cmd('WebChatService.startChat', { nickname: 'Jonny', firstname: 'Johnathan', lastname: 'Smith', email: 'j@x.io', subject: 'product questions', userData: '{"orderId":"77"}' });
    expect(r.status.code).toBe('SUCCESS');
    expect(typeof r.data.clientToken).toBe('string');
    const started = await p.next('started');
    expect(started.data.data).toMatchObject({ sessionId: r.data.sessionId, participantId: r.data.participantId, token: r.data.clientToken });
    expect(typeof started.data.data.transportId).toBe('string');
    expect(p.bus.data('WebChatService.sessionActive')).toBe(true);
    await p.next('pollingStarted');
    await expect(p.cmd('WebChatService.startChat', {})).rejects.toBe('There is already an active chat session.');
    expect(await p.cmd('WebChatService.verifySession')).toEqual({ sessionActive: true });
    const sid = r.data.sessionId;
    expect(await p.cmd('WebChatService.getSessionData')).toEqual(started.data.data);

    // the server got the form fields and the merged userData
    const s = { session: await srv.parley.store.tx((tx: any) => tx.getSession(sid)) };
    expect(s.session.userData).toMatchObject({ customerId: '59606', orderId: '77', _genesys_source: 'web', FirstName: 'Johnathan', Subject: 'product questions' });

    // our own join comes back as clientConnected
    const cc = await p.next('clientConnected');
    expect(cc.data.message).toMatchObject({ type: 'ParticipantJoined', from: { type: 'Client', name: 'Jonny' } });

    // sendMessage: shown at once from the response, and not again when the poll brings it back
    const sent = await p.cmd('WebChatService.sendMessage', { message: 'hi there' });
    expect(sent.status.code).toBe('SUCCESS');
    const mine = await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'hi there'));
    const m0 = mine.data.messages.find((m: any) => m.text === 'hi there');
    expect(m0).toMatchObject({ type: 'Message', from: { type: 'Client', name: 'Jonny' } });
    expect(typeof m0.index).toBe('number');
    expect(m0.timestamp).toBe(mine.data.originalMessages[0].utcTime);
    expect(mine.data).toMatchObject({ restoring: false, oldMessages: false });
    expect(mine.data.sessionData.sessionId).toBe(sid);

    // the agent joins: agentConnected with the agents list
    await agent.accept(sid);
    const ac = await p.next('agentConnected');
    expect(ac.data.numAgentsConnected).toBe(1);
    const agentId = ac.data.message.from.participantId;
    expect(ac.data.agents[agentId]).toMatchObject({ connected: true, supervisor: false });

    // agent typing: started, then the 3 s timeout
    await agent.say(sid, '', 'TypingStarted');
    await p.next('agentTypingStarted');
    expect(p.bus.data('WebChatService.agentTyping')).toBe(true);
    const timedOut = await p.next('agentTypingTimeout', undefined, 6000);
    expect(timedOut).toBeTruthy();
    expect(p.bus.data('WebChatService.agentTyping')).toBe(false);
    await agent.say(sid, '', 'TypingStarted');
    await p.next('agentTypingStarted', (e) => e !== p.named('agentTypingStarted')[0]);
    await agent.say(sid, 'How can I help?');
    await p.next('agentTypingStopped');
    const fromAgent = await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'How can I help?'));
    expect(fromAgent.data.messages.find((m: any) => m.text === 'How can I help?').from).toMatchObject({ type: 'Agent', participantId: agentId });

    // client typing
    const typing = await p.cmd('WebChatService.sendTyping', { message: 'typ' });
    expect(typing.status.code).toBe('SUCCESS');
    await p.next('clientTypingStarted');

    // filtered messages are sent but not shown
    await expect(p.cmd('WebChatService.sendFilteredMessage', { message: 'CODE-1234', regex: /^CODE-\d+$/ })).resolves.toBeUndefined();
    await expect(p.cmd('WebChatService.sendFilteredMessage', { message: '' })).rejects.toBe('No message text provided.');
    await p.cmd('WebChatService.addPrefilter', { filters: /^hidden/ });
    await agent.say(sid, 'hidden from the customer');
    await agent.say(sid, 'after the hidden one');
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'after the hidden one'));

    // preprocessors see every message before it is published
    await p.cmd('WebChatService.registerPreProcessor', { preprocessor: (m: any) => ({ ...m, text: m.text && m.text.toUpperCase() }) });
    await agent.say(sid, 'shout');
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'SHOUT'));

    // updateUserData during the chat goes to the server
    const ud = await p.cmd('WebChatService.updateUserData', { foo: 'bar' });
    expect(ud.status.code).toBe('SUCCESS');
    expect((await srv.parley.store.tx((tx: any) => tx.getSession(sid))).userData.foo).toBe('bar');
    expect(p.bus.data('WebChatService.userData')).toMatchObject({ customerId: '59606', foo: 'bar' });

    // sendFile uploads; the File message comes back as FileUploaded with an absolute URL
    const file = new File([PNG], 'dot.png', { type: 'image/png' });
    const up = await p.cmd('WebChatService.sendFile', { files: { files: [file] } });
    expect(up.status.code).toBe('SUCCESS');
    const fm = (await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.type === 'FileUploaded'))).data.messages.find((m: any) => m.type === 'FileUploaded');
    expect(fm.content[0]).toMatchObject({ type: 'image', mime: 'image/png', name: 'dot.png' });
    expect(fm.content[0].url.startsWith(srv.url + '/nexus/v3/chat/sessions/' + sid + '/images/')).toBe(true);
    const img = await fetch(fm.content[0].url);
    expect(img.status).toBe(200);
    expect(new Uint8Array(await img.arrayBuffer())).toEqual(PNG);
    await expect(p.cmd('WebChatService.sendFile', { files: [new File(['MZ'], 'x.exe', { type: 'application/x-msdownload' })] })).rejects.toMatchObject({ status: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    const fileId = fm.content[0].url.split('/images/')[1].split('?')[0];
    await expect(p.cmd('WebChatService.downloadFile', { fileId, fileName: 'dot.png' })).resolves.toBeUndefined();
    await expect(p.cmd('WebChatService.downloadFile', { fileId: 'nope' })).rejects.toBe('No file with that fileId in this chat session.');

    // transcript, agents, stats
    const tr = await p.cmd('WebChatService.getTranscript');
    const texts = tr.messages.filter((m: any) => m.type === 'Message').map((m: any) => m.text);
    expect(texts).toEqual(['hi there', 'How can I help?', 'after the hidden one', 'SHOUT']);
    expect(tr.originalMessages.some((m: any) => m.text === 'CODE-1234')).toBe(true);
    expect(tr.originalMessages.some((m: any) => m.text === 'hidden from the customer')).toBe(true);
    const idx = tr.messages.map((m: any) => m.index);
    expect(new Set(idx).size).toBe(idx.length);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    expect(tr.messages.some((m: any) => /^Typing/.test(m.type))).toBe(false);
    const agents = await p.cmd('WebChatService.getAgents');
    expect(agents[agentId]).toMatchObject({ connected: true });
    const stats = await p.cmd('WebChatService.getStats');
    expect(stats.startTime).toBeLessThanOrEqual(Date.now());
    expect(stats.duration).toBeGreaterThan(0);

    // poll control: stop, a private poll, start again
    await p.cmd('WebChatService.stopPoll');
    await p.next('pollingStopped');
    await expect(p.svc.command('WebChatService.poll')).resolves.toBeUndefined();
    const one = p.svc.command('WebChatService.poll');
    await expect(p.svc.command('WebChatService.poll')).rejects.toBe('previous poll has not finished.');
    await one;
    await p.cmd('WebChatService.startPoll');
    expect(p.named('pollingStarted').length).toBe(2);
    await expect(p.cmd('WebChatService.resetPollExceptions')).resolves.toBeUndefined();

    // the customer ends the chat
    const ended = await p.cmd('WebChatService.endChat');
    expect(ended.status.code).toBe('SUCCESS');
    await p.next('ended');
    expect(p.bus.data('WebChatService.sessionActive')).toBe(false);
    await expect(p.cmd('WebChatService.endChat')).rejects.toBe('There is no active chat session.');
    expect((await p.cmd('WebChatService.getStats')).endTime).toBeGreaterThan(0);
    // every command's rejection for a server error is the response object
    expect(document.cookie).not.toContain('_genesys.widgets.webchat.state.keys');
  }, 30_000);

  it('ends when the agent completes a synchronous chat; seed 000 System messages arrive in originalMessages', async () => {
    const p = page();
    const agent = await new TestAgent(srv.url).login();
    const r = await p.cmd('WebChatService.startChat', { nickname: 'Ann' });
    const sid = r.data.sessionId;
    const interaction = await agent.accept(sid);
    await p.next('agentConnected');
    await agent.call('POST', `/interactions/${interaction.id}/done`, {});
    const finalizing = await p.next('messageReceived', (e) =>
      e.data.originalMessages.some((m: any) => m.type === 'System' && m.event === 'InteractionStateChange' && m.data.interactionState === 'Finalizing'),
    );
    expect(finalizing.data.originalMessages.find((m: any) => m.type === 'System').from.type).toBe('System');
    await agent.call('POST', `/interactions/${interaction.id}/complete`, {});
    await p.next('agentDisconnected');
    await p.next('ended');
    expect(p.bus.data('WebChatService.sessionActive')).toBe(false);
  }, 20_000);

  it('sessionLost when the server no longer knows the session', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', { nickname: 'Lost' });
    await p.cmd('WebChatService.stopPoll');
    // the session disappears behind the client's back
    const { sessionId } = await p.cmd('WebChatService.getSessionData');
    await srv.parley.store.tx(async (tx: any) => {
      const s = await tx.getSession(sessionId);
      await tx.updateSession(s.id, { state: 'Ended', endedAt: new Date(Date.now() - 3600_000).toISOString() });
    });
    await expect(p.cmd('WebChatService.sendMessage', { message: 'anyone?' })).rejects.toMatchObject({ status: { code: 'INVALID_SESSION' } });
    await p.next('sessionLost');
    await p.next('ended');
    expect(p.bus.data('WebChatService.sessionActive')).toBe(false);
  });
});

describe('WebChatService restore after a page load', () => {
  it('restores the whole transcript once, then carries on without gaps or duplicates', async () => {
    const first = page();
    const agent = await new TestAgent(srv.url).login();
    const r = await first.cmd('WebChatService.startChat', { nickname: 'Reloader' });
    const sid = r.data.sessionId;
    await first.cmd('WebChatService.sendMessage', { message: 'before reload' });
    await agent.accept(sid);
    await agent.say(sid, 'agent before reload');
    await first.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'agent before reload'));
    expect(document.cookie).toContain('_genesys.widgets.webchat.state.keys');
    first.unload();
    await agent.say(sid, 'while away');

    const second = page();
    await second.next('restored');
    const restoredMsgs = await second.next('messageReceived');
    expect(restoredMsgs.data.restoring).toBe(true);
    const texts = restoredMsgs.data.messages.filter((m: any) => m.type === 'Message').map((m: any) => m.text);
    expect(texts).toEqual(['before reload', 'agent before reload', 'while away']);
    expect(restoredMsgs.data.messages[0]).toMatchObject({ type: 'ParticipantJoined', from: { type: 'Client' } });
    expect(second.bus.data('WebChatService.sessionActive')).toBe(true);
    await agent.say(sid, 'after reload');
    await second.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'after reload'));
    await sleep(300);
    const all = second.named('messageReceived').flatMap((e) => e.data.messages.map((m: any) => m.index));
    expect(new Set(all).size).toBe(all.length);
    await expect(second.svc.command('WebChatService.restore')).rejects.toBe('Chat session is already active, ignoring restore command.');
  }, 20_000);

  it('restoreTimeout when the visitor was away longer than restoreTimeout', async () => {
    const first = page();
    await first.cmd('WebChatService.startChat', { nickname: 'Away' });
    const { sessionId } = await first.cmd('WebChatService.getSessionData');
    first.unload();
    await sleep(50);
    document.cookie = `_genesys.widgets.webchat.state.ping=${Date.now() - 120_000}; path=/`;
    const second = page();
    await second.next('restoreTimeout');
    expect(second.named('restored')).toEqual([]);
    expect(document.cookie).not.toContain('_genesys.widgets.webchat.state.keys');
    // the abandoned session is ended on the server
    await sleep(300);
    const s = await srv.parley.store.tx((tx: any) => tx.getSession(sessionId));
    expect(s.state).toBe('Ended');
  });

  it('restoreFailed and sessionLost when the stored token is not valid', async () => {
    document.cookie = `_genesys.widgets.webchat.state.keys=${encodeURIComponent(JSON.stringify({ token: 'eyJhbGciOiJIUzI1NiJ9.eyJzZXNzaW9uSWQiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAifQ.bad' }))}; path=/`;
    const p = page();
    await p.next('restoreFailed');
    await p.next('sessionLost');
    expect(p.bus.data('WebChatService.sessionActive')).toBe(false);
    expect(document.cookie).not.toContain('_genesys.widgets.webchat.state.keys');
  });

  it('prefixes cookies with main.deploymentID', async () => {
    (globalThis as any)._genesys = { widgets: { main: { deploymentID: 'dep1' } } };
    try {
      const p = page();
      await p.cmd('WebChatService.startChat', { nickname: 'Dep' });
      expect(document.cookie).toContain('dep1._genesys.widgets.webchat.state.keys');
    } finally {
      (globalThis as any)._genesys = undefined;
    }
  });
});

describe('WebChatService async mode', () => {
  it('stores the session through getSessionData, restores the newest page through setSessionData, pages older with fetchHistory', async () => {
    let stored: any = null;
    const calls: string[] = [];
    const async = {
      enabled: true,
      getSessionData: (data: any, Cookie: any, opts: any) => {
        calls.push('get');
        expect(typeof Cookie.get).toBe('function');
        expect(typeof opts).toBe('object');
        stored = data;
      },
      setSessionData: (_open: boolean) => {
        calls.push('set');
        return stored;
      },
      deleteSessionData: () => {
        calls.push('delete');
        stored = null;
      },
    };
    const first = page({ transport: { async, maxMessagePageSize: 16 } });
    await first.next('ready');
    await sleep(20);
    expect(calls).toEqual(['set']);
    const r = await first.cmd('WebChatService.startChat', { nickname: 'Async' });
    expect(stored).toBe(r.data.clientToken);
    expect(r.data.async).toBe(true);
    const sid = r.data.sessionId;
    await expect(first.cmd('WebChatService.fetchHistory')).rejects.toBe('No more messages to fetch.');
    for (let i = 0; i < 20; i++) await first.cmd('WebChatService.sendMessage', { message: 'm' + i });
    first.unload();

    const second = page({ transport: { async, maxMessagePageSize: 16 } });
    await second.next('restored');
    const newest = await second.next('messageReceived');
    expect(newest.data.restoring).toBe(true);
    expect(newest.data.messages).toHaveLength(16);
    expect(newest.data.messages.at(-1).text).toBe('m19');
    const older = await second.cmd('WebChatService.fetchHistory');
    expect(older.status.code).toBe('SUCCESS');
    const page2 = second.named('messageReceived').find((e) => e.data.oldMessages);
    const seenTexts = [...page2!.data.messages, ...newest.data.messages].filter((m: any) => m.type === 'Message').map((m: any) => m.text);
    expect(seenTexts).toEqual(Array.from({ length: 20 }, (_, i) => 'm' + i));
    expect(page2!.data.messages[0]).toMatchObject({ type: 'ParticipantJoined' });
    await expect(second.cmd('WebChatService.fetchHistory')).rejects.toBe('No more messages to fetch.');

    // restore is public in async mode; it refuses while a session is active
    await expect(second.cmd('WebChatService.restore', { sessionData: stored })).rejects.toBe('Chat session is already active, ignoring restore command.');
    await second.cmd('WebChatService.endChat');
    expect(calls).toContain('delete');
    expect(stored).toBe(null);

    // a restore command with explicit sessionData (a JWT string), and a second one while it runs
    const third = page({ transport: { async } });
    const again = await third.cmd('WebChatService.startChat', { nickname: 'Again' });
    third.unload();
    const fourth = page({ transport: { async: { enabled: true } } });
    const restoring = fourth.cmd('WebChatService.restore', { sessionData: again.data.clientToken });
    await expect(fourth.cmd('WebChatService.restore', { sessionData: again.data.clientToken })).rejects.toBe('Already restoring. Ignoring request.');
    await expect(restoring).resolves.toBeUndefined();
    await fourth.next('restored');
    expect(await fourth.cmd('WebChatService.getSessionData')).toMatchObject({ sessionId: again.data.sessionId });
    expect(sid).not.toBe(again.data.sessionId);
  }, 30_000);
});
