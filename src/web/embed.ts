/**
 * The embeddable survey script for a company's own site:
 *
 *   <script src="https://touchpoint.example/embed.js" data-survey="csat-delivery" data-link="pl_…" async></script>
 *
 * `data-link` is a public per-survey link (Settings → Surveys, or `POST /api/v1/admin/survey-links`):
 * every visitor who opens the survey gets a fresh single-use token from it, so one snippet serves
 * every respondent. `data-token` (a personal single-use token) still works for a one-person page.
 * It adds a small "Give feedback" button that opens the respondent page (`/s/<survey>?t=<token>`) in a
 * small window (a new tab where pop-ups are blocked). A window rather than an iframe: the server forbids
 * framing by other sites (clickjacking protection), and the respondent sees the Touchpoint address.
 * No cookies, no tracking; nothing loads until the button is pressed.
 */
(() => {
  const me = document.currentScript as HTMLScriptElement | null;
  if (!me) return;
  const survey = me.dataset.survey;
  const link = me.dataset.link;
  const token = me.dataset.token ?? '';
  if (!survey) return;
  const origin = new URL(me.src, location.href).origin;
  const query = link ? `link=${encodeURIComponent(link)}` : `t=${encodeURIComponent(token)}`;
  const url = `${origin}/s/${encodeURIComponent(survey)}?${query}`;
  const label = me.dataset.label ?? 'Give feedback';

  const btn = document.createElement('button');
  btn.type = 'button';
  btn.textContent = label;
  btn.style.cssText =
    'position:fixed;right:16px;bottom:16px;z-index:2147483000;padding:10px 16px;border-radius:999px;border:0;background:#1d4ed8;color:#fff;font:600 14px system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.25)';
  btn.onclick = () => {
    const w = window.open(url, 'touchpoint-survey', 'popup,width=480,height=680');
    if (!w) window.open(url, '_blank', 'noopener');
  };
  document.body.appendChild(btn);
})();
