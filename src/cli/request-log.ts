/**
 * The server's log as a person reads it on a terminal: one line per request
 * (`12:04:31 GET /api/v1/journey/map 200 41 ms`) and one per message, instead of pino's two JSON
 * objects per request. `--log-format json` (or a log that is not a terminal) keeps pino's JSON.
 */
export type LogFormat = 'pretty' | 'json';

export function defaultLogFormat(stream: NodeJS.WriteStream = process.stderr): LogFormat {
  return stream.isTTY === true ? 'pretty' : 'json';
}

export function parseLogFormat(v: string | undefined, stream?: NodeJS.WriteStream): LogFormat {
  if (v === undefined) return defaultLogFormat(stream);
  if (v === 'pretty' || v === 'json') return v;
  throw new Error(`--log-format: expected pretty or json, got ${JSON.stringify(v)}`);
}

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: '',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

interface Entry {
  level?: number;
  time?: number;
  msg?: string;
  reqId?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  err?: { message?: string };
}

/** A pino destination (anything with `write(line)`) that prints one readable line per request. */
export function prettyRequestLog(out: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): {
  write(chunk: string): void;
} {
  const pending = new Map<string, string>();
  const clock = (t?: number) => new Date(t ?? Date.now()).toISOString().slice(11, 19);
  return {
    write(chunk: string) {
      for (const text of chunk.split('\n')) {
        if (text.trim() === '') continue;
        let e: Entry;
        try {
          e = JSON.parse(text) as Entry;
        } catch {
          out(text);
          continue;
        }
        const level = LEVELS[e.level ?? 30] ?? '';
        if (e.msg === 'incoming request' && e.reqId && e.req) {
          pending.set(e.reqId, `${e.req.method ?? ''} ${e.req.url ?? ''}`);
          continue;
        }
        if (e.msg === 'request completed' && e.reqId) {
          const what = pending.get(e.reqId) ?? '';
          pending.delete(e.reqId);
          const ms = e.responseTime === undefined ? '' : ` ${Math.round(e.responseTime)} ms`;
          out(`${clock(e.time)} ${what} ${e.res?.statusCode ?? ''}${ms}`.replace(/ +/g, ' ').trimEnd());
          continue;
        }
        const msg = e.err?.message && e.err.message !== e.msg ? `${e.msg}: ${e.err.message}` : e.msg;
        out(`${clock(e.time)} ${level ? `${level} ` : ''}${msg ?? text}`);
      }
    },
  };
}
