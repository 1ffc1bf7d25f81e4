import type { FastifyRequest } from 'fastify';
import { ChatError } from '../../core/errors.js';
import type { TokenService } from '../../core/tokens.js';
import type { Account, Role, Store } from '../../ports/store.js';

export async function accountFromToken(token: string | null, tokens: TokenService, store: Store): Promise<Account> {
  if (!token) throw new ChatError('UNAUTHORIZED', 'an Authorization: Bearer <token> header is required; get a token from POST /agent/v1/login');
  const claims = await tokens.verifyStaffToken(token);
  if (!claims) throw new ChatError('UNAUTHORIZED', 'the token is not valid or has expired; log in again');
  const account = await store.tx((tx) => tx.getAccount(claims.accountId));
  if (!account) throw new ChatError('UNAUTHORIZED', 'the account no longer exists');
  return account;
}

/** The staff account behind `Authorization: Bearer <token>`, optionally requiring a role. */
export async function staffAccount(req: FastifyRequest, tokens: TokenService, store: Store, roles?: Role[]): Promise<Account> {
  const header = req.headers.authorization;
  const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : null;
  const account = await accountFromToken(token, tokens, store);
  if (roles && !roles.includes(account.role)) throw new ChatError('FORBIDDEN', `this needs the ${roles.join(' or ')} role`);
  return account;
}
