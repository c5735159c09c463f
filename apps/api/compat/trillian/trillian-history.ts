import type { FastifyRequest } from 'fastify';
import { validationError } from '../../../../libs/domain/errors';
import type { TimelinePage } from '../../comments/comments.queries';
import type { HistoryBlock } from '../../comments/delete-history.command';
import type { HistoryWeeksView } from '../../comments/history.queries';
import { href, type WireNode } from './trillian-wire';

/**
 * Trillian's message history, shared by group chats and users: a
 * conversation broken down by ISO week, its weeks and their messages, and
 * `block`s of messages to delete.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A year or week of a path: a whole number (the week's existence is the query's to judge). */
export const whole = (value: string, field: string): number => {
  if (!/^[0-9]{1,4}$/.test(value)) throw validationError('HISTORY.WEEK_INVALID', `${field} must be a number`, [{ field, reason: 'must be a whole number' }]);
  return Number(value);
};

/** Trillian's `block`: base64 of the comment ids to delete, separated by commas, spaces or new lines. */
export function blockOf(block: string): string[] {
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(block) ? Buffer.from(block, 'base64').toString('utf8') : '';
  const ids = text.split(/[\s,]+/).filter((id) => id !== '');
  if (ids.length === 0 || ids.some((id) => !UUID.test(id.toLowerCase()))) {
    throw validationError('REQUEST.VALIDATION_FAILED', 'block must be base64 of comment ids', [{ field: 'block', reason: 'must be base64 of comment ids separated by commas or new lines' }]);
  }
  return ids.map((id) => id.toLowerCase());
}

/** What a week's DELETE removes: the `block` given (query or body), else the whole week. */
export function weekDeletion(block: string | undefined, body: { block?: unknown } | undefined, year: string, week: string): HistoryBlock {
  const given = block ?? (typeof body?.block === 'string' ? body.block : undefined);
  return given !== undefined ? { scope: 'comments', commentIds: blockOf(given) } : { scope: 'week', year: whole(year, 'year'), week: whole(week, 'week') };
}

export const messageNode = (item: { readonly createdAt: string; readonly senderId: string; readonly text: string | null }): WireNode => ({
  '@_timestamp': Date.parse(item.createdAt),
  '@_from': item.senderId,
  '#text': item.text ?? '',
});

/** `<messages conversation medium name revision><week …/></messages>`; `base` is the conversation's path. */
export function weeksNode(request: FastifyRequest, view: HistoryWeeksView, conversation: string, name: string, base: string): WireNode {
  return {
    '@_conversation': conversation,
    '@_medium': 'astra',
    '@_name': name,
    '@_revision': view.revision,
    week: view.weeks.map((w) => ({ '@_flags': 0, '@_href': href(request, `${base}/${w.year}/${w.week}/`), '@_messages': w.count, '@_week': w.week, '@_year': w.year })),
  };
}

/** A week's messages that stand: `<messages><message …>text</message>…</messages>`. */
export function weekMessagesNode(page: TimelinePage): WireNode | string {
  const messages = page.items.filter((item) => item.kind === 'comment' && !item.deleted).map(messageNode);
  return messages.length > 0 ? { message: messages } : '';
}
