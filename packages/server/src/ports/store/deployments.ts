export type AsyncMode = 'sync' | 'async' | 'client';

export interface AsyncPolicy {
  /** The default. `client` lets the start request ask with `data[async]` (Parley's SDK; Genesys clients never ask). */
  mode: AsyncMode;
  /**
   * Per chat endpoint, by name in any case: v3 `data[endpoint]`, the GMS service name, the guest chat
   * target queue. A start naming one of these gets its mode instead of `mode` (core/async-decision).
   */
  endpoints?: Record<string, AsyncMode>;
  /** What a customer message after the agent closed the segment (Finalizing or Completed) gets within `noticeWindowSeconds`: routed, or an automated notice. */
  afterCompletion: 'route' | 'notice';
  noticeWindowSeconds: number;
  noticeText: string;
}

export interface IdlePolicy {
  /** Synchronous chats: alert a silent customer after this many seconds (0 = never). */
  alertAfterSeconds: number;
  alertText: string;
  /** ...and close the chat this many seconds after the customer's last message (0 = never). */
  closeAfterSeconds: number;
  closeText: string;
  /** Asynchronous sessions: close after this long with no activity at all (0 = never). */
  asyncCloseAfterSeconds: number;
}

export interface DeploymentSettings {
  /** The built-in flow run when an interaction enters Workflow (see flows/definition). */
  flow?: unknown;
  idle?: IdlePolicy;
  /** Name reported as the serving application (`ChatServerAppName`, seed 002). */
  appName?: string;
  /** Sessions ended more than `days` ago are deleted, or kept without what identifies the customer (core/customer-data). */
  retention?: RetentionPolicy;
  /** The pre-chat form: which of its fields the deployment asks for, and which a start must carry (core/start-form.ts). */
  form?: StartFormSettings;
}

/** A field of the built-in pre-chat form, named as the widget's `webchat.form.fields` names it. */
export type StartFormField = 'firstname' | 'lastname' | 'nickname' | 'email' | 'subject';

/** `'required'`: a start without it is refused; `'optional'`: asked for; `false`: not asked for. */
export type StartFormFieldRule = 'required' | 'optional' | false;

export interface StartFormSettings {
  fields: Partial<Record<StartFormField, StartFormFieldRule>>;
}

export interface RetentionPolicy {
  days: number;
  mode: 'delete' | 'anonymize';
}

export interface Deployment {
  id: string;
  name: string;
  allowedOrigins: string[];
  asyncPolicy: AsyncPolicy;
  defaultQueue: string;
  createdAt: string;
  settings: DeploymentSettings;
}

/** `public` keys are embedded in web pages; `server` keys are secrets for workflows, bots and back ends. */
export type ApiKeyKind = 'public' | 'server';

export interface ApiKey {
  keyHash: string;
  label: string;
  kind: ApiKeyKind;
}

/**
 * Deployments and their API keys (stored as hashes only).
 * Contract: `listDeployments` is in creation order (insertion order on ties); `listApiKeys` by label
 * in byte order; `addApiKey` of a hash already stored replaces its deployment, label and kind;
 * `deleteApiKey` deletes by a hash prefix of at least 12 characters (a shorter one deletes nothing).
 */
export interface DeploymentStore {
  getDeployment(id: string): Promise<Deployment | null>;
  /** The deployment of a key of the given kind (public by default). */
  getDeploymentByApiKeyHash(hash: string, kind?: ApiKeyKind): Promise<Deployment | null>;
  insertDeployment(d: Deployment): Promise<void>;
  updateDeployment(d: Deployment): Promise<void>;
  listDeployments(): Promise<Deployment[]>;
  addApiKey(deploymentId: string, keyHash: string, label: string, kind?: ApiKeyKind): Promise<void>;
  listApiKeys(deploymentId: string): Promise<ApiKey[]>;
  /** True when a key was deleted. */
  deleteApiKey(deploymentId: string, keyHashPrefix: string): Promise<boolean>;
}
