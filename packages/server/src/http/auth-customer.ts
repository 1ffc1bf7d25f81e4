import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatError } from '../core/errors.js';
import type { DeploymentAccess } from '../core/deployment-access.js';
import type { TokenService } from '../core/tokens.js';
import type { Deployment } from '../core/types.js';
import { assertOrigin } from './cors.js';

/** Resolves the deployment from the API key header (`x-api-key`, or GMS's `apikey`) and checks the page's origin. */
export async function deploymentOf(req: FastifyRequest, reply: FastifyReply, deployments: DeploymentAccess): Promise<Deployment> {
  const key = req.headers['x-api-key'] ?? req.headers['apikey'];
  if (typeof key !== 'string' || key === '') throw new ChatError('UNAUTHORIZED', 'the x-api-key header is required');
  const deployment = await deployments.byApiKey(key);
  if (!deployment) throw new ChatError('UNAUTHORIZED', 'unknown API key');
  assertOrigin(req, reply, deployment);
  return deployment;
}

/**
 * Who sent a start request, as far as the server can tell: address, user agent and the exact body.
 * A repeated start operationId returns the first session only to the same requester.
 */
export function requesterOf(req: FastifyRequest): string {
  const body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? null);
  return createHash('sha256')
    .update(`${req.ip}\n${String(req.headers['user-agent'] ?? '')}\n${body}`)
    .digest('base64url');
}

export interface CustomerClaims {
  sessionId: string;
  transportId: string;
  participantId: string;
  deploymentId: string;
}

/** Verifies `x-nexus-client-key`: signed by this server, for this deployment, and for the session in the path. */
export async function customerClaims(req: FastifyRequest, tokens: TokenService, deployment: Deployment, sessionId: string): Promise<CustomerClaims> {
  const token = req.headers['x-nexus-client-key'];
  if (typeof token !== 'string' || token === '') throw new ChatError('UNAUTHORIZED', 'the x-nexus-client-key header is required');
  const claims = await tokens.verifyClientToken(token);
  if (!claims) throw new ChatError('UNAUTHORIZED', 'the client key is not valid');
  if (claims.deploymentId !== deployment.id) throw new ChatError('FORBIDDEN', 'the client key belongs to another deployment');
  if (claims.sessionId !== sessionId) throw new ChatError('FORBIDDEN', 'the client key does not open this session');
  return claims;
}
