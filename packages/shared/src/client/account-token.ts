import type { AccountToken } from '../schemas/tokens.ts';

/** Minted this long before expiry at the latest, so no call carries a token about to lapse. */
const REFRESH_AHEAD_MS = 60_000;

/**
 * An account's integrated_account_token, minted with the API key when first needed and
 * again before it expires (or when the broker says it has), one mint at a time however
 * many calls are waiting: concurrent callers share the mint in flight.
 */
export class AccountTokens {
  private current: { token: string; refreshAt: number } | undefined;
  private minting: Promise<string> | undefined;

  constructor(
    private readonly mint: () => Promise<AccountToken>,
    private readonly now: () => number = Date.now,
  ) {}

  /** A usable token; `expired` is one the broker refused as expired. */
  get(expired?: string): Promise<string> {
    const current = this.current;
    const stale = !current || current.token === expired || this.now() >= current.refreshAt;
    if (!stale) return Promise.resolve(current.token);
    this.minting ??= this.mintNow().finally(() => {
      this.minting = undefined;
    });
    return this.minting;
  }

  private async mintNow(): Promise<string> {
    const issued = this.now();
    const { integrated_account_token: token, expires_at } = await this.mint();
    const expiresAt = Date.parse(expires_at);
    // A short-lived token is refreshed after half its life, a long one a minute early.
    const lifetime = Math.max(0, expiresAt - issued);
    this.current = {
      token,
      refreshAt: issued + Math.max(lifetime / 2, lifetime - REFRESH_AHEAD_MS),
    };
    return token;
  }
}
