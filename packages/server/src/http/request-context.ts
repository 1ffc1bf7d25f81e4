import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator, CustomerPrincipal, Principal, StaffIdentity } from '../core/request-context.js';
import { bearerToken } from './bearer-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who makes the request, once its API authenticated it (core/request-context.ts); null before. */
    principal: Principal | null;
  }
}

/** Every request carries its principal (null until its API's authentication ran). */
export function registerRequestContext(app: FastifyInstance): void {
  app.decorateRequest('principal', null);
}

/** The staff member behind the request's bearer token: authenticated once per request, then read from it. */
export async function staffOf(req: FastifyRequest, authn: Authenticator): Promise<StaffIdentity> {
  if (req.principal?.kind === 'staff') return req.principal as StaffIdentity;
  const staff = await authn.staff(bearerToken(req));
  req.principal = staff;
  return staff;
}

/** The customer behind a client token the request carries (`credential`: what the API calls it): authenticated once per request. */
export async function customerOf(req: FastifyRequest, authn: Authenticator, token: string, credential: string): Promise<CustomerPrincipal> {
  if (req.principal?.kind === 'customer') return req.principal;
  const customer = await authn.customer(token, credential);
  req.principal = customer;
  return customer;
}
