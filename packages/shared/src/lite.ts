/**
 * The dependency-free corner of the contract (no zod): what a browser bundle such as the
 * widget can import without weight. Wire types come from the main entry with
 * `import type`, which adds nothing to a bundle.
 */
export * from './error-codes.ts';
export * from './paths.ts';
export * from './tenant-url.ts';
export * from './credential-chars.ts';
