/* global document, fetch */
// The page's behaviour: ask for a code, then check it. The server holds the code; the page only holds the attempt id.
const phoneForm = document.getElementById('phone-form');
const codeForm = document.getElementById('code-form');
const result = document.getElementById('result');
let attemptId;

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { ok: res.ok, body: await res.json() };
}

phoneForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  result.textContent = 'Sending…';
  const { ok, body } = await post('/api/sign-in/start', { phone: document.getElementById('phone').value });
  if (!ok) {
    result.textContent = `Could not send a code: ${body.error}`;
    return;
  }
  attemptId = body.attemptId;
  codeForm.hidden = false;
  document.getElementById('code').value = '';
  result.textContent = 'Code sent. Type it below.';
});

codeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const { ok, body } = await post('/api/sign-in/verify', { attemptId, code: document.getElementById('code').value });
  codeForm.hidden = true;
  result.textContent = ok ? 'Signed in.' : `Not signed in: ${body.error}`;
});
