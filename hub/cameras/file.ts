// The cameras file (hub config `cameras.file`, e.g. config/sites/tu-le/cameras.yaml): a list of
// cameras validated with zod, so a bad entry is reported as file:line:col: path: reason. A
// `passwordFile` is read relative to the cameras file, so the list itself can be shared.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { loadYamlConfig } from '../../common/config-file.js';
import type { CameraSettingsRow } from '../store/cameras.js';
import { CAMERA_ID_PATTERN, DEFAULT_DEVICE_PATH, DEFAULT_ONVIF_PORT, HOST_PATTERN, USER_PATTERN } from './views.js';

/** A camera read from the cameras file, checked like one added by an operator. */
export type FileCamera = CameraSettingsRow;

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters in untrusted text is the point
const noControl = (what: string) => (s: string) => !/[\u0000-\u001f\u007f]/.test(s) || `${what} contains control characters`;

function cameraSchema(baseDir: string) {
  return z
    .strictObject({
      id: z.string().regex(CAMERA_ID_PATTERN, '1-63 lowercase letters, digits and dashes, starting with a letter or digit (e.g. cam-ban-muong-1)'),
      host: z.string().min(1).max(253).regex(HOST_PATTERN, 'a host name or an IP address'),
      port: z.number().int().min(1).max(65535).default(DEFAULT_ONVIF_PORT),
      path: z
        .string()
        .startsWith('/')
        .max(256)
        .regex(/^[^\s?#]*$/, 'no spaces, ? or #')
        .default(DEFAULT_DEVICE_PATH),
      user: z.string().min(1).max(128).regex(USER_PATTERN, 'may not contain ":" (HTTP Digest cannot carry it) nor < > & "'),
      password: z.string().min(1).max(256).optional(),
      /** A file holding the password (first line), relative to this file. */
      passwordFile: z.string().min(1).optional(),
      name: z.string().max(200).refine(noControl('name'), 'contains control characters').optional(),
      village: z.string().max(200).refine(noControl('village'), 'contains control characters').optional(),
    })
    .transform((c, ctx): FileCamera => {
      let password = c.password;
      if (c.password !== undefined && c.passwordFile !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: 'give password or passwordFile, not both' });
      } else if (c.passwordFile !== undefined) {
        const file = resolve(baseDir, c.passwordFile);
        try {
          password = readFileSync(file, 'utf8').split(/\r?\n/)[0];
          if (!password) ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: `${file} is empty` });
        } catch (e) {
          ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
        }
      } else if (c.password === undefined) {
        ctx.addIssue({ code: 'custom', path: ['password'], message: 'give password or passwordFile' });
      }
      return { id: c.id, host: c.host, port: c.port, path: c.path, user: c.user, password: password ?? '', name: c.name || c.id, village: c.village || null };
    });
}

export function camerasFileSchema(baseDir: string) {
  return z.strictObject({ cameras: z.array(cameraSchema(baseDir)).max(10_000).default([]) }).superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.cameras.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `camera id ${c.id} appears twice` });
      seen.add(c.id);
    });
  });
}

/** Reads and checks the cameras file; throws LOA_CONFIG_INVALID / LOA_CONFIG_UNREADABLE. */
export function loadCamerasFile(file: string): FileCamera[] {
  return loadYamlConfig(file, camerasFileSchema(dirname(resolve(file)))).cameras;
}
