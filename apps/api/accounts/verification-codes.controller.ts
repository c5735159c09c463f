import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi';
import { RecordedCodeListResponse } from './accounts.responses';
import { notFound } from '../../../libs/domain/errors';
import { normalizePhone } from '../../../libs/personal-data/lookup-keys';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { VerificationCodesQueryDto } from './accounts.dto';
import { CODE_SENDER, RecordingCodeSender, type CodeSender, type RecordedCode } from './code-sender';

/**
 * The codes the embedded sender recorded, for the operator who hands them to
 * phone owners. With an SMS provider configured Parley keeps no codes.
 */
@ApiTags('admin')
@Public()
@RequireScopes('admin:users')
@Controller('admin/verification-codes')
export class VerificationCodesController {
  constructor(@Inject(CODE_SENDER) private readonly sender: CodeSender) {}

  @Get()
  @ApiOkResponse({ type: RecordedCodeListResponse })
  @ApiErrors(400, 404)
  list(@Query() query: VerificationCodesQueryDto): { readonly items: readonly RecordedCode[] } {
    if (!(this.sender instanceof RecordingCodeSender)) {
      throw notFound('ACCOUNT.CODES_NOT_RECORDED', 'Codes go to the SMS provider (SMS_PROVIDER_URL); this server keeps none');
    }
    return { items: this.sender.list(query.phone === undefined ? undefined : normalizePhone(query.phone)!) };
  }
}
