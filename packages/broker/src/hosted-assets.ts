import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the hosted connect page's files are on disk (docs/hosted-link.md). */
export interface HostedAssets {
  /** The widget's one-file build: nerm-connect.js and chunks/. */
  widgetDir: string;
  /** The page's own script and style (packages/broker/hosted/). */
  pageDir: string;
}

/**
 * Finds them: the widget through its package (`@nerm-connect/widget/bundle`, built by
 * `pnpm install`), the page beside src/ and dist/ alike (both sit one level below the
 * package root). Undefined, with the reason, when the widget is not built.
 */
export function findHostedAssets(): HostedAssets | { missing: string } {
  const pageDir = fileURLToPath(new URL('../hosted/', import.meta.url));
  let bundle: string;
  try {
    bundle = createRequire(import.meta.url).resolve('@nerm-connect/widget/bundle');
  } catch {
    return { missing: 'the @nerm-connect/widget package is not installed' };
  }
  if (!existsSync(bundle))
    return { missing: `${bundle} is not built (pnpm --filter @nerm-connect/widget build)` };
  if (!existsSync(join(pageDir, 'connect-page.js')))
    return { missing: `${pageDir} has no connect-page.js` };
  return { widgetDir: dirname(bundle), pageDir };
}
