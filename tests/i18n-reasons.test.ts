// The shared catalogue of camera and alarm words (common/i18n/reasons.ts) that the hub, the CLI and
// the monitor page read: every code in both languages with the same placeholders, unknown codes
// falling back to the hub's English, hostile codes and parameters harmless; and alarms stored before
// details were coded (migration 8) still read, with a box's own words kept from the police.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fill, placeholders, say } from '../common/i18n/catalogue.js';
import { cameraReasonText, clearText, detailText, kindWord, REASONS, statusWord } from '../common/i18n/reasons.js';
import { policeAlarm, policeEvent } from '../hub/alarms/police.js';
import { AlarmStore } from '../hub/store/alarms.js';
import { openDatabase } from '../hub/store/db.js';
import { MIGRATIONS } from '../hub/store/migrations.js';
import { makeTempDir } from './helpers/tmp.js';

describe('the catalogue', () => {
  it('has every code in Vietnamese with the placeholders of the English', () => {
    const codes = Object.keys(REASONS.en);
    expect(Object.keys(REASONS.vi).sort()).toEqual([...codes].sort());
    for (const code of codes) {
      const en = REASONS.en[code as keyof typeof REASONS.en];
      const vi = REASONS.vi[code as keyof typeof REASONS.vi];
      expect(placeholders(vi), code).toEqual(placeholders(en));
      expect(vi.trim().length, code).toBeGreaterThan(0);
    }
  });

  it("fills parameters, and falls back to the hub's English for a code it does not know", () => {
    expect(say(REASONS, 'vi', { code: 'camera.timeout', params: { ms: 3000 } })).toBe('không trả lời trong 3000 ms');
    expect(say(REASONS, 'vi', { code: 'camera.from-a-newer-hub', params: {} }, 'something new')).toBe('something new');
    expect(say(REASONS, 'vi', { code: 'camera.from-a-newer-hub' })).toBe('camera.from-a-newer-hub');
    // Inherited names are not codes: no function text, no crash.
    for (const code of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(say(REASONS, 'vi', { code }, 'hub text')).toBe('hub text');
    // A missing parameter stays visible; a parameter is text, never a template.
    expect(fill('{a} and {b}', { a: '{b}' })).toBe('{b} and {b}');
    expect(say(REASONS, 'en', { code: 'camera.bad-reply', params: { action: 'GetProfiles', detail: '<script>{ms}' } })).toBe(
      'bad reply to GetProfiles: <script>{ms}',
    );
    expect(say(REASONS, 'en', { code: 'camera.timeout', params: null as never })).toBe('no answer within {ms} ms');
  });

  it("words statuses, kinds, camera reasons and alarm details, and keeps the hub's text for the unknown", () => {
    expect(statusWord('vi', 'offline')).toBe('mất kết nối');
    expect(statusWord('vi', 'rebooting')).toBe('rebooting');
    expect(kindWord('vi', 'camera-motion')).toBe('phát hiện chuyển động');
    const reasons = [
      { code: 'camera.clock-skew', params: { s: 95 } },
      { code: 'camera.slow', params: { ms: 1800 } },
    ];
    expect(cameraReasonText('vi', { reason: 'clock skew 95 s; slow answer (1800 ms)', reasons })).toBe('lệch giờ 95 giây; phản hồi chậm (1800 ms)');
    expect(cameraReasonText('vi', { reason: 'x; y', reasons: [reasons[0]!, { code: 'camera.new', params: {} }] })).toBe('x; y');
    expect(cameraReasonText('vi', { reason: 'old text' })).toBe('old text');
    const failed = {
      detail: 'could not download the audio (b-1: HTTP 404)',
      detailCode: 'play.media-fetch-failed',
      detailParams: {},
      detailExtra: 'b-1: HTTP 404',
    };
    expect(detailText('vi', failed)).toBe('không tải được tệp âm thanh (b-1: HTTP 404)');
    expect(detailText('vi', { ...failed, detailExtra: undefined })).toBe('không tải được tệp âm thanh');
    expect(detailText('vi', { detail: 'media-corrupt (b-7)', detailCode: null })).toBe('media-corrupt (b-7)');
    expect(clearText('vi', { clearDetail: 'online again', clearCode: 'alarm.back-online', clearParams: {} })).toBe('hoạt động trở lại');
    expect(clearText('vi', { clearDetail: null })).toBe('');
  });
});

describe('alarms stored before details were coded', () => {
  let tmp: ReturnType<typeof makeTempDir> | null = null;
  afterEach(() => {
    tmp?.remove();
    tmp = null;
  });

  it("read with their text and no code; the police get no play-failed text, which held the box's words", () => {
    tmp = makeTempDir('alarm-codes-');
    const file = join(tmp.path, 'hub.db');
    const old = new Database(file);
    for (let v = 0; v < 7; v++) old.exec(MIGRATIONS[v]!);
    old.pragma('user_version = 7');
    const insert = old.prepare('INSERT INTO alarms (kind, severity, subject_type, subject_id, detail, raised_at) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run('play-failed', 'critical', 'cluster', 'ban-hon', 'player-error (b-1): http://10.8.0.1:8080/api/v1/media/x/content: Invalid data', 1);
    insert.run('cluster-offline', 'critical', 'cluster', 'na-hang', 'lost', 2);
    old
      .prepare(
        "INSERT INTO events (at, type, alarm_id, kind, subject_type, subject_id, severity, detail) VALUES (1, 'alarm-raised', 1, 'play-failed', 'cluster', " +
          "'ban-hon', 'critical', 'player-error (b-1): http://x')",
      )
      .run();
    old.close();

    const db = openDatabase(file);
    const alarms = new AlarmStore(db);
    const [offline, failed] = alarms.open();
    expect(failed).toMatchObject({ kind: 'play-failed', detailCode: null, detailParams: {}, detailExtra: null });
    expect(failed!.detail).toContain('http://');
    expect(policeAlarm(failed!).detail).toBe('');
    expect(policeAlarm(offline!).detail).toBe('lost');
    expect(policeEvent(alarms.events(0, 10)[0]!).detail).toBe('');
    expect(JSON.stringify(policeAlarm(failed!))).not.toContain('http');
    // New rows beside them are coded.
    const change = alarms.clear('cluster-offline', { subjectType: 'cluster', subjectId: 'na-hang' }, 3, { reason: { code: 'alarm.back-online', params: {} } });
    expect(change!.alarm).toMatchObject({ clearCode: 'alarm.back-online', clearDetail: 'online again', clearExtra: null });
    db.close();
  });
});
