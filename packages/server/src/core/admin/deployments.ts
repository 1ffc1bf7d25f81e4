import type { Clock } from '../../ports/clock.js';
import { topics, type Fanout } from '../../ports/fanout.js';
import type { ApiKeyKind, AsyncPolicy, Deployment, DeploymentSettings, Store } from '../../ports/store.js';
import { ChatError } from '../errors.js';
import { newId } from '../ids.js';
import { hashApiKey, randomToken } from '../secrets.js';

/** A deployment as an admin writes it; the id is generated when left out. */
export interface DeploymentInput {
  id?: string;
  name: string;
  allowedOrigins: string[];
  asyncPolicy: AsyncPolicy;
  defaultQueue: string;
  settings: DeploymentSettings;
}

/** An API key as listed: its id (the start of its hash), never the key itself. */
export interface ApiKeyListing {
  id: string;
  label: string;
  kind: ApiKeyKind;
}

/** A key just made: the only time the key itself is shown. */
export interface NewApiKey extends ApiKeyListing {
  apiKey: string;
}

const KEY_ID_LENGTH = 16;
const keyIdOf = (keyHash: string) => keyHash.slice(0, KEY_ID_LENGTH);
const newKey = (kind: ApiKeyKind) => `${kind === 'server' ? 'sk' : 'pk'}_${randomToken(24)}`;

/**
 * Deployments and their API keys (stored hashed; a key is shown once, when made). A replaced
 * deployment or a revoked key is announced on the fan-out (`directory`): every node's
 * DirectoryCache forgets what it knew, so the change applies everywhere at once.
 */
export class DeploymentAdmin {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly fanout: Fanout,
  ) {}

  list(): Promise<Deployment[]> {
    return this.store.tx((tx) => tx.listDeployments());
  }

  /** Creates a deployment with its first (public) key, labelled `default`. */
  async create(input: DeploymentInput): Promise<{ deployment: Deployment; apiKey: string }> {
    const deployment: Deployment = { ...fields(input), id: input.id ?? newId(), createdAt: new Date(this.clock.now()).toISOString() };
    const apiKey = newKey('public');
    await this.store.tx(async (tx) => {
      if (await tx.getDeployment(deployment.id)) throw new ChatError('CONFLICT', `deployment ${deployment.id} exists`);
      await tx.insertDeployment(deployment);
      await tx.addApiKey(deployment.id, hashApiKey(apiKey), 'default');
    });
    return { deployment, apiKey };
  }

  /** Replaces everything but the id and the creation time. */
  async replace(id: string, input: Omit<DeploymentInput, 'id'>): Promise<Deployment> {
    const replaced = await this.store.tx(async (tx) => {
      const existing = await tx.getDeployment(id);
      if (!existing) throw new ChatError('NOT_FOUND', 'deployment not found');
      const deployment: Deployment = { ...existing, ...fields(input) };
      await tx.updateDeployment(deployment);
      return deployment;
    });
    await this.fanout.notify(topics.directory);
    return replaced;
  }

  async listKeys(deploymentId: string): Promise<ApiKeyListing[]> {
    const keys = await this.store.tx((tx) => tx.listApiKeys(deploymentId));
    return keys.map((k) => ({ id: keyIdOf(k.keyHash), label: k.label, kind: k.kind }));
  }

  async createKey(deploymentId: string, label: string, kind: ApiKeyKind): Promise<NewApiKey> {
    const apiKey = newKey(kind);
    const keyHash = hashApiKey(apiKey);
    await this.store.tx(async (tx) => {
      if (!(await tx.getDeployment(deploymentId))) throw new ChatError('NOT_FOUND', 'deployment not found');
      await tx.addApiKey(deploymentId, keyHash, label, kind);
    });
    return { id: keyIdOf(keyHash), label, kind, apiKey };
  }

  /** Revokes a key by the id the key list shows; requests with it are refused from then on. */
  async revokeKey(deploymentId: string, keyId: string): Promise<void> {
    if (!new RegExp(`^[0-9a-f]{${KEY_ID_LENGTH}}$`).test(keyId)) throw new ChatError('INVALID_REQUEST', 'keyId is the 16-character id from the key list');
    if (!(await this.store.tx((tx) => tx.deleteApiKey(deploymentId, keyId)))) throw new ChatError('NOT_FOUND', 'no such key');
    await this.fanout.notify(topics.directory);
  }
}

function fields(input: Omit<DeploymentInput, 'id'>): Omit<Deployment, 'id' | 'createdAt'> {
  return { name: input.name, allowedOrigins: input.allowedOrigins, asyncPolicy: input.asyncPolicy, defaultQueue: input.defaultQueue, settings: input.settings };
}
