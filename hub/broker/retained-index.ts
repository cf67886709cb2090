// aedes' in-memory persistence finds the retained messages for a new subscription by testing every
// retained topic against the filter. A box subscribes to three exact topics (its cmd, time and
// plan) and every box has retained presence, state and plan: connecting N boxes costs N × 3 × 3N
// topic tests. With 10,000 clusters that took 240 s of connection time, 41 % of the hub's CPU in
// that scan (bench ingest, docs/benchmarks.md). This keeps an index by topic beside the
// persistence's own map and answers exact filters from it; a filter with a wildcard (the hub's own
// subscriptions, a handful) still goes to aedes' scan.
import { Readable } from 'node:stream';
import memoryPersistence from 'aedes-persistence';

/** What this module reads of a retained PUBLISH packet. */
interface Packet {
  topic: string;
  payload: Buffer | string;
}

/** aedes' default persistence: a CommonJS factory (its typings declare an ES default export). */
type Persistence = object;
const createMemoryPersistence = memoryPersistence as unknown as () => Persistence;

/** The promise-based store inside aedes-persistence's callback wrapper (its typings leave it out). */
interface AsyncStore {
  storeRetained(packet: Packet): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): Readable;
  createRetainedStream(pattern: string): Readable;
}

const isExact = (filter: string): boolean => !filter.includes('+') && !filter.includes('#');

/** aedes' memory persistence with retained messages indexed by exact topic. */
export function indexedMemoryPersistence(): Persistence {
  const persistence = createMemoryPersistence();
  const inner = (persistence as unknown as { asyncPersistence: AsyncStore }).asyncPersistence;
  const byTopic = new Map<string, Packet>();
  const store = inner.storeRetained.bind(inner);
  const combi = inner.createRetainedStreamCombi.bind(inner);
  const single = inner.createRetainedStream.bind(inner);
  // The same rule as aedes-persistence: an empty payload clears the topic; the packet is copied.
  inner.storeRetained = async (packet) => {
    await store(packet);
    if (packet.payload.length === 0) byTopic.delete(packet.topic);
    else byTopic.set(packet.topic, Object.assign({}, packet));
  };
  const lookup = (filters: string[]): Readable => Readable.from(filters.flatMap((f) => byTopic.get(f) ?? []));
  inner.createRetainedStreamCombi = (patterns) => (patterns.every(isExact) ? lookup(patterns) : combi(patterns));
  inner.createRetainedStream = (pattern) => (isExact(pattern) ? lookup([pattern]) : single(pattern));
  return persistence;
}
