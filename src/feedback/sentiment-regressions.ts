import type { SentimentLabel } from './model.js';

/**
 * Hand-written regression fixture of customer comments every release must label right (issues #17.6
 * and #25.1): obvious errors reported by users, polite complaints (negative in courteous words),
 * sarcasm (praise words around a complaint), plain statements (neutral), and praise that the
 * complaint rules must not turn negative. Written here by the project, labelled by its authors; it
 * is a regression fixture, not an evaluation set (no figure is reported on it). Licence: the
 * project's own.
 */
export const SENTIMENT_REGRESSIONS: readonly {
  readonly text: string;
  readonly label: SentimentLabel;
  readonly why: 'reported' | 'polite complaint' | 'sarcasm' | 'statement' | 'praise';
}[] = [
  { text: 'Return fee is a rip-off', label: 'negative', why: 'reported' },
  { text: 'What a rip off, never again', label: 'negative', why: 'reported' },
  { text: 'Total ripoff.', label: 'negative', why: 'reported' },
  {
    text: 'I would appreciate it if someone could finally answer my emails',
    label: 'negative',
    why: 'polite complaint',
  },
  {
    text: 'Could you please tell me when my refund will arrive? It has been three weeks.',
    label: 'negative',
    why: 'polite complaint',
  },
  {
    text: 'Kindly note that I am still waiting for the replacement',
    label: 'negative',
    why: 'polite complaint',
  },
  { text: "I'm afraid the item arrived damaged", label: 'negative', why: 'polite complaint' },
  { text: 'Unfortunately the package never came', label: 'negative', why: 'polite complaint' },
  { text: 'I was hoping for a reply by now', label: 'negative', why: 'polite complaint' },
  { text: 'Great, another two hours on hold. Thanks a lot.', label: 'negative', why: 'sarcasm' },
  { text: 'Oh wonderful, the app crashed again', label: 'negative', why: 'sarcasm' },
  { text: 'Thanks for nothing', label: 'negative', why: 'sarcasm' },
  { text: 'Just great, my order was cancelled without notice', label: 'negative', why: 'sarcasm' },
  { text: 'Perfect. The wrong size again.', label: 'negative', why: 'sarcasm' },
  { text: 'I ordered a blue one', label: 'neutral', why: 'statement' },
  { text: 'The parcel arrived on Tuesday', label: 'neutral', why: 'statement' },
  { text: 'What time does the store open on Sunday?', label: 'neutral', why: 'statement' },
  { text: 'Please send the invoice to my work address', label: 'neutral', why: 'statement' },
  { text: 'I changed my delivery address yesterday', label: 'neutral', why: 'statement' },
  { text: 'Great service, thank you!', label: 'positive', why: 'praise' },
  { text: 'Thanks a lot for the quick refund', label: 'positive', why: 'praise' },
  { text: 'The agent was really helpful and friendly', label: 'positive', why: 'praise' },
  { text: 'Perfect fit, arrived early', label: 'positive', why: 'praise' },
  { text: 'I really appreciate the quick reply', label: 'positive', why: 'praise' },
];
