import type { HistJSON } from '../lib/hist.js';

/** The systems under test: the two baselines, Parley (v3 long poll + agent WebSocket), and Parley's guest-chat WebSocket. */
export type System = 'ws' | 'sio' | 'parley' | 'guest';

export interface SessionRef {
  id: string;
  /** Index into the node URLs the customer talks to. */
  node: number;
}

export interface CustomerSetup {
  system: System;
  urls: string[];
  count: number;
  /** Global index of this worker's first customer (round-robin over nodes, unique ids). */
  offset: number;
  apiKey?: string;
  prefix?: string;
  /** Guest chat: the Parley deployment id. */
  deploymentId?: string;
  startConcurrency?: number;
  /** Extra headers (e.g. origin). */
  headers?: Record<string, string>;
}

export interface AgentSpec {
  node: number;
  token?: string;
  sessions: SessionRef[];
}

export interface AgentSetup {
  system: System;
  urls: string[];
  agents: AgentSpec[];
  concurrency?: number;
  /** Parley: accept each session's interaction first (default), or only subscribe. */
  accept?: boolean;
}

/** When to send and which sends count, on the shared monotonic clock (µs). */
export interface RunPlan {
  sendFromUs: number;
  sendUntilUs: number;
  intervalMs: number;
  measureFromUs: number;
  measureUntilUs: number;
  /** How long to wait for the last replies after sending stops. */
  graceMs: number;
}

export interface CustomerStats {
  rtt: HistJSON;
  agentToCustomer: HistJSON;
  /** Time until the server acknowledged the send (HTTP answer; 0 for fire-and-forget sockets). */
  ack: HistJSON;
  /** How late the generator sent compared with its schedule (its own saturation). */
  lag: HistJSON;
  sent: number;
  measuredSent: number;
  measuredReplies: number;
  lost: number;
  sendErrors: number;
  pollErrors: number;
  errorSamples: string[];
}

export interface AgentStats {
  customerToAgent: HistJSON;
  received: number;
  measured: number;
  replyErrors: number;
  errorSamples: string[];
}
