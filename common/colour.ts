// Whether a program may write ANSI colour codes to a stream: only to a terminal, never into a file
// or a pipe; NO_COLOR (set and not empty, no-color.org) turns them off, and FORCE_COLOR turns them
// on whatever the stream is (Node's own rule, where FORCE_COLOR wins over NO_COLOR; FORCE_COLOR=0
// or false turns them off). TERM=dumb is a terminal that cannot show them.
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}
