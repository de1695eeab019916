import { createHash, createPrivateKey, randomUUID, type JsonWebKey } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import {
  createLocalJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { AccountTokenClaims as ClaimsSchema, TOKEN_AUDIENCE } from '@nerm-connect/shared';
import { BrokerError } from '../errors.ts';

type Algorithm = 'EdDSA' | 'ES256';

interface SigningKey {
  kid: string;
  alg: Algorithm;
  /** fast-jwt's signer over the key, imported once (docs/decisions/0090-account-tokens-signed-with-fast-jwt.md). */
  sign: (payload: Record<string, unknown>) => string;
  publicJwk: JWK & { kid: string; kty: string };
}

const ALGORITHMS: Algorithm[] = ['EdDSA', 'ES256'];

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

/**
 * Tokens whose signature and claims were checked, by SHA-256 of the token (the token
 * itself is not kept): a repeat presentation skips the signature check but never its
 * expiry, and the account's state is still read on every request (docs/security.md,
 * docs/decisions/0084-verified-account-tokens-cached.md).
 */
export const VERIFIED_TOKENS_CACHED = 10_000;

/** `jti` = `<generation>.<uuid>`: the generation travels signed, the uuid keeps it unique. */
const JTI = /^(0|[1-9]\d{0,8})\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function algorithmOf(jwk: JWK): Algorithm {
  return jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
}

/**
 * integrated_account_tokens: JWTs signed with the first configured key (Ed25519 or
 * P-256) by fast-jwt's synchronous signer (node:crypto, no WebCrypto round trip per
 * token: docs/decisions/0090-account-tokens-signed-with-fast-jwt.md), verified against the public JWKS of all of them (jose's `createLocalJWKSet`
 * picks the key by `kid` and `alg`), then checked claim by claim with the shared schema.
 */
export class TokenService {
  private readonly verificationKeys: ReturnType<typeof createLocalJWKSet>;
  /** Verified claims by the token's SHA-256; none when constructed with a size of 0. */
  private readonly verified: LRUCache<string, AccountTokenClaims> | undefined;
  /** Signature checks run (count, for tests and the bench). */
  signatureChecks = 0;

  private constructor(
    private readonly keys: SigningKey[],
    private readonly issuer: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
    verifiedTokensCached: number,
  ) {
    this.verified =
      verifiedTokensCached > 0 ? new LRUCache({ max: verifiedTokensCached }) : undefined;
    this.verificationKeys = createLocalJWKSet(this.jwks());
  }

  static async create(options: {
    signingKeys: JWK[];
    issuer: string;
    ttlSeconds: number;
    now?: () => number;
    /** How many verified tokens to remember (0: check every presentation afresh). */
    verifiedTokensCached?: number;
  }): Promise<TokenService> {
    const keys = options.signingKeys.map((jwk): SigningKey => {
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
      // Throws for a public or malformed key, as the config's schema would have.
      const pem = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' })
        .export({ format: 'pem', type: 'pkcs8' })
        .toString();
      return {
        kid: jwk.kid as string,
        alg,
        sign: createSigner({ key: pem, algorithm: alg, kid: jwk.kid as string }),
        publicJwk,
      };
    });
    if (keys.length === 0) throw new TypeError('at least one signing key is required');
    return new TokenService(
      keys,
      options.issuer,
      options.ttlSeconds,
      options.now ?? Date.now,
      options.verifiedTokensCached ?? VERIFIED_TOKENS_CACHED,
    );
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
    const token = key.sign({
      tid: account.tenant_id,
      iss: this.issuer,
      aud: TOKEN_AUDIENCE,
      sub: account.id,
      jti: `${account.token_generation}.${randomUUID()}`,
      iat,
      exp,
    });
    return { token, expiresAt: exp * 1000 };
  }

  async verify(token: string): Promise<AccountTokenClaims> {
    if (!this.verified) return this.verifyAfresh(token);
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = this.verified.get(key);
    if (cached) {
      // jose's rule: expired once `exp` <= the current whole second.
      if (cached.expiresAt / 1000 <= Math.floor(this.now() / 1000)) {
        this.verified.delete(key);
        throw new BrokerError('token_expired', 'The account token has expired; mint a new one');
      }
      return { ...cached };
    }
    const claims = await this.verifyAfresh(token);
    this.verified.set(key, claims);
    return { ...claims };
  }

  private async verifyAfresh(token: string): Promise<AccountTokenClaims> {
    this.signatureChecks += 1;
    // A signature is taken only in its one canonical base64url spelling: the decoder
    // ignores the last character's unused bits, so a flipped bit there verified
    // (docs/security.md, "Findings and fixes").
    const signature = token.slice(token.lastIndexOf('.') + 1);
    if (Buffer.from(signature, 'base64url').toString('base64url') !== signature)
      throw new BrokerError('unauthorized', 'The account token is not valid');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.verificationKeys, {
        algorithms: ALGORITHMS,
        issuer: this.issuer,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'tid'],
        currentDate: new Date(this.now()),
      }));
    } catch (cause) {
      if (cause instanceof joseErrors.JWTExpired)
        throw new BrokerError('token_expired', 'The account token has expired; mint a new one', {
          cause,
        });
      if (cause instanceof joseErrors.JWKSNoMatchingKey)
        throw new BrokerError(
          'unauthorized',
          'The account token was not signed by a key this broker knows',
          { cause },
        );
      throw new BrokerError('unauthorized', 'The account token is not valid', { cause });
    }
    const claims = ClaimsSchema.safeParse(payload);
    const jti = claims.success ? JTI.exec(claims.data.jti) : null;
    if (!claims.success || !jti)
      throw new BrokerError('unauthorized', 'The account token is not valid');
    if (claims.data.iat > this.now() / 1000 + MAX_CLOCK_SKEW_SECONDS)
      throw new BrokerError('unauthorized', 'The account token was issued in the future');
    return {
      accountId: claims.data.sub,
      tenantId: claims.data.tid,
      jti: claims.data.jti,
      generation: Number(jti[1]),
      expiresAt: claims.data.exp * 1000,
    };
  }
}
