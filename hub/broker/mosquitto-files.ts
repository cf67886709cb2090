// Mosquitto's own files for external broker mode: a password file (mosquitto 2.x "$7$" lines,
// PBKDF2-SHA512 exactly as mosquitto_passwd writes them) and an ACL file holding each device
// (username = cluster id) to the topics protocol/topics.ts allows it, with the hub's user on loa/#.
// Both are replaced atomically (temp file + rename) and the broker is then told to re-read them
// (SIGHUP to its pid, or a command); Mosquitto 2 re-checks its connected clients on that reload and
// drops any whose login is no longer valid (tests/broker-external.test.ts shows it).
import { execFile } from 'node:child_process';
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-file.js';
import { LoaError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { clusterTopic, DEVICE_PUBLISH_CHANNELS, DEVICE_SUBSCRIBE_CHANNELS, TOPIC_ROOT } from '../../protocol/index.js';

/** mosquitto_passwd's defaults (mosquitto 2.0): 12-byte salt, 64-byte SHA-512 key, 101 rounds. */
const SALT_BYTES = 12;
const KEY_BYTES = 64;
export const MOSQUITTO_ITERATIONS = 101;

/** `$7$iterations$salt$hash` (base64), the PBKDF2-SHA512 form Mosquitto 2 checks in its password_file. */
export function mosquittoHash(secret: string, iterations = MOSQUITTO_ITERATIONS, salt: Buffer = randomBytes(SALT_BYTES)): string {
  const key = pbkdf2Sync(secret, salt, iterations, KEY_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a secret against a "$7$" hash the way Mosquitto does (for tests and `--check`s). */
export function verifyMosquittoHash(secret: string, hash: string): boolean {
  const m = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return false;
  const expected = Buffer.from(m[3]!, 'base64');
  const key = pbkdf2Sync(secret, Buffer.from(m[2]!, 'base64'), Number(m[1]), expected.length, 'sha512');
  return timingSafeEqual(key, expected);
}

export interface BrokerUser {
  username: string;
  hash: string;
}

export function renderPasswordFile(users: readonly BrokerUser[]): string {
  return `${users.map((u) => `${u.username}:${u.hash}`).join('\n')}\n`;
}

/**
 * One `user` block per cluster: write on its device channels, read on its cmd/time/plan. Mosquitto's
 * file ACL checks read access when a message is delivered (it grants any SUBSCRIBE), so another
 * cluster's commands never reach a box even though its SUBACK says granted.
 */
export function renderAclFile(hubUser: string, clusterIds: readonly string[]): string {
  const out = [
    '# Written by loa-hub (`loa broker files`); edits here are overwritten.',
    '',
    `user ${hubUser}`,
    `topic readwrite ${TOPIC_ROOT.split('/')[0]}/#`,
    '',
  ];
  for (const id of clusterIds) {
    out.push(`user ${id}`);
    for (const ch of DEVICE_PUBLISH_CHANNELS) out.push(`topic write ${clusterTopic(id, ch)}`);
    for (const ch of DEVICE_SUBSCRIBE_CHANNELS) out.push(`topic read ${clusterTopic(id, ch)}`);
    out.push('');
  }
  return out.join('\n');
}

export interface MosquittoFilesSettings {
  passwordFile: string;
  aclFile: string;
  reload?: { pidFile?: string | undefined; command?: string | undefined } | undefined;
}

export interface BrokerFilesResult {
  passwordFile: string;
  aclFile: string;
  /** Clusters written to both files. */
  clusters: number;
  /** Clusters left out: their secret predates external mode, so no Mosquitto hash exists; rotate them. */
  needsRotation: string[];
  /** Clusters left out because their id is the hub's own broker username. */
  conflicts: string[];
  /** How the broker was told to re-read the files. */
  reload: 'signal' | 'command' | 'none';
}

export interface MosquittoFilesDeps {
  settings: MosquittoFilesSettings;
  hubUser: string;
  hubPassword: string;
  clusters: () => { id: string; mosquittoHash: string | null }[];
  logger: Logger;
}

export class MosquittoFiles {
  private readonly hubHash: string;
  /** Rewrites run one at a time, so a later change never lands before an earlier one. */
  private queue: Promise<unknown> = Promise.resolve();
  /** A rewrite waiting its turn: later changes join it (it reads the store when it runs). */
  private waiting: Promise<BrokerFilesResult> | null = null;

  constructor(private readonly deps: MosquittoFilesDeps) {
    // Hashed once: the hub's line stays the same across rewrites.
    this.hubHash = mosquittoHash(deps.hubPassword);
  }

  /** Writes both files and tells the broker to reload them; many changes at once cost one reload. */
  update(): Promise<BrokerFilesResult> {
    if (this.waiting) return this.waiting;
    const next = this.queue.then(() => {
      this.waiting = null;
      return this.writeAndReload();
    });
    this.waiting = next;
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async writeAndReload(): Promise<BrokerFilesResult> {
    const { settings, hubUser, logger } = this.deps;
    const users: BrokerUser[] = [{ username: hubUser, hash: this.hubHash }];
    const ids: string[] = [];
    const needsRotation: string[] = [];
    const conflicts: string[] = [];
    for (const c of this.deps.clusters()) {
      if (c.id === hubUser) conflicts.push(c.id);
      else if (!c.mosquittoHash) needsRotation.push(c.id);
      else {
        users.push({ username: c.id, hash: c.mosquittoHash });
        ids.push(c.id);
      }
    }
    const passwordFile = resolve(settings.passwordFile);
    const aclFile = resolve(settings.aclFile);
    try {
      await writeFileAtomic(passwordFile, renderPasswordFile(users), 0o600);
      await writeFileAtomic(aclFile, renderAclFile(hubUser, ids), 0o600);
    } catch (err) {
      throw new LoaError(
        'LOA_BROKER_FILES_FAILED',
        `could not write the Mosquitto files (${passwordFile}, ${aclFile}): ${errorMessage(err)}; check broker.mosquitto paths and that loa-hub may write ` +
          `there.`,
        { status: 500 },
      );
    }
    if (needsRotation.length > 0)
      logger.warn({ clusters: needsRotation }, 'clusters without a Mosquitto password hash left out; `loa clusters rotate-secret` each');
    if (conflicts.length > 0) logger.warn({ clusters: conflicts }, "cluster id equals the hub's broker username; left out");
    const reload = await this.reload();
    logger.info({ passwordFile, aclFile, clusters: ids.length, reload }, 'Mosquitto files written');
    return { passwordFile, aclFile, clusters: ids.length, needsRotation, conflicts, reload };
  }

  private async reload(): Promise<BrokerFilesResult['reload']> {
    const r = this.deps.settings.reload;
    if (r?.pidFile) {
      let pid = NaN;
      try {
        pid = Number.parseInt(readFileSync(r.pidFile, 'utf8').trim(), 10);
        if (!Number.isInteger(pid) || pid <= 1) throw new Error(`no process id in it`);
        process.kill(pid, 'SIGHUP');
      } catch (err) {
        throw new LoaError(
          'LOA_BROKER_RELOAD_FAILED',
          `the Mosquitto files were written but the broker was not told to reload (pid file ${r.pidFile}${Number.isNaN(pid) ? '' : `, pid ${pid}`}: ` +
            `${errorMessage(err)}); check broker.mosquitto.reload.pidFile and that loa-hub may signal it.`,
          { status: 500 },
        );
      }
      return 'signal';
    }
    if (r?.command) {
      const command = r.command;
      await new Promise<void>((ok, fail) =>
        execFile('/bin/sh', ['-c', command], { timeout: 15_000 }, (err, _out, stderr) =>
          err
            ? fail(
                new LoaError(
                  'LOA_BROKER_RELOAD_FAILED',
                  `the Mosquitto files were written but the reload command failed (\`${command}\`: ${stderr.trim() || err.message}); fix ` +
                    `broker.mosquitto.reload.command.`,
                  { status: 500 },
                ),
              )
            : ok(),
        ),
      );
      return 'command';
    }
    this.deps.logger.warn('broker.mosquitto.reload is not set: Mosquitto keeps the old files until it is reloaded');
    return 'none';
  }
}
