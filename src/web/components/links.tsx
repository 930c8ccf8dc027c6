import { buildHash } from '../route.js';

/** The hash of a customer's timeline page. */
export const customerHref = (id: string): string => buildHash('customer', { id });
/** The hash of a case's timeline page. */
export const caseHref = (id: string): string => buildHash('case', { id });

/** A link inside a clickable table row opens its page, not the row's detail. */
const stop = (e: MouseEvent) => e.stopPropagation();

/** A customer id as a link to the customer's timeline (every customer id the cockpit shows is one). */
export function CustomerLink(props: { id: string | null | undefined; label?: string }) {
  if (!props.id) return <span class="muted">{props.label ?? 'anonymous'}</span>;
  return (
    <a class="id-link" href={customerHref(props.id)} data-customer={props.id} onClick={stop}>
      {props.label ?? props.id}
    </a>
  );
}

/** A case id as a link to the case's timeline. */
export function CaseLink(props: { id: string | null | undefined; label?: string }) {
  if (!props.id) return <span class="muted">–</span>;
  return (
    <a class="id-link" href={caseHref(props.id)} data-case={props.id} onClick={stop}>
      {props.label ?? props.id}
    </a>
  );
}

const CUSTOMER_KEYS = new Set(['customerId', 'customer_id', 'customer']);
const CASE_KEYS = new Set(['caseId', 'case_id', 'case']);

/** A table cell whose column holds customer or case ids, as a link; null for any other column. */
export function idLink(key: string, v: unknown) {
  if (typeof v !== 'string' || v === '') return null;
  if (CUSTOMER_KEYS.has(key)) return <CustomerLink id={v} />;
  if (CASE_KEYS.has(key)) return <CaseLink id={v} />;
  return null;
}
