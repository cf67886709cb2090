// Issue 14, item 9: an upload that ffmpeg reads as a list of other files (an HLS playlist, an
// ffconcat list, a concat list) must not make the hub import a file of its own disk. The hostile
// operator-side upload goes through the real API to a real hub with the real ffmpeg.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoa } from '../helpers/cli-run.js';
import { makeLavfi } from '../helpers/media-audio.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { makeTempDir } from '../helpers/tmp.js';

interface ApiError {
  error: { code: string; message: string };
}

describe('media import reads the uploaded file only', () => {
  let h: TestHub;
  const local = makeTempDir('loa-local-');
  // A sound on the hub's own disk that an attacker would like to see in the library.
  const secret = join(local.path, 'secret.mp3');

  beforeAll(async () => {
    makeLavfi(secret, 'sine=frequency=700:duration=3', ['-c:a', 'libmp3lame']);
    h = await startTestHub();
  }, 20_000);
  afterAll(async () => {
    await h?.stop();
    local.remove();
  });

  const upload = (text: string, filename: string) =>
    h.api<ApiError>('POST', `/api/v1/media?filename=${encodeURIComponent(filename)}`, new TextEncoder().encode(text));
  const library = async () => (await h.api<{ media: { name: string }[] }>('GET', '/api/v1/media')).body.media;

  const attacks = [
    {
      label: 'an HLS playlist (.m3u8) naming a local file by file:// URL',
      filename: 'bulletin.m3u8',
      text: `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:3.0,\nfile://${secret}\n#EXT-X-ENDLIST\n`,
      code: 'LOA_MEDIA_PLAYLIST',
    },
    {
      label: 'an HLS playlist naming a local file by path',
      filename: 'bulletin2.m3u8',
      text: `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:3.0,\n${secret}\n#EXT-X-ENDLIST\n`,
      code: 'LOA_MEDIA_PLAYLIST',
    },
    { label: 'an ffconcat list', filename: 'list.ffconcat', text: `ffconcat version 1.0\nfile '${secret}'\n`, code: 'LOA_MEDIA_PLAYLIST' },
    // Without its header ffmpeg does not take a concat list for one: it is not audio at all.
    { label: 'a concat list without header', filename: 'list.txt', text: `file '${secret}'\n`, code: 'LOA_MEDIA_NOT_AUDIO' },
  ];

  for (const a of attacks) {
    it(`refuses ${a.label} with ${a.code}, and the local file's audio is not in the library`, async () => {
      const r = await upload(a.text, a.filename);
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe(a.code);
      expect(r.body.error.message).toContain(a.filename);
      expect(await library()).toEqual([]);
    }, 20_000);
  }

  it('says what the playlist is and what to upload instead', async () => {
    const r = await upload(attacks[0]!.text, 'bulletin.m3u8');
    expect(r.body.error.message).toMatch(/^bulletin\.m3u8: .*playlist \(hls\).*other files/);
    expect(r.body.error.message).toMatch(/upload the audio file itself/);
  }, 20_000);

  it('loa media add says so in English and in Vietnamese, and exits non-zero', async () => {
    const list = join(local.path, 'tin-sang.m3u8');
    writeFileSync(list, attacks[0]!.text);
    const base = ['--hub', h.addresses.httpUrl, '--token', h.token, 'media', 'add', list];
    const en = await runLoa(base, { cwd: local.path });
    expect(en.code).not.toBe(0);
    expect(en.stderr).toMatch(/tin-sang\.m3u8: this is a playlist \(hls\)/);
    const vi = await runLoa(['--lang', 'vi', ...base], { cwd: local.path });
    expect(vi.code).not.toBe(0);
    expect(vi.stderr).toMatch(/tin-sang\.m3u8: đây là một danh sách phát \(hls\)/);
    expect(await library()).toEqual([]);
  }, 30_000);

  it('still imports the same sound uploaded as a file (the attack would have worked)', async () => {
    const r = await h.api<{ media: { name: string } }>('POST', '/api/v1/media?filename=secret.mp3', new Uint8Array(readFileSync(secret)));
    expect(r.status).toBe(201);
    expect((await library()).map((m) => m.name)).toEqual(['secret']);
  }, 20_000);
});
