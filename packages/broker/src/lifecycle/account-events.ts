import type { Account } from '@nerm-connect/shared';
import type { StoredAccount, OutboxWrite } from '../store/store.ts';
import { accountEvent, type AccountEventType } from './events.ts';

/**
 * `integrated_account.*` events of the account flows (connect, re-authentication,
 * needs_reauth, disconnect), written by the store in the transaction of the change.
 */
export class AccountEvents {
  /** Wakes the delivery worker once the change committed (set when delivery runs). */
  nudge: () => void = () => undefined;

  constructor(
    private readonly deps: {
      deliver: boolean;
      now: () => number;
      view: (row: StoredAccount) => Account;
    },
  ) {}

  write(type: AccountEventType): OutboxWrite {
    return {
      deliver: this.deps.deliver,
      events: (row) => [accountEvent(type, this.deps.view(row), this.deps.now())],
    };
  }
}
