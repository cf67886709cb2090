// `loa-hub --help` and `loa-edge --help` in Vietnamese for the commune's installer (LOA_LANG=vi or
// a LANG that starts with "vi"), English otherwise. The first test walks each program's options,
// so a new option without its Vietnamese fails here; the second runs the real programs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpTexts, withCommanderHelp } from '../common/i18n/help.js';
import { EDGE_HELP_VI, edgeProgram } from '../daemon/program.js';
import { HUB_HELP_VI, hubProgram } from '../hub/program.js';

const root = join(import.meta.dirname, '..');
const help = (bin: string, env: Record<string, string>) =>
  spawnSync(process.execPath, [join(root, 'bin', bin), '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 });

describe('loa-hub and loa-edge --help in Vietnamese', () => {
  it('has a translation for every help text of each program', () => {
    for (const [texts, table] of [
      [helpTexts(hubProgram({})), withCommanderHelp(HUB_HELP_VI)],
      [helpTexts(edgeProgram(async () => undefined, {})), withCommanderHelp(EDGE_HELP_VI)],
    ] as const) {
      expect(texts.length).toBeGreaterThanOrEqual(3);
      expect(texts.filter((x) => !table.has(x))).toEqual([]);
    }
  });

  it('prints Vietnamese with LOA_LANG=vi or a Vietnamese LANG, English without', () => {
    const hubVi = help('loa-hub.js', { LOA_LANG: 'vi' });
    expect(hubVi.status).toBe(0);
    expect(hubVi.stdout).toMatch(/^Cách dùng: loa-hub \[options\]/m);
    expect(hubVi.stdout).toContain('kiểm tra tệp cấu hình rồi thoát');
    expect(hubVi.stdout).not.toContain('validate the config');
    const edgeVi = help('loa-edge.js', { LANG: 'vi_VN.UTF-8' });
    expect(edgeVi.stdout).toMatch(/\(mặc\s+định: "\/etc\/loa\/edge.yaml"\)/);
    expect(edgeVi.stdout).toContain('tệp cấu hình YAML (xem config/edge.example.yaml)');
    const hubEn = help('loa-hub.js', { LANG: 'C.UTF-8' });
    expect(hubEn.stdout).toMatch(/^Usage: loa-hub \[options\]/m);
    expect(hubEn.stdout).toContain('validate the config and exit');
  });
});
