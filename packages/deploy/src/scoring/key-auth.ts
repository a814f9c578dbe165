import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <key>` in constant time: both sides are hashed first, so neither
 * the key's length nor its prefix can be learned from response times.
 */
export function keyMatches(header: string | undefined, key: string): boolean {
  if (typeof header !== 'string') return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  const given = createHash('sha256').update(match?.[1] ?? '').digest();
  const expected = createHash('sha256').update(key).digest();
  return timingSafeEqual(given, expected) && match !== null;
}
