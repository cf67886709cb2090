// Issue 14, item 12: requests refused before any route or authentication runs (a URL that does not
// decode, an id longer than the router takes, headers over Node's limit, a broken request line)
// answer in the API's documented shape { error: { code: "LOA_…", message } }, like every other
// error. Sent as raw bytes inside TLS to a real hub, since fetch refuses to send most of them.
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { runPki } from '../helpers/hub-tls.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `text` as is and reads the answer until the hub closes the connection (at most 5 s). */
function raw(port: number, text: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    // The hub serves HTTPS: the raw bytes go inside TLS, trusting the run's test CA.
    const socket = connect({ port, host: '127.0.0.1', ca: readFileSync(runPki().caFile) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 5 s')), 5000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => (chunks.length ? undefined : reject(e)));
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = all.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(text);
  });
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`;

describe('errors before authentication have the API shape', () => {
  let h: TestHub;
  beforeAll(async () => {
    h = await startTestHub();
  }, 20_000);
  afterAll(async () => h?.stop());

  const cases = [
    {
      label: 'a URL that does not decode (FST_ERR_BAD_URL)',
      request: () => get('/api/v1/clusters/%E0%A4%A'),
      status: 400,
      code: 'LOA_BAD_REQUEST',
      says: /not a valid URL/,
    },
    {
      label: 'an id longer than the router takes (414)',
      request: () => get(`/api/v1/clusters/${'a'.repeat(600)}`),
      status: 414,
      code: 'LOA_URL_TOO_LONG',
      says: /too long/,
    },
    {
      label: 'headers over the limit (431)',
      request: () => get('/healthz', `X-Junk: ${'j'.repeat(20_000)}\r\n`),
      status: 431,
      code: 'LOA_HEADERS_TOO_LARGE',
      says: /headers/,
    },
    {
      label: 'a URL over the header limit (431)',
      request: () => get(`/api/v1/clusters?x=${'u'.repeat(20_000)}`),
      status: 431,
      code: 'LOA_HEADERS_TOO_LARGE',
      says: /request line and headers/,
    },
    {
      label: 'a header with a forbidden character (400)',
      request: () => get('/healthz', 'X-Bad\u0001: 1\r\n'),
      status: 400,
      code: 'LOA_BAD_REQUEST',
      says: /not a valid HTTP request/,
    },
    { label: 'a broken request line (400)', request: () => 'HELLO THERE\r\n\r\n', status: 400, code: 'LOA_BAD_REQUEST', says: /not a valid HTTP request/ },
  ];

  for (const c of cases) {
    it(`answers ${c.label} with ${c.code}`, async () => {
      const a = await raw(h.addresses.httpPort, c.request());
      expect(a.status).toBe(c.status);
      expect(a.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(a.body) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(c.code);
      expect(body.error.message).toMatch(c.says);
      // Nothing of the request is echoed back (a hostile URL or header stays out of the answer).
      expect(a.body.length).toBeLessThan(400);
    });
  }

  it('still serves normal requests after those', async () => {
    const a = await raw(h.addresses.httpPort, get('/healthz'));
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body)).toMatchObject({ status: 'ok' });
  });
});
