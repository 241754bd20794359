import type { Context, Next } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { createTokenVerifier, hasScope } from '../../auth/token-store';
import type { TokenScope } from '../../entities/api-token';
import type { ApiDeps, ApiState } from './context';
import { ApiError } from './errors';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Bearer-token authentication, scope check and per-token rate limit for every `/api/v1` route. */
export function createAuthorizer(deps: Pick<ApiDeps, 'orm' | 'config'>) {
  const limiter = new RateLimiterMemory({ points: deps.config.tokenRateLimitPerMinute, duration: 60 });
  const verifyToken = createTokenVerifier(() => deps.orm.em.fork(), deps.config.tokenCacheTtlMs);

  return (scope: TokenScope) =>
    async (ctx: Context & { state: ApiState }, next: Next): Promise<void> => {
      const match = BEARER.exec(ctx.get('authorization'));
      if (!match?.[1]) {
        throw new ApiError(401, 'unauthorized', 'Missing bearer token', [], { 'WWW-Authenticate': 'Bearer' });
      }
      const check = await verifyToken(match[1]);
      if (!check.ok) {
        throw new ApiError(401, 'unauthorized', `The token is ${check.reason}`, [], { 'WWW-Authenticate': 'Bearer' });
      }
      if (!hasScope(check.token, scope)) {
        throw new ApiError(403, 'forbidden', `This route needs the "${scope}" scope`);
      }
      try {
        await limiter.consume(String(check.token.id));
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        const retryAfter = String(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
        throw new ApiError(429, 'rate_limited', 'Too many requests for this token', [], { 'Retry-After': retryAfter });
      }
      ctx.state.token = check.token;
      await next();
    };
}
