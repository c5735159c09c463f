import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { CodeRequestedResponse, PendingAccountResponse, PhoneSignInResponse } from './accounts.responses';
import type { FastifyReply } from 'fastify';
import { normalizePhone } from '../../../libs/personal-data/lookup-keys';
import { Caller, Public } from '../auth/auth.decorators';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { CreateAccountDto, RequestCodeDto, VerifyCodeDto } from './accounts.dto';
import { CreatePhoneAccountCommand } from './create-phone-account.command';
import { RequestCodeCommand, type CodeRequested } from './request-code.command';
import { VerifyCodeCommand, type PhoneSignIn } from './verify-code.command';

/** The DTO has checked it: normalising cannot fail here. */
const e164 = (phone: string): string => normalizePhone(phone)!;

/** Accounts by phone number (Windu): create, ask for a code, verify it and sign in. */
@ApiTags('accounts')
@Public()
@Controller('accounts')
export class AccountsController {
  constructor(private readonly commands: CommandBus) {}

  /** 201 with a new pending account; 200 when the number's pending account got a new code instead. */
  @Post()
  @ApiCreatedResponse({ type: PendingAccountResponse, description: 'A new pending account; a code is on its way' })
  @ApiOkResponse({ type: PendingAccountResponse, description: "The number's pending account got a new code instead" })
  @ApiErrors(...COMMAND_ERRORS, 429, 503)
  async create(
    @Body() body: CreateAccountDto,
    @Caller() caller: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ id: string; status: 'pending'; position: string }> {
    const account = await this.commands.execute(new CreatePhoneAccountCommand(e164(body.phone), body.nickname, caller));
    void reply.status(account.created ? 201 : 200);
    return { id: account.id, status: account.status, position: account.position };
  }

  @Post('request-code')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: CodeRequestedResponse })
  @ApiErrors(...COMMAND_ERRORS, 404, 429, 503)
  requestCode(@Body() body: RequestCodeDto, @Caller() caller: CommandContext): Promise<CodeRequested> {
    return this.commands.execute(new RequestCodeCommand(e164(body.phone), body.channel ?? 'sms', caller));
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOkResponse({ type: PhoneSignInResponse })
  @ApiErrors(...COMMAND_ERRORS, 401, 404, 429)
  verify(@Body() body: VerifyCodeDto, @Caller() caller: CommandContext): Promise<PhoneSignIn> {
    return this.commands.execute(new VerifyCodeCommand(e164(body.phone), body.code, caller));
  }
}
