import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/** A 32-character HS256 secret for AUTH_JWT_SECRET in tests. */
export const TEST_SECRET = 'test-secret-0123456789abcdef-0123456789';

export interface TokenOptions {
  secret?: string;
  /** Seconds from now; negative: already expired. Default 300. */
  expiresIn?: number;
  /** Seconds from now of `iat`; null: no `iat` at all. Default 0. */
  issuedAt?: number | null;
  claims?: JWTPayload;
}

/** A real HS256 token as an identity provider would mint it. */
export function hs256Token(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ sub: 'alice', ...options.claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setExpirationTime(now + (options.expiresIn ?? 300));
  if (options.issuedAt !== null) jwt.setIssuedAt(now + (options.issuedAt ?? 0));
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  sign(claims: JWTPayload, expiresIn?: number): Promise<string>;
  publicJwk: JWK;
}

export async function signingKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    publicJwk,
    sign(claims, expiresIn = 300) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ sub: 'alice', ...claims })
        .setProtectedHeader({ alg, kid, typ: 'JWT' })
        .setIssuedAt(now)
        .setExpirationTime(now + expiresIn)
        .sign(privateKey);
    },
  };
}

/** An identity provider's JWKS endpoint on a loopback port: swap `keys` to rotate, `down` to fail. */
export interface JwksServer {
  url: string;
  keys: SigningKey[];
  down: boolean;
  fetches: number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: SigningKey[]): Promise<JwksServer> {
  const state = { keys, down: false, fetches: 0 };
  const server: Server = createServer((_request, response) => {
    state.fetches += 1;
    if (state.down) {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: state.keys.map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
