// The hub's event bus isolates listeners: one that throws (or rejects) is logged with its owner
// and the event, and every other listener still hears the event.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.js';
import { EventBus } from '../hub/events.js';

function loggedBus(): { bus: EventBus; lines: () => Record<string, unknown>[] } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  const bus = new EventBus(createLogger({ name: 'test', level: 'info', destination: out }));
  return {
    bus,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

class Scheduler {}

describe('event bus', () => {
  it('a throwing listener does not silence the others, and is logged once with its owner and the event', () => {
    const { bus, lines } = loggedBus();
    const heard: string[] = [];
    bus.on('metrics', 'clusterAdded', ({ clusterId }) => heard.push(`metrics ${clusterId}`));
    bus.on(new Scheduler(), 'clusterAdded', () => {
      throw new Error('boom');
    });
    bus.on('alarms', 'clusterAdded', ({ clusterId }) => heard.push(`alarms ${clusterId}`));
    bus.emit('clusterAdded', { clusterId: 'c1' });
    expect(heard).toEqual(['metrics c1', 'alarms c1']);
    const errors = lines().filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ owner: 'Scheduler', event: 'clusterAdded', err: { message: 'boom' } });
  });

  it('an async listener that rejects is logged with its owner name, not left as an unhandled rejection', async () => {
    const { bus, lines } = loggedBus();
    const heard: string[] = [];
    bus.on('plan-publisher', 'scheduleChanged', async () => {
      await Promise.resolve();
      throw new Error('disk full');
    });
    bus.on('metrics', 'scheduleChanged', () => heard.push('metrics'));
    bus.emit('scheduleChanged', {});
    for (let i = 0; i < 20 && lines().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(heard).toEqual(['metrics']);
    expect(lines()).toEqual([
      expect.objectContaining({ level: 50, owner: 'plan-publisher', event: 'scheduleChanged', err: expect.objectContaining({ message: 'disk full' }) }),
    ]);
  });

  it("removeListeners drops only that owner's listeners", () => {
    const { bus } = loggedBus();
    const heard: string[] = [];
    bus.on('a', 'clusterAdded', () => heard.push('a'));
    bus.on('b', 'clusterAdded', () => heard.push('b'));
    bus.removeListeners('a');
    bus.emit('clusterAdded', { clusterId: 'c1' });
    expect(heard).toEqual(['b']);
  });
});
