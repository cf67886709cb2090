// Registering loudspeaker clusters: ids, secrets (shown once, stored as an HMAC), removal
// and secret rotation, which also end the box's current MQTT session.
import type { Clock } from '../../common/clock.js';
import { sentenceError } from '../../common/errors.js';
import { clusterErrors } from './errors.js';
import type { Logger } from '../../common/logger.js';
import { CLUSTER_ID_PATTERN, clusterTopic } from '../../protocol/index.js';
import type { HubMqtt } from '../broker/broker.js';
import { mosquittoHash, type MosquittoFiles } from '../broker/mosquitto-files.js';
import { generateSecret, type SecretVerifier } from '../broker/secrets.js';
import type { EventBus } from '../events.js';
import type { ClusterRow, Store } from '../store/index.js';

export interface ClusterServiceDeps {
  store: Store;
  mqtt: HubMqtt;
  verifier: SecretVerifier;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** External broker mode: Mosquitto's files, rewritten (and the broker reloaded) on every change. */
  brokerFiles?: MosquittoFiles;
}

export class ClusterService {
  constructor(private readonly deps: ClusterServiceDeps) {}

  async add(input: { id: string; name?: string | undefined; village?: string | undefined }): Promise<{ cluster: ClusterRow; secret: string }> {
    const { store, clock } = this.deps;
    if (!CLUSTER_ID_PATTERN.test(input.id)) {
      throw sentenceError('LOA_BAD_CLUSTER_ID', 'cluster.bad-id', { id: input.id });
    }
    if (store.clusters.exists(input.id)) throw sentenceError('LOA_CLUSTER_EXISTS', 'cluster.exists', { id: input.id }, { status: 409 });
    const secret = generateSecret();
    const secretHash = this.deps.verifier.hash(input.id, secret);
    // Mosquitto cannot check the hub's HMAC, so its own is made now, while the secret is known.
    const cluster = store.clusters.add({
      id: input.id,
      name: input.name ?? '',
      village: input.village ?? '',
      secretHash,
      mosquittoHash: mosquittoHash(secret),
      createdAt: clock.now(),
    });
    await this.updateBrokerFiles();
    this.deps.bus.emit('clusterAdded', { clusterId: cluster.id });
    this.deps.logger.info({ clusterId: cluster.id }, 'cluster added');
    return { cluster, secret };
  }

  get(id: string): ClusterRow {
    const c = this.deps.store.clusters.get(id);
    if (!c) throw clusterErrors.notFound(id);
    return c;
  }

  async rotateSecret(id: string): Promise<{ cluster: ClusterRow; secret: string }> {
    this.get(id);
    const secret = generateSecret();
    this.deps.store.clusters.setSecretHash(id, this.deps.verifier.hash(id, secret), mosquittoHash(secret));
    // An external broker drops the box when it re-reads its files; then the hub clears its presence.
    await this.updateBrokerFiles();
    this.deps.mqtt.disconnectDevice(id);
    this.deps.bus.emit('clusterCredentialsChanged', { clusterId: id, removed: false });
    this.deps.logger.info({ clusterId: id }, 'cluster secret rotated; its connection was closed');
    return { cluster: this.get(id), secret };
  }

  async remove(id: string): Promise<void> {
    this.get(id);
    this.deps.store.clusters.remove(id);
    await this.updateBrokerFiles();
    this.deps.mqtt.disconnectDevice(id);
    // Clear its retained messages so nothing of it lingers on the broker.
    await this.deps.mqtt.publish(clusterTopic(id, 'presence'), '', { qos: 1, retain: true });
    await this.deps.mqtt.publish(clusterTopic(id, 'state'), '', { qos: 1, retain: true });
    this.deps.bus.emit('clusterCredentialsChanged', { clusterId: id, removed: true });
    this.deps.logger.info({ clusterId: id }, 'cluster removed');
  }

  /**
   * Rewrites the external broker's files. A failure is logged, not thrown: the store has changed and
   * a new secret must still reach the operator; `loa broker files` retries once the cause is fixed.
   */
  private async updateBrokerFiles(): Promise<void> {
    if (!this.deps.brokerFiles) return;
    try {
      await this.deps.brokerFiles.update();
    } catch (err) {
      this.deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'broker files not updated; run `loa broker files` once fixed');
    }
  }
}
