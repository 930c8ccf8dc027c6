/**
 * Dev-time training of the shipped sentiment model (docs/feedback.md). Reads SemEval-2017 Task 4A
 * (../shared/data/semeval2017-task4a, CC BY 3.0, see NOTICE) and writes only learned weights to
 * src/feedback/models/semeval-lr.json: n-grams seen in at least 3 tweets, so no handle, URL or
 * single tweet's text can be in the file. The UCI sentiment sentences are never read here.
 *
 *   node --import tsx scripts/train-sentiment.ts [DATA_DIR]
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scoreLexicon } from '../src/feedback/lexicon.js';
import {
  CLASSES,
  fitBlend,
  polarityLogit,
  predict,
  type SentimentModel,
  trainSoftmax,
} from '../src/feedback/model.js';
import { type LabelledText, readSemEval } from '../src/feedback/semeval.js';
import { features, tokenize } from '../src/feedback/text.js';

const dir = process.argv[2] ?? join(import.meta.dirname, '../../shared/data/semeval2017-task4a/Subtask_A');
const files = readdirSync(dir).filter((f) => /^twitter-20\d\d.*-A\.txt$/.test(f));
const HOLDOUT = 'twitter-2016devtest-A.txt';

function dedupe(rows: LabelledText[]): LabelledText[] {
  const byId = new Map<string, LabelledText | null>();
  for (const r of rows) {
    const prev = byId.get(r.id);
    if (prev === undefined) byId.set(r.id, r);
    else if (prev !== null && prev.label !== r.label) byId.set(r.id, null);
  }
  return [...byId.values()].filter((r): r is LabelledText => r !== null);
}

const all = dedupe(files.flatMap((f) => readSemEval(join(dir, f)).map((r) => ({ ...r, file: f }))));
const holdIds = new Set(readSemEval(join(dir, HOLDOUT)).map((r) => r.id));
const train = all.filter((r) => !holdIds.has(r.id));
const hold = all.filter((r) => holdIds.has(r.id));
console.log(`pool ${all.length} tweets (train ${train.length}, blend hold-out ${hold.length})`);

const feats = (t: string) => [...new Set(features(tokenize(t)))];
const trainX = train.map((r) => feats(r.text));
const trainY = train.map((r) => CLASSES.indexOf(r.label));

// minimum document frequency 3 (README: no n-gram from a single tweet or two)
const df = new Map<string, number>();
for (const x of trainX) for (const f of x) df.set(f, (df.get(f) ?? 0) + 1);
const vocab = [...df.entries()]
  .filter(([f, n]) => n >= 3 && !f.includes('<user>') && !f.includes('<url>'))
  .map(([f]) => f);
console.log(`vocabulary ${vocab.length} n-grams with df ≥ 3`);

// regularisation chosen on the hold-out (macro-F1 over the 3 classes), never on any test set
const holdX = hold.map((r) => tokenize(r.text));
const holdY = hold.map((r) => CLASSES.indexOf(r.label));
const EPOCHS = Number(process.env.TP_EPOCHS ?? 8);
const RATE = Number(process.env.TP_RATE ?? 0.1);
const L2 = (process.env.TP_L2 ?? '0.01,0.1,1').split(',').map(Number);
let best = { l2: L2[0]!, f1: -1 };
for (const l2 of L2) {
  const m = trainSoftmax(trainX, trainY, new Set(vocab), { epochs: EPOCHS, l2, rate: RATE });
  const probe: SentimentModel = {
    name: 'probe',
    trainedOn: '',
    classes: CLASSES,
    bias: m.bias,
    weights: Object.fromEntries(m.weights),
    blend: { intercept: 0, model: 1, lexicon: 0 },
  };
  const pred = holdX.map((x) => {
    const p = predict(probe, x);
    return p.indexOf(Math.max(...p));
  });
  const f1 = macroF1(pred, holdY);
  console.log(`l2 ${l2}: hold-out macro-F1 ${f1.toFixed(3)}`);
  if (f1 > best.f1) best = { l2, f1 };
}
const t0 = performance.now();
const { bias, weights } = trainSoftmax(trainX, trainY, new Set(vocab), {
  epochs: EPOCHS,
  l2: best.l2,
  rate: RATE,
});
console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const compact: Record<string, [number, number, number]> = {};
for (const [f, w] of weights) {
  if (Math.max(Math.abs(w[0]!), Math.abs(w[1]!), Math.abs(w[2]!)) < 0.06) continue;
  compact[f] = [round(w[0]!), round(w[1]!), round(w[2]!)];
}
const model: SentimentModel = {
  name: 'semeval-lr',
  trainedOn: `l2 ${best.l2}; SemEval-2017 Task 4A English tweets 2013–2016 (Rosenthal, Farra & Nakov 2017), deduplicated, minus 2016devtest`,
  classes: CLASSES,
  bias: [round(bias[0]!), round(bias[1]!), round(bias[2]!)],
  weights: compact,
  blend: { intercept: 0, model: 1, lexicon: 0 },
};
// blend weights: logistic regression of pos-vs-neg on [model polarity logit, lexicon compound], on the hold-out
const pn = hold.filter((r) => r.label !== 'neutral');
model.blend = fitBlend(
  model,
  pn.map((r) => ({
    tokens: tokenize(r.text),
    lexicon: scoreLexicon(r.text).compound,
    y: r.label === 'positive' ? 1 : 0,
  })),
);
{
  const { blend } = model;
  const right = pn.filter((r) => {
    const tokens = tokenize(r.text);
    const z =
      blend.intercept +
      blend.model * polarityLogit(predict(model, tokens)) +
      blend.lexicon * scoreLexicon(tokens).compound;
    return z >= 0 === (r.label === 'positive');
  }).length;
  console.log(
    `hold-out positive/negative accuracy of the blend ${(right / pn.length).toFixed(3)} on ${pn.length}`,
  );
}
console.log('blend', model.blend, `${Object.keys(compact).length} n-grams kept`);
const out = join(import.meta.dirname, '../src/feedback/models/semeval-lr.json');
writeFileSync(out, `${JSON.stringify(model)}\n`);
console.log(`wrote ${out}`);

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function macroF1(pred: readonly number[], gold: readonly number[]): number {
  let sum = 0;
  for (let c = 0; c < 3; c++) {
    const tp = pred.filter((p, i) => p === c && gold[i] === c).length;
    const fp = pred.filter((p, i) => p === c && gold[i] !== c).length;
    const fn = pred.filter((p, i) => p !== c && gold[i] === c).length;
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / 3;
}
