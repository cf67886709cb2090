// A progress line on stderr: redrawn in place on a terminal, plain lines (one per step) in a log
// or a pipe, so stdout keeps only the result (and nothing but JSON with --json).

export interface Progress {
  /** key groups updates: off a terminal a line is written only when the key changes. */
  update(key: string, text: string): void;
  /** Ends the line on a terminal so what follows starts on a fresh line. */
  end(): void;
}

export function createProgress(stream: { write(text: string): unknown; isTTY?: boolean }, now: () => number): Progress {
  const tty = stream.isTTY === true;
  let lastKey: string | undefined;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(key, text) {
      if (tty) {
        // Redraw at most ~10 times a second, but always on a new step.
        const t = now();
        if (key === lastKey && t - lastDraw < 100) return;
        stream.write(`\r\x1b[2K${text}`);
        lastDraw = t;
        drawn = true;
      } else if (key !== lastKey) {
        stream.write(`${text}\n`);
      }
      lastKey = key;
    },
    end() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
