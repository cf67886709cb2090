// Serves the police post's monitor page (/monitor): the static files beside this one, and the
// shared text catalogues (common/i18n/*, compiled) as ES modules under /monitor/i18n/, all read
// once when the app is built. No token for the page itself (it holds no data); its data calls need one.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
  ['/monitor/alarms.js', 'alarms.js', 'text/javascript; charset=utf-8'],
  ['/monitor/live.js', 'live.js', 'text/javascript; charset=utf-8'],
  ['/monitor/monitor.css', 'monitor.css', 'text/css; charset=utf-8'],
];

// Everything from the hub itself; pictures arrive as blob: URLs made from authorised fetches, live
// video as a blob: MediaSource fed from the hub's WebSocket ('self' covers wss: to the same host).
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src blob:; connect-src 'self'; form-action 'self'; " +
  "base-uri 'none'; " +
  "frame-ancestors 'none'";

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

/**
 * The compiled catalogues (common/i18n/*.js): beside the running hub in dist/, or, when the hub runs
 * from its TypeScript sources (vitest), in the checkout's dist/, which `npm test` builds first. The
 * page imports them, so the CLI and the page read one source; tsc writes ES modules (package type
 * module) whose relative imports resolve under /monitor/i18n/ as they do on disk.
 */
export function i18nDir(): string {
  const candidates = ['../../../common/i18n/', '../../../dist/common/i18n/'].map((d) => fileURLToPath(new URL(d, import.meta.url)));
  const found = candidates.find((d) => existsSync(join(d, 'catalogue.js')));
  if (!found) throw new Error(`the compiled text catalogues are missing (run \`npm run build\`); looked in ${candidates.join(', ')}`);
  return found;
}

/** A compiled catalogue older than its source (a stale dist/ under vitest) would show old words. */
function staleFrom(dir: string, file: string): string | null {
  const source = fileURLToPath(new URL(`../../../common/i18n/${file.replace(/\.js$/, '.ts')}`, import.meta.url));
  return existsSync(source) && statSync(source).mtimeMs > statSync(join(dir, file)).mtimeMs ? source : null;
}

function hashed(body: Buffer, type: string): Asset {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

const load = (dir: string, file: string, type: string): Asset => hashed(readFileSync(join(dir, file)), type);

/** A compiled module without its source-map line (the maps are not served). */
const loadModule = (dir: string, file: string): Asset =>
  hashed(Buffer.from(readFileSync(join(dir, file), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n')), 'text/javascript; charset=utf-8');

export function monitorRoutes(app: FastifyInstance, dir: string = monitorDir(), catalogues: string = i18nDir()): void {
  const cache = new Map<string, Asset>();
  const files = [...FILES];
  for (const file of readdirSync(catalogues)
    .filter((f) => f.endsWith('.js'))
    .sort()) {
    const stale = staleFrom(catalogues, file);
    const warning = 'the monitor page gets a compiled catalogue older than its source; run `npm run build`';
    if (stale) app.log.warn({ file: join(catalogues, file), source: stale }, warning);
    cache.set(`i18n/${file}`, loadModule(catalogues, file));
    files.push([`/monitor/i18n/${file}`, `i18n/${file}`, 'text/javascript; charset=utf-8']);
  }
  for (const [url, file, type] of files) {
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
