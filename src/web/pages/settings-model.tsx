import { useEffect, useState } from 'preact/hooks';
import type { Survey } from '../../feedback/surveys.js';
import { ApiError, postJson, postOp } from '../api.js';
import { canWrite } from '../components/analysis.js';
import { DataTable } from '../components/table.js';
import { Async, ErrorBox, Panel } from '../components/ui.js';
import { findOp, useApp, useOp } from '../state.js';

/**
 * Journey stages, the touchpoints mapped to each, their channels and owning team, as the live journey
 * map reads them (the mapping is imported like any other table; editing it here is not offered yet).
 */
export function JourneyModelPanel() {
  const state = useOp('journey.map', {});
  return (
    <Panel
      title="Journey stages, touchpoints and owners"
      subtitle="Which touchpoint belongs to which stage, on which channels, owned by which team"
      wide
    >
      <Async state={state} what="journey">
        {(m) => {
          const rows = m.stages.flatMap((stage) => {
            const cells = m.cells.filter((c) => c.stage === stage);
            return [...new Set(cells.map((c) => c.touchpoint))].map((tp) => {
              const mine = cells.filter((c) => c.touchpoint === tp);
              return {
                stage,
                touchpoint: tp,
                channels: mine.map((c) => c.channel).join(', '),
                owners: [...new Set(mine.map((c) => c.owner ?? 'not mapped'))].join(', '),
              };
            });
          });
          return <DataTable title="Journey stages, touchpoints and owners" rows={rows} limit={100} />;
        }}
      </Async>
    </Panel>
  );
}

/** The theme taxonomy (4 P's › themes) as a table, and as YAML that analysts and admins edit. */
export function TaxonomyPanel() {
  const { ops, session } = useApp();
  const state = useOp('feedback.taxonomy', {});
  const [yaml, setYaml] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (state.data) setYaml(state.data.yaml);
  }, [state.data]);
  const editable = canWrite(session?.role) && !!findOp(ops, 'feedback', 'taxonomy-set');
  const save = async () => {
    setError(null);
    setSaved(false);
    try {
      await postOp('feedback', 'taxonomy-set', { yaml });
      setSaved(true);
      state.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    }
  };
  return (
    <Panel
      title="Theme taxonomy"
      subtitle="The 4 P's › themes and their keywords; ids are permanent (retire, never delete)"
      wide
    >
      <Async state={state} what="taxonomy">
        {(d) => (
          <>
            <DataTable
              title="Theme taxonomy"
              rows={d.themes}
              empty="No themes yet: run the theme analysis (Voice of the customer) to propose some."
              columns={[
                { key: 'p', label: 'P' },
                { key: 'id' },
                { key: 'name' },
                { key: 'status' },
                { key: 'keywords', value: (t) => t.keywords.join(', ') },
              ]}
            />
            {editable && yaml !== null && (
              <div class="editor">
                <label class="filter" style={{ width: '100%' }}>
                  <span>Taxonomy as YAML</span>
                  <textarea
                    rows={12}
                    spellcheck={false}
                    value={yaml}
                    onInput={(e) => setYaml((e.target as HTMLTextAreaElement).value)}
                  />
                </label>
                <button type="button" class="btn primary" onClick={save}>
                  Save taxonomy
                </button>
                {saved && <span role="status"> Saved.</span>}
              </div>
            )}
            {!editable && <pre class="block">{d.yaml}</pre>}
            {error && <ErrorBox error={error} />}
          </>
        )}
      </Async>
    </Panel>
  );
}

