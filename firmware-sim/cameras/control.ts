// The simulator's camera control server (loa-sim --control-port): a small HTTP API on 127.0.0.1 that
// lets a person or a test list the simulated cameras and, while they run, switch faults, raise
// motion and reboot one. Built apart from listen() so it can be injected into (fastify's pattern).
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from '../../common/logger.js';
import type { CameraFaults, SimCamera } from './camera.js';
import { describeIssues, faultsPatchSchema, motionBodySchema } from './fault-spec.js';

/** What the control server says about one camera. */
export interface CameraControlView {
  /** 1-based, as on the command line (--camera-faults 2:dead). */
  number: number;
  name: string;
  host: string;
  port: number;
  deviceUrl: string;
  faults: CameraFaults;
  motion: boolean;
  subscriptions: number;
}

export function cameraControlView(cam: SimCamera, index: number): CameraControlView {
  return {
    number: index + 1,
    name: cam.name,
    host: cam.host,
    port: cam.port,
    deviceUrl: cam.deviceUrl,
    faults: { ...cam.faults },
    motion: cam.motion,
    subscriptions: cam.subscriptionCount,
  };
}

class ControlError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function buildControlApp(cameras: readonly SimCamera[], logger: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    // Each change is logged once below, in the simulator's words; per-request lines would only repeat it.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
  });
  // Errors are { error: "sentence" }: a person reads them in curl, a test matches them.
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply: FastifyReply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) logger.warn({ err }, 'camera control request failed');
    void reply.code(status).send({ error: err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({
      error: `${req.method} ${req.url.split('?')[0]} is not a control route; see docs/simulator.md (GET /cameras, POST /cameras/{n}/faults|motion|restart).`,
    });
  });

  const camera = (param: string): [SimCamera, number] => {
    const n = /^\d+$/.test(param) ? Number(param) : NaN;
    const cam = cameras[n - 1];
    if (!cam) throw new ControlError(404, `no camera ${param}; cameras are numbered 1-${cameras.length}`);
    return [cam, n - 1];
  };
  type NParams = { Params: { n: string } };

  app.get('/cameras', async () => ({ cameras: cameras.map(cameraControlView) }));
  app.get<NParams>('/cameras/:n', async (req) => cameraControlView(...camera(req.params.n)));

  app.post<NParams>('/cameras/:n/faults', async (req) => {
    const [cam, i] = camera(req.params.n);
    if (req.body === undefined || req.body === null)
      throw new ControlError(400, 'send a JSON object such as {"dead": true} or {"slowMs": 2500} (Content-Type: application/json)');
    const parsed = faultsPatchSchema.safeParse(req.body);
    if (!parsed.success) throw new ControlError(400, `bad faults for camera ${i + 1}: ${describeIssues(parsed.error)}`);
    cam.setFaults(parsed.data);
    logger.info({ camera: cam.name, faults: cam.faults }, 'camera faults changed');
    return cameraControlView(cam, i);
  });

  app.post<NParams>('/cameras/:n/motion', async (req) => {
    const [cam, i] = camera(req.params.n);
    const parsed = motionBodySchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new ControlError(400, `bad motion request for camera ${i + 1}: ${describeIssues(parsed.error)}`);
    cam.triggerMotion(parsed.data.durationMs);
    logger.info({ camera: cam.name, durationMs: parsed.data.durationMs }, 'camera motion');
    return cameraControlView(cam, i);
  });

  app.post<NParams>('/cameras/:n/restart', async (req) => {
    const [cam, i] = camera(req.params.n);
    await cam.restart();
    logger.info({ camera: cam.name }, 'camera restarted');
    return cameraControlView(cam, i);
  });
  return app;
}

export interface ControlServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 only: the routes have no authentication, and anyone who can reach them can
 * kill every camera, which is fine for the person at the machine and nobody else.
 */
export async function startControlServer(opts: { cameras: readonly SimCamera[]; port: number; logger: Logger }): Promise<ControlServer> {
  const app = buildControlApp(opts.cameras, opts.logger);
  await app.listen({ host: '127.0.0.1', port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
