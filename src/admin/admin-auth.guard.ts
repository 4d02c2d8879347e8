import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AcmeError } from '../domain/errors';
import type { AdminPrincipal, AdminTokens } from './admin-tokens';
import type { AdminRole } from './admin-users';

export const ADMIN_TOKENS = Symbol('certledger.admin-tokens');
export const ADMIN_ROLES = 'certledger:admin-roles';
export const PUBLIC_ROUTE = 'certledger:admin-public';

/** Roles allowed on a route; auditors read, admins also act. */
export const Roles = (...roles: AdminRole[]) => SetMetadata(ADMIN_ROLES, roles);
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export type AdminRequest = FastifyRequest & { admin?: AdminPrincipal };

@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    @Inject(ADMIN_TOKENS) private readonly tokens: AdminTokens,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<AdminRequest>();
    const header = req.headers.authorization ?? '';
    const m = /^Bearer (\S+)$/.exec(header);
    const unauthorized = (detail: string) => new AcmeError('unauthorized', detail, [], { reason: { kind: 'bearerTokenRequired' } });
    if (!m) throw unauthorized('this endpoint needs an admin bearer token (POST /api/login)');
    const result = await this.tokens.verify(m[1]);
    if ('reason' in result) throw unauthorized(result.reason);
    req.admin = result.principal;
    const roles = this.reflector.getAllAndOverride<AdminRole[]>(ADMIN_ROLES, [ctx.getHandler(), ctx.getClass()]) ?? ['admin', 'auditor'];
    if (!roles.includes(result.principal.role)) throw new AcmeError('unauthorized', `the ${result.principal.role} role may not do this (needs ${roles.join(' or ')})`);
    return true;
  }
}
