import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { SaxesParser } from 'saxes';
import { TouchpointError } from '../core/errors.js';
import {
  buildCaseLog,
  type CaseAttributes,
  type CaseLog,
  type CaseLogOptions,
  checkMapKeys,
  type Observation,
  parseTime,
  STATE_RULE_KEYS,
  stateRules,
} from './case-log.js';

/**
 * Default XES mapping: canonical field → attribute key. Trace attributes name the case; event
 * attributes the rest. Nested attributes are flattened with dots (`parent.child`).
 */
export const XES_DEFAULT_MAP: Readonly<Record<string, string>> = {
  case_id: 'concept:name',
  ts: 'time:timestamp',
  team: 'org:group',
  agent: 'org:resource',
  activity: 'concept:name',
  type: '',
  transfer_reason: '',
  customer_id: '',
  reason: '',
  channel: '',
  product: '',
  priority: '',
  state: '',
};

/** Every key `--map` takes for an XES log: the fields, then the state rules. */
export const XES_MAP_KEYS: readonly string[] = [...Object.keys(XES_DEFAULT_MAP), ...STATE_RULE_KEYS];

const VALUE_TAGS = new Set(['string', 'date', 'int', 'float', 'boolean', 'id', 'list', 'container']);

function toValue(tag: string, v: string): unknown {
  if (tag === 'int') return Number.parseInt(v, 10);
  if (tag === 'float') return Number(v);
  if (tag === 'boolean') return v === 'true';
  return v;
}

/**
 * Reads an IEEE XES event log (plain or gzipped, detected from its first bytes), streaming with
 * saxes. Each `<trace>` is a case, each `<event>` an observation (see buildCaseLog for the event
 * types). A file that is not well-formed XML, or an event without a case id or timestamp, throws a
 * TouchpointError naming the line; nothing is returned, so nothing is loaded.
 */
export async function readXes(path: string, options: CaseLogOptions = {}): Promise<CaseLog> {
  checkMapKeys(options.map ?? {}, XES_MAP_KEYS, 'xes');
  // Fast pass without position tracking; a file with any error is read again with positions so the
  // error names its line (errors are rare, speed matters for the rest).
  try {
    return await parseXes(path, options, false);
  } catch (e) {
    if (e instanceof TouchpointError && e.message.endsWith('no such file')) throw e;
    return parseXes(path, options, true);
  }
}

