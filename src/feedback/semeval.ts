import { readFileSync } from 'node:fs';

/** A labelled tweet of SemEval-2017 Task 4A, read at development time only (never shipped). */
export interface LabelledText {
  readonly id: string;
  readonly label: 'negative' | 'neutral' | 'positive';
  readonly text: string;
}

/**
 * Reads one SemEval-2017 Task 4A file: `id TAB label TAB text`, no quoting, a trailing TAB on some
 * files, a record split over two lines (a line whose first field is not a numeric id continues the
 * previous record), texts wrapped in one pair of double quotes.
 */
export function readSemEval(path: string): LabelledText[] {
  const out: { id: string; label: LabelledText['label']; text: string }[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const a = line.indexOf('\t');
    const b = a < 0 ? -1 : line.indexOf('\t', a + 1);
    const id = a < 0 ? '' : line.slice(0, a);
    const label = b < 0 ? '' : line.slice(a + 1, b);
    if (!/^\d+$/.test(id) || !['negative', 'neutral', 'positive'].includes(label)) {
      const last = out[out.length - 1];
      if (last) last.text += ` ${line.replace(/\t+$/, '')}`;
      continue;
    }
    out.push({ id, label: label as LabelledText['label'], text: line.slice(b + 1).replace(/\t+$/, '') });
  }
  return out.map((r) => {
    let t = r.text.trim();
    if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) t = t.slice(1, -1);
    return { ...r, text: t };
  });
}
