import { conflict } from '../errors';
import type { FeedbackLeft, FeedbackRating, FeedbackRelation, ParleyEvent } from '../events';
import type { Decider } from '../decider';
import { hasCharactersNotInText, TEXT_CHARACTERS_REASON } from '../text';
import { validationError } from '../errors';

export const MAX_FEEDBACK = 10_000;

/** The stays (YYYY-MM) the author already wrote about, for this one subject. */
export type FeedbackState = { readonly stays: ReadonlySet<string> };

export type FeedbackCommand = {
  readonly type: 'LeaveFeedback';
  readonly feedbackId: string;
  readonly authorId: string;
  readonly subjectId: string;
  readonly rating: FeedbackRating;
  readonly body: string;
  readonly stay: string;
  readonly relation: FeedbackRelation;
  readonly now: string;
};

export function decideFeedback(command: FeedbackCommand, state: FeedbackState): FeedbackLeft[] {
  if (command.authorId === command.subjectId) {
    throw conflict('FEEDBACK.ABOUT_SELF', 'Feedback is about another member, not about oneself');
  }
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(command.stay)) {
    throw validationError('FEEDBACK.INVALID', 'stay must be a month (YYYY-MM)', [{ field: 'stay', reason: 'must be a month (YYYY-MM)' }]);
  }
  if (command.stay > command.now.slice(0, 7)) {
    throw validationError('FEEDBACK.INVALID', 'stay must not be in the future', [{ field: 'stay', reason: 'must not be in the future' }]);
  }
  if (command.body.trim() === '' || command.body.length > MAX_FEEDBACK) {
    throw validationError('FEEDBACK.INVALID', `body must be 1 to ${MAX_FEEDBACK} characters`, [
      { field: 'body', reason: `must be 1 to ${MAX_FEEDBACK} characters` },
    ]);
  }
  if (hasCharactersNotInText(command.body)) {
    throw validationError('FEEDBACK.INVALID', `body ${TEXT_CHARACTERS_REASON}`, [{ field: 'body', reason: TEXT_CHARACTERS_REASON }]);
  }
  if (state.stays.has(command.stay)) {
    throw conflict('FEEDBACK.ALREADY_LEFT', `Feedback about this member for the stay of ${command.stay} was already left`);
  }
  return [
    {
      type: 'FeedbackLeft',
      data: {
        feedbackId: command.feedbackId,
        authorId: command.authorId,
        subjectId: command.subjectId,
        rating: command.rating,
        body: command.body,
        stay: command.stay,
        relation: command.relation,
        leftAt: command.now,
      },
    },
  ];
}

export const evolveFeedback = (state: FeedbackState, event: ParleyEvent): FeedbackState =>
  event.type === 'FeedbackLeft' ? { stays: new Set([...state.stays, event.data.stay]) } : state;

/** One author's feedback about one subject, stream `feedback-<authorId>-<subjectId>`: one piece per stay. */
export const feedbackDecider: Decider<FeedbackCommand, FeedbackState, FeedbackLeft> = {
  initialState: { stays: new Set() },
  evolve: evolveFeedback,
  decide: decideFeedback,
};
