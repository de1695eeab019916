export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
}

export type Handler = (req: ApiRequest) => ApiResponse;

export interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export function ok(body: unknown, status = 200): ApiResponse {
  return { status, body };
}

/** Path templates (`/api/profiles/:id`) to handlers. */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, template: string, handler: Handler): void {
    const keys: string[] = [];
    const source = template.replace(/:(\w+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.routes.push({ method, template, pattern: new RegExp(`^${source}/?$`), keys, handler });
  }

  /** Finds the route for a request; `undefined` means 404, `null` means 405. */
  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | null | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route, params };
    }
    return pathMatched ? null : undefined;
  }
}
