import { api, describeError, h, renderJson } from './api.js';

const FIELDS = [
  ['types', 'Event types (comma-separated)', 'text', 'RoomCreated,CommentPosted'],
  ['streamPrefix', 'Stream prefix', 'text', 'room-'],
  ['actor', 'Actor', 'text', 'user id, apikey:… or system'],
  ['correlationId', 'Correlation id', 'text', ''],
  ['since', 'Recorded from', 'datetime-local', ''],
  ['until', 'Recorded before', 'datetime-local', ''],
  ['after', 'After position', 'text', '0'],
  ['to', 'Up to position', 'text', ''],
];

const iso = (local) => (local ? new Date(local).toISOString() : undefined);

/** The log: a paged, filtered table; a row opens its envelope; correlation ids are followed; a live tail polls for more. */
export async function logView(root, { query }, { navigate }) {
  const form = h('form', { class: 'filters', 'aria-label': 'Filter the log' });
  for (const [name, label, type, placeholder] of FIELDS) {
    const id = `filter-${name}`;
    form.append(h('div', {}, h('label', { for: id }, label), h('input', { id, name, type, placeholder, value: query.get(name) ?? '', spellcheck: 'false', step: type === 'datetime-local' ? '1' : undefined })));
  }
  const tail = h('input', { type: 'checkbox', id: 'live-tail' });
  form.append(
    h('div', {}, h('button', { type: 'submit' }, 'Show events')),
    h('div', {}, tail, h('label', { for: 'live-tail', style: undefined }, 'Live tail (follow the log as it grows)')),
  );
  const status = h('p', { class: 'status', role: 'status' });
  const body = h('tbody');
  const table = h(
    'table',
    { 'aria-label': 'Events' },
    h('thead', {}, h('tr', {}, ...['Position', 'Recorded', 'Type', 'Stream', 'Actor', 'Correlation'].map((title) => h('th', { scope: 'col' }, title)))),
    body,
  );
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Next page');
  const envelope = h('section', { 'aria-label': 'Envelope', id: 'envelope' });
  root.append(h('h2', {}, 'The log'), form, status, h('div', { class: 'grid2' }, h('div', {}, table, more), envelope));

  let next = null;
  let last = null;
  let timer = null;

  const filters = () => {
    const data = new FormData(form);
    const value = (name) => String(data.get(name) ?? '').trim() || undefined;
    return {
      types: value('types'),
      streamPrefix: value('streamPrefix'),
      actor: value('actor'),
      correlationId: value('correlationId'),
      since: iso(value('since')),
      until: iso(value('until')),
      to: value('to'),
    };
  };

  const open = (event, row) => {
    for (const selected of body.querySelectorAll('[aria-selected="true"]')) selected.setAttribute('aria-selected', 'false');
    row.setAttribute('aria-selected', 'true');
    const correlation = event.metadata?.correlationId;
    envelope.replaceChildren(
      h('h3', {}, `${event.type} at position ${event.position}`),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Event id'), h('dd', { class: 'mono' }, event.id),
        h('dt', {}, 'Stream'), h('dd', { class: 'mono' }, `${event.streamId} (revision ${event.revision})`),
        h('dt', {}, 'Recorded'), h('dd', {}, event.recordedAt),
        h('dt', {}, 'Version'), h('dd', {}, String(event.version)),
        h('dt', {}, 'Actor'), h('dd', { class: 'mono' }, event.metadata?.actor ?? '—'),
        h('dt', {}, 'Correlation id'), h('dd', { class: 'mono' }, correlation ?? '—'),
        h('dt', {}, 'Causation id'), h('dd', { class: 'mono' }, event.metadata?.causationId ?? '—'),
      ),
      correlation
        ? h('button', { type: 'button', class: 'secondary', id: 'follow-correlation', onclick: () => follow(correlation) }, 'Follow this correlation id')
        : '',
      h('h4', {}, 'data'),
      h('pre', { 'aria-label': 'Event data' }, renderJson(event.data)),
      h('h4', {}, 'metadata'),
      h('pre', { 'aria-label': 'Event metadata' }, renderJson(event.metadata)),
    );
    envelope.querySelector('h3').focus?.();
  };

  const addRows = (items) => {
    for (const event of items) {
      const row = h(
        'tr',
        { class: 'event-row', tabindex: '0', 'aria-selected': 'false', 'data-position': event.position },
        h('td', { class: 'mono' }, event.position),
        h('td', {}, event.recordedAt.replace('T', ' ').replace('Z', '')),
        h('td', {}, event.type),
        h('td', { class: 'mono' }, event.streamId),
        h('td', { class: 'mono' }, event.metadata?.actor ?? ''),
        h('td', { class: 'mono' }, event.metadata?.correlationId ?? ''),
      );
      row.addEventListener('click', () => open(event, row));
      row.addEventListener('keydown', (key) => {
        if (key.key === 'Enter' || key.key === ' ') {
          key.preventDefault();
          open(event, row);
        } else if (key.key === 'ArrowDown') row.nextElementSibling?.focus();
        else if (key.key === 'ArrowUp') row.previousElementSibling?.focus();
      });
      body.append(row);
      last = event.position;
    }
  };

  const load = async (after, append) => {
    try {
      const page = await api('audit/events', { ...filters(), after, limit: 50 });
      if (!append) body.replaceChildren();
      addRows(page.items);
      next = page.next;
      if (page.items.length === 0 && last === null && page.head !== null) last = after ?? '0';
      more.hidden = next === null;
      status.textContent = `${body.children.length} events shown (log head ${page.head ?? 'empty'}; ${page.scanned} read for this page)${next === null ? '' : ', more after ' + next}`;
    } catch (error) {
      status.textContent = describeError(error);
    }
  };

  const follow = (correlationId) => {
    form.reset();
    form.elements.namedItem('correlationId').value = correlationId;
    navigate(`/console/log?correlationId=${encodeURIComponent(correlationId)}`, { replace: false });
  };

  const poll = async () => {
    try {
      // Only what is new since the last row (or the head when nothing matched yet).
      const page = await api('audit/events', { ...filters(), after: last ?? '0', limit: 200 });
      addRows(page.items);
      if (page.items.length === 0 && page.head !== null && last === null) last = page.head;
      status.textContent = `Live: ${body.children.length} events shown, log head ${page.head ?? 'empty'}`;
    } catch (error) {
      status.textContent = describeError(error);
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    last = null;
    void load(form.elements.namedItem('after').value.trim() || undefined, false);
  });
  more.addEventListener('click', () => void load(next, true));
  tail.addEventListener('change', () => {
    if (timer) clearInterval(timer);
    timer = null;
    if (tail.checked) {
      void poll();
      timer = setInterval(() => void poll(), 1000);
    }
  });

  await load(query.get('after') ?? undefined, false);
  return () => {
    if (timer) clearInterval(timer);
  };
}
