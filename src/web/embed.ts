/**
 * The embeddable survey script for a company's own site:
 *
 *   <script src="https://touchpoint.example/embed.js" data-survey="post-delivery" data-token="…" async></script>
 *
 * It adds a small "Give feedback" button that opens the respondent page (`/s/<survey>?t=<token>`) in
 * an accessible dialog with an iframe. No cookies, no tracking; nothing loads until it is opened.
 */
(() => {
  const me = document.currentScript as HTMLScriptElement | null;
  if (!me) return;
  const survey = me.dataset.survey;
  const token = me.dataset.token ?? '';
  if (!survey) return;
  const origin = new URL(me.src, location.href).origin;
  const url = `${origin}/s/${encodeURIComponent(survey)}?t=${encodeURIComponent(token)}`;
  const label = me.dataset.label ?? 'Give feedback';

  const btn = document.createElement('button');
  btn.type = 'button';
  btn.textContent = label;
  btn.setAttribute('aria-haspopup', 'dialog');
  btn.style.cssText =
    'position:fixed;right:16px;bottom:16px;z-index:2147483000;padding:10px 16px;border-radius:999px;border:0;background:#1d4ed8;color:#fff;font:600 14px system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.25)';

  const dialog = document.createElement('dialog');
  dialog.setAttribute('aria-label', label);
  dialog.style.cssText = 'padding:0;border:0;border-radius:12px;width:min(480px,95vw);height:min(640px,90vh)';
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  close.setAttribute('aria-label', 'Close');
  close.style.cssText =
    'position:absolute;right:8px;top:4px;border:0;background:none;font-size:24px;cursor:pointer';
  close.onclick = () => dialog.close();
  dialog.appendChild(close);

  btn.onclick = () => {
    if (!dialog.querySelector('iframe')) {
      const frame = document.createElement('iframe');
      frame.src = url;
      frame.title = label;
      frame.style.cssText = 'width:100%;height:100%;border:0';
      dialog.appendChild(frame);
    }
    dialog.showModal();
  };
  document.body.append(btn, dialog);
})();
