import { useEffect, useState } from 'preact/hooks';
import { SCORE_SCALES, type ScoreKind } from '../../core/score-scales.js';
import { ApiError, getJson, postJson } from '../api.js';

/** One question of a survey definition (the voice capability's `surveys.questions`). */
export interface SurveyQuestion {
  readonly id: string;
  readonly kind: 'nps' | 'csat' | 'ces' | 'text';
  readonly text: string;
  readonly required?: boolean;
}

interface Definition {
  readonly id?: string;
  readonly name?: string;
  readonly questions: readonly SurveyQuestion[];
}

/** What a survey without a published definition asks: the standard NPS question and a comment. */
export const STANDARD_QUESTIONS: readonly SurveyQuestion[] = [
  {
    id: 'nps',
    kind: 'nps',
    text: 'How likely are you to recommend us to a friend or colleague?',
    required: true,
  },
  { id: 'comment', kind: 'text', text: 'What is the main reason for your score?' },
];

function scalePoints(kind: ScoreKind): number[] {
  const { min, max } = SCORE_SCALES[kind];
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

function normalise(d: unknown): Definition | null {
  const o = (d ?? {}) as { survey?: unknown; questions?: unknown; name?: string; id?: string };
  const inner = (o.survey && typeof o.survey === 'object' ? o.survey : o) as {
    questions?: unknown;
    name?: string;
    id?: string;
  };
  const qs = typeof inner.questions === 'string' ? JSON.parse(inner.questions) : inner.questions;
  if (!Array.isArray(qs) || qs.length === 0) return null;
  return {
    id: inner.id,
    name: inner.name,
    questions: qs.map((q: Record<string, unknown>, i: number) => ({
      id: String(q.id ?? q.key ?? `q${i + 1}`),
      kind: (['nps', 'csat', 'ces', 'text'].includes(String(q.kind ?? q.type))
        ? (q.kind ?? q.type)
        : 'text') as SurveyQuestion['kind'],
      text: String(q.text ?? q.label ?? q.question ?? ''),
      required: Boolean(q.required),
    })),
  };
}

/**
 * The respondent's page, `/s/<survey>?t=<token>`: no account, one answer per single-use token, works
 * on a phone. Posts to the server's public endpoint `POST /s/<survey>/answers`. Opened from a public
 * link (`/s/<survey>?link=pl_…`, a website embed or a QR code), it first asks the server for a fresh
 * single-use token for this respondent (`POST /s/<survey>/tokens`) and puts it in the address, so a
 * reload answers with the same token instead of asking for another.
 */
export function SurveyPage(props: { survey: string }) {
  const params = new URLSearchParams(location.search);
  const [token, setToken] = useState(params.get('t') ?? '');
  const publicLink = token ? '' : (params.get('link') ?? '');
  const [def, setDef] = useState<Definition | null>(null);
  const [answers, setAnswers] = useState<Record<string, number | string>>({});
  const [state, setState] = useState<'form' | 'sending' | 'done'>('form');
  const [error, setError] = useState<string | null>(null);
  const [linkError, setLinkError] = useState<string | null>(null);

  useEffect(() => {
    if (!publicLink) return;
    postJson<{ token: string }>(`/s/${encodeURIComponent(props.survey)}/tokens`, { link: publicLink })
      .then((r) => {
        const q = new URLSearchParams(location.search);
        q.delete('link');
        q.set('t', r.token);
        history.replaceState(null, '', `${location.pathname}?${q}`);
        setToken(r.token);
      })
      .catch((e: unknown) => {
        const ae = e instanceof ApiError ? e : new ApiError(0, 'network', String(e));
        setLinkError(
          ae.status === 429
            ? 'Many people are answering right now. Please try again in a little while.'
            : ae.status === 0
              ? 'The survey cannot be reached right now. Please try again later.'
              : 'This survey link is not valid any more.',
        );
      });
  }, [props.survey, publicLink]);

  useEffect(() => {
    document.title = 'Your feedback';
    if (!token && publicLink) return; // the token is on its way
    getJson<unknown>(`/s/${encodeURIComponent(props.survey)}/definition?t=${encodeURIComponent(token)}`)
      .then((d) => setDef(normalise(d) ?? { questions: STANDARD_QUESTIONS }))
      .catch((e: unknown) => {
        const ae = e instanceof ApiError ? e : new ApiError(0, 'network', String(e));
        // a server without the definition route asks the standard question; a bad link is said so
        if (ae.status === 404 && /no route/.test(ae.message)) setDef({ questions: STANDARD_QUESTIONS });
        else if (ae.status === 409)
          setLinkError('This link has already been used. Thank you, your answer was recorded before.');
        else if (ae.status === 0)
          setLinkError('The survey cannot be reached right now. Please try again later.');
        else setLinkError('This survey link is not valid any more.');
      });
  }, [props.survey, token]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!def) return;
    const missing = def.questions.find((q) => q.required && answers[q.id] === undefined);
    if (missing) {
      setError(`Please answer: ${missing.text}`);
      return;
    }
    setError(null);
    setState('sending');
    try {
      await postJson(`/s/${encodeURIComponent(props.survey)}/answers`, {
        token,
        answers: def.questions
          .filter((q) => answers[q.id] !== undefined && answers[q.id] !== '')
          .map((q) =>
            q.kind === 'text'
              ? { question: q.id, comment: answers[q.id] }
              : { question: q.id, score: answers[q.id] },
          ),
      });
      setState('done');
    } catch (x) {
      setState('form');
      const ae = x as ApiError;
      setError(
        ae.status === 409 || ae.status === 410
          ? 'This link has already been used. Thank you, your answer was recorded before.'
          : ae.status === 401 || ae.status === 403 || ae.status === 404
            ? 'This survey link is not valid any more.'
            : ae.message,
      );
    }
  };

  if (state === 'done')
    return (
      <main class="survey" id="main">
        <h1>Thank you!</h1>
        <p role="status">Your answer was recorded. You can close this page.</p>
      </main>
    );
  return (
    <main class="survey" id="main">
      <h1>{def?.name ?? 'Tell us how we did'}</h1>
      {!token && !publicLink && (
        <p class="error">This page needs the link from your invitation (it carries a one-time code).</p>
      )}
      {linkError ? (
        <p class="error" role="alert">
          {linkError}
        </p>
      ) : !def ? (
        <p role="status">Loading…</p>
      ) : (
        <form onSubmit={submit} noValidate>
          {def.questions.map((q) => (
            <fieldset key={q.id} class="q">
              <legend>
                {q.text}
                {q.required && <span aria-hidden="true"> *</span>}
              </legend>
              {q.kind === 'text' || !(q.kind in SCORE_SCALES) ? (
                <textarea
                  aria-label={q.text}
                  rows={4}
                  maxLength={4000}
                  value={String(answers[q.id] ?? '')}
                  onInput={(e) => setAnswers({ ...answers, [q.id]: (e.target as HTMLTextAreaElement).value })}
                />
              ) : (
                <>
                  <div class="scale" role="radiogroup" aria-label={q.text} aria-describedby={`${q.id}-ends`}>
                    {scalePoints(q.kind).map((v) => (
                      <label key={v} class={`scale-pt${answers[q.id] === v ? ' on' : ''}`}>
                        <input
                          type="radio"
                          name={q.id}
                          value={v}
                          checked={answers[q.id] === v}
                          onChange={() => setAnswers({ ...answers, [q.id]: v })}
                        />
                        <span>{v}</span>
                      </label>
                    ))}
                  </div>
                  <div class="scale-ends" id={`${q.id}-ends`}>
                    <span data-end="low">
                      {SCORE_SCALES[q.kind].min} = {SCORE_SCALES[q.kind].lowEnd}
                    </span>
                    <span data-end="high">
                      {SCORE_SCALES[q.kind].max} = {SCORE_SCALES[q.kind].highEnd}
                    </span>
                  </div>
                </>
              )}
            </fieldset>
          ))}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="btn primary big" disabled={state === 'sending' || !token}>
            {state === 'sending' ? 'Sending…' : 'Send'}
          </button>
        </form>
      )}
    </main>
  );
}
