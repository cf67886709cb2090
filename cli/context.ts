// Where the CLI finds its hub and token, and the context every command receives. Order: flags,
// then LOA_HUB / LOA_TOKEN / LOA_HUB_CA / LOA_DATA_DIR, then the files the hub writes in its data directory.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Clock } from '../common/clock.js';
import type { ApiClient } from './api-client.js';
import { CliError, usageError } from './errors.js';
import type { Catalogue, Lang } from './i18n.js';

export const DEFAULT_HUB_URL = 'https://127.0.0.1:8080';
export const DEFAULT_DATA_DIR = './data';

/** The process's streams and surroundings, passed in so tests can run the CLI in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Options every command accepts (declared once on the root program). */
export interface GlobalOptions {
  hub?: string;
  token?: string;
  dataDir?: string;
  /** The hub's CA certificate (PEM file), trusted for https:// besides the system's. */
  ca?: string;
  json?: boolean;
  lang?: Lang;
  tz?: string;
}

export type Source = 'flag' | 'env' | 'file' | 'default';

export interface Connection {
  hubUrl: string;
  token: string;
  dataDir: string;
  /** The hub's CA: --ca, LOA_HUB_CA, or the caFile the hub wrote in hub.json. */
  caFile?: string | undefined;
  from: { hub: Source; token: Source };
}

/** What a command gets besides its own options. */
export interface CommandContext {
  api: ApiClient;
  t: Catalogue;
  tz: string;
  clock: Clock;
  json: boolean;
  io: CliIo;
}

function readHubFile(file: string, t: Catalogue): { url: string; caFile?: string } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError('LOA_CLI_HUB_FILE', t.badHubFile(file, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
  let parsed: { httpUrl?: unknown; caFile?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (e) {
    throw new CliError('LOA_CLI_HUB_FILE', t.badHubFile(file, (e as Error).message));
  }
  const url = parsed.httpUrl;
  if (typeof url !== 'string' || !url) throw new CliError('LOA_CLI_HUB_FILE', t.badHubFile(file, 'no "httpUrl"'));
  return { url, ...(typeof parsed.caFile === 'string' && parsed.caFile ? { caFile: parsed.caFile } : {}) };
}

function readTokenFile(file: string, t: Catalogue): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new CliError('LOA_CLI_TOKEN_FILE', t.fileUnreadable(file, code ?? String(e)));
  }
}

function checkUrl(url: string, t: Catalogue): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError('LOA_CLI_BAD_HUB_URL', t.badHubUrl(url));
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw usageError('LOA_CLI_BAD_HUB_URL', t.badHubUrl(url));
  return url;
}

export function discoverConnection(g: GlobalOptions, io: Pick<CliIo, 'env' | 'cwd'>, t: Catalogue): Connection {
  const env = io.env;
  const dataDir = resolve(io.cwd, g.dataDir ?? (env.LOA_DATA_DIR || DEFAULT_DATA_DIR));

  let hubUrl: string;
  let hubFrom: Source;
  // The hub on this machine says where its CA is, even when the address comes from elsewhere.
  const hubFile = g.hub && (g.ca || env.LOA_HUB_CA) ? undefined : readHubFile(resolve(dataDir, 'hub.json'), t);
  if (g.hub) [hubUrl, hubFrom] = [g.hub, 'flag'];
  else if (env.LOA_HUB) [hubUrl, hubFrom] = [env.LOA_HUB, 'env'];
  else [hubUrl, hubFrom] = hubFile ? [hubFile.url, 'file'] : [DEFAULT_HUB_URL, 'default'];
  const caFile = g.ca ? resolve(io.cwd, g.ca) : env.LOA_HUB_CA ? resolve(io.cwd, env.LOA_HUB_CA) : hubFile?.caFile;

  const tokenFile = resolve(dataDir, 'operator.token');
  let token: string | undefined;
  let tokenFrom: Source = 'flag';
  if (g.token) token = g.token;
  else if (env.LOA_TOKEN) [token, tokenFrom] = [env.LOA_TOKEN, 'env'];
  else [token, tokenFrom] = [readTokenFile(tokenFile, t), 'file'];
  if (!token) throw new CliError('LOA_CLI_NO_TOKEN', t.missingToken(`--token, LOA_TOKEN, ${tokenFile}`));

  return { hubUrl: checkUrl(hubUrl, t), token, dataDir, caFile, from: { hub: hubFrom, token: tokenFrom } };
}
