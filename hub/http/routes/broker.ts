// /api/v1/broker: the external broker's files (docs/external-broker.md). `POST /broker/files`
// rewrites Mosquitto's password and ACL files from the store, reloads the broker and says what it wrote.
import type { FastifyInstance } from 'fastify';
import { LoaError } from '../../../common/errors.js';
import type { MosquittoFiles } from '../../broker/mosquitto-files.js';
import type { BrokerFiles } from '../api.js';
import type { HttpContext } from '../context.js';

const operator = { roles: ['operator'] as const };

export function brokerRoutes(app: FastifyInstance, ctx: HttpContext, files: MosquittoFiles | null): void {
  app.post('/api/v1/broker/files', { config: operator }, async (req): Promise<BrokerFiles> => {
    if (ctx.config.broker.mode !== 'external') {
      throw new LoaError(
        'LOA_BROKER_EMBEDDED',
        'this hub runs its embedded broker, which needs no broker files; set broker.mode: external and broker.mosquitto in the hub config to use Mosquitto ' +
          '(docs/external-broker.md).',
        { status: 409 },
      );
    }
    if (!files) {
      throw new LoaError(
        'LOA_BROKER_FILES_UNCONFIGURED',
        'broker.mosquitto is not set, so this hub writes no Mosquitto files; add broker.mosquitto.passwordFile and aclFile to the hub config ' +
          '(docs/external-broker.md).',
        { status: 409 },
      );
    }
    const result = await files.update();
    req.log.info({ clusters: result.clusters, needsRotation: result.needsRotation.length }, 'broker files rewritten');
    return result;
  });
}
