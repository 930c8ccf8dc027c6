import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raw, type Store, sql } from '../store/index.js';

/**
 * Bulk staging for the generator: rows are written as CSV to temporary files while the simulation
 * runs, in chunks; each finished chunk is loaded with DuckDB's parallel `read_csv` (one INSERT …
 * SELECT per table) while JavaScript simulates the next chunk, so simulation and loading overlap on
 * the two cores. Measured on this machine this beats the appender (one N-API call per value) by a wide
 * margin for 10M events; see docs/demo.md.
 */
export type StageType = 'varchar' | 'double' | 'integer' | 'timestamp' | 'json' | 'boolean';
export type StageValue = string | number | boolean | null | undefined;

export interface StageTable {
  readonly table: string;
  readonly columns: readonly (readonly [name: string, type: StageType])[];
}

const CSV_TYPE: Record<StageType, string> = {
  varchar: 'VARCHAR',
  json: 'VARCHAR',
  double: 'DOUBLE',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  timestamp: 'BIGINT',
};

const NEEDS_QUOTE = /[",\n\r]/;

function cell(type: StageType, v: StageValue): string {
  if (v === null || v === undefined) return '';
  switch (type) {
    case 'varchar':
    case 'json': {
      const s = String(v);
      return NEEDS_QUOTE.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    }
    case 'timestamp':
      return String(Math.round(v as number));
    default:
      return String(v);
  }
}

const BUFFER_BYTES = 1 << 20;

/**
 * One table's CSV file of one chunk. Lines are encoded straight into a reused buffer, so the line
 * strings die young (collecting them in an array to join later promoted them to the old generation
 * and garbage collection took most of the time).
 */
export class StageFile {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private pos = 0;
  private closed = false;
  rows = 0;

  constructor(
    readonly spec: StageTable,
    readonly path: string,
  ) {
    this.fd = openSync(path, 'w');
  }

  write(values: readonly StageValue[]): void {
    const cols = this.spec.columns;
    let line = cell(cols[0]![1], values[0]);
    for (let i = 1; i < cols.length; i++) line += `,${cell(cols[i]![1], values[i])}`;
    this.writeLine(`${line}\n`);
  }

  /** Appends one complete CSV line (ending in a newline) that the caller built and escaped. */
  writeLine(line: string): void {
    // a UTF-16 code unit takes at most 3 bytes in UTF-8
    if (this.pos + line.length * 3 > BUFFER_BYTES) {
      this.flush();
      if (line.length * 3 > BUFFER_BYTES) {
        writeSync(this.fd, line);
        this.rows++;
        return;
      }
    }
    this.pos += this.buf.write(line, this.pos);
    this.rows++;
  }

  private flush(): void {
    if (this.pos === 0) return;
    writeSync(this.fd, this.buf, 0, this.pos);
    this.pos = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    closeSync(this.fd);
    this.closed = true;
  }
}

/** CSV text of one value of a column type: null is empty; strings are quoted only when needed. */
export function csvCell(type: StageType, v: StageValue): string {
  return cell(type, v);
}

/** Staging files for a set of tables, in a private temporary directory, cut into chunks. */
export class Stage {
  private readonly dir: string;
  private readonly specs: readonly StageTable[];
  private readonly index = new Map<string, number>();
  private current: StageFile[] = [];
  private readonly totals: number[];
  private chunk = 0;

  constructor(specs: readonly StageTable[]) {
    this.dir = mkdtempSync(join(tmpdir(), 'touchpoint-demo-'));
    this.specs = specs;
    for (const [i, s] of specs.entries()) this.index.set(s.table, i);
    this.totals = specs.map(() => 0);
    this.open();
  }

  private open(): void {
    this.chunk++;
    this.current = this.specs.map((s) => new StageFile(s, join(this.dir, `${s.table}-${this.chunk}.csv`)));
  }

  /** A row writer for one table; it follows the chunks. */
  writer(table: string): (values: readonly StageValue[]) => void {
    const i = this.index.get(table);
    if (i === undefined) throw new Error(`no staging file for ${table}`);
    return (values) => {
      this.current[i]!.write(values);
      this.totals[i]!++;
    };
  }

  /** A writer of pre-built CSV lines for one table (the hot path for events). */
  lineWriter(table: string): (line: string) => void {
    const i = this.index.get(table);
    if (i === undefined) throw new Error(`no staging file for ${table}`);
    return (line) => {
      this.current[i]!.writeLine(line);
      this.totals[i]!++;
    };
  }

  /** Rows written to a table so far, over all chunks. */
  rows(table: string): number {
    const i = this.index.get(table);
    return i === undefined ? 0 : this.totals[i]!;
  }

  /** Every table's rows so far. */
  allRows(): Record<string, number> {
    return Object.fromEntries(this.specs.map((s, i) => [s.table, this.totals[i]!]));
  }

  /** Closes the current chunk and starts the next; returns the closed chunk's files. */
  cut(): StageFile[] {
    const done = this.current;
    for (const f of done) f.close();
    this.open();
    return done;
  }

  dispose(): void {
    for (const f of this.current) f.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Loads closed staging files into their tables (one INSERT … SELECT from read_csv each), then deletes them. */
export async function loadFiles(db: Store, files: readonly StageFile[]): Promise<void> {
  for (const f of files) {
    if (f.rows > 0) {
      // Table and column names are constants written in the generator's code, never input.
      const names = f.spec.columns.map(([n]) => `"${n}"`).join(', ');
      const exprs = f.spec.columns
        .map(([n, t]) => (t === 'timestamp' ? `epoch_ms("${n}")` : t === 'json' ? `"${n}"::JSON` : `"${n}"`))
        .join(', ');
      const struct = f.spec.columns.map(([n, t]) => `'${n}': '${CSV_TYPE[t]}'`).join(', ');
      await db.exec(sql`INSERT INTO ${raw(`"${f.spec.table}"`)} (${raw(names)})
        SELECT ${raw(exprs)} FROM read_csv(${f.path}, header = false, delim = ',', quote = '"', escape = '"',
          auto_detect = false, columns = {${raw(struct)}})`);
    }
    rmSync(f.path, { force: true });
  }
}
