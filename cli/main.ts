// Entry point of `loa` (bin/loa.js imports this file): runs the CLI on this process's arguments.
// The top-level catch lives in runCli (run.ts) so tests can also run the CLI in-process.
import { runCli } from './run.js';

// `loa log --csv | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
