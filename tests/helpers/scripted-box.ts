// A scripted box for hub tests: a real MQTT.js client that answers like loa-edge would (accepted,
// started and, unless told not to, finished), without playing anything. The simulator and
// loa-edge have their own suites; this is for the hub's side of the protocol.
import type { MqttClient } from 'mqtt';
import { clusterTopic, commandSchema, type Command } from '../../protocol/index.js';
import { connectDevice } from './mqtt.js';

export interface ScriptedBox {
  client: MqttClient;
  /** Every command received, parsed, with the time it arrived. */
  received: Command[];
  receivedAt: number[];
}

export interface ScriptedBoxOptions {
  /** Report `finished` 200 ms after starting (default true). */
  finish?: boolean;
  /** After presence, report a state whose lastSeq is this (the highest sequence the box has seen), as loa-edge does on connect. */
  lastSeq?: number;
  /** Take commands (default true); false: subscribe to nothing, so every command to it is lost. */
  subscribe?: boolean;
  /** Answer commands (default true); false: take them in silence. */
  answer?: boolean;
}

/** Connects as cluster `id`, says it is online, and answers plays (and stops) like a box. */
export async function scriptedBox(mqttUrl: string, id: string, secret: string, opts: ScriptedBoxOptions = {}): Promise<ScriptedBox> {
  const c = await connectDevice(mqttUrl, id, secret);
  const received: Command[] = [];
  const receivedAt: number[] = [];
  c.on('message', (_topic, payload) => {
    const cmd = commandSchema.parse(JSON.parse(payload.toString()));
    received.push(cmd);
    receivedAt.push(Date.now());
    if (opts.answer === false) return;
    const ack = (status: string, extra: object = {}) =>
      c.publish(clusterTopic(id, 'ack'), JSON.stringify({ v: 1, cmdId: cmd.id, seq: cmd.seq, status, at: Date.now(), ...extra }), { qos: 1 });
    if (cmd.type === 'play') {
      ack('accepted');
      // A late command joins where the others are, as loa-edge does (daemon/playback/playback.ts).
      ack('started', { positionMs: Math.max(0, Date.now() - cmd.startAt) });
      if (opts.finish !== false) setTimeout(() => ack('finished'), 200);
    }
    if (cmd.type === 'stop') {
      const play = received.filter((r) => r.type === 'play').at(-1);
      if (play)
        c.publish(clusterTopic(id, 'ack'), JSON.stringify({ v: 1, cmdId: play.id, seq: play.seq, status: 'stopped', reason: 'stop-command', at: Date.now() }), {
          qos: 1,
        });
    }
  });
  if (opts.subscribe !== false) await c.subscribeAsync(clusterTopic(id, 'cmd'), { qos: 1 });
  await c.publishAsync(clusterTopic(id, 'presence'), JSON.stringify({ v: 1, status: 'online', at: Date.now() }), { qos: 1, retain: true });
  if (opts.lastSeq !== undefined) {
    const state = { v: 1, at: Date.now(), playing: null, volume: 80, lastSeq: opts.lastSeq };
    await c.publishAsync(clusterTopic(id, 'state'), JSON.stringify(state), { qos: 1, retain: true });
  }
  return { client: c, received, receivedAt };
}
