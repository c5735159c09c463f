import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, COMMAND_ERRORS, UserApi } from '../common/openapi';
import {
  AddedContactResponse,
  BlockChangedResponse,
  BlockedListResponse,
  ContactChangedResponse,
  ContactPageResponse,
  ContactResponse,
  CountedResponse,
  RemovedContactsResponse,
  SyncResultResponse,
} from './contacts.responses';
import type { FastifyReply } from 'fastify';
import { notFound, validationError, type ErrorDetail } from '../../../libs/domain/errors';
import type { ContactEntry } from '../../../libs/domain/events';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import type { Page } from '../rooms/rooms.queries';
import { AccountResolver } from './account-resolver';
import { ContactBooks } from './contact-books';
import { ContactIds } from './contact-ids';
import type { ContactView } from './contact-directory';
import {
  ExecuteBlocksCommand,
  ExecuteContactsCommand,
  SyncContactsCommand,
  type ContactsResult,
  type SyncResult,
} from './contacts.commands';
import {
  ContactEntryDto,
  ContactPathQueryDto,
  ImportContactsDto,
  ListContactsQueryDto,
  RemoveContactsDto,
  RenameContactDto,
  ReplaceBlockedDto,
} from './contacts.dto';
import { GetContactQuery, ListBlockedQuery, ListContactsQuery, type BlockedView } from './contacts.queries';
import { contactsProjection, usersProjection } from '../../../projections';

/** PUT /v1/contacts takes up to 10,000 entries; app.ts may give this route a larger body limit than the default. */
export const CONTACTS_ROUTE = '/v1/contacts';
export const CONTACTS_IMPORT_MAX_BYTES = 4 * 1024 * 1024;

const now = () => new Date().toISOString();

type Written = Omit<ContactsResult, 'events'>;
const written = ({ written: count, position }: ContactsResult): Written => ({ written: count, position });

