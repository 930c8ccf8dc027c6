/**
 * A lift with its 95 % interval on a shared axis around zero: the bar is the interval, the tick the
 * estimate; green when the good direction is significant, red when the bad one is.
 */
export function LiftBar(props: {
  low: number;
  high: number;
  value: number;
  span: number;
  verdict: -1 | 0 | 1;
  label: string;
}) {
  const x = (v: number) => `${50 + (50 * Math.max(-props.span, Math.min(props.span, v))) / props.span}%`;
  const tone = props.verdict === 1 ? 'good' : props.verdict === -1 ? 'bad' : '';
  return (
    <div class={`liftbar ${tone}`} role="img" aria-label={props.label}>
      <span class="zero" />
      <span class="ci" style={{ left: x(props.low), width: `calc(${x(props.high)} - ${x(props.low)})` }} />
      <span class="est" style={{ left: x(props.value) }} />
    </div>
  );
}
