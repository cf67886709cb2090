// Serves the police post's monitor page (/monitor): three static files beside this one, read once
// when the app is built. No token for the page itself (it holds no data); its data calls need one.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const FILES: Array<[url: string, file: string, type: string]> = [
  ['/monitor', 'index.html', 'text/html; charset=utf-8'],
  ['/monitor/', 'index.html', 'text/html; charset=utf-8'],
  ['/monitor/monitor.js', 'monitor.js', 'text/javascript; charset=utf-8'],
  ['/monitor/monitor.css', 'monitor.css', 'text/css; charset=utf-8'],
];

// Everything from the hub itself; pictures arrive as blob: URLs made from authorised fetches.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The folder holding index.html. Under vitest this module runs from hub/http/monitor/; compiled, it
 * runs from dist/hub/http/monitor/, where tsc copies no static files, so it looks in the source tree
 * (shipped with the package) too.
 */
export function monitorDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [here, fileURLToPath(new URL('../../../../hub/http/monitor/', import.meta.url))];
  const found = candidates.find((d) => existsSync(join(d, 'index.html')));
  if (!found) throw new Error(`the monitor page's files are missing; looked in ${candidates.join(', ')}`);
  return found;
}

function load(dir: string, file: string, type: string): Asset {
  const body = readFileSync(join(dir, file));
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

export function monitorRoutes(app: FastifyInstance, dir: string = monitorDir()): void {
  const cache = new Map<string, Asset>();
  for (const [url, file, type] of FILES) {
    const asset = cache.get(file) ?? load(dir, file, type);
    cache.set(file, asset);
    // No `roles`: public, like /healthz (hub/http/auth.ts).
    app.get(url, async (req, reply) => {
      // no-cache: the browser keeps a copy but asks each time, so a hub upgrade shows at once.
      void reply
        .header('cache-control', 'no-cache')
        .header('etag', asset.etag)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer');
      if (asset.type.startsWith('text/html')) void reply.header('content-security-policy', CSP);
      if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.type(asset.type).send(asset.body);
    });
  }
}