/** Survey definitions, and (admins) single-use answer links for the respondent page. */
export function SurveysPanel() {
  const { session } = useApp();
  const state = useOp('feedback.surveys', {});
  const [links, setLinks] = useState<{ survey: string; urls: string[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const issue = async (survey: string) => {
    setError(null);
    try {
      const r = await postJson<{ tokens: { token: string }[] }>('/api/v1/admin/survey-tokens', {
        survey,
        count: 3,
      });
      setLinks({
        survey,
        urls: r.tokens.map(
          (t) => `${location.origin}/s/${encodeURIComponent(survey)}?t=${encodeURIComponent(t.token)}`,
        ),
      });
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    }
  };
  return (
    <Panel title="Surveys" subtitle="What each survey asks and the touchpoint that triggers it" wide>
      <Async state={state} what="surveys">
        {(d) => (
          <DataTable
            title="Surveys"
            rows={d.surveys}
            empty="No surveys defined (touchpoint feedback survey-define)."
            columns={[
              { key: 'id' },
              { key: 'name' },
              { key: 'touchpoint' },
              { key: 'channel' },
              {
                key: 'questions',
                value: (s) => s.questions.map((q) => `${q.type.toUpperCase()}: ${q.text}`).join(' · '),
              },
              ...(session?.role === 'admin'
                ? [
                    {
                      key: 'links',
                      label: 'Answer links',
                      render: (s: Survey) => (
                        <button type="button" class="btn small" onClick={() => issue(s.id)}>
                          Create 3 links
                        </button>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Async>
      {links && (
        <div class="notice" role="status">
          Single-use links for {links.survey} (each works once):
          <ul>
            {links.urls.map((u) => (
              <li key={u}>
                <a href={u}>{u}</a>
              </li>
            ))}
          </ul>
          Embed on your site:{' '}
          <code>{`<script src="${location.origin}/embed.js" data-survey="${links.survey}" data-token="…" async></script>`}</code>
        </div>
      )}
      {error && <ErrorBox error={error} />}
    </Panel>
  );
}

interface SentimentVersionRow {
  readonly version: number;
  readonly trainedAt: string;
  readonly base: string;
  readonly company: boolean;
  readonly note: string;
  readonly classes?: number;
}

/**
 * The sentiment model every score is made with (`feedback sentiment-model`): its version and
 * history, the analysts' label corrections not yet learnt, and — for admins and analysts — a
 * deliberate retrain (`feedback sentiment-train`: a new version that learns from them).
 */
export function SentimentModelPanel() {
  const { ops, session } = useApp();
  const state = useOp<{
    current: SentimentVersionRow | null;
    history: SentimentVersionRow[];
    corrections: { total: number; sinceTraining: number };
  }>('feedback', 'sentiment-model', {});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const canTrain = canWrite(session?.role) && !!findOp(ops, 'feedback', 'sentiment-train');
  const retrain = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = await postOp<{ changed: { total: number; comments: number } }>(
        'feedback',
        'sentiment-train',
        {},
      );
      setDone(`${r.changed.total} of ${r.changed.comments} comments change label.`);
      state.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel
      title="Sentiment model"
      subtitle="Every score is made with this version; it changes only when retrained, and learns from the labels analysts correct in the comment explorer"
      wide
    >
      <Async state={state} what="sentiment model">
        {(d) => (
          <>
            <p data-testid="sentiment-corrections">
              {d.corrections.sinceTraining === 0
                ? `No label corrections since this version (${d.corrections.total} in all).`
                : `${d.corrections.sinceTraining} label correction${d.corrections.sinceTraining === 1 ? '' : 's'} ${d.current ? 'since this version was trained' : 'so far'} (${d.corrections.total} in all): a retrain learns from ${d.corrections.sinceTraining === 1 ? 'it' : 'them'}.`}
            </p>
            <DataTable
              title="Sentiment model versions"
              rows={d.current ? [d.current, ...d.history] : []}
              empty="No sentiment model yet: the first theme analysis writes version 1."
              columns={[
                { key: 'version', value: (v) => `v${v.version}` },
                {
                  key: 'trainedAt',
                  label: 'Trained',
                  value: (v) => v.trainedAt.slice(0, 16).replace('T', ' '),
                },
                {
                  key: 'company',
                  label: 'Company model',
                  value: (v) => (v.company ? (v.classes === 3 ? 'three classes' : 'yes') : 'no'),
                },
                { key: 'note' },
              ]}
            />
            {canTrain && (
              <div class="editor">
                <button type="button" class="btn primary" disabled={busy} onClick={retrain}>
                  {busy ? 'Retraining…' : 'Retrain the sentiment model'}
                </button>
                {done && <span role="status"> {done}</span>}
              </div>
            )}
            {error && <ErrorBox error={error} />}
          </>
        )}
      </Async>
    </Panel>
  );
}
