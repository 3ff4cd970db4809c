/**
 * The dashboard's actions are off unless a token is configured; then each action request must carry it as
 * `Authorization: Bearer <token>`. Compared in constant time (both sides hashed first, so lengths leak nothing).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Why a request may not act: `disabled` (no token configured, 403) or `unauthorized` (wrong or missing, 401). */
export type ActionDenial = 'disabled' | 'unauthorized';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** A checker of `Authorization` headers against `token` (`undefined`: actions disabled). */
export function bearerCheck(token: string | undefined): (authorization: string | undefined) => ActionDenial | null {
  if (token === undefined) return () => 'disabled';
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer (.+)$/i.exec(authorization?.trim() ?? '');
    if (match?.[1] === undefined) return 'unauthorized';
    return timingSafeEqual(digest(match[1]), expected) ? null : 'unauthorized';
  };
}
