import { Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../../libs/command-pipeline/command-context';
import type { ParleyConfig } from '../../../../libs/config/config';
import { DomainError, notFound, validationError, type ErrorDetail } from '../../../../libs/domain/errors';
import type { PrivacyLevel, PrivacySettings } from '../../../../libs/domain/events';
import { normalizePhone } from '../../../../libs/personal-data/lookup-keys';
import { AccountOwnership } from '../../accounts/account-selector';
import { CreatePhoneAccountCommand } from '../../accounts/create-phone-account.command';
import { ListMyAccountsQuery, type PhoneAccountView } from '../../accounts/my-accounts.queries';
import { RequestCodeCommand } from '../../accounts/request-code.command';
import { VerifyAccountCodeCommand } from '../../accounts/verify-code.command';
import { Caller, CurrentUser, Public, type AuthenticatedUser } from '../../auth/auth.decorators';
import { PasswordGrantCommand } from '../../auth/password-grant.command';
import { RefreshGrantCommand } from '../../auth/refresh-grant.command';
import { AccountResolver } from '../../contacts/account-resolver';
import { ContactBooks } from '../../contacts/contact-books';
import type { ContactView } from '../../contacts/contact-directory';
import { ContactIds } from '../../contacts/contact-ids';
import { ExecuteBlocksCommand, ExecuteContactsCommand, SyncContactsCommand } from '../../contacts/contacts.commands';
import { GetContactQuery, ListBlockedQuery, ListContactsQuery } from '../../contacts/contacts.queries';
import { ReadModelGate } from '../../infrastructure/read-model-gate';
import { UserPhotos } from '../../media/user-photos';
import { readUpload } from '../../media/upload-body';
import { PARLEY_CONFIG } from '../../infrastructure/tokens';
import {
  AllContactsPresenceQuery,
  AllContactsStatusesQuery,
  ContactHistoryQuery,
  ContactPhotoQuery,
  ContactPresenceQuery,
  ContactStatusMessageQuery,
  type PhotoChange,
  type StatusMessageChange,
} from '../../presence/contact-presence.queries';
import { MyPresenceQuery } from '../../presence/presence.queries';
import { SetPresenceCommand } from '../../presence/set-presence.command';
import { ExecuteProfileCommand } from '../../users/profile.command';
import { GetMeQuery } from '../../users/profile.queries';
import { RemoveUserCommand } from '../../users/remove-user.command';
import { winduContact, type WinduContact } from './windu-shapes';
import {
  ACCOUNT_SCHEMA,
  BLOCK_SCHEMA,
  BLOCKED_LIST_SCHEMA,
  CODE_SENT_SCHEMA,
  CONNECTED_STATUS_SCHEMA,
  CONTACT_CONNECTED_LIST_SCHEMA,
  CONTACT_CONNECTED_SCHEMA,
  CONTACT_LIST_SCHEMA,
  CONTACT_SCHEMA,
  CONTACT_STATUS_SCHEMA,
  CONTACT_STATUSES_SCHEMA,
  CONTACTS_SCHEMA,
  NICKNAME_SCHEMA,
  PHOTO_HISTORY_SCHEMA,
  PHOTO_SCHEMA,
  PHOTO_URL_SCHEMA,
  PHOTO_URLS_SCHEMA,
  PRIVACY_SCHEMA,
  REMOVED_ACCOUNT_SCHEMA,
  REMOVED_CONTACTS_SCHEMA,
  STATUS_HISTORY_SCHEMA,
  STATUS_MESSAGE_SCHEMA,
  WinduAnswer,
  WinduTokenAnswer,
} from './windu.openapi';

type Fields = Record<string, unknown>;

/** How long a Windu call waits for the read models to show the caller's own writes (Windu clients send no position). */
const READ_YOUR_WRITES_MS = 5_000;
/** Windu lists whole address books; Parley pages them. */
const CONTACT_PAGE = 1_000;
const LEVELS: readonly PrivacyLevel[] = ['none', 'contacts', 'all'];
const now = () => new Date().toISOString();

/**
 * Windu's REST API over Parley: a translator only. A Windu login is a Parley
 * user signed in with the password grant; each `account=` number is one of
 * its phone accounts (`/v1/me/accounts`), and every call acts as that account
 * through the same commands and queries `/v1` uses with `X-Parley-Account`.
 * Without `account=` the login's first account is used, as the seed says.
 */
@Controller('windu')
export class WinduController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly ownership: AccountOwnership,
    private readonly gate: ReadModelGate,
    private readonly ids: ContactIds,
    private readonly books: ContactBooks,
    private readonly resolver: AccountResolver,
    private readonly profilePhotos: UserPhotos,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  // ---- the token endpoint ----------------------------------------------------------------------

  @Public()
  @Post('o/token')
  @HttpCode(200)
  @ApiOperation({ summary: 'OAuth token: password and refresh_token grants of a public client (client_id, no secret)' })
  @WinduTokenAnswer()
  async token(@Req() request: FastifyRequest, @Caller() caller: CommandContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const form = fieldsOf(request);
    const grant = text(form, 'grant_type', { required: true });
    const client = text(form, 'client_id', { required: true });
    if (!this.config.winduClientIds.includes(client)) {
      throw new DomainError('WINDU.CLIENT_INVALID', 'unauthenticated', 'Unknown client_id');
    }
    void reply.header('cache-control', 'no-store');
    if (grant === 'password') {
      const pair = await this.commands.execute(
        new PasswordGrantCommand(text(form, 'username', { required: true }), text(form, 'password', { required: true }), caller),
      );
      return tokenAnswer(pair);
    }
    if (grant === 'refresh_token') {
      return tokenAnswer(await this.commands.execute(new RefreshGrantCommand(text(form, 'refresh_token', { required: true }), caller)));
    }
    throw new DomainError('WINDU.GRANT_UNSUPPORTED', 'validation', `grant_type ${grant} is not supported: password or refresh_token`);
  }

  // ---- accounts ----------------------------------------------------------------------------------

  @Post('api/account/create-account')
  @ApiOperation({ summary: 'Adds a number to the login: a pending account, and a code by SMS' })
  @WinduAnswer(201, 'A new pending account (200: the login’s pending account of the number got a new code)', ACCOUNT_SCHEMA, [400, 409, 429], { form: true })
  async createAccount(
    @Req() request: FastifyRequest,
    @CurrentUser() user: AuthenticatedUser,
    @Caller() caller: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const form = fieldsOf(request);
    const phone = number(form, 'account');
    const nickname = text(form, 'nickname', { required: true, max: 100 });
    const loginId = loginOf(user);
    const created = await this.commands.execute(new CreatePhoneAccountCommand(phone, nickname, caller, loginId));
    void reply.status(created.created ? 201 : 200);
    return { account: phone, nickname, status: 'pending' };
  }

  @Post('api/account/request-sms-code')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new code by SMS for one of the login’s numbers' })
  @WinduAnswer(200, 'The code is on its way', CODE_SENT_SCHEMA, [400, 404, 429], { form: true })
  requestSms(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    return this.requestCode(request, user, caller, 'sms');
  }

  @Post('api/account/request-voice-code')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new code by voice call for one of the login’s numbers' })
  @WinduAnswer(200, 'The call is on its way', CODE_SENT_SCHEMA, [400, 404, 429], { form: true })
  requestVoice(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    return this.requestCode(request, user, caller, 'voice');
  }

  private async requestCode(request: FastifyRequest, user: AuthenticatedUser, caller: CommandContext, method: 'sms' | 'voice') {
    const { phone } = await this.account(request, user, { pendingToo: true });
    const sent = await this.commands.execute(new RequestCodeCommand(phone, method, caller, loginOf(user)));
    return { account: phone, method, expires_in: sent.expiresIn };
  }

  @Post('api/account/register-code')
  @HttpCode(200)
  @ApiOperation({ summary: 'Registers (verifies) the account with the code it received' })
  @WinduAnswer(200, 'The account is registered', ACCOUNT_SCHEMA, [400, 404, 429], { form: true })
  async registerCode(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const form = fieldsOf(request);
    const code = text(form, 'code', { required: true, max: 8 });
    if (!/^\d{4,8}$/.test(code)) throw fieldError('code', 'must be 4 to 8 digits');
    const { phone } = await this.account(request, user, { pendingToo: true });
    const verified = await this.commands.execute(new VerifyAccountCodeCommand(loginOf(user), phone, code, caller));
    return { account: phone, nickname: verified.nickname, status: 'registered' };
  }

  @Post('api/account/remove-account')
  @HttpCode(200)
  @ApiOperation({ summary: 'Removes the account: its personal data is erased and the number is free again' })
  @WinduAnswer(200, 'Removed', REMOVED_ACCOUNT_SCHEMA, [400, 404], { form: true })
  async removeAccount(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const feedback = text(fieldsOf(request), 'feedback', { max: 1000 });
    const { id, phone } = await this.account(request, user, { pendingToo: true });
    await this.commands.execute(new RemoveUserCommand(id, 'self', feedback === '' ? null : feedback, { ...caller, actor: loginOf(user) }));
    return { account: phone, removed: true };
  }

  @Get('api/account/status-message')
  @ApiOperation({ summary: 'The account’s status message' })
  @WinduAnswer(200, 'The status message', STATUS_MESSAGE_SCHEMA, [400, 404])
  async statusMessage(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    return { status_message: (await this.me(request, user)).statusMessage };
  }

  @Post('api/account/status-message')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sets the account’s status message (empty clears it)' })
  @WinduAnswer(200, 'The status message now', STATUS_MESSAGE_SCHEMA, [400, 404], { form: true })
  async setStatusMessage(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const form = fieldsOf(request);
    if (form['status_message'] === undefined) throw fieldError('status_message', 'This field is required.');
    const message = text(form, 'status_message', { max: 500 });
    const { id } = await this.account(request, user);
    const { profile } = await this.commands.execute(
      new ExecuteProfileCommand(id, { type: 'SetStatusMessage', actor: id, message: message === '' ? null : message, now: now() }, as(caller, id)),
    );
    return { status_message: profile.statusMessage };
  }

  @Get('api/account/profile-photo')
  @ApiOperation({ summary: 'The account’s profile photo URL' })
  @WinduAnswer(200, 'The photo URL, null without one', PHOTO_SCHEMA, [400, 404])
  async photo(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    return { photo: (await this.me(request, user)).photoUrl };
  }

  @Post('api/account/profile-photo')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sets the account’s profile photo from an upload (multipart/form-data: photo, and account= in the form or the query)' })
  @WinduAnswer(200, 'The photo URL now: the upload as Parley media', PHOTO_SCHEMA, [400, 404], { multipart: true })
  async uploadPhoto(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    if (!request.isMultipart()) throw fieldError('photo', 'No file was submitted. Check the encoding type on the form.');
    // The whole form is read first: Windu may send account= after the file.
    const upload = await readUpload(request, this.config.media.maxBytes, 'photo', ['account']);
    const { id } = await this.account(request, user, { given: upload.extra['account'] as string | undefined });
    const { url } = await this.profilePhotos.setOwn(upload, as(caller, id));
    return { photo: url };
  }

  @Delete('api/account/profile-photo')
  @ApiOperation({ summary: 'Removes the account’s profile photo' })
  @WinduAnswer(200, 'No photo now', PHOTO_SCHEMA, [400, 404])
  async removePhoto(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const { id } = await this.account(request, user);
    const { profile } = await this.commands.execute(new ExecuteProfileCommand(id, { type: 'SetPhoto', actor: id, url: null, now: now() }, as(caller, id)));
    return { photo: profile.photoUrl };
  }

  @Get('api/account/connected-status')
  @ApiOperation({ summary: 'The account’s connected status' })
  @WinduAnswer(200, 'online or offline', CONNECTED_STATUS_SCHEMA, [400, 404])
  async connectedStatus(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    const presence = await this.queries.execute(new MyPresenceQuery(id));
    return { connected_status: connected(presence.status) };
  }

  @Post('api/account/connected-status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sets the account’s connected status: online or offline' })
  @WinduAnswer(200, 'The connected status now', CONNECTED_STATUS_SCHEMA, [400, 404], { form: true })
  async setConnectedStatus(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const status = text(fieldsOf(request), 'connected_status', { required: true });
    if (status !== 'online' && status !== 'offline') throw fieldError('connected_status', `"${status}" is not a valid choice: online or offline`);
    const { id } = await this.account(request, user);
    const result = await this.commands.execute(new SetPresenceCommand(id, { status, message: null, device: undefined }, as(caller, id)));
    return { connected_status: connected(result.status) };
  }

  @Get('api/account/nickname')
  @ApiOperation({ summary: 'The account’s nickname' })
  @WinduAnswer(200, 'The nickname', NICKNAME_SCHEMA, [400, 404])
  async nickname(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    return { nickname: (await this.me(request, user)).displayName };
  }

  @Post('api/account/nickname')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sets the account’s nickname (shown on its notifications)' })
  @WinduAnswer(200, 'The nickname now', NICKNAME_SCHEMA, [400, 404], { form: true })
  async setNickname(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const nickname = text(fieldsOf(request), 'nickname', { required: true, max: 100 });
    const { id } = await this.account(request, user);
    const { profile } = await this.commands.execute(
      new ExecuteProfileCommand(id, { type: 'UpdateDisplayName', actor: id, displayName: nickname, now: now() }, as(caller, id)),
    );
    return { nickname: profile.displayName };
  }

  @Get('api/account/privacy-settings')
  @ApiOperation({ summary: 'Who sees the account’s status message, photo and last seen' })
  @WinduAnswer(200, 'The privacy settings', PRIVACY_SCHEMA, [400, 404])
  async privacy(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    // Windu's three levels only: Parley's read receipts are not a Windu setting.
    const { status_message, photo, last_seen } = (await this.me(request, user)).privacy;
    return { status_message, photo, last_seen };
  }

  @Post('api/account/privacy-settings')
  @HttpCode(200)
  @ApiOperation({ summary: 'Changes the levels given (status_message, photo, last_seen: none, contacts or all)' })
  @WinduAnswer(200, 'The privacy settings now', PRIVACY_SCHEMA, [400, 404], { form: true })
  async setPrivacy(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const form = fieldsOf(request);
    const changes: { -readonly [K in keyof PrivacySettings]?: PrivacyLevel } = {};
    const problems: ErrorDetail[] = [];
    for (const [wire, key] of [['status_message', 'statusMessage'], ['photo', 'photo'], ['last_seen', 'lastSeen']] as const) {
      if (form[wire] === undefined) continue;
      const level = text(form, wire);
      if ((LEVELS as readonly string[]).includes(level)) changes[key] = level as PrivacyLevel;
      else problems.push({ field: wire, reason: `"${level}" is not a valid choice: none, contacts or all` });
    }
    if (problems.length > 0) throw validationError('WINDU.PRIVACY_INVALID', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
    const { id } = await this.account(request, user);
    const { profile } = await this.commands.execute(new ExecuteProfileCommand(id, { type: 'ChangePrivacy', actor: id, changes, now: now() }, as(caller, id)));
    return { status_message: profile.privacy.statusMessage, photo: profile.privacy.photo, last_seen: profile.privacy.lastSeen };
  }

  // ---- contacts ----------------------------------------------------------------------------------

  @Post('api/contacts/add-contact')
  @ApiOperation({ summary: 'Adds one contact (the book is matched again)' })
  @WinduAnswer(201, 'Added (200: it was there already, as given)', CONTACT_SCHEMA, [400, 404, 409], { form: true })
  async addContact(
    @Req() request: FastifyRequest,
    @CurrentUser() user: AuthenticatedUser,
    @Caller() caller: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const form = fieldsOf(request);
    const entry = this.ids.entry(contactEntry(form, ''));
    const { id } = await this.account(request, user);
    const result = await this.commands.execute(new ExecuteContactsCommand(id, { type: 'AddContact', ownerId: id, entry, now: now() }, as(caller, id)));
    void reply.status(result.written > 0 ? 201 : 200);
    return this.contact(id, entry.matchKey, entry.contactId, result.position);
  }

  @Post('api/contacts/import-contacts')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replaces every contact with the list given (JSON)' })
  @WinduAnswer(200, 'The address book now', CONTACT_LIST_SCHEMA, [400, 404], { json: true })
  async importContacts(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const list = fieldsOf(request)['contacts'];
    if (!Array.isArray(list)) throw fieldError('contacts', 'Expected a list of items.');
    const raw = list.map((item: unknown, index) => contactEntry(item, `contacts.${index}`));
    const { id } = await this.account(request, user);
    const entries = this.ids.list(raw, await this.books.phoneKeys(id));
    const result = await this.commands.execute(new ExecuteContactsCommand(id, { type: 'ImportContacts', ownerId: id, entries, now: now() }, as(caller, id)));
    return { contacts: await this.allContacts(id, result.position) };
  }

  @Get('api/contacts')
  @ApiOperation({ summary: 'Every contact of the account' })
  @WinduAnswer(200, 'The contacts, by contact id', CONTACTS_SCHEMA, [400, 404])
  async contacts(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    return this.allContacts(id, null);
  }

  @Post('api/contacts/remove-contacts')
  @HttpCode(200)
  @ApiOperation({ summary: 'Removes several contacts (JSON list of contact ids)' })
  @WinduAnswer(200, 'Which were removed and which were not there', REMOVED_CONTACTS_SCHEMA, [400, 404], { json: true })
  async removeContacts(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const list = fieldsOf(request)['contacts'];
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) throw fieldError('contacts', 'Expected a list of contact ids.');
    const read = this.ids.readAll((list as string[]).map(windId), 'contacts');
    const { id } = await this.account(request, user);
    const result = await this.commands.execute(
      new ExecuteContactsCommand(id, { type: 'RemoveContacts', ownerId: id, matchKeys: read.map((r) => r.matchKey), strict: false, now: now() }, as(caller, id)),
    );
    const gone = new Set(result.events.flatMap((e) => (e.type === 'ContactsRemoved' ? e.data.matchKeys : [])));
    return {
      removed: [...new Set(read.filter((r) => gone.has(r.matchKey)).map((r) => r.contactId))],
      missing: [...new Set(read.filter((r) => !gone.has(r.matchKey)).map((r) => r.contactId))],
    };
  }

  @Post('api/contacts/force-sync')
  @HttpCode(200)
  @ApiOperation({ summary: 'Matches every contact again' })
  @WinduAnswer(200, 'The address book after the sync', CONTACT_LIST_SCHEMA, [400, 404, 409])
  async forceSync(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const { id } = await this.account(request, user);
    const synced = await this.commands.execute(new SyncContactsCommand(id, as(caller, id)));
    return { contacts: await this.allContacts(id, synced.position) };
  }

  @Get('api/contacts/statuses-messages')
  @ApiOperation({ summary: 'Every contact’s status message, as each contact’s privacy allows' })
  @WinduAnswer(200, 'One entry per contact with an account', CONTACT_STATUSES_SCHEMA, [400, 404])
  async statusesMessages(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    const { items } = await this.queries.execute(new AllContactsStatusesQuery(id));
    return items.map((item) => ({ contact_id: item.contactId, status_message: item.message }));
  }

  @Get('api/contacts/connected-statuses')
  @ApiOperation({ summary: 'Every contact’s connected status and last seen, as each contact’s privacy allows' })
  @WinduAnswer(200, 'One entry per contact with an account', CONTACT_CONNECTED_LIST_SCHEMA, [400, 404])
  async connectedStatuses(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    const { items } = await this.queries.execute(new AllContactsPresenceQuery(id));
    return items.map((item) => ({ contact_id: item.contactId, connected_status: connected(item.status), last_seen: item.lastSeenAt }));
  }

  @Get('api/contacts/preview-photos-urls')
  @ApiOperation({ summary: 'Every contact’s preview photo URL (the same image as the full one: Parley keeps one size)' })
  @WinduAnswer(200, 'One entry per contact with an account', PHOTO_URLS_SCHEMA, [400, 404])
  previewPhotos(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    return this.allPhotos(request, user);
  }

  @Get('api/contacts/photos-urls')
  @ApiOperation({ summary: 'Every contact’s photo URL, as each contact’s privacy allows' })
  @WinduAnswer(200, 'One entry per contact with an account', PHOTO_URLS_SCHEMA, [400, 404])
  photos(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    return this.allPhotos(request, user);
  }

  @Get('api/contacts/blocked-list')
  @ApiOperation({ summary: 'The numbers the account blocks' })
  @WinduAnswer(200, 'The blocked numbers (or ids of accounts without one)', BLOCKED_LIST_SCHEMA, [400, 404])
  async blockedList(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    return { numbers: await this.blockedNumbers(id) };
  }

  @Post('api/contacts/blocked-list')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replaces every blocked number with the list given (JSON)' })
  @WinduAnswer(200, 'The blocked numbers now', BLOCKED_LIST_SCHEMA, [400, 404], { json: true })
  async replaceBlocked(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const list = fieldsOf(request)['numbers'];
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) throw fieldError('numbers', 'Expected a list of numbers.');
    const read = this.ids.readAll((list as string[]).map(windId), 'numbers');
    const targets = await Promise.all(read.map((r) => this.resolver.account(r)));
    const unknown: ErrorDetail[] = [];
    targets.forEach((target, index) => {
      if (target === null) unknown.push({ field: `numbers.${index}`, reason: `no account answers to ${read[index]!.contactId}` });
    });
    if (unknown.length > 0) throw validationError('BLOCK.USER_NOT_FOUND', unknown.map((u) => `${u.field}: ${u.reason}`).join('; '), unknown);
    const { id } = await this.account(request, user);
    await this.commands.execute(
      new ExecuteBlocksCommand(id, { type: 'ReplaceBlockList', userId: id, targets: [...new Set(targets as string[])], now: now() }, as(caller, id)),
    );
    return { numbers: await this.blockedNumbers(id) };
  }

  @Get('api/contacts/:contactId')
  @ApiOperation({ summary: 'One contact' })
  @WinduAnswer(200, 'The contact', CONTACT_SCHEMA, [400, 404])
  async showContact(@Param('contactId') contactId: string, @Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    const read = this.ids.read(windId(contactId), 'contact_id');
    const { id } = await this.account(request, user);
    return this.contact(id, read.matchKey, read.contactId, null);
  }

  @Patch('api/contacts/:contactId')
  @ApiOperation({ summary: 'Renames a contact (first_name and/or last_name); no sync' })
  @WinduAnswer(200, 'The contact now', CONTACT_SCHEMA, [400, 404], { form: true })
  async renameContact(
    @Param('contactId') contactId: string,
    @Req() request: FastifyRequest,
    @CurrentUser() user: AuthenticatedUser,
    @Caller() caller: CommandContext,
  ) {
    const form = fieldsOf(request);
    const firstName = form['first_name'] === undefined ? undefined : text(form, 'first_name', { max: 100 });
    const lastName = form['last_name'] === undefined ? undefined : text(form, 'last_name', { max: 100 });
    if (firstName === undefined && lastName === undefined) throw fieldError('first_name', 'first_name or last_name is required.');
    const read = this.ids.read(windId(contactId), 'contact_id');
    const { id } = await this.account(request, user);
    const result = await this.commands.execute(
      new ExecuteContactsCommand(
        id,
        { type: 'RenameContact', ownerId: id, matchKey: read.matchKey, contactId: read.contactId, firstName, lastName, now: now() },
        as(caller, id),
      ),
    );
    return this.contact(id, read.matchKey, read.contactId, result.position);
  }

  @Delete('api/contacts/:contactId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Removes one contact' })
  @WinduAnswer(204, 'Removed', null, [400, 404])
  async removeContact(@Param('contactId') contactId: string, @Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const read = this.ids.read(windId(contactId), 'contact_id');
    const { id } = await this.account(request, user);
    await this.commands.execute(
      new ExecuteContactsCommand(
        id,
        { type: 'RemoveContacts', ownerId: id, matchKeys: [read.matchKey], strict: true, contactId: read.contactId, now: now() },
        as(caller, id),
      ),
    );
  }

  @Get('api/contacts/:contactId/status-message')
  @ApiOperation({ summary: 'A contact’s latest status message, as their privacy allows' })
  @WinduAnswer(200, 'The status message, null when hidden or none', CONTACT_STATUS_SCHEMA, [400, 404])
  async contactStatus(@Param('contactId') contactId: string, @Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    const seen = await this.queries.execute(new ContactStatusMessageQuery(id, windId(contactId)));
    return { contact_id: seen.contactId, status_message: seen.message };
  }

  @Get('api/contacts/:contactId/status-message-history')
  @ApiOperation({ summary: 'A contact’s status messages, newest first, as their privacy allows' })
  @WinduAnswer(200, 'The history (empty when hidden)', STATUS_HISTORY_SCHEMA, [400, 404])
  async contactStatusHistory(@Param('contactId') contactId: string, @Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    const page = await this.queries.execute(new ContactHistoryQuery(id, windId(contactId), 'statusMessage', undefined, 100));
    return {
      contact_id: windId(contactId),
      history: (page.items as StatusMessageChange[]).map((item) => ({ status_message: item.message, date: item.changedAt })),
    };
  }

  @Get('api/contacts/:contactId/connected-status')
  @ApiOperation({ summary: 'A contact’s connected status, and last seen while offline, as their privacy allows' })
  @WinduAnswer(200, 'online or offline, with last seen', CONTACT_CONNECTED_SCHEMA, [400, 404])
  async contactConnected(@Param('contactId') contactId: string, @Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    const seen = await this.queries.execute(new ContactPresenceQuery(id, windId(contactId)));
    return { contact_id: seen.contactId, connected_status: connected(seen.status), last_seen: seen.lastSeenAt };
  }

  @Get('api/contacts/:contactId/preview-photo-url')
  @ApiOperation({ summary: 'A contact’s preview photo URL, as their privacy allows' })
  @WinduAnswer(200, 'The URL, null when hidden or none', PHOTO_URL_SCHEMA, [400, 404])
  previewPhoto(@Param('contactId') contactId: string, @Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    return this.photoOf(contactId, request, user);
  }

  @Get('api/contacts/:contactId/photo-url')
  @ApiOperation({ summary: 'A contact’s photo URL, as their privacy allows' })
  @WinduAnswer(200, 'The URL, null when hidden or none', PHOTO_URL_SCHEMA, [400, 404])
  photoUrl(@Param('contactId') contactId: string, @Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    return this.photoOf(contactId, request, user);
  }

  @Get('api/contacts/:contactId/preview-photo-history-urls')
  @ApiOperation({ summary: 'A contact’s earlier photo URLs, newest first, as their privacy allows' })
  @WinduAnswer(200, 'The URLs (empty when hidden)', PHOTO_HISTORY_SCHEMA, [400, 404])
  previewPhotoHistory(@Param('contactId') contactId: string, @Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    return this.photoHistory(contactId, request, user);
  }

  @Get('api/contacts/:contactId/photo-history-urls')
  @ApiOperation({ summary: 'A contact’s earlier photo URLs, newest first, as their privacy allows' })
  @WinduAnswer(200, 'The URLs (empty when hidden)', PHOTO_HISTORY_SCHEMA, [400, 404])
  photoHistoryUrls(@Param('contactId') contactId: string, @Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser) {
    return this.photoHistory(contactId, request, user);
  }

  @Post('api/contacts/:contactId/block')
  @HttpCode(200)
  @ApiOperation({ summary: 'Blocks the number (it need not be a contact)' })
  @WinduAnswer(200, 'Blocked', BLOCK_SCHEMA, [400, 404])
  async block(@Param('contactId') contactId: string, @Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const read = this.ids.read(windId(contactId), 'contact_id');
    const { id } = await this.account(request, user);
    const target = await this.resolver.account(read);
    if (target === null) throw notFound('BLOCK.USER_NOT_FOUND', `No account answers to ${read.contactId}`);
    await this.commands.execute(new ExecuteBlocksCommand(id, { type: 'Block', userId: id, target, now: now() }, as(caller, id)));
    return { contact_id: read.contactId, blocked: true };
  }

  @Post('api/contacts/:contactId/unblock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unblocks the number' })
  @WinduAnswer(200, 'Unblocked', BLOCK_SCHEMA, [400, 404])
  async unblock(@Param('contactId') contactId: string, @Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser, @Caller() caller: CommandContext) {
    const read = this.ids.read(windId(contactId), 'contact_id');
    const { id } = await this.account(request, user);
    const target = await this.resolver.claimant(read);
    if (target === null) throw notFound('BLOCK.USER_NOT_FOUND', `No account answers to ${read.contactId}`);
    await this.commands.execute(new ExecuteBlocksCommand(id, { type: 'Unblock', userId: id, target, now: now() }, as(caller, id)));
    return { contact_id: read.contactId, blocked: false };
  }

  // ---- translation helpers -------------------------------------------------------------------------

  /**
   * The account `account=` names (query or body), or the login's first one.
   * Another login's number, or one the login does not hold, is 404 as the
   * selector answers; a login without accounts is 404 too.
   */
  private async account(
    request: FastifyRequest,
    user: AuthenticatedUser,
    /** `given`: the selector as read from a multipart form, whose fields are not the request's body. */
    options: { readonly pendingToo?: boolean; readonly given?: string } = {},
  ): Promise<{ readonly id: string; readonly phone: string }> {
    const loginId = loginOf(user);
    const query = (request.query ?? {}) as Fields;
    const given = options.given ?? fieldsOf(request)['account'] ?? query['account'];
    if (given !== undefined) {
      const phone = number({ account: given }, 'account');
      return { id: await this.ownership.byPhone(loginId, phone, options), phone };
    }
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    const { items } = await this.queries.execute(new ListMyAccountsQuery(loginId));
    const first = items.find((item: PhoneAccountView) => item.phone !== null && (options.pendingToo || item.status === 'verified'));
    if (!first) throw notFound('ACCOUNT.NOT_FOUND', 'This login has no registered account: create one with create-account');
    return { id: first.id, phone: first.phone! };
  }

  private async me(request: FastifyRequest, user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    return this.queries.execute(new GetMeQuery(id));
  }

  private async contact(ownerId: string, matchKey: string, contactId: string, position: string | null): Promise<WinduContact> {
    if (position !== null) await this.gate.waitFor(BigInt(position), READ_YOUR_WRITES_MS);
    else await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    return winduContact(await this.queries.execute(new GetContactQuery(ownerId, matchKey, contactId)));
  }

  private async allContacts(ownerId: string, position: string | null): Promise<WinduContact[]> {
    if (position !== null) await this.gate.waitFor(BigInt(position), READ_YOUR_WRITES_MS);
    else await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    const all: ContactView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.queries.execute(new ListContactsQuery(ownerId, cursor, CONTACT_PAGE));
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return all.map(winduContact);
  }

  private async allPhotos(request: FastifyRequest, user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    const contacts = (await this.allContacts(id, null)).filter((c) => c.registered);
    return Promise.all(
      contacts.map(async (c) => ({ contact_id: c.contact_id, url: (await this.queries.execute(new ContactPhotoQuery(id, c.contact_id))).url })),
    );
  }

  private async photoOf(contactId: string, request: FastifyRequest, user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    const seen = await this.queries.execute(new ContactPhotoQuery(id, windId(contactId)));
    return { contact_id: seen.contactId, url: seen.url };
  }

  private async photoHistory(contactId: string, request: FastifyRequest, user: AuthenticatedUser) {
    const { id } = await this.account(request, user);
    await this.gate.waitForHead(READ_YOUR_WRITES_MS);
    const page = await this.queries.execute(new ContactHistoryQuery(id, windId(contactId), 'photo', undefined, 100));
    return { contact_id: windId(contactId), urls: (page.items as PhotoChange[]).flatMap((item) => (item.url === null ? [] : [item.url])) };
  }

  /**
   * Blocks name accounts, not numbers: a blocked account shows as its
   * username, or its id when it has none (phone accounts). Showing the
   * number would tell a blocker who blocked by id a number they never had.
   */
  private async blockedNumbers(accountId: string): Promise<string[]> {
    const { items } = await this.queries.execute(new ListBlockedQuery(accountId));
    return items.map((blocked) => blocked.username ?? blocked.userId);
  }
}

