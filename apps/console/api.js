// The console's one way to call Parley: same origin, the API key from this tab's session storage.
const KEY = 'parley.console.apiKey';

export const apiKey = {
  get: () => sessionStorage.getItem(KEY),
  set: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, params = {}, key = apiKey.get()) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  const url = `/v1/admin/${path}${query.size ? `?${query}` : ''}`;
  const response = await fetch(url, { headers: { 'X-Api-Key': key ?? '', Accept: 'application/json' }, cache: 'no-store' });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** An element with attributes and children; text is always text, never HTML. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) element.append(child instanceof Node ? child : String(child));
  return element;
}

const SEALED = /^pii:v\d+:/;

/** JSON as a tree of text, where sealed personal fields and redacted secrets say what they are instead of showing. */
export function renderJson(value, indent = '') {
  if (typeof value === 'string') {
    if (SEALED.test(value)) return h('span', { class: 'sealed', title: 'Sealed with its owner’s key in the log' }, '«sealed personal data»');
    if (value === '[redacted]') return h('span', { class: 'redacted', title: 'A secret: never shown outside the write side' }, '«secret, redacted»');
    return JSON.stringify(value);
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = indent + '  ';
  const entries = Array.isArray(value) ? value.map((item) => [null, item]) : Object.entries(value);
  if (entries.length === 0) return Array.isArray(value) ? '[]' : '{}';
  const parts = [Array.isArray(value) ? '[\n' : '{\n'];
  entries.forEach(([name, item], index) => {
    parts.push(inner, name === null ? '' : `${JSON.stringify(name)}: `, renderJson(item, inner), index < entries.length - 1 ? ',\n' : '\n');
  });
  parts.push(indent, Array.isArray(value) ? ']' : '}');
  return h('span', {}, ...parts);
}

export function describeError(error) {
  if (error instanceof ApiError) {
    const details = error.body && Array.isArray(error.body.details) ? ` (${error.body.details.map((d) => `${d.field}: ${d.reason}`).join('; ')})` : '';
    return `${error.status} ${error.body?.code ?? ''}: ${error.message}${details}`;
  }
  return String(error && error.message ? error.message : error);
}
