// The public scheme and host a request was made to, from PUBLIC_BASE_URL or the forwarded headers (what signatures cover).

type HeaderValue = string | string[] | undefined;

/** The left-most value of a (possibly chained, "https,http") forwarded header. */
export function firstForwarded(value: HeaderValue): string | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
  return v ? v : undefined;
}

/** e.g. "https://agent.example.com" — no trailing slash. */
export function publicOrigin(publicBaseUrl: string | undefined, headers: Record<string, HeaderValue>): string {
  if (publicBaseUrl) return publicBaseUrl.replace(/\/+$/, '');
  const proto = firstForwarded(headers['x-forwarded-proto']) ?? 'http';
  const host = firstForwarded(headers['x-forwarded-host']) ?? firstForwarded(headers['host']) ?? 'localhost';
  return `${proto}://${host}`;
}
