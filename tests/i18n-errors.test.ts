// The hub's errors in the reader's language (issue 13, item 13: "lỗi: cluster ban-moi2 does not
// exist…"). The hub sends each error's sentence as a code with parameters beside its English
// message; the CLI says it from the shared catalogue (common/i18n/errors.ts). Real hub, real `loa`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeholders } from '../common/i18n/catalogue.js';
import { ERROR_SENTENCES, errorText } from '../common/i18n/errors.js';
import { spawnLoa } from './helpers/cli-run.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

describe('the error catalogue', () => {
  it('has every sentence in both languages with the same placeholders', () => {
    for (const [code, en] of Object.entries(ERROR_SENTENCES.en)) {
      const vi = (ERROR_SENTENCES.vi as Record<string, string>)[code];
      expect(vi, code).toBeTruthy();
      expect(placeholders(vi!), code).toEqual(placeholders(en));
    }
  });

  it('falls back to the English message for a sentence it does not know (a newer hub)', () => {
    expect(errorText('vi', { code: 'cluster.teleported', params: { id: 'x' } }, 'cluster x teleported')).toBe('cluster x teleported');
    expect(errorText('vi', { code: 'cluster.not-found', params: { id: 'ban-moi2' } }, 'english')).toMatch(/^không có cụm loa ban-moi2;/);
  });
});

describe('errors from the hub, in the CLI', () => {
  let t: TestHub;
  const tmp = makeTempDir('loa-i18n-errors-');
  const loa = (lang: string, args: string[]) => spawnLoa(['--hub', t.addresses.httpUrl, '--token', t.token, '--lang', lang, ...args], { cwd: tmp.path });
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t.stop();
    tmp.remove();
  });

  it('the API sends the sentence with the English message', async () => {
    const r = await t.api<{ error: { code: string; message: string; sentence: { code: string; params: Record<string, string> } } }>(
      'GET',
      '/api/v1/clusters/ban-moi2',
    );
    expect(r.status).toBe(404);
    expect(r.body.error).toEqual({
      code: 'LOA_CLUSTER_NOT_FOUND',
      message: 'cluster ban-moi2 does not exist; `loa clusters list` shows the ids.',
      sentence: { code: 'cluster.not-found', params: { id: 'ban-moi2' } },
    });
  });

  it('a missing cluster, a missing broadcast and a token of the wrong role, in Vietnamese and in English', async () => {
    const vi = await loa('vi', ['clusters', 'show', 'ban-moi2']);
    expect(vi.code).toBe(1);
    expect(vi.stderr.trim()).toBe('lỗi: không có cụm loa ban-moi2; `loa clusters list` cho xem các mã cụm. [LOA_CLUSTER_NOT_FOUND]');
    const en = await loa('en', ['clusters', 'show', 'ban-moi2']);
    expect(en.stderr.trim()).toBe('error: cluster ban-moi2 does not exist; `loa clusters list` shows the ids. [LOA_CLUSTER_NOT_FOUND]');

    const b = await loa('vi', ['broadcast', 'show', 'b-000000000000']);
    expect(b.stderr).toContain('không có lượt phát b-000000000000');

    const viewer = await t.api<{ secret: string }>('POST', '/api/v1/tokens', { role: 'viewer', name: 'xem' });
    const denied = await spawnLoa(['--hub', t.addresses.httpUrl, '--token', viewer.body.secret, '--lang', 'vi', 'clusters', 'add', 'ban-moi'], {
      cwd: tmp.path,
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('mã truy cập vai trò viewer không được làm việc này; cần một trong các vai trò: operator');
  });
});
