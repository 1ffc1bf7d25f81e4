import type { AsyncMode, AsyncPolicy } from '../ports/store.js';

/**
 * Whether a new session is asynchronous. As in Genesys, the deployment decides, by the chat
 * endpoint the start names (v3 `data[endpoint]`, the GMS service name, the guest chat target queue;
 * names match in any case), else by its default `mode`. Only a `client` mode lets the start ask
 * (Parley's SDK sends `data[async]`); Genesys clients never ask.
 */
export function decideAsync(policy: Pick<AsyncPolicy, 'mode' | 'endpoints'>, start: { endpoint?: string | undefined; asked?: boolean | undefined }): boolean {
  const mode = endpointMode(policy, start.endpoint) ?? policy.mode;
  return mode === 'async' || (mode === 'client' && start.asked === true);
}

function endpointMode(policy: Pick<AsyncPolicy, 'endpoints'>, endpoint: string | undefined): AsyncMode | undefined {
  if (!endpoint || !policy.endpoints) return undefined;
  const wanted = endpoint.toLowerCase();
  for (const [name, mode] of Object.entries(policy.endpoints)) if (name.toLowerCase() === wanted) return mode;
  return undefined;
}
