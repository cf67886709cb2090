// A connection pool for fetch that trusts one more CA (the hub's own, hub/tls/pki.ts) besides the
// system's, the way a browser does once that CA is installed; for the CLI and the demo.
// Node bundles undici as its fetch but does not export it; its Agent class is reached through
// the global dispatcher undici registers under its documented cross-version symbol, rather than
// adding the undici package as a second copy of what Node already carries.
import { rootCertificates } from 'node:tls';

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

type AgentClass = new (opts: { connect: { ca: string[] } }) => unknown;

/** A value for fetch's `dispatcher` option (Node's extension of RequestInit). */
export async function caDispatcher(pem: string | Buffer): Promise<unknown> {
  const g = globalThis as unknown as Record<symbol, { constructor: AgentClass } | undefined>;
  // The global dispatcher is made on the first fetch; a data: URL makes it without a connection.
  if (!g[GLOBAL_DISPATCHER]) await fetch('data:,').catch(() => undefined);
  const Agent = g[GLOBAL_DISPATCHER]?.constructor;
  if (!Agent) throw new Error("this Node has no undici dispatcher to trust the hub's CA with");
  return new Agent({ connect: { ca: [...rootCertificates, pem.toString()] } });
}

/** fetch's init with that dispatcher. */
export function withDispatcher(init: RequestInit, dispatcher: unknown): RequestInit {
  return dispatcher ? ({ ...init, dispatcher } as RequestInit) : init;
}
