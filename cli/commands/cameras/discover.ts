// `loa cameras discover`: asks the hub to find ONVIF cameras (WS-Discovery multicast, and unicast
// probes to --range addresses), lists them marking the known ones, and adds the new ones with --add
// (or after asking, when a person is at the terminal), with ids made from their names or addresses.
import { ApiError } from '../../api-client.js';
import type { Camera, DiscoveredCamera } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { usageError } from '../../errors.js';
import { render, type Block, type CommandResult } from '../../output.js';
import { slug } from '../../parse.js';
import { ask, choosePassword, type PasswordOptions, type Stdin } from './prompt.js';
import { address } from './view.js';

export interface CamerasDiscoverOptions extends PasswordOptions {
  range?: string[];
  /** Seconds to listen for answers. */
  timeout?: number;
  multicast?: boolean;
  /** UDP port probes go to, when the cameras answer on another than 3702. */
  probePort?: number;
  add?: boolean;
  user?: string;
}

interface Added {
  id: string;
  xaddr: string;
}

interface Failed {
  xaddr: string;
  id: string;
  code: string;
  message: string;
}

/** An id not yet taken, from the camera's announced name, else its address. */
export function idFor(f: DiscoveredCamera, taken: Set<string>): string {
  const base = slug(f.name ?? '') || slug(`cam-${f.host}-${f.port}`);
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 62 - String(n).length)}-${n}`;
  taken.add(id);
  return id;
}

async function credentials(o: CamerasDiscoverOptions, stdin: Stdin, ctx: CommandContext): Promise<{ user: string; password: string }> {
  if (!o.user) throw usageError('LOA_CLI_NO_USER', ctx.t.addNeedsUser);
  return { user: o.user, password: await choosePassword(o, stdin, ctx.io.stderr, ctx.t) };
}

/** What answered: known ones with their id, new ones marked (with the id they got, once added). */
function foundTable(found: DiscoveredCamera[], addedAs: Map<string, string>, ctx: CommandContext): Block {
  const { t } = ctx;
  return {
    kind: 'table',
    head: [t.hAddress, t.hName, t.hLocation, t.hHardware, t.hKnownAs],
    rows: found.map((f) => [
      address(f),
      f.name ?? '',
      f.location ?? '',
      f.hardware ?? '',
      f.knownAs ?? (addedAs.has(f.xaddr) ? `${addedAs.get(f.xaddr)} (${t.newMark})` : t.newMark),
    ]),
    empty: t.noneDiscovered,
  };
}

/** Asks the person at the terminal, after showing what was found (on stderr: stdout is the result). */
async function offer(
  table: Block,
  fresh: number,
  o: CamerasDiscoverOptions,
  stdin: Stdin,
  ctx: CommandContext,
): Promise<{ user: string; password: string } | null> {
  const { t } = ctx;
  ctx.io.stderr.write(render({ json: null, view: [table] }, 'human', t));
  const yes = (await ask(stdin, ctx.io.stderr, t.confirmAdd(fresh))).trim().toLowerCase();
  if (!t.yesAnswers.includes(yes)) return null;
  const user = o.user || (await ask(stdin, ctx.io.stderr, t.askUser)).trim();
  if (!user) throw usageError('LOA_CLI_NO_USER', t.addNeedsUser);
  const password = o.password || (await ask(stdin, ctx.io.stderr, t.askPassword, true));
  return { user, password };
}

export async function camerasDiscover(o: CamerasDiscoverOptions, ctx: CommandContext, stdin: Stdin = process.stdin): Promise<CommandResult> {
  const { t } = ctx;
  // Before the search, so a missing --user fails at once rather than after the wait.
  let creds = o.add ? await credentials(o, stdin, ctx) : null;
  const { found } = await ctx.api.post<{ found: DiscoveredCamera[] }>('/api/v1/cameras/discover', {
    timeoutMs: Math.round((o.timeout ?? 3) * 1000),
    ...(o.range?.length ? { ranges: o.range } : {}),
    ...(o.multicast === false ? { multicast: false } : {}),
    ...(o.probePort === undefined ? {} : { port: o.probePort }),
  });
  const fresh = found.filter((f) => !f.knownAs);
  // A person at the terminal (not --json, not a pipe) is offered to add them; scripts say --add.
  const interactive = !o.add && Boolean(stdin.isTTY) && !ctx.json && fresh.length > 0;
  if (interactive) creds = await offer(foundTable(found, new Map(), ctx), fresh.length, o, stdin, ctx);

  const added: Added[] = [];
  const failed: Failed[] = [];
  if (creds && fresh.length > 0) {
    const { cameras } = await ctx.api.get<{ cameras: Camera[] }>('/api/v1/cameras');
    const taken = new Set(cameras.map((c) => c.id));
    for (const f of fresh) {
      const id = idFor(f, taken);
      try {
        await ctx.api.post('/api/v1/cameras', {
          id,
          host: f.host,
          port: f.port,
          path: f.path,
          ...creds,
          ...(f.name ? { name: f.name } : {}),
          ...(f.location ? { village: f.location } : {}),
        });
        added.push({ id, xaddr: f.xaddr });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        failed.push({ xaddr: f.xaddr, id, code: e.code, message: e.message });
      }
    }
  }

  const view: Block[] = [foundTable(found, new Map(added.map((a) => [a.xaddr, a.id])), ctx)];
  if (found.length > 0) view.push({ kind: 'line', text: t.discoverSummary(found.length, fresh.length) });
  if (added.length > 0) view.push({ kind: 'line', text: t.discoveredAdded(added.length) });
  for (const f of failed) view.push({ kind: 'warning', text: `${f.id} (${f.xaddr}): ${f.message} [${f.code}]` });
  if (fresh.length > 0 && !creds) view.push({ kind: 'line', text: interactive ? t.nothingAdded : t.addHint });
  return { json: { found, added, failed }, view, ...(failed.length > 0 ? { exitCode: 1 } : {}) };
}
