/**
 * Behaviours that differ between NERM tenants. By default the sandbox answers as live
 * tenants do (docs/nerm-live-behaviour.md); each quirk switches one thing to another
 * reading of the spec, so the broker can be proven against both.
 */
export interface Quirks {
  /** Ignore `metadata=true`: never send `_metadata`. */
  noMetadata?: boolean;
  /** Cap `limit` below NERM's 500. */
  maxLimit?: number;
  /** Refuse `offset=0`, reading the spec's `minimum: 1` literally (the docs count from 0). */
  rejectZeroOffset?: boolean;
  /** The spec's idealised empty list, `200 {"profiles": []}`, instead of live NERM's 400. */
  emptyListAs200?: boolean;
  /** Unknown ids answer the spec's `404 {"error": "The requested Profile was not found"}`. */
  notFoundAs404?: boolean;
  /** Keyset paging ends with 400 "no profiles found", as tenants did before May 2025. */
  keysetEndAs400?: boolean;
  /**
   * A PATCH that changes nothing answers `200 {"message": "No Change"}` without the profile:
   * the announcement's "200 - No Change" read literally (its body is not documented).
   */
  noChangeWithoutProfile?: boolean;
}
