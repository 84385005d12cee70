import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { SCOPES } from '../context.js';

const USAGE = `Usage: AUTH_JWT_SECRET=... npm run token -- --sub alice [--scope "cashouts:read cashouts:hold"] [--ttl 1h]
  --sub    the token's subject (who audit events name)                    required
  --scope  space-separated scopes                                         default: all four
  --ttl    lifetime, e.g. 15m, 1h, 8h                                     default: 1h
  --iss, --aud                                                             default: AUTH_ISSUER, AUTH_AUDIENCE`;

/** Signs an HS256 development token the service accepts with the same AUTH_JWT_SECRET. */
function mintToken(options: {
  secret: string;
  subject: string;
  scopes: readonly string[];
  ttl: string;
  issuer?: string | undefined;
  audience?: string | undefined;
}): Promise<string> {
  const jwt = new SignJWT({ scope: options.scopes.join(' ') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime(options.ttl);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      scope: { type: 'string', default: SCOPES.join(' ') },
      ttl: { type: 'string', default: '1h' },
      iss: { type: 'string', default: process.env.AUTH_ISSUER },
      aud: { type: 'string', default: process.env.AUTH_AUDIENCE },
    },
  });
  const secret = process.env.AUTH_JWT_SECRET;
  if (!values.sub || !secret || secret.length < 32) {
    console.error(USAGE);
    console.error(
      !secret || secret.length < 32 ? '\nAUTH_JWT_SECRET (at least 32 characters) is not set.' : '',
    );
    process.exit(2);
  }
  const scopes = values.scope.split(/\s+/).filter(Boolean);
  console.log(
    await mintToken({
      secret,
      subject: values.sub,
      scopes,
      ttl: values.ttl,
      issuer: values.iss,
      audience: values.aud,
    }),
  );
}

await main();
