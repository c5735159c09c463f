import { api, describeError, h, renderJson } from './api.js';

/** A stream's events in order; a user's stream shows its profile history and, after removal, only the fact of erasure. */
export async function streamsView(root, { rest, query }, { navigate }) {
  const streamId = rest[0] ?? '';
  const pick = h(
    'form',
    { class: 'filters', 'aria-label': 'Choose a stream' },
    h('div', {}, h('label', { for: 'stream-id' }, 'Stream id (room-…, user-…, comments-…)'), h('input', { id: 'stream-id', name: 'streamId', value: streamId, required: true, spellcheck: 'false', size: '48' })),
    h('div', {}, h('button', { type: 'submit' }, 'Show stream')),
  );
  pick.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(`/console/streams/${encodeURIComponent(pick.elements.namedItem('streamId').value.trim())}`);
  });
  const status = h('p', { class: 'status', role: 'status' });
  root.append(h('h2', {}, 'Streams'), pick, status);
  if (!streamId) return;
  const from = Number(query.get('fromRevision') ?? '0');
  try {
    const page = await api(`audit/streams/${encodeURIComponent(streamId)}`, { fromRevision: from, limit: 100 });
    const erased = page.events.some((e) => e.type === 'UserRemoved');
    status.textContent = `${page.events.length} events from revision ${from}${erased ? '. This user was removed: personal fields read as null (erased), never their old values.' : ''}`;
    root.append(
      h(
        'ol',
        { start: String(from), 'aria-label': 'Stream events' },
        ...page.events.map((event) =>
          h(
            'li',
            {},
            h('details', {}, h('summary', {}, `${event.type} — position ${event.position}, ${event.recordedAt}, by ${event.metadata?.actor ?? '?'}`), h('pre', {}, renderJson({ data: event.data, metadata: event.metadata }))),
          ),
        ),
      ),
    );
    if (page.events.length === 100) {
      root.append(h('button', { type: 'button', class: 'secondary', onclick: () => navigate(`/console/streams/${encodeURIComponent(streamId)}?fromRevision=${from + 100}`) }, 'Next 100'));
    }
  } catch (error) {
    status.textContent = describeError(error);
  }
}
