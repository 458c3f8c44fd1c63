/**
 * `npm start`'s console: one readable line per part starting, ready and stopping, and per error,
 * from the parts' own output. The processes themselves keep their JSON logs (npm run api /
 * worker, and production); here a person watches, so every request (each /readyz poll) is left
 * out and only what they need to act on is shown.
 */
const levels: Record<number, string> = { 40: 'warning', 50: 'error', 60: 'fatal' };

interface PinoLine {
  level?: number;
  msg?: string;
  err?: { message?: string };
  status?: number;
  method?: string;
  route?: string;
}

/** The line to show for one line of a part's output, or undefined to leave it out. */
export function readableLine(part: string, line: string): string | undefined {
  const text = line.trim();
  if (!text) return undefined;
  if (text.startsWith('{')) {
    let entry: PinoLine;
    try {
      entry = JSON.parse(text) as PinoLine;
    } catch {
      return `${part}: ${text}`;
    }
    const level = entry.level ?? 30;
    if (entry.msg === 'request') return (entry.status ?? 0) >= 500 ? `${part}: error: ${entry.method} ${entry.route} answered ${entry.status}` : undefined;
    if (level >= 40) return `${part}: ${levels[Math.min(60, Math.floor(level / 10) * 10)] ?? 'error'}: ${entry.msg ?? ''}${entry.err?.message ? ` (${entry.err.message})` : ''}`;
    if (/listening on/.test(entry.msg ?? '')) return `${part}: ready, ${entry.msg}`;
    return undefined;
  }
  // Temporal's worker logger: "<time> [LEVEL] message { meta }".
  const worker = /\[(TRACE|DEBUG|INFO|WARN|ERROR)\]\s+(.*)$/.exec(text);
  if (worker) {
    const [, level, message] = worker as unknown as [string, string, string];
    if (/Worker state changed/.test(message)) {
      if (/RUNNING/.test(message)) return `${part}: ready, polling for work`;
      if (/STOPPING/.test(message)) return `${part}: stopping`;
      return undefined;
    }
    return level === 'WARN' || level === 'ERROR' ? `${part}: ${level === 'WARN' ? 'warning' : 'error'}: ${message}` : undefined;
  }
  // The Temporal dev server's own log: "time=… level=INFO msg=…"; only its errors matter here.
  const server = /level=(\w+)/.exec(text);
  if (server) return /^(ERROR|FATAL)$/i.test(server[1]!) ? `${part}: error: ${/msg="?([^"]*)"?/.exec(text)?.[1] ?? text}` : undefined;
  // Anything else (a crash's stack trace, a message from a tool) is shown as it is.
  return `${part}: ${text}`;
}

const depth = (text: string): number => (text.match(/[{[]/g) ?? []).length - (text.match(/[}\]]/g) ?? []).length;

/**
 * One part's console: Temporal's worker logger prints an entry's details as an object that may
 * run over several lines; they are read as one entry, so none of its lines shows on its own.
 */
export function partConsole(part: string): (line: string) => string | undefined {
  let pending: string | undefined;
  return (line) => {
    if (pending !== undefined) {
      pending += ` ${line.trim()}`;
      if (depth(pending) > 0) return undefined;
      const entry = pending;
      pending = undefined;
      return readableLine(part, entry);
    }
    if (/\[(TRACE|DEBUG|INFO|WARN|ERROR)\]/.test(line) && depth(line) > 0) {
      pending = line.trim();
      return undefined;
    }
    return readableLine(part, line);
  };
}