async function parseXes(path: string, options: CaseLogOptions, positions: boolean): Promise<CaseLog> {
  const source = options.source ?? path;
  const map = { ...XES_DEFAULT_MAP, ...(options.map ?? {}) };
  const rules = stateRules(options.map ?? {});
  const observations: Observation[] = [];
  const caseAttrs = new Map<string, CaseAttributes & { line: number }>();
  const parser = new SaxesParser({ position: positions });
  // where we are: 'log' | 'trace' | 'event'; attribute key path for nested attributes
  let scope: 'log' | 'trace' | 'event' = 'log';
  const keyStack: string[] = [];
  let traceAttrs: Record<string, unknown> = {};
  let traceLine = 0;
  let traceEvents: { attrs: Record<string, unknown>; line: number; tsLine: number }[] = [];
  let eventAttrs: Record<string, unknown> = {};
  let eventLine = 0;
  let eventTsLine = 0;
  let seenLog = false;
  let failure: Error | undefined;

  const bad = (line: number, field: string, message: string): TouchpointError =>
    new TouchpointError('invalid_input', `${source}:${line}: ${field}: ${message} (nothing was imported)`, {
      details: [{ file: source, line, field, message }],
    });

  // attributes that became columns are not repeated in properties
  const mapped = new Set(
    [map.ts, map.team, map.agent, map.activity, map.type, map.transfer_reason, map.state].filter(Boolean),
  );
  const extras = (attrs: Record<string, unknown>): Record<string, unknown> | null => {
    let out: Record<string, unknown> | null = null;
    for (const k in attrs) {
      if (mapped.has(k)) continue;
      out ??= {};
      out[k] = attrs[k];
    }
    return out;
  };
  const str = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));
  const pick = (attrs: Record<string, unknown>, field: string): string | null =>
    map[field] ? str(attrs[map[field]!]) : null;

  const endTrace = () => {
    const caseId = str(traceAttrs[map.case_id!]);
    if (!caseId) throw bad(traceLine, map.case_id!, 'trace without a case id');
    const fromFirst = traceEvents[0]?.attrs ?? {};
    const attr = (f: string) => pick(traceAttrs, f) ?? pick(fromFirst, f);
    caseAttrs.set(caseId, {
      line: traceLine,
      customer_id: attr('customer_id'),
      reason: attr('reason'),
      channel: attr('channel'),
      product: attr('product'),
      priority: attr('priority'),
      properties: Object.keys(traceAttrs).length ? traceAttrs : null,
    });
    for (const e of traceEvents) {
      const raw = e.attrs[map.ts!];
      if (raw === undefined) throw bad(e.line, map.ts!, 'event without a timestamp');
      observations.push({
        caseId,
        ts: parseTime(String(raw), { source, line: e.tsLine, field: map.ts! }),
        line: e.line,
        team: pick(e.attrs, 'team'),
        agent: pick(e.attrs, 'agent'),
        activity: pick(e.attrs, 'activity'),
        type: pick(e.attrs, 'type'),
        state: pick(e.attrs, 'state'),
        transferReason: pick(e.attrs, 'transfer_reason'),
        properties: extras(e.attrs),
      });
    }
  };

  parser.on('opentag', (tag) => {
    if (failure) return; // after the first XML error nothing is trusted
    const name = tag.name;
    if (name === 'log') {
      seenLog = true;
      return;
    }
    if (name === 'trace') {
      scope = 'trace';
      traceAttrs = {};
      traceEvents = [];
      traceLine = parser.line;
      return;
    }
    if (name === 'event') {
      if (scope === 'trace') {
        scope = 'event';
        eventAttrs = {};
        eventLine = parser.line;
      }
      return;
    }
    if (VALUE_TAGS.has(name) && (scope === 'trace' || scope === 'event')) {
      const key = tag.attributes.key;
      const k = typeof key === 'string' ? key : '';
      keyStack.push(k);
      const v = tag.attributes.value;
      if (typeof v === 'string' && name !== 'list' && name !== 'container') {
        const path = keyStack.join('.');
        (scope === 'event' ? eventAttrs : traceAttrs)[path] = toValue(name, v);
        if (scope === 'event' && path === map.ts) eventTsLine = parser.line;
      }
    }
  });
  parser.on('closetag', (tag) => {
    if (failure) return;
    const name = tag.name;
    if (name === 'event' && scope === 'event') {
      traceEvents.push({ attrs: eventAttrs, line: eventLine, tsLine: eventTsLine || eventLine });
      eventTsLine = 0;
      scope = 'trace';
      if (options.onProgress && (observations.length + traceEvents.length) % 50_000 === 0)
        options.onProgress({
          phase: 'reading XES',
          done: observations.length + traceEvents.length,
          unit: 'events',
        });
    } else if (name === 'trace' && scope === 'trace') {
      endTrace();
      scope = 'log';
    } else if (VALUE_TAGS.has(name) && (scope === 'trace' || scope === 'event')) keyStack.pop();
  });
  parser.on('error', (e: Error) => {
    failure ??= e;
  });

  const head = await firstBytes(path);
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const stream = gz ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  stream.setEncoding('utf8');
  try {
    for await (const chunk of stream) {
      parser.write(chunk as string);
      if (failure) break;
    }
    if (!failure) parser.close();
  } catch (e) {
    if (e instanceof TouchpointError) throw e;
    if (!failure) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new TouchpointError('invalid_input', `${source}: no such file`);
      if (gz)
        throw new TouchpointError(
          'invalid_input',
          `${source}: not a valid gzip file (${(e as Error).message})`,
        );
      failure = e as Error;
    }
  } finally {
    if ('destroy' in stream) stream.destroy();
  }
  if (failure) {
    const m = /(\d+):(\d+): (.*)$/s.exec(failure.message);
    const line = m ? Number(m[1]) : parser.line;
    throw bad(line, '(xml)', m ? m[3]! : failure.message);
  }
  if (!seenLog) throw bad(1, '(xml)', 'not an XES log: no <log> element');
  options.onProgress?.({
    phase: 'reading XES',
    done: observations.length,
    total: observations.length,
    unit: 'events',
  });
  return buildCaseLog(observations, caseAttrs, [], rules);
}

async function firstBytes(path: string): Promise<Buffer> {
  const { open } = await import('node:fs/promises');
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, 'r');
    const buf = Buffer.alloc(2);
    await fh.read(buf, 0, 2, 0);
    return buf;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new TouchpointError('invalid_input', `${path}: no such file`);
    throw e;
  } finally {
    await fh?.close();
  }
}
