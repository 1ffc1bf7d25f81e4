import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../core/authorize.js';
import { ChatError } from '../core/errors.js';
import type { DeploymentAccess } from '../core/deployment-access.js';
import type { Authenticator, CustomerPrincipal } from '../core/request-context.js';
import type { Deployment } from '../core/types.js';
import { assertOrigin } from './cors.js';
import { customerOf } from './request-context.js';

/** Resolves the deployment from the API key header (`x-api-key`, or GMS's `apikey`) and checks the page's origin. */
export async function deploymentOf(req: FastifyRequest, reply: FastifyReply, deployments: DeploymentAccess): Promise<Deployment> {
  return deploymentByKey(req, reply, deployments, req.headers['x-api-key'] ?? req.headers['apikey']);
}

/** The deployment of a page key (a header, or the auth frame of the v3 message stream), from an origin it allows. */
export async function deploymentByKey(req: FastifyRequest, reply: FastifyReply | null, deployments: DeploymentAccess, key: unknown): Promise<Deployment> {
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

/** The customer of `x-nexus-client-key`: signed by this server, for this deployment, and for the session in the path. */
export async function v3Customer(req: FastifyRequest, authn: Authenticator, deployment: Deployment, sessionId: string, token: unknown = req.headers['x-nexus-client-key']): Promise<CustomerPrincipal> {
  if (typeof token !== 'string' || token === '') throw new ChatError('UNAUTHORIZED', 'the x-nexus-client-key header is required');
  const customer = await customerOf(req, authn, token, 'the client key');
  authorize(customer, 'customer.session', { sessionId, deploymentId: deployment.id });
  return customer;
}
