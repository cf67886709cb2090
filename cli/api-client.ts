// HTTP client of the hub's API (docs/api.md) for the CLI: Node's fetch, bearer token, JSON in
// and out; error bodies become ApiError with the hub's code, and network failures say which URL.
import { Readable, Transform } from 'node:stream';
import { withDispatcher } from '../common/ca-dispatcher.js';
import { LoaError } from '../common/errors.js';
import type { UploadEvent } from '../hub/http/api.js';
import { CliError } from './errors.js';
import type { Catalogue } from './i18n.js';
import type { Coded } from '../common/i18n/catalogue.js';

/** An error answered by the hub: its stable code, its sentence, the HTTP status and any details. */
export class ApiError extends LoaError {
  constructor(code: string, message: string, status: number, details?: unknown, sentence?: Coded) {
    super(code, message, { status, details, ...(sentence ? { sentence } : {}) });
    this.name = 'ApiError';
  }
}

/** The hub's `error.sentence`, if it is well formed (a code and flat parameters). */
function sentenceOf(v: unknown): Coded | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { code, params } = v as { code?: unknown; params?: unknown };
  if (typeof code !== 'string') return undefined;
  if (params === undefined) return { code };
  if (typeof params !== 'object' || params === null) return undefined;
  const flat = Object.entries(params).filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number');
  return { code, params: Object.fromEntries(flat) };
}

export interface ApiClientOptions {
  baseUrl: string;
  token: string;
  t: Catalogue;
  /** Ordinary requests give up after this long; uploads never do (big files over slow links). */
  timeoutMs?: number;
  /** fetch's connection pool, one that trusts the hub's CA (hub-ca.ts); else Node's default. */
  dispatcher?: unknown;
}

type Query = Record<string, string | number | undefined>;

export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly t: Catalogue;
  private readonly timeoutMs: number;
  private readonly dispatcher: unknown;

  constructor(opts: ApiClientOptions) {
    this.dispatcher = opts.dispatcher;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token;
    this.t = opts.t;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', path, query);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, undefined, body ?? {});
  }

  delete<T>(path: string): Promise<T> {
    return this.json<T>('DELETE', path);
  }

  /** A binary answer (a camera snapshot) with its headers; errors as for JSON requests. */
  async bytes(path: string): Promise<{ body: Buffer; headers: Headers }> {
    const init: RequestInit = { method: 'GET', headers: this.headers(), signal: AbortSignal.timeout(this.timeoutMs) };
    const res = await this.send(this.url(path), init);
    if (!res.ok) throw await this.errorOf(res);
    return { body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }

  /** POSTs a body streamed as it is made (live audio), with no length and no timeout, and returns
   *  the hub's JSON answer; errors as for JSON requests. */
  async postStream<T>(path: string, query: Query, body: Readable, contentType: string): Promise<T> {
    const init = this.streamedPost(body, { 'content-type': contentType, accept: 'application/json' });
    const res = await this.send(this.url(path, query), init);
    if (!res.ok) throw await this.errorOf(res);
    return (await res.json()) as T;
  }

  /**
   * Streams `size` bytes from `source` as the request body and yields the hub's NDJSON events.
   * onSent is called with the running byte count as the body leaves this process.
   */
  async *upload(path: string, query: Query, source: Readable, size: number, onSent: (bytes: number) => void): AsyncGenerator<UploadEvent> {
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        onSent(sent);
        done(null, chunk);
      },
    });
    source.on('error', (e) => counter.destroy(e));
    source.pipe(counter);
    const init = this.streamedPost(counter, {
      accept: 'application/x-ndjson',
      'content-type': 'application/octet-stream',
      // Known length lets the hub reject an oversize file before reading it all.
      'content-length': String(size),
    });
    try {
      yield* this.answer(await this.send(this.url(path, query), init));
    } finally {
      // The hub may answer (e.g. 401) before reading the whole file: close it either way.
      source.destroy();
    }
  }

  /** A POST whose body is streamed from `body` as it comes, with the token and these headers. */
  private streamedPost(body: Readable, headers: Record<string, string>): RequestInit {
    return {
      method: 'POST',
      headers: { ...this.headers(), ...headers },
      body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
      duplex: 'half', // Node's fetch needs this to stream a request body
    } as RequestInit;
  }

  private async *answer(res: Response): AsyncGenerator<UploadEvent> {
    if (!res.ok) throw await this.errorOf(res);
    // A hub that ignores Accept and answers plain JSON still gets a proper result.
    if (!(res.headers.get('content-type') ?? '').includes('ndjson')) {
      const body = (await res.json()) as Omit<Extract<UploadEvent, { event: 'done' }>, 'event'>;
      yield { event: 'done', ...body };
      return;
    }
    yield* this.lines(res);
  }

  private async *lines(res: Response): AsyncGenerator<UploadEvent> {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) yield parseEvent(line);
      }
    }
    const rest = (buffered + decoder.decode()).trim();
    if (rest) yield parseEvent(rest);
  }

  private url(path: string, query?: Query): string {
    const u = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  private async json<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    const init: RequestInit = {
      method,
      headers: { ...this.headers(), accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    };
    const res = await this.send(this.url(path, query), init);
    if (!res.ok) throw await this.errorOf(res);
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, withDispatcher(init, this.dispatcher));
    } catch (e) {
      throw this.networkError(e);
    }
  }

  private networkError(e: unknown): CliError {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError') {
      return new CliError('LOA_CLI_HUB_TIMEOUT', this.t.hubTimeout(this.baseUrl, Math.round(this.timeoutMs / 1000)), { cause: e });
    }
    const why = err.cause?.code ?? err.cause?.message ?? err.message;
    // A certificate the CLI does not trust is not a hub that is down: say which CA to give.
    if (/CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)/.test(err.cause?.code ?? '')) {
      return new CliError('LOA_CLI_HUB_UNTRUSTED', this.t.hubUntrusted(this.baseUrl, why), { cause: e });
    }
    return new CliError('LOA_CLI_HUB_UNREACHABLE', this.t.cannotReachHub(this.baseUrl, why), { cause: e });
  }

  private async errorOf(res: Response): Promise<LoaError> {
    const text = await res.text().catch(() => '');
    try {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown; sentence?: unknown } };
      if (body.error && typeof body.error.code === 'string' && typeof body.error.message === 'string') {
        return new ApiError(body.error.code, body.error.message, res.status, body.error.details, sentenceOf(body.error.sentence));
      }
    } catch {
      // not JSON: fall through to a message built from the status
    }
    if (res.status === 401) return new ApiError('LOA_UNAUTHENTICATED', this.t.unauthorized, 401);
    return new ApiError(`LOA_HTTP_${res.status}`, this.t.httpStatus(res.status, res.statusText), res.status);
  }
}

function parseEvent(line: string): UploadEvent {
  try {
    return JSON.parse(line) as UploadEvent;
  } catch {
    return { event: 'error', error: { code: 'LOA_CLI_BAD_ANSWER', message: `the hub sent a line that is not JSON: ${line.slice(0, 80)}` } };
  }
}
