import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from './endpoints.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { openApiPath } from './paths.ts';

const doc = buildOpenApiDocument() as any;
const operations = Object.entries<any>(doc.paths).flatMap(([path, item]) =>
  Object.entries<any>(item).map(([method, op]) => ({ path, method, op })),
);

describe('buildOpenApiDocument', () => {
  it('describes every endpoint of the table under its operationId', () => {
    for (const [operationId, endpoint] of Object.entries(ENDPOINTS)) {
      const op = doc.paths[openApiPath(endpoint.path)]?.[endpoint.method.toLowerCase()];
      expect(op?.operationId, operationId).toBe(operationId);
      expect(Object.keys(op.responses)).toContain(String(endpoint.status));
    }
  });

  it('gives every operation a unique operationId and names a server', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(buildOpenApiDocument({ serverUrl: 'https://broker.example' }).servers).toEqual([
      expect.objectContaining({ url: 'https://broker.example' }),
    ]);
  });

  it('spells the proxy out per depth, each segment its own parameter', () => {
    const op = doc.paths['/proxy/{p1}/{p2}'].get;
    expect(op.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name)).toEqual([
      'p1',
      'p2',
    ]);
    expect(op.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name)).toEqual([
      'limit',
      'next_cursor',
      'offset',
    ]);
  });

  it('documents the error answers of each auth kind and the Link header of lists', () => {
    const users = doc.paths['/unified/user-directory/users'].get;
    expect(users.responses['401'].description).toBe('unauthorized, token_expired');
    expect(users.responses['200'].headers.Link).toBeDefined();
    expect(doc.paths['/unified/user-directory/users/{id}'].get.responses['200'].headers.Link).toBe(
      undefined,
    );
  });
});

describe('redocly lint', () => {
  it('finds no error, and warns only that the open endpoints have no 4xx answer', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const bin = resolve(import.meta.dirname, '../node_modules/.bin/redocly');
    const { stdout } = await promisify(execFile)(bin, ['lint', '--format=json', file], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((error: { stdout: string }) => error);
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; severity: string; location: { pointer: string }[] }[];
    };
    const problems = report.problems.map(
      (p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}`,
    );
    expect(report.totals.errors, problems.join('\n')).toBe(0);
    expect(problems.sort()).toEqual(
      ['~1.well-known~1jwks.json', '~1connect', '~1healthz', '~1openapi.json', '~1readyz'].map(
        (p) => `warn operation-4xx-response #/paths/${p}/get/responses`,
      ),
    );
  }, 60_000);
});
