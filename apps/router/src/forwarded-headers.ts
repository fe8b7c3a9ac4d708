// Decides the public scheme and host passed to the targets, so signatures can be checked behind the router.
import type { IncomingHttpHeaders } from 'node:http';
import { firstForwarded as first } from '@tva/security';

/** Headers to set on the proxied request: keeps an upstream proxy's scheme/host, else fills in our own. */
export function forwardedHeaders(headers: IncomingHttpHeaders, encrypted: boolean, remoteAddress: string | undefined): Record<string, string> {
  const proto = first(headers['x-forwarded-proto']) ?? (encrypted ? 'https' : 'http');
  const host = first(headers['x-forwarded-host']) ?? headers.host ?? '';
  const priorFor = headers['x-forwarded-for'];
  const chain = [Array.isArray(priorFor) ? priorFor.join(',') : priorFor, remoteAddress].filter(Boolean).join(', ');
  return { 'x-forwarded-proto': proto, 'x-forwarded-host': host, 'x-forwarded-for': chain };
}
