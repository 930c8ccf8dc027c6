import { TouchpointError } from '../../core/errors.js';
import { sql } from '../sql.js';
import type { Store } from '../store.js';
import { foundation } from './0001-foundation.js';
import { ingest } from './0010-ingest.js';
import { eventsBulk } from './0011-events-bulk.js';
import { identityNodes } from './0012-identity-nodes.js';
import { journeyIndexMigration } from './0020-journey-index.js';
import { feedbackMigration } from './0030-feedback.js';
import { feedbackLabelsMigration } from './0032-feedback-labels.js';
import { personasMigration } from './0060-personas.js';
import { personaSetsMigration } from './0062-persona-sets.js';
import { healthMigration } from './0070-health.js';
import { snapshotsRemeasureMigration } from './0072-snapshots-remeasure.js';
import { experimentsMigration } from './0080-experiments.js';
import { goalsMigration } from './0082-goals.js';
import { findingMembersMigration } from './0085-finding-members.js';
import { peopleMigration } from './0090-people.js';
import { monitorsMigration } from './0100-monitors.js';
import { notifyMigration } from './0110-notify.js';
import type { Migration } from './types.js';

/**
 * Every migration, in order. Reserved version ranges so capabilities never collide:
 * 1–9 foundation · 10–19 ingest · 20–29 journeys · 30–39 feedback · 40–49 cases ·
 * 50–59 server · 60–69 personas · 70–79 health · 80–89 experiments · 90–99 people · 100–109 monitors ·
 * 110–119 notify and automations.
 */
export const migrations: readonly Migration[] = [
  foundation,
  ingest,
  eventsBulk,
  identityNodes,
  journeyIndexMigration,
  feedbackMigration,
  feedbackLabelsMigration,
  personasMigration,
  personaSetsMigration,
  healthMigration,
  snapshotsRemeasureMigration,
  experimentsMigration,
  goalsMigration,
  findingMembersMigration,
  peopleMigration,
  monitorsMigration,
  notifyMigration,
];

export async function migrate(store: Store, list: readonly Migration[] = migrations): Promise<number[]> {
  const sorted = [...list].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (i > 0 && sorted[i - 1]!.version === m.version) {
      throw new TouchpointError('internal', `two migrations share version ${m.version}`);
    }
  });
  await store.exec(sql`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`);
  const done = new Set(
    (await store.all<{ version: number }>(sql`SELECT version FROM schema_migrations`)).map((r) => r.version),
  );
  const newest = Math.max(0, ...done);
  const known = new Set(sorted.map((m) => m.version));
  if ([...done].some((v) => !known.has(v))) {
    throw new TouchpointError(
      'conflict',
      `this database was migrated by a newer Touchpoint (schema version ${newest}); upgrade Touchpoint to open it`,
    );
  }
  const applied: number[] = [];
  for (const m of sorted) {
    if (done.has(m.version)) continue;
    await store.transaction(async (tx) => {
      if (typeof m.up === 'function') await m.up(tx);
      else for (const stmt of m.up) await tx.exec(stmt);
      await tx.exec(
        sql`INSERT INTO schema_migrations VALUES (${m.version}, ${m.name}, current_timestamp::TIMESTAMP)`,
      );
    });
    applied.push(m.version);
  }
  return applied;
}
