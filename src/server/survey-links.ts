import { sha256, token } from '../accounts/index.js';
import { sql } from '../store/index.js';
import type { ServerState } from './state.js';

/**
 * Survey links in the server state: personal single-use tokens (one per respondent, stored as
 * SHA-256), and public per-survey links that hand each new respondent a fresh single-use token.
 */
export class SurveyLinks {
  constructor(private readonly state: ServerState) {}

  async issueSurveyTokens(input: {
    workspace: string;
    surveyId: string;
    customerIds: readonly (string | null)[];
    expiresAt: Date | null;
  }): Promise<string[]> {
    const tokens = input.customerIds.map(() => token(24));
    const now = new Date();
    await this.state.q((db) =>
      db.transaction(async (tx) => {
        for (let i = 0; i < tokens.length; i++)
          await tx.exec(sql`INSERT INTO survey_tokens VALUES (${sha256(tokens[i]!)}, ${input.workspace},
            ${input.surveyId}, ${input.customerIds[i] ?? null}, ${now}, ${input.expiresAt}, NULL)`);
      }),
    );
    return tokens;
  }

  async surveyToken(
    t: string,
  ): Promise<
    | { hash: string; workspace: string; surveyId: string; customerId: string | null; usable: boolean }
    | undefined
  > {
    const h = sha256(t);
    const row = await this.state.q((db) =>
      db.one<{
        workspace: string;
        survey_id: string;
        customer_id: string | null;
        used_at: string | null;
        expires_at: string | null;
      }>(
        sql`SELECT workspace, survey_id, customer_id, used_at, expires_at FROM survey_tokens WHERE token_hash = ${h}`,
      ),
    );
    if (!row) return undefined;
    const usable =
      row.used_at === null && (row.expires_at === null || Date.parse(row.expires_at) > Date.now());
    return {
      hash: h,
      workspace: row.workspace,
      surveyId: row.survey_id,
      customerId: row.customer_id,
      usable,
    };
  }

  async useSurveyToken(h: string): Promise<void> {
    await this.state.q((db) =>
      db.exec(sql`UPDATE survey_tokens SET used_at = ${new Date()} WHERE token_hash = ${h}`),
    );
  }

  /** A public link for a survey: anyone holding it may ask for a fresh single-use token. */
  async createPublicLink(input: {
    workspace: string;
    surveyId: string;
    perHour: number;
    createdBy: string;
  }): Promise<string> {
    const linkId = `pl_${token(18)}`;
    await this.state.q((db) =>
      db.exec(sql`INSERT INTO survey_public_links VALUES (${linkId}, ${input.workspace}, ${input.surveyId},
        ${input.perHour}, ${input.createdBy}, ${new Date()}, NULL)`),
    );
    return linkId;
  }

  async publicLink(
    linkId: string,
  ): Promise<{ workspace: string; surveyId: string; perHour: number; active: boolean } | undefined> {
    const r = await this.state.q((db) =>
      db.one<{ workspace: string; survey_id: string; per_hour: number; revoked_at: string | null }>(
        sql`SELECT workspace, survey_id, per_hour, revoked_at FROM survey_public_links WHERE link_id = ${linkId}`,
      ),
    );
    return r
      ? { workspace: r.workspace, surveyId: r.survey_id, perHour: r.per_hour, active: r.revoked_at === null }
      : undefined;
  }

  /** Revokes a public link of the workspace; true when there was an active one. */
  async revokePublicLink(workspace: string, linkId: string): Promise<boolean> {
    return this.state.q(async (db) => {
      const row = await db.one(
        sql`SELECT 1 FROM survey_public_links WHERE link_id = ${linkId} AND workspace = ${workspace} AND revoked_at IS NULL`,
      );
      if (row)
        await db.exec(
          sql`UPDATE survey_public_links SET revoked_at = ${new Date()} WHERE link_id = ${linkId}`,
        );
      return Boolean(row);
    });
  }
}
