import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../../common/errors/domain-errors';
import { AppConfig } from '../../config/app-config';

/**
 * The referrer policy of the pages whose forms post here. Under helmet's `no-referrer` a browser
 * sends `Origin: null` even with a same-origin form post (Fetch, "serializing a request origin"),
 * which could not be told from an opaque cross-site origin; under `same-origin` it sends the
 * page's real origin to the page's own origin, and still no referrer anywhere else.
 */
export const SAME_ORIGIN_REFERRER_POLICY = 'same-origin';

export interface PostSource {
  origin?: string;
  secFetchSite?: string;
  host?: string;
}

/**
 * Whether a state-changing post comes from the service's own pages, or at least not from a
 * browser on another site. Sec-Fetch-Site, when a browser sends it, says so itself; otherwise
 * the Origin must be ours: PUBLIC_URL's, or that of the Host the request was sent to (the host
 * is compared, not the scheme, which a TLS-terminating proxy hides). No Origin at all is not a
 * browser's cross-site post (browsers send one with every POST): curl and scripts keep working.
 * `Origin: null` is an opaque origin (a sandboxed frame, a data: URL), so it is refused.
 */
export function isSameOriginPost(source: PostSource, publicUrl: string): boolean {
  switch (source.secFetchSite?.trim().toLowerCase()) {
    case 'same-origin':
    case 'none':
      return true;
    case 'same-site':
    case 'cross-site':
      return false;
  }
  if (source.origin === undefined) return true;
  let origin: URL;
  try {
    origin = new URL(source.origin);
  } catch {
    return false;
  }
  if (origin.origin === 'null') return false;
  if (origin.origin === new URL(publicUrl).origin) return true;
  return source.host !== undefined && origin.host === hostOf(origin.protocol, source.host);
}

function hostOf(protocol: string, host: string): string | null {
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses cross-site requests that change something on the sandbox's hosted pages (a form on
 * another site posting with the person's browser); reading a page stays open to links.
 */
@Injectable()
export class SameOriginPostGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const { method, headers } = context.switchToHttp().getRequest<FastifyRequest>();
    if (SAFE_METHODS.has(method)) return true;
    const source = {
      origin: headers.origin,
      secFetchSite: single(headers['sec-fetch-site']),
      host: headers.host,
    };
    if (!isSameOriginPost(source, this.config.publicUrl)) {
      throw new ForbiddenError('Cross-site form posts to this page are refused');
    }
    return true;
  }
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);
