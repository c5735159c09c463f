import { Body, Controller, Delete, Get, Header, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS } from '../common/openapi';
import { ApiKeyListResponse, CreatedApiKeyResponse, RevokedApiKeyResponse } from './admin.responses';
import type { ApiKeyScope } from '../../../libs/domain/api-keys/api-key.decider';
import { mintApiKey } from '../../../libs/domain/api-keys/api-key-secret';
import { newId } from '../../../libs/domain/ids';
import { Public } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { ExecuteApiKeyCommand } from './api-key-command.command';
import type { ApiKeyView } from '../../../libs/api-keys/api-key-views';
import { AdminCaller, AdminKey, type ApiKeyCaller } from './api-key.guard';
import { CreateApiKeyDto } from './api-keys.dto';
import { ListApiKeysQuery } from './api-keys.queries';
import { RequireScopes } from './require-scopes';
import { apiKeysProjection } from '../../../projections';

export interface CreatedApiKey {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
  /** The key itself: shown this once, stored nowhere (only its SHA-256 is). */
  readonly key: string;
  readonly createdAt: string;
  readonly position: string;
}

export interface RevokedApiKey {
  readonly id: string;
  readonly status: 'revoked';
  /** Events written; 0 when the key was revoked already. */
  readonly written: number;
  readonly position: string | null;
}

/** Server API keys, for holders of a key with `admin:keys`. */
@ApiTags('admin: API keys')
@Public()
@RequireScopes('admin:keys')
@Controller('admin/api-keys')
export class ApiKeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** Creates a key; the answer is the only time the key is shown. */
  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  @ApiErrors(...COMMAND_ERRORS)
  async create(
    @Body() body: CreateApiKeyDto,
    @AdminCaller() caller: CommandContext,
    @AdminKey() key: ApiKeyCaller,
  ): Promise<CreatedApiKey> {
    const id = newId();
    const minted = mintApiKey(id);
    const now = new Date().toISOString();
    const result = await this.commands.execute(
      new ExecuteApiKeyCommand(
        id,
        {
          type: 'CreateApiKey',
          keyId: id,
          name: body.name,
          scopes: body.scopes,
          secretHash: minted.secretHash,
          bootstrap: false,
          creatorScopes: key.scopes,
          actor: caller.actor,
          now,
        },
        caller,
      ),
    );
    const state = result.state;
    if (state.status !== 'active') throw new Error(`API key ${id} is ${state.status} right after its creation`);
    return { id, name: state.name, scopes: state.scopes, key: minted.key, createdAt: state.createdAt, position: result.position! };
  }

  /** Every key, revoked ones included, without secrets; `X-Min-Position` waits for a creation's position. */
  @Get()
  @ReadModelQuery(apiKeysProjection)

  @ApiOkResponse({ type: ApiKeyListResponse })
  list(): Promise<{ readonly items: readonly ApiKeyView[] }> {
    return this.queries.execute(new ListApiKeysQuery());
  }

  /** Revokes a key for good: its next request is refused, in every process. */
  @Delete(':id')
  @ApiOkResponse({ type: RevokedApiKeyResponse })
  @ApiErrors(400, 404, 409)
  async revoke(@Param('id', UuidParamPipe) id: string, @AdminCaller() caller: CommandContext): Promise<RevokedApiKey> {
    const result = await this.commands.execute(
      new ExecuteApiKeyCommand(id, { type: 'RevokeApiKey', actor: caller.actor, now: new Date().toISOString() }, caller),
    );
    return { id, status: 'revoked', written: result.written, position: result.position };
  }
}
