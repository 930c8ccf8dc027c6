/**
 * Comment templates of the demo company, by theme under the 4 P's. Each theme has at least 8
 * paraphrases written differently on purpose (different words for the same thing); the last three of
 * each theme are HELD OUT: a taxonomy or model may be set up from the others, and theme recovery is
 * measured on comments generated from the held-out ones (`heldOut: true`).
 *
 * `tone` is the template's own sentiment; feedback.ts picks templates by the answer's score only
 * loosely (scores and words disagree now and then, as they do in real surveys).
 */
export type P4 = 'product' | 'process' | 'policy' | 'people';
export type Tone = 'neg' | 'neu' | 'pos';

export interface Template {
  readonly id: string;
  readonly theme: string;
  readonly tone: Tone;
  readonly text: string;
  readonly heldOut: boolean;
}

export interface ThemeDef {
  readonly theme: string;
  readonly p: P4;
  readonly templates: readonly Template[];
}

const HELD_OUT = 3;

function theme(name: string, p: P4, items: readonly (readonly [Tone, string])[]): ThemeDef {
  const slug = name.replace(/[^a-z]+/g, '-');
  return {
    theme: name,
    p,
    templates: items.map(([tone, text], i) => ({
      id: `${slug}-${String(i + 1).padStart(2, '0')}`,
      theme: name,
      tone,
      text,
      heldOut: i >= items.length - HELD_OUT,
    })),
  };
}

export const THEMES: readonly ThemeDef[] = [
  theme('product quality', 'product', [
    ['pos', 'The jacket is really well made, you can feel the quality.'],
    ['neg', 'Stitching came apart after two weeks of normal use.'],
    ['pos', 'Great materials, it has survived a whole season of hiking.'],
    ['neg', 'Poor quality for the price, the zip broke on the first day.'],
    ['pos', 'Solid, durable gear. Exactly what I expected from the brand.'],
    ['neg', 'The sole started peeling off, really disappointed with how it is made.'],
    ['neu', 'Quality is ok, nothing special compared to other brands.'],
    ['neg', 'Fabric feels cheap and thin, not what the photos suggested.'],
    ['pos', 'Very sturdy backpack, built to last.'],
    ['neg', 'It fell apart quickly, the workmanship is sloppy.'],
  ]),
  theme('sizing', 'product', [
    ['neg', 'The size chart is way off, I had to send it back.'],
    ['neg', 'Runs small. Ordered my usual size and it did not fit.'],
    ['neu', 'Had to go one size up, good to know for next time.'],
    ['neg', 'Sleeves far too long even in S, the fit is strange.'],
    ['pos', 'Fits perfectly, the size guide was spot on.'],
    ['neg', 'Shoes were a full size bigger than labelled.'],
    ['neu', 'Fit is a bit loose around the waist but wearable.'],
    ['neg', 'Inconsistent sizing between your models, M in one is L in another.'],
    ['neg', 'Way too tight across the shoulders, measurements are not accurate.'],
    ['pos', 'True to size, which is rare for online shopping.'],
  ]),
  theme('app crashes', 'product', [
    ['neg', 'The app keeps crashing when I open my basket.'],
    ['neg', 'App froze twice during payment, very frustrating.'],
    ['neg', 'Your app closes itself every time I try to log in.'],
    ['neg', 'The iPhone app is buggy, it just shuts down.'],
    ['neg', 'App crashed and I lost everything in my cart.'],
    ['neu', 'App crashed once but worked after reinstalling.'],
    ['neg', 'Cannot use the Android app at all, it keeps stopping.'],
    ['neg', 'The mobile app hangs on a white screen and then quits.'],
    ['neg', 'Every update makes the app less stable, it crashes constantly.'],
    ['neg', 'Had to switch to the website because the app kept dying on me.'],
  ]),
  theme('packaging', 'product', [
    ['neu', 'The box was much bigger than the item.'],
    ['neu', 'Packaging was fine, maybe a bit too much plastic.'],
    ['neu', 'Came in a recyclable cardboard box.'],
    ['neu', 'Parcel arrived well wrapped.'],
    ['neu', 'Lots of paper filling in the package.'],
    ['pos', 'Nice packaging, looked good as a present.'],
    ['neu', 'The parcel was a bit dented but the contents were fine.'],
    ['neu', 'Standard packaging, nothing to report.'],
    ['neu', 'Items were packed in separate bags inside the carton.'],
    ['neu', 'Shipping box could be smaller, but it did the job.'],
  ]),
  theme('delivery delay', 'process', [
    ['neg', 'My order arrived a week late.'],
    ['neg', 'Delivery took forever, way past the promised date.'],
    ['neg', 'Still waiting for my parcel, the tracking has not moved in days.'],
    ['neg', 'Shipping was really slow this time.'],
    ['neu', 'Delivery was a couple of days later than promised but fine.'],
    ['neg', 'The package was late and nobody told me why.'],
    ['neg', 'Needed it for a trip and it came after I left. Too slow.'],
    ['neg', 'Expected it Tuesday, got it the following Monday.'],
    ['neg', 'Courier kept postponing, it took ages to reach me.'],
    ['neg', 'Estimated delivery date was missed by almost a week.'],
  ]),
  theme('checkout friction', 'process', [
    ['neg', 'Checkout is too complicated, too many steps.'],
    ['neg', 'Had to enter my address three times before it accepted it.'],
    ['neg', 'The payment page kept rejecting my card for no reason.'],
    ['neg', 'Why do I need to create an account just to buy something?'],
    ['neu', 'Checkout was ok once I found the guest option.'],
    ['neg', 'Discount code would not apply at checkout.'],
    ['pos', 'Quick and easy checkout, done in a minute.'],
    ['neg', 'The order button did nothing, I had to try several times.'],
    ['neg', 'Paying took ages, the form kept resetting.'],
    ['neg', 'Confusing delivery options when placing the order.'],
  ]),
  theme('refund process', 'process', [
    ['neg', 'Still no refund three weeks after you received the return.'],
    ['neg', 'Getting my money back was a nightmare.'],
    ['pos', 'Refund came through quickly, thanks.'],
    ['neg', 'The refund was less than what I paid and nobody explains why.'],
    ['neg', 'I had to chase the refund several times.'],
    ['neu', 'Refund took about ten days, acceptable.'],
    ['neg', 'Money back process is slow and opaque.'],
    ['neg', 'Refund was sent to an old card, took forever to sort out.'],
    ['neg', 'They confirmed the return but the reimbursement never arrived.'],
    ['pos', 'Smooth reimbursement, the credit was on my account within days.'],
  ]),
  theme('return fee', 'policy', [
    ['neg', 'Charging for returns now? That is a step backwards.'],
    ['neg', 'The new return fee is ridiculous, I will shop elsewhere.'],
    ['neg', 'I was charged for sending back an item that did not fit.'],
    ['neg', 'Returns used to be free, now you deduct a fee. Not happy.'],
    ['neg', 'Paying to return a faulty size is unfair.'],
    ['neu', 'Did not know returns cost money now, should be clearer.'],
    ['neg', 'The return charge made me think twice about ordering again.'],
    ['neg', 'They took 4.95 off my refund for the return, really?'],
    ['neg', 'Free returns were the reason I shopped here. Not any more.'],
    ['neg', 'Why am I being billed to send something back?'],
  ]),
  theme('warranty', 'policy', [
    ['neg', 'Warranty claim was rejected without a proper reason.'],
    ['neg', 'The guarantee does not cover anything useful.'],
    ['neu', 'Had to send photos for the warranty, took a while.'],
    ['pos', 'Warranty replacement was quick and painless.'],
    ['neg', 'Two year guarantee, but they refused to repair it after one.'],
    ['neg', 'Warranty terms are full of exceptions.'],
    ['neu', 'Not sure if my issue is covered by the warranty.'],
    ['neg', 'They said wear and tear is not covered. After three months?'],
    ['pos', 'They honoured the guarantee without any fuss.'],
    ['neg', 'Impossible to get a repair under warranty.'],
  ]),
  theme('friendly staff', 'people', [
    ['pos', 'The lady on the phone was super helpful.'],
    ['pos', 'Staff in the store were friendly and knew their products.'],
    ['pos', 'The agent went out of his way to help me.'],
    ['pos', 'Lovely support person, solved it in one call.'],
    ['pos', 'Your chat team was patient and kind.'],
    ['neu', 'Staff were polite enough.'],
    ['pos', 'Great service from the team, very knowledgeable.'],
    ['pos', 'The shop assistant gave me excellent advice on sizes.'],
    ['pos', 'Customer service rep was warm and really listened.'],
    ['pos', 'Thanks to Maria from support, she was brilliant.'],
  ]),
  theme('rude agent', 'people', [
    ['neg', 'The agent was rude and hung up on me.'],
    ['neg', 'Support staff were dismissive and unhelpful.'],
    ['neg', 'Nobody on the phone seemed to care about my problem.'],
    ['neg', 'The person in chat was condescending.'],
    ['neg', 'I was treated like a nuisance by customer service.'],
    ['neu', 'The agent was a bit short with me.'],
    ['neg', 'Staff member in the store was unfriendly and impatient.'],
    ['neg', 'Your employee argued with me instead of helping.'],
    ['neg', 'The advisor was impolite and kept interrupting me.'],
    ['neg', 'Unprofessional attitude from the support team.'],
  ]),
];

