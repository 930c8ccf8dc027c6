/**
 * Synthetic comments for theme tests: four topics, several wordings each, with filler so no two
 * comments are identical. Deterministic.
 */
export const TOPIC_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  returnFee: [
    'They charged me a return fee to send the shoes back',
    'The return fee is ridiculous, I had to pay to return a faulty item',
    'Why is there a fee for returns now? Returning used to be free',
    'Paid a return fee of 8 euros, not happy about the return charge',
    'Returning the jacket cost me a fee, that return policy is unfair',
  ],
  lateDelivery: [
    'My delivery arrived three days late',
    'The parcel delivery was late again and tracking showed nothing',
    'Delivery took forever, the package arrived a week late',
    'Late delivery, the courier missed the delivery window',
    'Package delivery delayed with no update on the tracking page',
  ],
  rudeAgent: [
    'The agent on the phone was rude and dismissive',
    'Rude support agent hung up on me',
    'The agent I spoke with was rude and unhelpful',
    'Support agent was rude when I asked about my order',
    'Very rude agent in the chat, no help at all',
  ],
  appCrash: [
    'The app crashes every time I open my basket',
    'App keeps crashing on checkout, had to use the website',
    'Your mobile app crashed twice while paying',
    'The app crash makes it impossible to log in',
    'App crashes when I upload a photo',
  ],
};

const FILLERS = [
  '',
  ' Please fix this.',
  ' Disappointed.',
  ' Second time this year.',
  ' Otherwise fine.',
  ' Thanks.',
];

/** `perTopic` comments per topic from the given templates (index list), with fillers; ids `t<n>`. */
export function topicComments(
  perTopic: number,
  templates: readonly number[] = [0, 1, 2, 3, 4],
): { id: string; text: string; topic: string }[] {
  const out: { id: string; text: string; topic: string }[] = [];
  let n = 0;
  for (const [topic, list] of Object.entries(TOPIC_TEMPLATES)) {
    for (let i = 0; i < perTopic; i++) {
      const tpl = list[templates[i % templates.length]!]!;
      out.push({ id: `t${n++}`, text: tpl + FILLERS[(i * 7 + n) % FILLERS.length], topic });
    }
  }
  return out;
}
