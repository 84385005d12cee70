import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * D24's `Payload-Signature`: lowercase hex HMAC-SHA256 of the exact JSON body bytes, keyed with the
 * merchant's API Signature secret. An empty body signs the empty string.
 */
export function sign(body: string | Uint8Array, secretKey: string): string {
  return createHmac('sha256', secretKey).update(body).digest('hex');
}

/** Constant-time check of a received signature against the body (used by the sandbox, as D24 does). */
export function verifySignature(body: string | Uint8Array, secretKey: string, signature: string): boolean {
  const expected = Buffer.from(sign(body, secretKey), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
