import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { feedbackDecider, type FeedbackCommand } from '../../../libs/domain/community/feedback.decider';
import { memberProfileDecider, type MemberProfileCommand } from '../../../libs/domain/community/member-profile.decider';
import { notFound } from '../../../libs/domain/errors';
import type { MemberProfile } from '../../../libs/domain/events';
import { newId } from '../../../libs/domain/ids';
import { streams } from '../../../libs/domain/streams';
import { requireActiveUser } from '../../../libs/domain/users/profile.decider';
import { UserStates } from '../users/user-states';

export interface MemberProfileResult {
  readonly profile: MemberProfile;
  /** Of the change; null when the profile already was as asked. */
  readonly position: string | null;
}

export class ChangeMemberProfileCommand extends Command<MemberProfileResult> {
  constructor(
    readonly changes: MemberProfileCommand['changes'],
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ChangeMemberProfileCommand)
export class ChangeMemberProfileHandler implements ICommandHandler<ChangeMemberProfileCommand, MemberProfileResult> {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly users: UserStates,
  ) {}

  async execute({ changes, context }: ChangeMemberProfileCommand): Promise<MemberProfileResult> {
    requireActiveUser((await this.users.load(context.actor)).state);
    const command: MemberProfileCommand = { type: 'ChangeMemberProfile', userId: context.actor, actor: context.actor, changes, now: new Date().toISOString() };
    const { state, appended } = await this.pipeline.handle(memberProfileDecider, streams.memberProfile(context.actor), command, context);
    if (state.profile === null) throw new Error(`member profile of ${context.actor} missing right after its change`);
    return { profile: state.profile, position: appended ? appended.position.toString() : null };
  }
}

export interface LeftFeedback {
  readonly id: string;
  readonly position: string;
}

export class LeaveFeedbackCommand extends Command<LeftFeedback> {
  constructor(
    readonly subjectId: string,
    readonly feedback: Pick<FeedbackCommand, 'rating' | 'body' | 'stay' | 'relation'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(LeaveFeedbackCommand)
export class LeaveFeedbackHandler implements ICommandHandler<LeaveFeedbackCommand, LeftFeedback> {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly users: UserStates,
  ) {}

  async execute({ subjectId, feedback, context }: LeaveFeedbackCommand): Promise<LeftFeedback> {
    if (subjectId !== context.actor && (await this.users.load(subjectId)).state.status !== 'registered') {
      throw notFound('USER.NOT_FOUND', 'No such user');
    }
    const command: FeedbackCommand = {
      type: 'LeaveFeedback',
      feedbackId: newId(),
      authorId: context.actor,
      subjectId,
      ...feedback,
      now: new Date().toISOString(),
    };
    const { appended } = await this.pipeline.handle(feedbackDecider, streams.feedback(context.actor, subjectId), command, context);
    if (!appended) throw new Error('feedback decided without an event');
    return { id: command.feedbackId, position: appended.position.toString() };
  }
}
