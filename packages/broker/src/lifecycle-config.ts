import type { HostAllowList } from './nerm/host-allow-list.ts';

/** Lifecycle events settings (CONTRACT §8, docs/operations.md). */
export interface LifecycleSettings {
  /** Where events are POSTed; undefined: events are only kept in the feed. */
  webhookUrl: URL | undefined;
  /** `whsec_…`; undefined only when there is no URL (or in development, until generated). */
  webhookSecret: string | undefined;
  /** 0 turns the scheduler off. */
  syncIntervalSeconds: number;
  contractWarningDays: number;
  /** How long a sync or delivery lease lasts without renewal (a crashed process's work resumes after it). */
  leaseSeconds: number;
  /** The broker's public origin (and path prefix), where `sync_hook_url` points. */
  publicUrl: string;
}

const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

function integer(
  name: string,
  raw: string | undefined,
  fallback: number,
  [min, max]: [number, number],
  problems: string[],
): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return value;
}

/** `whsec_` + base64 of 24–64 bytes, as Standard Webhooks secrets are. */
export function isWebhookSecret(value: string): boolean {
  const match = SECRET.exec(value);
  if (!match) return false;
  const bytes = Buffer.from(match[1] as string, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/**
 * Reads the lifecycle variables. Problems name variables, never values. A webhook URL
 * must pass the same allow-list as tenants (an exact origin entry admits a loopback or
 * private receiver).
 */
export function parseLifecycleEnv(
  env: NodeJS.ProcessEnv,
  context: { production: boolean; allowedHosts: HostAllowList; port: number },
  problems: string[],
): LifecycleSettings {
  let webhookUrl: URL | undefined;
  const rawUrl = env.NERM_BROKER_WEBHOOK_URL?.trim();
  if (rawUrl) {
    if (!URL.canParse(rawUrl) || !/^https?:$/.test(new URL(rawUrl).protocol)) {
      problems.push('NERM_BROKER_WEBHOOK_URL must be an http(s) URL');
    } else {
      webhookUrl = new URL(rawUrl);
      if (webhookUrl.username || webhookUrl.password) {
        problems.push('NERM_BROKER_WEBHOOK_URL must not carry credentials');
      } else if (!context.allowedHosts.check(webhookUrl).allowed) {
        problems.push(
          'NERM_BROKER_WEBHOOK_URL is not admitted by NERM_BROKER_ALLOWED_HOSTS (add its host, or its exact origin for a loopback or plain-http receiver)',
        );
      }
    }
  }

  let webhookSecret = env.NERM_BROKER_WEBHOOK_SECRET?.trim() || undefined;
  if (webhookSecret !== undefined && !isWebhookSecret(webhookSecret)) {
    problems.push('NERM_BROKER_WEBHOOK_SECRET must be whsec_ followed by base64 of 24 to 64 bytes');
    webhookSecret = undefined;
  } else if (webhookSecret === undefined && webhookUrl && context.production) {
    problems.push(
      'NERM_BROKER_WEBHOOK_SECRET is required when NERM_BROKER_WEBHOOK_URL is set and NODE_ENV=production',
    );
  }

  let publicUrl = `http://localhost:${context.port}`;
  const rawPublic = env.NERM_BROKER_PUBLIC_URL?.trim();
  if (rawPublic) {
    if (!URL.canParse(rawPublic) || !/^https?:$/.test(new URL(rawPublic).protocol))
      problems.push('NERM_BROKER_PUBLIC_URL must be an http(s) URL');
    else publicUrl = rawPublic.replace(/\/+$/, '');
  }

  return {
    webhookUrl,
    webhookSecret,
    syncIntervalSeconds: integer(
      'NERM_BROKER_SYNC_INTERVAL',
      env.NERM_BROKER_SYNC_INTERVAL,
      300,
      [0, 7 * 86_400],
      problems,
    ),
    contractWarningDays: integer(
      'NERM_BROKER_CONTRACT_WARNING_DAYS',
      env.NERM_BROKER_CONTRACT_WARNING_DAYS,
      14,
      [0, 366],
      problems,
    ),
    leaseSeconds: integer(
      'NERM_BROKER_SYNC_LEASE_SECONDS',
      env.NERM_BROKER_SYNC_LEASE_SECONDS,
      60,
      [2, 3_600],
      problems,
    ),
    publicUrl,
  };
}
