import { Body, Controller, Delete, Get, Patch, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import {
  MeResponse,
  PasswordChangedResponse,
  PhotoHistoryResponse,
  PhotoSetResponse,
  PrivacyChangedResponse,
  PrivacyResponse,
  ProfileUpdatedResponse,
  StatusMessageHistoryResponse,
  StatusMessageSetResponse,
} from './users.responses';
import type { ProfileCommand } from '../../../libs/domain/users/profile.decider';
import { Caller, CurrentUser, type AuthenticatedUser } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { ChangePasswordCommand, ExecuteProfileCommand, type ProfileCommandResult } from './profile.command';
import { ChangePasswordDto, HistoryQueryDto, PrivacyDto, StatusMessageDto, UpdateMeDto } from './profile.dto';
import {
  GetMeQuery,
  ProfileHistoryQuery,
  type HistoryPage,
  type PhotoEntry,
  type StatusMessageEntry,
} from './profile.queries';
import { privacyView, type MeView, type PrivacyView } from './profile-views';
import { profileHistoryProjection, usersProjection } from '../../../projections';

const now = () => new Date().toISOString();

/**
 * The signed-in user's own profile. Commands answer with `position`; pass it
 * as `X-Min-Position` to a GET to read the change. Setting a value the
 * profile already has writes nothing and answers the same.
 */
@ApiTags('profile')
@UserApi()
@Controller('me')
export class ProfileController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ReadModelQuery(usersProjection)

  @ApiOkResponse({ type: MeResponse })
  me(@Caller() caller: CommandContext): Promise<MeView> {
    return this.queries.execute(new GetMeQuery(caller.actor));
  }

  @Patch()
  @ApiOkResponse({ type: ProfileUpdatedResponse })
  @ApiErrors(...COMMAND_ERRORS)
  async update(@Body() body: UpdateMeDto, @Caller() caller: CommandContext) {
    const { profile, position } = await this.run(caller, {
      type: 'UpdateDisplayName',
      actor: caller.actor,
      displayName: body.displayName,
      now: now(),
    });
    return { id: profile.id, username: profile.username, displayName: profile.displayName, position };
  }

  @Put('status-message')
  @ApiOkResponse({ type: StatusMessageSetResponse })
  @ApiErrors(...COMMAND_ERRORS)
  async setStatusMessage(@Body() body: StatusMessageDto, @Caller() caller: CommandContext) {
    const { profile, position } = await this.run(caller, {
      type: 'SetStatusMessage',
      actor: caller.actor,
      message: body.message,
      now: now(),
    });
    return { message: profile.statusMessage, position };
  }

  @Get('status-message/history')
  @ReadModelQuery(profileHistoryProjection)

  @ApiOkResponse({ type: StatusMessageHistoryResponse })
  @ApiOperation({ summary: 'Status messages set, newest first; a clear is an entry with message null' })
  statusHistory(@Query() query: HistoryQueryDto, @Caller() caller: CommandContext): Promise<HistoryPage<StatusMessageEntry>> {
    return this.queries.execute(new ProfileHistoryQuery(caller.actor, 'status', query.cursor, query.limit ?? 20)) as Promise<
      HistoryPage<StatusMessageEntry>
    >;
  }

  // PUT /v1/me/photo (a URL or an upload) lives in the media feature (apps/api/media/me-photo.controller.ts).

  @Delete('photo')
  @ApiOkResponse({ type: PhotoSetResponse })
  @ApiErrors(409)
  async removePhoto(@Caller() caller: CommandContext) {
    const { profile, position } = await this.run(caller, { type: 'SetPhoto', actor: caller.actor, url: null, now: now() });
    return { url: profile.photoUrl, position };
  }

  @Get('photo/history')
  @ReadModelQuery(profileHistoryProjection)

  @ApiOkResponse({ type: PhotoHistoryResponse })
  @ApiOperation({ summary: 'Profile photos set, newest first; a removal is an entry with url null' })
  photoHistory(@Query() query: HistoryQueryDto, @Caller() caller: CommandContext): Promise<HistoryPage<PhotoEntry>> {
    return this.queries.execute(new ProfileHistoryQuery(caller.actor, 'photo', query.cursor, query.limit ?? 20)) as Promise<
      HistoryPage<PhotoEntry>
    >;
  }

  @Get('privacy')
  @ReadModelQuery(usersProjection)

  @ApiOkResponse({ type: PrivacyResponse })
  @ApiOperation({ summary: 'Who sees the status message, photo and last seen: none, contacts or all (snake_case names)' })
  async privacy(@Caller() caller: CommandContext): Promise<PrivacyView> {
    return (await this.queries.execute(new GetMeQuery(caller.actor))).privacy;
  }

  @Put('privacy')
  @ApiOkResponse({ type: PrivacyChangedResponse })
  @ApiErrors(...COMMAND_ERRORS)
  @ApiOperation({ summary: 'Changes the levels given (snake_case names, as Windu); answers the whole settings' })
  async setPrivacy(@Body() body: PrivacyDto, @Caller() caller: CommandContext): Promise<PrivacyView & { position: string }> {
    const { profile, position } = await this.run(caller, {
      type: 'ChangePrivacy',
      actor: caller.actor,
      changes: {
        ...(body.status_message === undefined ? {} : { statusMessage: body.status_message }),
        ...(body.photo === undefined ? {} : { photo: body.photo }),
        ...(body.last_seen === undefined ? {} : { lastSeen: body.last_seen }),
        ...(body.read_receipts === undefined ? {} : { readReceipts: body.read_receipts }),
      },
      now: now(),
    });
    return { ...privacyView(profile.privacy), position };
  }

  @Put('password')
  @ApiOkResponse({ type: PasswordChangedResponse })
  @ApiErrors(...COMMAND_ERRORS)
  @ApiOperation({
    summary:
      'A new password; the current one must be given (400 PROFILE.CURRENT_PASSWORD_WRONG). Every other sign-in of the account ends; this one stays',
  })
  async changePassword(
    @Body() body: ChangePasswordDto,
    @Caller() caller: CommandContext,
    @CurrentUser() user: AuthenticatedUser | undefined,
  ): Promise<{ position: string }> {
    const { position } = await this.commands.execute(
      new ChangePasswordCommand(caller.actor, body.currentPassword, body.newPassword, caller, user?.familyId ?? null),
    );
    return { position };
  }

  private run(caller: CommandContext, command: ProfileCommand): Promise<ProfileCommandResult> {
    return this.commands.execute(new ExecuteProfileCommand(caller.actor, command, caller));
  }
}
