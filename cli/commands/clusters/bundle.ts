// The provisioning bundle of `loa clusters add`: what a new box needs to reach and trust its hub
// (docs/install.md §3). One place builds it, for the screen, for --json and for --bundle DIR, so
// a new part of it (the hub's command-signing key) is added once.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { CommandContext } from '../../context.js';
import { CliError, usageError } from '../../errors.js';
import type { Block } from '../../output.js';
import type { Provisioning } from '../../../hub/http/api.js';

export const BUNDLE_FILES = { config: 'edge.yaml', secret: 'edge.secret', ca: 'hub-ca.pem' } as const;

/** The box's edge.yaml: `files` names the secret and CA beside it, else they are at /etc/loa. */
export function edgeYaml(id: string, secret: string, p: Provisioning, files: boolean): string {
  const plain = /^http:/.test(p.httpUrl) || /^mqtt:/.test(p.mqttUrl);
  return stringify({
    clusterId: id,
    ...(files ? { secretFile: BUNDLE_FILES.secret } : { secret }),
    ...(p.hubKeys?.length ? { hubKeys: p.hubKeys } : {}),
    hub: {
      mqttUrl: p.mqttUrl,
      httpUrl: p.httpUrl,
      caFile: files ? BUNDLE_FILES.ca : `/etc/loa/${BUNDLE_FILES.ca}`,
      ...(plain ? { allowPlaintext: true } : {}),
    },
  });
}

/** Refuses a --bundle folder that already holds a bundle, before anything is registered. */
export function checkBundleDir(dir: string, ctx: CommandContext): string {
  const abs = resolve(ctx.io.cwd, dir);
  for (const f of Object.values(BUNDLE_FILES)) {
    if (existsSync(join(abs, f))) throw usageError('LOA_CLI_BUNDLE_EXISTS', ctx.t.bundleExists(join(abs, f)));
  }
  return abs;
}

/** Writes edge.yaml, secret (0600) and hub-ca.pem into dir. */
export function writeBundle(dir: string, id: string, secret: string, p: Provisioning, ctx: CommandContext): Block {
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, BUNDLE_FILES.secret), `${secret}\n`, { mode: 0o600, flag: 'wx' });
    writeFileSync(join(dir, BUNDLE_FILES.ca), p.caPem, { flag: 'wx' });
    writeFileSync(join(dir, BUNDLE_FILES.config), edgeYaml(id, secret, p, true), { flag: 'wx' });
  } catch (e) {
    throw new CliError('LOA_CLI_BUNDLE_WRITE', ctx.t.bundleUnwritable(dir, (e as NodeJS.ErrnoException).code ?? String(e), id));
  }
  return { kind: 'line', text: ctx.t.bundleWritten(dir, Object.values(BUNDLE_FILES).join(', ')) };
}

/** The bundle on screen: the edge.yaml to paste, then the CA certificate. */
export function bundleView(id: string, secret: string, p: Provisioning, ctx: CommandContext): Block[] {
  return [
    { kind: 'line', text: `\n${ctx.t.bundleHeading}\n\n${edgeYaml(id, secret, p, false)}` },
    { kind: 'line', text: `${ctx.t.bundleCaHeading}\n\n${p.caPem.trimEnd()}` },
  ];
}