/** Whose accounts these are: the login, also when a client sent X-Parley-Account. */
const loginOf = (user: AuthenticatedUser): string => user.loginId ?? user.id;

const as = (caller: CommandContext, accountId: string): CommandContext => ({ ...caller, actor: accountId });

/** django-oauth-toolkit's default scopes: a Windu token may do all a Parley user token may. */
function tokenAnswer(pair: { access_token: string; expires_in: number; refresh_token: string }) {
  return { access_token: pair.access_token, token_type: 'Bearer', expires_in: pair.expires_in, refresh_token: pair.refresh_token, scope: 'read write' };
}

/** Windu shows two states; Parley's connected ones (online, away, busy) are online. */
const connected = (status: string): 'online' | 'offline' => (status === 'offline' || status === 'invisible' ? 'offline' : 'online');

function fieldsOf(request: FastifyRequest): Fields {
  const body = request.body;
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Fields) : {};
}

function fieldError(field: string, reason: string): DomainError {
  return validationError('WINDU.FIELD_INVALID', `${field}: ${reason}`, [{ field, reason }]);
}

function text(form: Fields, field: string, options: { required?: boolean; max?: number } = {}): string {
  const value = form[field];
  if (value === undefined || value === '') {
    if (options.required) throw fieldError(field, 'This field is required.');
    return '';
  }
  if (typeof value !== 'string') throw fieldError(field, 'Must be given once, as text.');
  if (options.max !== undefined && value.length > options.max) throw fieldError(field, `Ensure this field has no more than ${options.max} characters.`);
  return value;
}

