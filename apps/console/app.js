import { api, apiKey, ApiError, describeError, h } from './api.js';
import { logView } from './log-view.js';
import { roomView } from './room-view.js';
import { streamsView } from './streams-view.js';
import { verifyView } from './verify-view.js';

const views = { log: logView, rooms: roomView, verify: verifyView, streams: streamsView };
const view = document.getElementById('view');
const nav = document.getElementById('nav');
const signIn = document.getElementById('sign-in');
let leave = null;

/** `/console/rooms/<id>?at=…` → { name: 'rooms', rest: ['<id>'], query } */
function route() {
  const parts = location.pathname.replace(/^\/console\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const name = views[parts[0]] ? parts[0] : 'log';
  return { name, rest: parts.slice(1), query: new URLSearchParams(location.search) };
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  void render();
}

async function render() {
  if (leave) leave();
  leave = null;
  if (!apiKey.get()) {
    nav.hidden = true;
    view.replaceChildren();
    signIn.hidden = false;
    document.getElementById('api-key').focus();
    return;
  }
  signIn.hidden = true;
  nav.hidden = false;
  const current = route();
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.view === current.name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  view.replaceChildren();
  leave = (await views[current.name](view, current, { navigate })) ?? null;
}

document.getElementById('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('api-key');
  const message = document.getElementById('sign-in-error');
  const key = input.value.trim();
  message.textContent = '';
  try {
    // Any audit read proves the key and its scope.
    await api('audit/events', { limit: 1 }, key);
    apiKey.set(key);
    input.value = '';
    await render();
  } catch (error) {
    message.textContent =
      error instanceof ApiError && error.status === 401
        ? 'That API key is not valid (unknown, malformed or revoked).'
        : error instanceof ApiError && error.status === 403
          ? 'That API key lacks the admin:audit scope.'
          : `Could not sign in: ${describeError(error)}`;
    input.focus();
  }
});

document.getElementById('sign-out').addEventListener('click', () => {
  apiKey.clear();
  void render();
});

nav.addEventListener('click', (event) => {
  const link = event.target.closest('a');
  if (!link) return;
  event.preventDefault();
  navigate(link.getAttribute('href'));
});
window.addEventListener('popstate', () => void render());

export { h };
void render();
