/**
 * The dependency-free corner of the contract (no zod): what a browser bundle such as the
 * widget can import without weight.
 */
export * from './error-codes.ts';
export * from './tenant-url.ts';
export * from './credential-chars.ts';
