import type { FastifyRequest } from 'fastify';
import { ChatError } from '../../core/errors.js';
import type { StaffAuth } from '../../core/staff-auth.js';
import type { Account, Role } from '../../core/types.js';
import { noteActor } from '../audit.js';

export function bearerToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : null;
}

/** The staff account behind `Authorization: Bearer <token>`, optionally requiring a role. */
export async function staffAccount(req: FastifyRequest, auth: StaffAuth, roles?: Role[]): Promise<Account> {
  const { account } = await auth.authenticate(bearerToken(req));
  noteActor(req, account);
  if (roles && !roles.includes(account.role)) throw new ChatError('FORBIDDEN', `this needs the ${roles.join(' or ')} role`);
  return account;
}
