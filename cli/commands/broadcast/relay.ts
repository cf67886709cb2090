// `loa broadcast relay`: relays a station's stream (or a library file played as live) through the
// hub to clusters, lists the relays, or stops one (docs/live.md).
import type { LiveInfo } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { cliErrors, usageError } from '../../errors.js';
import type { Lang } from '../../i18n.js';
import type { CommandResult } from '../../output.js';
import { clusterChoice } from '../../parse.js';
import { parseStartTime } from '../../time.js';
import { resolveMedia } from '../media/resolve.js';

export interface BroadcastRelayOptions {
  clusters?: string;
  zones?: string;
  all?: boolean;
  until?: string;
  media?: string;
  stop?: string;
  list?: boolean;
}

const en = {
  sourceNeeded: 'give the stream address (loa broadcast relay URL …) or --media, or --stop ID, or --list.',
  started: (id: string, n: number) => `Relay ${id} started on ${n} cluster(s); stop it with \`loa broadcast relay --stop ${id}\`.`,
  stopped: (id: string, gaps: number, lostS: string) => `Relay ${id} stopped; the source was lost ${gaps} time(s), ${lostS} s in all.`,
  none: 'No relays.',
  head: ['Id', 'State', 'Source', 'Listeners', 'Restarts', 'Lost (s)'],
  cluster: ['Cluster', 'Status', 'Detail'],
  pushedBy: (who: string) => `live from ${who}`,
  emergency: 'emergency',
};
const vi: typeof en = {
  sourceNeeded: 'hãy cho địa chỉ luồng (loa broadcast relay URL …) hoặc --media, hoặc --stop MÃ, hoặc --list.',
  started: (id, n) => `Đã bắt đầu tiếp sóng ${id} trên ${n} cụm loa; dừng bằng \`loa broadcast relay --stop ${id}\`.`,
  stopped: (id, gaps, lostS) => `Đã dừng tiếp sóng ${id}; nguồn bị mất ${gaps} lần, tổng cộng ${lostS} giây.`,
  none: 'Không có lượt tiếp sóng nào.',
  head: ['Mã', 'Trạng thái', 'Nguồn', 'Đang nghe', 'Khởi động lại', 'Mất (giây)'],
  cluster: ['Cụm', 'Trạng thái', 'Chi tiết'],
  pushedBy: (who) => `trực tiếp từ ${who}`,
  emergency: 'khẩn cấp',
};
const texts = (lang: Lang) => (lang === 'vi' ? vi : en);
const lostS = (s: LiveInfo) => (s.gaps.reduce((a, g) => a + g.lengthMs, 0) / 1000).toFixed(1);

export async function broadcastRelay(url: string | undefined, opts: BroadcastRelayOptions, ctx: CommandContext): Promise<CommandResult> {
  const { t, tz } = ctx;
  const x = texts(t.lang);
  if (opts.stop !== undefined) {
    const body = await ctx.api.delete<{ stream: LiveInfo }>(`/api/v1/live/${encodeURIComponent(opts.stop)}`);
    return { json: body, view: [{ kind: 'line', text: x.stopped(body.stream.id, body.stream.gaps.length, lostS(body.stream)) }] };
  }
  if (opts.list) {
    const body = await ctx.api.get<{ streams: LiveInfo[] }>('/api/v1/live');
    if (body.streams.length === 0) return { json: body, view: [{ kind: 'line', text: x.none }] };
    const rows = body.streams.map((s) => [s.id, s.state, sourceText(s, x), String(s.listeners), String(s.restarts), lostS(s)]);
    return { json: body, view: [{ kind: 'table', head: x.head, rows }] };
  }
  if ((url === undefined) === (opts.media === undefined)) throw usageError('LOA_CLI_USAGE', x.sourceNeeded);
  const choice = clusterChoice(opts, t)!;
  let until: number | undefined;
  if (opts.until !== undefined) {
    until = parseStartTime(opts.until, tz, ctx.clock.now());
    if (until === undefined) throw cliErrors.badTime(t.badTime(opts.until));
  }
  const source = url !== undefined ? { url } : { mediaId: (await resolveMedia(opts.media!, ctx.api, t)).id };
  const body = await ctx.api.post<{ stream: LiveInfo }>('/api/v1/live', { source, ...choice, ...(until === undefined ? {} : { until }) });
  const s = body.stream;
  return {
    json: body,
    view: [
      { kind: 'line', text: x.started(s.id, s.clusters.length) },
      { kind: 'table', head: x.cluster, rows: s.clusters.map((c) => [c.clusterId, c.status, c.detail ?? '']) },
    ],
  };
}

/** The Source column: a station's address, a library file, or who pushes (`loa announce --mic`). */
function sourceText(s: LiveInfo, x: typeof en): string {
  if ('url' in s.source) return s.source.url;
  if ('mediaId' in s.source) return s.source.mediaId;
  return `${x.pushedBy(s.source.push || '?')}${s.priority === 'emergency' ? ` (${x.emergency})` : ''}`;
}
