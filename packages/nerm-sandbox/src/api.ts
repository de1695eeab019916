import type { ApiContext } from './context.ts';
import { DirectoryApi } from './directory-api.ts';
import { NermHttpError } from './errors.ts';
import { ProfilesApi } from './profiles-api.ts';
import type { Quirks } from './quirks.ts';
import type { TenantData } from './types.ts';
import { Router, type ApiRequest, type ApiResponse } from './router.ts';
import { WorkflowsApi } from './workflows-api.ts';

export type { ApiRequest, ApiResponse } from './router.ts';

/**
 * The NERM v1 REST surface over one tenant's data. Shapes, wrapping, paging and error
 * bodies follow sailpoint-oss/api-specs `nerm/openapi.yaml`, and what live tenants do
 * beyond it (docs/nerm-live-behaviour.md).
 */
export class NermApi {
  private readonly router = new Router();

  constructor(private readonly ctx: ApiContext) {
    const profiles = new ProfilesApi(ctx);
    profiles.register(this.router);
    const directory = new DirectoryApi(ctx);
    directory.register(this.router);
    new WorkflowsApi(ctx, profiles).register(this.router);
    // A live tenant's database has its indexes before the first request: build the id order
    // and the role-link index now, or a big tenant's first list pays for them (about 0.6 s
    // at 100,000 people: docs/operations.md, "Roles at scale").
    ctx.profilesById();
    directory.prepare();
  }

  get data(): TenantData {
    return this.ctx.data;
  }

  get quirks(): Quirks {
    return this.ctx.quirks;
  }

  /** Replaces every quirk at once; `{}` is a live tenant. */
  setQuirks(quirks: Quirks): void {
    this.ctx.quirks = { ...quirks };
  }

  /** Runs one request; NERM error bodies for thrown `NermHttpError`s. */
  handle(req: Omit<ApiRequest, 'params'>): ApiResponse & { route: string } {
    const found = this.router.match(req.method, req.path);
    if (found === undefined)
      return { status: 404, body: { error: 'Not Found' }, route: `${req.method} (unknown)` };
    if (found === null)
      return {
        status: 405,
        body: { error: 'Method Not Allowed' },
        route: `${req.method} ${req.path}`,
      };
    const route = `${found.route.method} ${found.route.template}`;
    try {
      return { ...found.route.handler({ ...req, params: found.params }), route };
    } catch (error) {
      if (error instanceof NermHttpError) return { status: error.status, body: error.body, route };
      throw error;
    }
  }
}
