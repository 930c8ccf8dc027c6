/**
 * The README's server quick start, run as written: its shell block (sign in → create a key → send a
 * first event → read the summary) through bash and curl against a real `touchpoint serve`, so the
 * README cannot drift from what the server accepts. The only substitutions: the server listens on a
 * free port (the README's 4680 may be taken) and its data directory is a temporary one.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, ROOT, startChild, tempDir } from './test-harness.js';

const README = readFileSync(`${ROOT}/README.md`, 'utf8');
const section = README.slice(README.indexOf('## The server'), README.indexOf('## Documentation'));
const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
const lines = block.split('\n');
const serveLine = lines.find((l) => l.includes('touchpoint serve')) ?? '';
const password = /TOUCHPOINT_ADMIN_PASSWORD='([^']+)'/.exec(serveLine)?.[1];
const readmeUrl = /http:\/\/127\.0\.0\.1:(\d+)/.exec(block)?.[0];
const hasCurl = spawnSync('curl', ['--version']).status === 0;

/** The JSON values written one after another in `text`. */
function jsonValues(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '}') continue;
    try {
      out.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
      start = i + 1;
    } catch {
      // not the end of this value yet
    }
  }
  expect(text.slice(start).trim()).toBe('');
  return out;
}

describe.skipIf(!hasCurl)("the README's server quick start (bash + curl)", () => {
  let server: ChildServer;
  const cwd = tempDir('tp-readme-');
  beforeAll(async () => {
    expect(password, 'the serve line sets TOUCHPOINT_ADMIN_PASSWORD').toBeDefined();
    server = await startChild({ env: { TOUCHPOINT_ADMIN_PASSWORD: password! } });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('signs in, creates a key, ingests one event and reads the summary', () => {
    expect(serveLine).toMatch(/touchpoint serve --port \d+ --data-dir \S+/);
    expect(readmeUrl).toBeDefined();
    // everything after the serve line, as the README prints it, against this server
    const script = lines
      .filter((l) => l !== serveLine)
      .join('\n')
      .replaceAll(readmeUrl!, server.url.replace(/\/$/, ''));
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // two JSON answers back to back (curl adds no newline): the ingest report, then the summary
    const answers = jsonValues(r.stdout);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatchObject({ committed: true, rowsStored: 1 });
    expect(JSON.stringify(answers[1])).toContain('"events"');
  });
});
