/**
 * Progress while a phase runs: one line a second on stderr, e.g. `bptl: 812/2000 completed, 94/s`, where the
 * rate is over the last second.
 */

export interface Progress {
  /** Starts printing; `count` is read once a second. */
  begin(count: () => number): void;
  /** Stops, printing the final line (once). */
  end(): void;
}

export function progress(
  label: string,
  total: number,
  verb: string,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Progress {
  let timer: NodeJS.Timeout | undefined;
  let read: () => number = () => 0;
  let last = { at: 0, count: 0 };
  let started = 0;
  const line = (final: boolean) => {
    const now = Date.now();
    const count = read();
    const rate = final
      ? (count / Math.max(1, now - started)) * 1000
      : ((count - last.count) / Math.max(1, now - last.at)) * 1000;
    last = { at: now, count };
    write(`${label}: ${count}/${total} ${verb}, ${Math.round(rate)}/s${final ? ' overall' : ''}`);
  };
  return {
    begin(count) {
      read = count;
      started = Date.now();
      last = { at: started, count: 0 };
      timer = setInterval(() => line(false), 1_000);
    },
    end() {
      if (!timer) return;
      clearInterval(timer);
      timer = undefined;
      line(true);
    },
  };
}
