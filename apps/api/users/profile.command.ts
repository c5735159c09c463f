import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { hashPassword, verifyPassword } from '../../../libs/auth/password';
import { validationError } from '../../../libs/domain/errors';
import type { PrivacySettings } from '../../../libs/domain/events';
import { streams } from '../../../libs/domain/streams';
import {
  checkNewPassword,
  profileDecider,
  requireActiveUser,
  type ProfileCommand,
} from '../../../libs/domain/users/profile.decider';
import type { UserState } from '../../../libs/domain/users/user.decider';
import type { EventStore } from '../../../libs/event-store/event-store.port';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CommandPipeline } from '../../../libs/command-pipeline/command-pipeline';
import { EVENT_STORE } from '../infrastructure/tokens';
import { EndOtherSessionsCommand } from '../auth/sessions.commands';
import { UserStates } from './user-states';

/** The account as its owner sees it, right after a command (from the log, not a read model). */
export interface OwnProfile {
  readonly id: string;
  readonly username: string | null;
  readonly displayName: string | null;
  readonly statusMessage: string | null;
  readonly photoUrl: string | null;
  readonly privacy: PrivacySettings;
}

export interface ProfileCommandResult {
  /**
   * The position of the event written or, when the account already was as
   * asked, of the account's last event: either way a position after which
   * queries (`X-Min-Position`) show the requested value. Setting the same
   * value twice answers the same.
   */
  readonly position: string;
  readonly profile: OwnProfile;
}

/** A change to one account's profile: fold, decide, append at the expected revision. */
export class ExecuteProfileCommand extends Command<ProfileCommandResult> {
  constructor(
    readonly userId: string,
    readonly command: ProfileCommand,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * A new password. `currentPassword` is checked when given (the owner); an
 * administrator passes null.
 */
export class ChangePasswordCommand extends Command<ProfileCommandResult> {
  constructor(
    readonly userId: string,
    readonly currentPassword: string | null,
    readonly newPassword: string,
    readonly context: CommandContext,
    /** The sign-in that asked, which stays; every other one ends. Null (an administrator) ends them all. */
    readonly keepFamilyId: string | null = null,
  ) {
    super();
  }
}

/** Runs profile decisions on `user-<id>` through the command pipeline, on the state the auth guard reads too. */
abstract class ProfileWriter {
  constructor(
    protected readonly users: UserStates,
    private readonly pipeline: CommandPipeline,
    private readonly store: EventStore,
  ) {}

  protected async run(
    userId: string,
    context: CommandContext,
    decide: (state: UserState) => Promise<ProfileCommand> | ProfileCommand,
  ): Promise<ProfileCommandResult> {
    const stream = streams.user(userId);
    const { state, appended } = await this.pipeline.handle(profileDecider, stream, ({ state }) => decide(state), context, {
      states: { load: () => this.users.load(userId) },
    });
    if (!appended) {
      const [last] = await this.store.readStream(stream, { direction: 'backwards', maxCount: 1 });
      return { position: last!.position.toString(), profile: ownProfile(state) };
    }
    return { position: appended.position.toString(), profile: ownProfile(state) };
  }
}

@CommandHandler(ExecuteProfileCommand)
export class ExecuteProfileCommandHandler
  extends ProfileWriter
  implements ICommandHandler<ExecuteProfileCommand, ProfileCommandResult>
{
  constructor(users: UserStates, pipeline: CommandPipeline, @Inject(EVENT_STORE) store: EventStore) {
    super(users, pipeline, store);
  }

  execute({ userId, command, context }: ExecuteProfileCommand): Promise<ProfileCommandResult> {
    return this.run(userId, context, () => command);
  }
}

@CommandHandler(ChangePasswordCommand)
export class ChangePasswordHandler
  extends ProfileWriter
  implements ICommandHandler<ChangePasswordCommand, ProfileCommandResult>
{
  constructor(
    users: UserStates,
    pipeline: CommandPipeline,
    @Inject(EVENT_STORE) store: EventStore,
    private readonly commands: CommandBus,
  ) {
    super(users, pipeline, store);
  }

  async execute({ userId, currentPassword, newPassword, context, keepFamilyId }: ChangePasswordCommand): Promise<ProfileCommandResult> {
    const result = await this.change(userId, currentPassword, newPassword, context);
    // Whoever knew the old password may hold a sign-in: they all end, the asking one aside.
    // Also when nothing was written, so a retry finishes a change whose endings failed.
    await this.commands.execute(new EndOtherSessionsCommand(userId, keepFamilyId, BigInt(result.position), context));
    return result;
  }

  private async change(userId: string, currentPassword: string | null, newPassword: string, context: CommandContext): Promise<ProfileCommandResult> {
    checkNewPassword(newPassword, currentPassword === null ? 'password' : 'newPassword');
    // Hashed once, outside the retry loop: scrypt is the slow part.
    const newHash = await hashPassword(newPassword);
    return this.run(userId, context, async (state) => {
      const user = requireActiveUser(state);
      const now = new Date().toISOString();
      const change = (passwordHash: string): ProfileCommand => ({ type: 'ChangePassword', actor: context.actor, passwordHash, now });
      // No password (a phone account): the decider refuses it with its own code.
      if (user.passwordHash === null) return change(newHash);
      if (currentPassword !== null && !(await verifyPassword(currentPassword, user.passwordHash))) {
        throw validationError('PROFILE.CURRENT_PASSWORD_WRONG', 'The current password is wrong', [
          { field: 'currentPassword', reason: 'does not match the password of this account' },
        ]);
      }
      // The same password again: pass the current hash, so nothing is written.
      return change((await verifyPassword(newPassword, user.passwordHash)) ? user.passwordHash : newHash);
    });
  }
}

export function ownProfile(state: UserState): OwnProfile {
  const user = requireActiveUser(state);
  return {
    id: user.userId,
    username: user.username,
    displayName: user.displayName,
    statusMessage: user.statusMessage,
    photoUrl: user.photoUrl,
    privacy: user.privacy,
  };
}
