// `loa media add --replace` on a broadcast day (issue 13, item 1): the Tú Lệ schedule in force names
// quoc-ca; replacing it before 05:00 makes the 05:00 item play the new audio, under its new id (so
// boxes fetch it), with the log recording the new media and its length, although the box plans
// already named the old one.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { broadcastIdFor } from '../hub/scheduler/wanted.js';
import { makeTone } from './helpers/audio.js';
import { endRadioDay, local, startRadioDay, type RadioDay } from './helpers/radio-day.js';
import { makeTempDir } from './helpers/tmp.js';

let day: RadioDay | null = null;
const tmp = makeTempDir('media-replace-day-');
afterEach(async () => {
  await endRadioDay(day);
  day = null;
  tmp.remove();
});

describe('replacing media the schedule in force plays', () => {
  it('plays the new audio at the next item, logged under the new id and length', async () => {
    const date = '2026-12-02';
    day = await startRadioDay(local(date, '04:50:00'));
    const { t, clock } = day;
    const oldId = day.mediaIds.get('quoc-ca')!;
    const broadcastId = broadcastIdFor(`quoc-ca-sang@${date}#0.0`);
    // The boxes' plans were published with the old audio, and the log's row made for it.
    expect(t.hub.store.broadcasts.get(broadcastId)?.mediaId).toBe(oldId);

    const { media, replaced } = await t.hub.media.add({
      inputPath: makeTone(join(tmp.path, 'quoc-ca-moi.wav'), 2),
      name: 'quoc-ca',
      originalName: 'quoc-ca-moi.wav',
      replace: true,
    });
    expect(replaced?.id).toBe(oldId);
    expect(t.hub.schedules.plan(date).entries.find((e) => e.programmeId === 'quoc-ca-sang')?.mediaId).toBe(media.id);

    await clock.runUntil(local(date, '05:00:30'), day.quiet);
    const b = t.hub.store.broadcasts.get(broadcastId)!;
    expect(b.mediaId).toBe(media.id);
    const log = t.hub.store.broadcasts.log({ from: local(date, '05:00:00'), to: local(date, '05:00:01') }).filter((e) => e.broadcastId === broadcastId);
    expect(log).toHaveLength(day.secrets.size);
    for (const e of log) {
      expect(e.mediaId).toBe(media.id);
      expect(e.plannedEnd! - e.plannedStart).toBe(media.durationMs);
      expect(e.outcome).toBe('played');
    }
  });
});
