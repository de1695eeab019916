import { randomUUID } from 'node:crypto';
import {
  SignJWT,
  decodeProtectedHeader,
  errors as joseErrors,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { TOKEN_AUDIENCE } from '@nerm-connect/shared';
import { BrokerError } from '../errors.ts';

type Algorithm = 'EdDSA' | 'ES256';

interface SigningKey {
  kid: string;
  alg: Algorithm;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK & { kid: string; kty: string };
}

export interface AccountTokenClaims {
  accountId: string;
  tenantId: string;
  jti: string;
  /** The account's token generation when the token was minted (see StoredAccount). */
  generation: number;
  expiresAt: number;
}

/** How far a token's `iat` may lie ahead of this broker's clock (another replica's skew). */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/** `jti` = `<generation>.<uuid>`: the generation travels signed, the uuid keeps it unique. */
const JTI = /^(0|[1-9]\d{0,8})\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function algorithmOf(jwk: JWK): Algorithm {
  return jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
}

/**
 * integrated_account_tokens: JWTs signed with the first configured key (Ed25519 or
 * P-256), verified against all of them with an algorithm allow-list and every claim the
 * contract requires.
 */
export class TokenService {
  private constructor(
    private readonly keys: SigningKey[],
    private readonly issuer: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  static async create(options: {
    signingKeys: JWK[];
    issuer: string;
    ttlSeconds: number;
    now?: () => number;
  }): Promise<TokenService> {
    const keys = await Promise.all(
      options.signingKeys.map(async (jwk): Promise<SigningKey> => {
        const alg = algorithmOf(jwk);
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, k: _k, ...pub } = jwk;
        const publicJwk = {
          ...pub,
          kty: jwk.kty as string,
          kid: jwk.kid as string,
          alg,
          use: 'sig',
        };
        delete publicJwk.key_ops;
        delete publicJwk.ext;
        return {
          kid: jwk.kid as string,
          alg,
          privateKey: (await importJWK({ ...jwk, alg }, alg)) as CryptoKey,
          publicKey: (await importJWK(publicJwk, alg)) as CryptoKey,
          publicJwk,
        };
      }),
    );
    if (keys.length === 0) throw new TypeError('at least one signing key is required');
    return new TokenService(keys, options.issuer, options.ttlSeconds, options.now ?? Date.now);
  }

  /** The JWKS document: public parts only. */
  jwks(): { keys: SigningKey['publicJwk'][] } {
    return { keys: this.keys.map((k) => ({ ...k.publicJwk })) };
  }

  async issue(account: {
    id: string;
    tenant_id: string;
    token_generation: number;
  }): Promise<{ token: string; expiresAt: number }> {
    const key = this.keys[0] as SigningKey;
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({ tid: account.tenant_id })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(account.id)
      .setJti(`${account.token_generation}.${randomUUID()}`)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key.privateKey);
    return { token, expiresAt: exp * 1000 };
  }

  async verify(token: string): Promise<AccountTokenClaims> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch (cause) {
      throw new BrokerError('unauthorized', 'The account token is malformed', { cause });
    }
    const key = this.keys.find((k) => k.kid === kid);
    if (!key)
      throw new BrokerError(
        'unauthorized',
        'The account token was not signed by a key this broker knows',
      );
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key.publicKey, {
        algorithms: [key.alg],
        issuer: this.issuer,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'tid'],
        currentDate: new Date(this.now()),
      }));
    } catch (cause) {
      if (cause instanceof joseErrors.JWTExpired) {
        throw new BrokerError('token_expired', 'The account token has expired; mint a new one', {
          cause,
        });
      }
      throw new BrokerError('unauthorized', 'The account token is not valid', { cause });
    }
    const jti = typeof payload.jti === 'string' ? JTI.exec(payload.jti) : null;
    if (typeof payload.tid !== 'string' || typeof payload.sub !== 'string' || !jti) {
      throw new BrokerError('unauthorized', 'The account token is not valid');
    }
    if ((payload.iat as number) > this.now() / 1000 + MAX_CLOCK_SKEW_SECONDS) {
      throw new BrokerError('unauthorized', 'The account token was issued in the future');
    }
    return {
      accountId: payload.sub,
      tenantId: payload.tid,
      jti: payload.jti as string,
      generation: Number(jti[1]),
      expiresAt: (payload.exp as number) * 1000,
    };
  }
}
