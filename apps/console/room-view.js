import { api, describeError, h, renderJson } from './api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What changed from one step to the next, to mark it. */
function differences(before, after) {
  if (!before) return { fields: new Set(), members: new Set(), removed: [], comments: new Set() };
  const fields = new Set(['exists', 'name', 'topic', 'kind', 'avatarUrl'].filter((field) => before[field] !== after[field]));
  if (JSON.stringify(before.permissions) !== JSON.stringify(after.permissions)) fields.add('permissions');
  const old = new Map(before.members.map((m) => [m.userId, m]));
  const members = new Set(after.members.filter((m) => JSON.stringify(old.get(m.userId)) !== JSON.stringify(m)).map((m) => m.userId));
  const now = new Set(after.members.map((m) => m.userId));
  const removed = before.members.filter((m) => !now.has(m.userId));
  const seen = new Map(before.comments.map((c) => [c.id, c]));
  const comments = new Set(after.comments.filter((c) => JSON.stringify(seen.get(c.id)) !== JSON.stringify(c)).map((c) => c.id));
  return { fields, members, removed, comments };
}

/** A room through time: a slider over the positions it changed at, or a date; deep links reproduce the view. */
export async function roomView(root, { rest, query }, { navigate }) {
  const roomId = rest[0] ?? '';
  const pick = h(
    'form',
    { class: 'filters', 'aria-label': 'Choose a room' },
    h('div', {}, h('label', { for: 'room-id' }, 'Room id'), h('input', { id: 'room-id', name: 'roomId', value: roomId, required: true, spellcheck: 'false', size: '40' })),
    h('div', {}, h('button', { type: 'submit' }, 'Show room')),
  );
  pick.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(`/console/rooms/${encodeURIComponent(pick.elements.namedItem('roomId').value.trim())}`);
  });
  const status = h('p', { class: 'status', role: 'status' });
  root.append(h('h2', {}, 'A room through time'), pick, status);
  if (!roomId) return;
  if (!UUID.test(roomId)) {
    status.textContent = 'A room id is a UUID.';
    return;
  }

  let changes;
  try {
    changes = (await api(`audit/rooms/${roomId}/changes`)).changes;
  } catch (error) {
    status.textContent = describeError(error);
    return;
  }
  const at = query.get('at');
  const slider = h('input', { type: 'range', id: 'position-slider', min: '0', max: String(changes.length - 1), step: '1' });
  const date = h('input', { type: 'datetime-local', id: 'at-date', step: '1' });
  const where = h('output', { for: 'position-slider', id: 'slider-position' });
  const panel = h('div', { id: 'room-state' });
  root.append(
    h(
      'div',
      { class: 'filters' },
      h('div', {}, h('label', { for: 'position-slider' }, `Position (${changes.length} changes)`), slider, where),
      h('div', {}, h('label', { for: 'at-date' }, 'Or a date and time'), date, h('button', { type: 'button', id: 'at-date-go', class: 'secondary' }, 'Show then')),
    ),
    panel,
  );

  let previous = null;
  let shown = null;
  const index = at && /^\d+$/.test(at) ? Math.max(0, changes.findLastIndex((c) => BigInt(c.position) <= BigInt(at))) : changes.length - 1;
  slider.value = String(index);

  const show = async (moment, label) => {
    try {
      const room = await api(`audit/rooms/${roomId}`, { at: moment, comments: 200 });
      previous = shown;
      shown = room;
      where.textContent = label;
      render(room, differences(previous, room));
      history.replaceState(null, '', `/console/rooms/${roomId}?at=${encodeURIComponent(moment)}`);
    } catch (error) {
      status.textContent = describeError(error);
    }
  };

  const render = (room, diff) => {
    const mark = (field) => (diff.fields.has(field) ? 'changed' : undefined);
    panel.replaceChildren(
      h('h3', {}, room.exists ? `Room “${room.name ?? ''}”` : 'The room did not exist yet'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Name'), h('dd', { class: mark('name'), id: 'room-name' }, room.name ?? '—'),
        h('dt', {}, 'Topic'), h('dd', { class: mark('topic'), id: 'room-topic' }, room.topic ?? '—'),
        h('dt', {}, 'Kind'), h('dd', { class: mark('kind') }, room.kind ?? '—'),
        h('dt', {}, 'Permissions'), h('dd', { class: mark('permissions') }, h('pre', {}, renderJson(room.permissions))),
        h('dt', {}, 'As of'), h('dd', {}, `position ${room.at.position ?? '—'}, time ${room.at.time ?? '—'}; last event ${room.lastEventPosition ?? '—'}`),
      ),
      h('h4', {}, `Members (${room.members.length})`),
      h(
        'table',
        { 'aria-label': 'Members' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'User'), h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Muted'))),
        h(
          'tbody',
          {},
          ...room.members.map((m) => h('tr', { class: diff.members.has(m.userId) ? 'changed' : undefined }, h('td', { class: 'mono' }, m.userId), h('td', {}, m.role), h('td', {}, m.muted ? 'yes' : 'no'))),
          ...diff.removed.map((m) => h('tr', { class: 'removed' }, h('td', { class: 'mono' }, m.userId), h('td', {}, `${m.role} (removed)`), h('td', {}, ''))),
        ),
      ),
      h('h4', {}, `Comments (${room.totalComments} then; latest ${room.comments.length})`),
      h(
        'ol',
        { 'aria-label': 'Comments' },
        ...room.comments.map((c) =>
          h('li', { class: diff.comments.has(c.id) ? 'changed' : undefined }, `#${c.seq} `, h('span', { class: 'mono' }, c.senderId.slice(0, 8)), ': ', c.deleted ? h('em', {}, `deleted by ${c.deletedBy ?? '?'}`) : (c.text ?? '')),
        ),
      ),
    );
  };

  const fromSlider = () => {
    const change = changes[Number(slider.value)];
    return show(change.position, `position ${change.position} (${change.type}, ${change.recordedAt})`);
  };
  slider.addEventListener('change', () => void fromSlider());
  document.getElementById('at-date-go').addEventListener('click', () => {
    if (!date.value) return;
    const time = new Date(date.value).toISOString();
    void show(time, `time ${time}`);
  });

  if (at && !/^\d+$/.test(at)) await show(at, `time ${at}`);
  else if (at) await show(at, `position ${at}`);
  else await fromSlider();
}
