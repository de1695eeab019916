/**
 * When a scheduled sync that finished at `finishedAt` is due next: one interval after it was
 * due, not after it finished, so an account keeps its rhythm (a sync taking 30 s after a
 * 60 s interval would otherwise run every 90 s: docs/operations.md, "Sizing"). A sync that
 * finished more than an interval after it was due (a backlog, a long outage) is due one
 * interval from now instead: catching up in a burst would bunch every late account together.
 * A sync that was not due (run by hand, or for a hook, ahead of its time) starts the
 * interval afresh, as does a tenant whose interval is 0 (never scheduled).
 */
export function nextRunAt(
  previousDue: number,
  claimedAt: number,
  finishedAt: number,
  intervalMs: number,
): number {
  const fresh = finishedAt + intervalMs;
  if (intervalMs <= 0 || previousDue > claimedAt) return fresh;
  if (finishedAt - previousDue > intervalMs) return fresh;
  return previousDue + intervalMs;
}
