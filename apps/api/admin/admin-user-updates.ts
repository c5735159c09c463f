import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { validationError } from '../../../libs/domain/errors';
import { checkDisplayName, checkNewPassword } from '../../../libs/domain/users/profile.decider';
import { ChangePasswordCommand, ExecuteProfileCommand, type ProfileCommandResult } from '../users/profile.command';

export interface AdminUpdatedUser {
  readonly id: string;
  readonly username: string | null;
  readonly displayName: string | null;
  readonly position: string;
}

/**
 * An administrator's change of a user's display name, password or both: the
 * admin route (`PATCH /v1/admin/users/:id`) and the Trillian surface share it,
 * so both check and write in the same order.
 */
@Injectable()
export class AdminUserUpdates {
  constructor(private readonly commands: CommandBus) {}

  async update(id: string, change: { readonly displayName?: string; readonly password?: string }, caller: CommandContext): Promise<AdminUpdatedUser> {
    if (change.displayName === undefined && change.password === undefined) {
      throw validationError('ADMIN.USER_UPDATE_EMPTY', 'Give displayName, password or both', [
        { field: 'displayName', reason: 'or password is required' },
      ]);
    }
    // Both checked before either is written, and the password (which a phone account refuses) first.
    if (change.displayName !== undefined) checkDisplayName(change.displayName);
    if (change.password !== undefined) checkNewPassword(change.password, 'password');
    let result: ProfileCommandResult | undefined;
    if (change.password !== undefined) {
      result = await this.commands.execute(new ChangePasswordCommand(id, null, change.password, caller));
    }
    if (change.displayName !== undefined) {
      result = await this.commands.execute(
        new ExecuteProfileCommand(
          id,
          { type: 'UpdateDisplayName', actor: caller.actor, displayName: change.displayName, now: new Date().toISOString() },
          caller,
        ),
      );
    }
    const { profile, position } = result!;
    return { id: profile.id, username: profile.username, displayName: profile.displayName, position };
  }
}