@ApiTags('contacts')
@UserApi()
@Controller()
export class ContactsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly ids: ContactIds,
    private readonly accounts: AccountResolver,
    private readonly books: ContactBooks,
  ) {}

  @Post('contacts')
  @ApiCreatedResponse({ type: AddedContactResponse, description: 'Added' })
  @ApiOkResponse({ type: AddedContactResponse, description: 'The entry was there already, as given' })
  @ApiErrors(...COMMAND_ERRORS)
  async add(
    @Body() body: ContactEntryDto,
    @Caller() caller: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Written & { contact: Omit<ContactEntry, 'matchKey'> }> {
    const entry = this.ids.entry({ ...body });
    const result = await this.commands.execute(
      new ExecuteContactsCommand(caller.actor, { type: 'AddContact', ownerId: caller.actor, entry, now: now() }, caller),
    );
    void reply.status(result.written > 0 ? 201 : 200);
    const { matchKey: _key, ...contact } = entry;
    return { contact, ...written(result) };
  }

  /** Replaces the whole address book in one event; the same list again writes nothing. */
  @Put('contacts')
  @ApiOkResponse({ type: CountedResponse })
  @ApiErrors(...COMMAND_ERRORS)
  async import(@Body() body: ImportContactsDto, @Caller() caller: CommandContext): Promise<Written & { count: number }> {
    const entries = this.ids.list(body.contacts, await this.books.phoneKeys(caller.actor));
    const result = await this.commands.execute(
      new ExecuteContactsCommand(caller.actor, { type: 'ImportContacts', ownerId: caller.actor, entries, now: now() }, caller),
    );
    return { count: entries.length, ...written(result) };
  }

  @Get('contacts')
  @ReadModelQuery(contactsProjection, usersProjection)

  @ApiOkResponse({ type: ContactPageResponse })
  list(@Query() query: ListContactsQueryDto, @Caller() caller: CommandContext): Promise<Page<ContactView>> {
    return this.queries.execute(new ListContactsQuery(caller.actor, query.cursor, query.limit ?? 20));
  }

  @Post('contacts/remove')
  @HttpCode(200)
  @ApiOkResponse({ type: RemovedContactsResponse })
  @ApiErrors(...COMMAND_ERRORS)
  async removeMany(
    @Body() body: RemoveContactsDto,
    @Caller() caller: CommandContext,
  ): Promise<Written & { removed: string[]; missing: string[] }> {
    const read = this.ids.readAll(body.contacts, 'contacts');
    const result = await this.commands.execute(
      new ExecuteContactsCommand(
        caller.actor,
        { type: 'RemoveContacts', ownerId: caller.actor, matchKeys: read.map((r) => r.matchKey), strict: false, now: now() },
        caller,
      ),
    );
    const gone = new Set(result.events.flatMap((e) => (e.type === 'ContactsRemoved' ? e.data.matchKeys : [])));
    const removed = new Set<string>();
    const missing = new Set<string>();
    for (const r of read) (gone.has(r.matchKey) ? removed : missing).add(r.contactId);
    return { removed: [...removed], missing: [...missing], ...written(result) };
  }

  /** Windu's force sync: matching runs again over the list; answers the matched entries. */
  @Post('contacts/sync')
  @HttpCode(200)
  @ApiOkResponse({ type: SyncResultResponse })
  @ApiErrors(409, 503)
  sync(@Caller() caller: CommandContext): Promise<SyncResult> {
    return this.commands.execute(new SyncContactsCommand(caller.actor, caller));
  }

  @Get('contacts/:contactId')
  @ReadModelQuery(contactsProjection, usersProjection)

  @ApiOkResponse({ type: ContactResponse })
  @ApiErrors(404)
  get(
    @Param('contactId') contactId: string,
    @Query() query: ContactPathQueryDto,
    @Caller() caller: CommandContext,
  ): Promise<ContactView> {
    const id = this.ids.read(contactId, 'contactId', query.kind);
    return this.queries.execute(new GetContactQuery(caller.actor, id.matchKey, id.contactId));
  }

  /** Renames an entry; matching is not touched. */
  @Patch('contacts/:contactId')
  @ApiOkResponse({ type: ContactChangedResponse })
  @ApiErrors(...COMMAND_ERRORS, 404)
  async rename(
    @Param('contactId') contactId: string,
    @Query() query: ContactPathQueryDto,
    @Body() body: RenameContactDto,
    @Caller() caller: CommandContext,
  ): Promise<Written & { contactId: string }> {
    const id = this.ids.read(contactId, 'contactId', query.kind);
    if (body.firstName === undefined && body.lastName === undefined) {
      throw validationError('CONTACT.NOTHING_TO_RENAME', 'Give firstName, lastName or both', [
        { field: 'firstName', reason: 'firstName or lastName is required' },
      ]);
    }
    const result = await this.commands.execute(
      new ExecuteContactsCommand(
        caller.actor,
        {
          type: 'RenameContact',
          ownerId: caller.actor,
          matchKey: id.matchKey,
          contactId: id.contactId,
          firstName: body.firstName,
          lastName: body.lastName,
          now: now(),
        },
        caller,
      ),
    );
    return { contactId: id.contactId, ...written(result) };
  }

  @Delete('contacts/:contactId')
  @ApiOkResponse({ type: ContactChangedResponse })
  @ApiErrors(400, 404, 409)
  async remove(
    @Param('contactId') contactId: string,
    @Query() query: ContactPathQueryDto,
    @Caller() caller: CommandContext,
  ): Promise<Written & { contactId: string }> {
    const id = this.ids.read(contactId, 'contactId', query.kind);
    const result = await this.commands.execute(
      new ExecuteContactsCommand(
        caller.actor,
        { type: 'RemoveContacts', ownerId: caller.actor, matchKeys: [id.matchKey], strict: true, contactId: id.contactId, now: now() },
        caller,
      ),
    );
    return { contactId: id.contactId, ...written(result) };
  }

  /** Blocks the account the contact id names (it need not be in the address book). */
  @Post('contacts/:contactId/block')
  @HttpCode(200)
  @ApiOkResponse({ type: BlockChangedResponse })
  @ApiErrors(400, 404, 409)
  async block(
    @Param('contactId') contactId: string,
    @Query() query: ContactPathQueryDto,
    @Caller() caller: CommandContext,
  ): Promise<Written & { userId: string; blocked: true }> {
    const id = this.ids.read(contactId, 'contactId', query.kind);
    const userId = await this.accounts.account(id);
    if (userId === null) throw notFound('BLOCK.USER_NOT_FOUND', `No account answers to ${id.contactId}`);
    const result = await this.commands.execute(
      new ExecuteBlocksCommand(caller.actor, { type: 'Block', userId: caller.actor, target: userId, now: now() }, caller),
    );
    return { userId, blocked: true, ...written(result) };
  }

  /** Unblocks; an account removed since it was blocked can still be unblocked by its id, username or number. */
  @Post('contacts/:contactId/unblock')
  @HttpCode(200)
  @ApiOkResponse({ type: BlockChangedResponse })
  @ApiErrors(400, 404, 409)
  async unblock(
    @Param('contactId') contactId: string,
    @Query() query: ContactPathQueryDto,
    @Caller() caller: CommandContext,
  ): Promise<Written & { userId: string; blocked: false }> {
    const id = this.ids.read(contactId, 'contactId', query.kind);
    const userId = await this.accounts.claimant(id);
    if (userId === null) throw notFound('BLOCK.USER_NOT_FOUND', `No account answers to ${id.contactId}`);
    const result = await this.commands.execute(
      new ExecuteBlocksCommand(caller.actor, { type: 'Unblock', userId: caller.actor, target: userId, now: now() }, caller),
    );
    return { userId, blocked: false, ...written(result) };
  }

  /** The caller's block list, from the log (never behind a block just made). */
  @Get('blocked')
  @ApiOkResponse({ type: BlockedListResponse })
  blocked(@Caller() caller: CommandContext): Promise<{ items: BlockedView[] }> {
    return this.queries.execute(new ListBlockedQuery(caller.actor));
  }

  /** Replaces the whole block list; entries are user ids, usernames or phone numbers of existing accounts. */
  @Put('blocked')
  @ApiOkResponse({ type: CountedResponse })
  @ApiErrors(...COMMAND_ERRORS)
  async replaceBlocked(@Body() body: ReplaceBlockedDto, @Caller() caller: CommandContext): Promise<Written & { count: number }> {
    const read = this.ids.readAll(body.users, 'users');
    const userIds = await Promise.all(read.map((id) => this.accounts.account(id)));
    const unknown: ErrorDetail[] = [];
    userIds.forEach((userId, index) => {
      if (userId === null) unknown.push({ field: `users[${index}]`, reason: `no account answers to ${read[index]!.contactId}` });
    });
    if (unknown.length > 0) {
      throw validationError('BLOCK.UNKNOWN_USERS', `${unknown[0]!.field}: ${unknown[0]!.reason}`, unknown.slice(0, 100));
    }
    const targets = userIds as string[];
    const result = await this.commands.execute(
      new ExecuteBlocksCommand(caller.actor, { type: 'ReplaceBlockList', userId: caller.actor, targets, now: now() }, caller),
    );
    return { count: new Set(targets).size, ...written(result) };
  }
}
