/**
 * What the SaaS backend keeps about its customer's NERM connection: the integrated
 * account id and a current account token, minted again shortly before it expires. A
 * real SaaS keeps this in its own database; the demo keeps one file (mode 0600).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NermConnectError, type NermConnectAdmin } from '@nerm-connect/shared/client';

interface Saved {
  accountId: string;
  token: string;
  expiresAt: string;
}

export class SaasSession {
  private saved: Saved | undefined;
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly admin: NermConnectAdmin,
    private readonly now: () => number = Date.now,
  ) {
    this.file = join(dataDir, 'saas-session.json');
    this.saved = existsSync(this.file)
      ? ((JSON.parse(readFileSync(this.file, 'utf8')) as Saved | null) ?? undefined)
      : undefined;
  }

  get accountId(): string | undefined {
    return this.saved?.accountId;
  }

  set(accountId: string, token: string, expiresAt: string): void {
    this.saved = { accountId, token, expiresAt };
    this.save();
  }

  clear(): void {
    this.saved = undefined;
    this.save();
  }

  /** The account token, minted again when it is about to expire. */
  readonly token = async (): Promise<string> => {
    const saved = this.saved;
    if (!saved) throw new NermConnectError('not_found', 'NERM is not connected', { status: 404 });
    if (Date.parse(saved.expiresAt) - this.now() < 60_000) {
      const fresh = await this.admin.accounts.createToken(saved.accountId);
      this.set(saved.accountId, fresh.integrated_account_token, fresh.expires_at);
      return fresh.integrated_account_token;
    }
    return saved.token;
  };

  private save(): void {
    writeFileSync(this.file, JSON.stringify(this.saved ?? null), { mode: 0o600 });
  }
}
