import type { CXBusApi, Plugin } from '../bus/cxbus.js';
import { pluginConfig } from '../config.js';
import { ChatSession } from './chat-session.js';
import { createCommands } from './commands.js';
import { EVENTS, NAME } from './contract.js';

export { EVENTS, NAME, TEXT } from './contract.js';

/**
 * The WebChatService plugin (seed 003): chat sessions over a transport, as bus commands and events.
 * Commands resolve with the server's response and reject with it, or with seed 003's exact texts.
 * The session is kept in cookies (`_genesys.widgets.webchat.state.*`) or, in async mode, through
 * `transport.async.getSessionData/setSessionData`, and restored after a page load.
 *
 * By concern: chat-session.ts (state and lifecycle), session-transcript.ts (messages, cursor),
 * participants.ts (agents, typing), poller.ts (reading), stored-session.ts (cookies),
 * commands.ts (the command table), contract.ts (texts and events).
 */
type Options = Record<string, any>;

/** Registers WebChatService on the bus (once: a second call is a no-op) and returns its plugin interface. */
export function registerWebChatService(bus: CXBusApi, config: Options = pluginConfig('webchat')): Plugin | false {
  const plugin = bus.registerPlugin(NAME);
  if (!plugin) return false;
  const chat = new ChatSession(plugin, config, () => !!bus.data('WebChat.open'));
  const commands = createCommands(chat);
  for (const name in commands) {
    plugin.registerCommand(name, (e) => {
      Promise.resolve()
        .then(() => commands[name]!(e.data ?? {}, e))
        .then(
          (v) => e.deferred.resolve(v),
          (r) => e.deferred.reject(r instanceof Error ? r.message : r),
        );
    });
  }
  plugin.registerEvents(EVENTS);
  plugin.data('sessionActive', false);
  plugin.data('agentTyping', false);
  plugin.data('userData', chat.userData);
  if (typeof addEventListener === 'function') addEventListener('pagehide', () => chat.session && chat.stored.touch());
  plugin.ready();
  plugin.republish('ready');
  setTimeout(() => void chat.autoRestore());
  return plugin;
}