/** Comments about nothing in the taxonomy (truth theme 'off-topic'). */
export const OFF_TOPIC: readonly Template[] = [
  'Just testing this survey',
  'ok',
  'no comment',
  'My dog loves your adverts lol',
  'Is there a store in Lyon?',
  'Please stop sending me so many surveys',
  'Très bien, merci',
  'n/a',
  '👍',
  'Happy new year to the whole team!',
].map((text, i) => ({
  id: `off-topic-${String(i + 1).padStart(2, '0')}`,
  theme: 'off-topic',
  tone: 'neu' as const,
  text,
  heldOut: false,
}));

export const THEME_BY_NAME: ReadonlyMap<string, ThemeDef> = new Map(THEMES.map((t) => [t.theme, t]));

/** Short glue words that join two templates into one mixed-theme comment. */
export const JOINERS = [' ', ' Also, ', ' And ', '. ', ' On top of that, ', ' Besides that: '] as const;

/** Adds a typo or two: a swapped, dropped or doubled letter. */
export function typo(text: string, r: () => number): string {
  const n = r() < 0.7 ? 1 : 2;
  let s = text;
  for (let k = 0; k < n; k++) {
    const i = 1 + Math.floor(r() * Math.max(1, s.length - 3));
    const a = s[i]!;
    const b = s[i + 1] ?? '';
    if (!/[a-z]/i.test(a)) continue;
    const kind = Math.floor(r() * 3);
    if (kind === 0 && /[a-z]/i.test(b)) s = s.slice(0, i) + b + a + s.slice(i + 2);
    else if (kind === 1) s = s.slice(0, i) + s.slice(i + 1);
    else s = s.slice(0, i) + a + a + s.slice(i + 1);
  }
  return s;
}
