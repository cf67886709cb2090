// Answers the boxes' clock-sync requests at once (NTP-style timestamps over MQTT): the box sends
// t0 on its clock, the hub stamps t1 on arrival and t2 on sending, the box stamps t3 on arrival and
// works out its offset from the samples with the smallest round trip (daemon/clock/sync.ts).
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { allClustersTopic, clusterTopic, decodePayload, parseClusterTopic, PROTOCOL_VERSION } from '../../protocol/index.js';
import type { HubMqtt } from '../broker/broker.js';
import type { DeviceLogLimit } from '../broker/log-limit.js';

export class TimeService {
  answered = 0;

  constructor(private readonly deps: { mqtt: HubMqtt; clock: Clock; logger: Logger; deviceLog: DeviceLogLimit }) {}

  async start(): Promise<void> {
    await this.deps.mqtt.subscribe(allClustersTopic('timereq'), (topic, payload) => {
      const t1 = this.deps.clock.now();
      const parsed = parseClusterTopic(topic);
      if (!parsed) return;
      const d = decodePayload('timereq', payload);
      if (!d.ok) return this.deps.deviceLog.dropped(this.deps.logger, parsed.clusterId, topic, d.reason);
      const answer = { v: PROTOCOL_VERSION, id: d.value.id, t0: d.value.t0, t1: Math.round(t1), t2: Math.round(this.deps.clock.now()) };
      this.answered += 1;
      // QoS 0: a lost answer is a lost sample; the box asks again.
      this.deps.mqtt
        .publish(clusterTopic(parsed.clusterId, 'time'), JSON.stringify(answer), { qos: 0, retain: false })
        .catch((err: unknown) => this.deps.logger.debug({ clusterId: parsed.clusterId, err: String(err) }, 'time answer not sent'));
    });
  }
}
