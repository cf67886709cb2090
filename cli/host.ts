// What a command group needs to register its commands: the chosen language (for option parsers)
// and `run`, which builds the command's context, calls it and prints its result.
import type { Command } from 'commander';
import type { Clock } from '../common/clock.js';
import { ApiClient } from './api-client.js';
import { trustingDispatcher } from './hub-ca.js';
import { discoverConnection, type CliIo, type CommandContext, type GlobalOptions } from './context.js';
import { ExitError, usageError } from './errors.js';
import type { Catalogue } from './i18n.js';
import { print, type CommandResult, type Format } from './output.js';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../common/zoned-time.js';

export type CommandBody = (ctx: CommandContext) => Promise<CommandResult>;

export interface CommandHost {
  t: Catalogue;
  run(cmd: Command, body: CommandBody): Promise<void>;
}

export function createHost(io: CliIo, t: Catalogue, clock: Clock): CommandHost {
  return {
    t,
    async run(cmd, body) {
      const g = cmd.optsWithGlobals<GlobalOptions & { csv?: boolean }>();
      if (g.json && g.csv) throw usageError('LOA_CLI_JSON_AND_CSV', t.jsonAndCsv);
      const tz = g.tz ?? (io.env.LOA_TZ || DEFAULT_TIME_ZONE);
      if (!isTimeZone(tz)) throw usageError('LOA_CLI_BAD_TZ', t.badTimeZone(tz));
      const conn = discoverConnection(g, io, t);
      const dispatcher = conn.caFile && conn.hubUrl.startsWith('https:') ? await trustingDispatcher(conn.caFile, t) : undefined;
      const api = new ApiClient({ baseUrl: conn.hubUrl, token: conn.token, t, dispatcher });
      const result = await body({ api, t, tz, clock, json: g.json === true, io });
      const format: Format = g.json ? 'json' : g.csv ? 'csv' : 'human';
      print(result, format, io, t);
      if (result.exitCode) throw new ExitError(result.exitCode);
    },
  };
}
