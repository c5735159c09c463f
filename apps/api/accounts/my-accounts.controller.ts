import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { normalizePhone } from '../../../libs/personal-data/lookup-keys';
import { Caller, CurrentUser, type AuthenticatedUser } from '../auth/auth.decorators';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { RemoveUserCommand } from '../users/remove-user.command';
import { usersProjection } from '../../../projections';
import { AccountCodeDto, AddAccountDto, RemoveAccountDto, VerifyAccountDto } from './accounts.dto';
import {
  CodeRequestedResponse,
  PendingAccountResponse,
  PhoneAccountListResponse,
  RemovedAccountResponse,
  VerifiedAccountResponse,
} from './accounts.responses';
import { CreatePhoneAccountCommand } from './create-phone-account.command';
import { ListMyAccountsQuery, type PhoneAccountView } from './my-accounts.queries';
import { AccountOwnership } from './account-selector';
import { RequestCodeCommand, type CodeRequested } from './request-code.command';
import { VerifyAccountCodeCommand, type VerifiedAccount } from './verify-code.command';

/** The DTO has checked it: normalising cannot fail here. */
const e164 = (phone: string): string => normalizePhone(phone)!;

/**
 * The phone accounts a login holds (Windu): each number is an account of its
 * own, with its own nickname, status message, photo, privacy, presence,
 * contacts and blocks. Any route acts as one of them when the request names
 * it in `X-Parley-Account` (docs/decisions/0033-accounts-per-login.md).
 */
@ApiTags('accounts')
@UserApi()
@Controller('me/accounts')
export class MyAccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly ownership: AccountOwnership,
  ) {}

  @Get()
  @ReadModelQuery(usersProjection)
  @ApiOperation({ summary: "The login's phone accounts, oldest first (pending ones included); removed ones never show" })
  @ApiOkResponse({ type: PhoneAccountListResponse })
  list(@CurrentUser() user: AuthenticatedUser): Promise<{ readonly items: readonly PhoneAccountView[] }> {
    return this.queries.execute(new ListMyAccountsQuery(user.loginId ?? user.id));
  }

  /** 201 with a new pending account; 200 when the login's pending account of the number got a new code instead. */
  @Post()
  @ApiOperation({ summary: 'Adds a phone number to the login: a pending account, and a code sent to the phone' })
  @ApiCreatedResponse({ type: PendingAccountResponse, description: 'A new pending account; a code is on its way' })
  @ApiOkResponse({ type: PendingAccountResponse, description: "The login's pending account of the number got a new code instead" })
  @ApiErrors(...COMMAND_ERRORS, 429, 503)
  async add(
    @Body() body: AddAccountDto,
    @Caller() caller: CommandContext,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ id: string; status: 'pending'; position: string }> {
    const loginId = user.loginId ?? user.id;
    const account = await this.commands.execute(new CreatePhoneAccountCommand(e164(body.phone), body.nickname, caller, loginId));
    void reply.status(account.created ? 201 : 200);
    return { id: account.id, status: account.status, position: account.position };
  }

  @Post('request-code')
  @HttpCode(202)
  @ApiOperation({ summary: "A new code for one of the login's numbers, by SMS or voice" })
  @ApiAcceptedResponse({ type: CodeRequestedResponse })
  @ApiErrors(...COMMAND_ERRORS, 404, 429, 503)
  requestCode(@Body() body: AccountCodeDto, @Caller() caller: CommandContext, @CurrentUser() user: AuthenticatedUser): Promise<CodeRequested> {
    return this.commands.execute(new RequestCodeCommand(e164(body.phone), body.channel ?? 'sms', caller, user.loginId ?? user.id));
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: "Verifies one of the login's numbers with the code sent to it: the account becomes usable" })
  @ApiOkResponse({ type: VerifiedAccountResponse })
  @ApiErrors(...COMMAND_ERRORS, 404, 429)
  verify(@Body() body: VerifyAccountDto, @Caller() caller: CommandContext, @CurrentUser() user: AuthenticatedUser): Promise<VerifiedAccount> {
    return this.commands.execute(new VerifyAccountCodeCommand(user.loginId ?? user.id, e164(body.phone), body.code, caller));
  }

  @Delete(':accountId')
  @ApiOperation({ summary: 'Removes one of the login’s accounts: its personal data is erased, the number is free again' })
  @ApiOkResponse({ type: RemovedAccountResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  async remove(
    @Param('accountId', UuidParamPipe) accountId: string,
    @Body() body: RemoveAccountDto,
    @Caller() caller: CommandContext,
    @CurrentUser() user: AuthenticatedUser,
  ) {
    const loginId = user.loginId ?? user.id;
    await this.ownership.check(loginId, accountId, { pendingToo: true });
    return this.commands.execute(new RemoveUserCommand(accountId, 'self', body.feedback ?? null, { ...caller, actor: loginId }));
  }
}