/** A phone number as Windu sends it (digits, optionally +): E.164 or a refusal naming the field. */
function number(form: Fields, field: string): string {
  const raw = text(form, field, { required: true, max: 40 });
  const phone = normalizePhone(/^\d+$/.test(raw) ? `+${raw}` : raw);
  if (phone === null) throw fieldError(field, 'Enter a valid phone number in international form: 8 to 15 digits.');
  return phone;
}

/** Windu's contact ids are numbers without the +; Parley reads a bare run of digits otherwise. */
function windId(raw: string): string {
  const trimmed = raw.trim();
  return /^\d+$/.test(trimmed) ? `+${trimmed}` : trimmed;
}

/** A Windu contact (`contact_id`, `first_name`, `last_name`) as Parley's entry; unknown fields are refused by Parley's reader. */
function contactEntry(raw: unknown, path: string): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const at = (field: string) => (path ? `${path}.${field}` : field);
  const { contact_id, first_name, last_name, account: _account, ...rest } = raw as Fields;
  if (typeof contact_id === 'string' && /^\d+$/.test(contact_id.trim())) {
    // Windu's contact ids are numbers without the +.
    return { contactId: `+${contact_id.trim()}`, kind: 'phone', ...(first_name === undefined ? {} : { firstName: first_name }), ...(last_name === undefined ? {} : { lastName: last_name }), ...rest };
  }
  if (contact_id === undefined) throw fieldError(at('contact_id'), 'This field is required.');
  return { contactId: contact_id, ...(first_name === undefined ? {} : { firstName: first_name }), ...(last_name === undefined ? {} : { lastName: last_name }), ...rest };
}

