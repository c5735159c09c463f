import { api, describeError, h } from './api.js';
import { describeResult, verifyExport } from './verify-core.js';

/** Verify a backup in the browser: nothing is uploaded; the file is read in pieces and hashed here (by workers for a large file). */
export async function verifyView(root) {
  const file = h('input', { type: 'file', id: 'export-file', accept: '.ndjson,.gz,.jsonl,application/x-ndjson,application/gzip' });
  const progress = h('progress', { id: 'verify-progress', max: '1', value: '0', 'aria-label': 'Verification progress' });
  const result = h('p', { id: 'verify-result', role: 'status' });
  const compare = h('div', { id: 'verify-compare' });
  root.append(
    h('h2', {}, 'Verify a backup'),
    h('p', {}, 'Choose an export (NDJSON, or gzip when its name ends in .gz). Its hash chain is checked here, in this browser, with the same rules as ', h('code', {}, 'parley verify'), '; nothing is uploaded.'),
    h('div', {}, h('label', { for: 'export-file' }, 'Export file'), file),
    progress,
    result,
    compare,
  );
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    result.className = '';
    result.textContent = 'Verifying…';
    compare.replaceChildren();
    const started = performance.now();
    try {
      const outcome = await verifyExport(chosen, {
        gzip: chosen.name.endsWith('.gz'),
        onProgress: ({ bytes, events }) => {
          progress.value = chosen.size === 0 ? 1 : Math.min(1, bytes / chosen.size);
          result.textContent = `Verifying… ${events} events`;
        },
      });
      const seconds = (performance.now() - started) / 1000;
      progress.value = 1;
      result.className = outcome.ok ? 'ok' : 'error';
      result.textContent = `${describeResult(outcome)}${outcome.ok ? ` (${Math.round(outcome.count / Math.max(seconds, 0.001))} events/s)` : ''}`;
      result.dataset.ok = String(outcome.ok);
      if (outcome.ok && outcome.lastPosition !== null) {
        compare.append(h('button', { type: 'button', class: 'secondary', id: 'compare-live', onclick: () => void compareWithLive(outcome, compare) }, 'Compare with the live log'));
      }
    } catch (error) {
      result.className = 'error';
      result.textContent = describeError(error);
    }
  });
}

/** Whether the live log holds the export's last event at the same position (same id and type). */
async function compareWithLive(outcome, into) {
  let last;
  try {
    last = JSON.parse(outcome.lastLine);
  } catch {
    into.append(h('p', {}, 'The last line is not JSON; nothing to compare.'));
    return;
  }
  try {
    const position = BigInt(outcome.lastPosition);
    const page = await api('audit/events', { after: (position - 1n).toString(), to: position.toString(), limit: 1 });
    const live = page.items[0];
    const same = live && live.id === last.id && live.type === last.type && live.position === outcome.lastPosition;
    into.replaceChildren(
      h(
        'p',
        { class: same ? 'ok' : 'error', id: 'compare-result' },
        same
          ? `The live log holds the same event at position ${outcome.lastPosition} (${last.type} ${last.id}); the log head is ${page.head}.`
          : `The live log differs at position ${outcome.lastPosition}: ${live ? `${live.type} ${live.id}` : 'no event there'}.`,
      ),
    );
  } catch (error) {
    into.replaceChildren(h('p', { class: 'error' }, describeError(error)));
  }
}
