// Loa wire protocol v1: topics, payload schemas and the device-side command checks.
export * from './topics.js';
export * from './schemas.js';
export * from './decode.js';
export * from './command-gate.js';
export * from './signature.js';
export * from './command-ref.js';
