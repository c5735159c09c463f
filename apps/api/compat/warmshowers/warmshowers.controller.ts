import { Controller, Get, HttpException, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ParleyConfig } from '../../../../libs/config/config';
import { DomainError, type ErrorCategory } from '../../../../libs/domain/errors';
import type { FeedbackRating, FeedbackRelation } from '../../../../libs/domain/events';
import { Public } from '../../auth/auth.decorators';
import { PasswordGrantCommand } from '../../auth/password-grant.command';
import { RevokeTokenCommand } from '../../auth/revoke-token.command';
import { ListCommentsQuery } from '../../comments/comments.queries';
import { PostCommentCommand } from '../../comments/post-comment.command';
import { PARLEY_CONFIG } from '../../infrastructure/tokens';
import { LeaveFeedbackCommand } from '../../members/members.commands';
import { GetMemberQuery, ListFeedbackQuery, ResolveNumericIdQuery, SearchMembersQuery, type MemberView } from '../../members/members.queries';
import { MarkReadCommand } from '../../read-state/mark-read.command';
import { GetRoomQuery, ListMembersQuery, ListMyRoomsQuery } from '../../rooms/rooms.queries';
import { CreateThreadCommand } from '../../threads/create-thread.command';
import { send, type WarmshowersValue } from './warmshowers-format';
import { WarmshowersRefusal, WarmshowersSessions, SESSION_NAME, type WarmshowersSession } from './warmshowers-session';
import { account, threadIdOf, uidOf, userObject } from './warmshowers-views';
import {
  ACCOUNTS_SCHEMA,
  COUNT_SCHEMA,
  LOGIN_SCHEMA,
  NODE_SCHEMA,
  RECOMMENDATIONS_SCHEMA,
  THREAD_SCHEMA,
  THREADS_SCHEMA,
  TRUE_SCHEMA,
  USER_SCHEMA,
  WarmshowersAnswer,
} from './warmshowers.openapi';

type Form = Record<string, unknown>;

const REFUSAL_STATUS: Partial<Record<ErrorCategory, number>> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
};

const RATINGS: Record<string, FeedbackRating> = { positive: 'positive', postive: 'positive', neutral: 'neutral', negative: 'negative' };
const RELATIONS: Record<string, FeedbackRelation> = { guest: 'guest', host: 'host', 'met traveling': 'met_traveling', other: 'other' };
const RATING_NAMES: Record<string, string> = { positive: 'Positive', neutral: 'Neutral', negative: 'Negative' };
const RELATION_NAMES: Record<string, string> = { guest: 'Guest', host: 'Host', met_traveling: 'Met Traveling', other: 'Other' };

const unix = (iso: string): string => String(Math.floor(Date.parse(iso) / 1000));

/**
 * Warmshowers' REST services (Drupal 7 Services) over Parley: a translator
 * only. Sessions are Parley sign-ins (WarmshowersSessions); members, search
 * and feedback are /v1/users'; private messages are Parley threads.
 */
@Public()
@Controller('warmshowers')
export class WarmshowersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly sessions: WarmshowersSessions,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  /** Runs a call and answers its result, or its refusal in the seed's shape. */
  private async answer(request: FastifyRequest, reply: FastifyReply, call: () => Promise<WarmshowersValue>): Promise<void> {
    try {
      send(request, reply, 200, await call());
    } catch (error) {
      if (error instanceof WarmshowersRefusal) return send(request, reply, error.status, [error.message]);
      if (error instanceof DomainError && REFUSAL_STATUS[error.category] !== undefined) {
        if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
        const message = error.details?.length ? error.details.map((d) => `${d.field}: ${d.reason}`).join('; ') : error.message;
        return send(request, reply, REFUSAL_STATUS[error.category]!, [message]);
      }
      if (error instanceof HttpException && error.getStatus() < 500 && error.getStatus() !== 413 && error.getStatus() !== 415) {
        return send(request, reply, error.getStatus(), [error.message]);
      }
      throw error;
    }
  }

  private form(request: FastifyRequest): Form {
    const body = request.body;
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Form) : {};
  }

  private text(form: Form, field: string, options: { required?: boolean; max?: number } = {}): string {
    const value = form[field];
    if (value === undefined || value === '') {
      if (options.required) throw new WarmshowersRefusal(400, `Missing required argument ${field}`);
      return '';
    }
    if (typeof value !== 'string') throw new WarmshowersRefusal(400, `${field}: must be given once, as text`);
    if (options.max !== undefined && value.length > options.max) throw new WarmshowersRefusal(400, `${field}: must be at most ${options.max} characters`);
    return value;
  }

  private number(form: Form, field: string, options: { integer?: boolean; min?: number; max?: number; fallback?: number } = {}): number {
    const raw = this.text(form, field, { required: options.fallback === undefined, max: 40 });
    if (raw === '') return options.fallback!;
    const value = Number(raw);
    if (!Number.isFinite(value) || (options.integer && !Number.isInteger(value))) {
      throw new WarmshowersRefusal(400, `${field}: must be ${options.integer ? 'a whole number' : 'a number'}`);
    }
    if ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max)) {
      throw new WarmshowersRefusal(400, `${field}: must be from ${options.min} to ${options.max}`);
    }
    return value;
  }

  private async resolve(kind: 'user' | 'room', numeric: string, field: string): Promise<string> {
    if (!/^\d{1,16}$/.test(numeric)) throw new WarmshowersRefusal(400, `${field}: must be a number`);
    const target = await this.queries.execute(new ResolveNumericIdQuery(kind, Number(numeric)));
    if (target === null) throw new WarmshowersRefusal(404, kind === 'user' ? 'There is no user with ID ' + numeric + '.' : 'Thread not found.');
    return target;
  }

  private member(viewerId: string, userId: string): Promise<MemberView> {
    return this.queries.execute(new GetMemberQuery(viewerId, { userId }));
  }

  @Get('services/session/token')
  @ApiOperation({ summary: 'The X-CSRF-Token of the session the cookie names (a token no session accepts without one)' })
  @WarmshowersAnswer('The token as plain text', { type: 'string', pattern: '^[A-Za-z0-9_-]+$' }, [], { plain: true })
  async token(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const session = await this.sessions.session(request);
    void reply.type('text/plain').send(session ? this.sessions.csrfToken(session.sessid) : this.sessions.anonymousToken());
  }

  @Post('services/rest/user/login')
  @ApiOperation({ summary: 'Signs in (a Parley sign-in) and sets the session cookie' })
  @WarmshowersAnswer('sessid, session_name, token and the user object', LOGIN_SCHEMA, [401, 406, 429], { form: true })
  login(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const current = await this.sessions.session(request);
      if (current) {
        const me = await this.member(current.user.id, current.user.id);
        throw new WarmshowersRefusal(406, `Already logged in as ${me.username ?? ''}.`);
      }
      const form = this.form(request);
      const username = form['username'];
      const password = form['password'];
      if (typeof username !== 'string' || username === '') throw new WarmshowersRefusal(401, 'Missing required argument username');
      if (typeof password !== 'string' || password === '') throw new WarmshowersRefusal(401, 'Missing required argument password');
      let sessid: string;
      try {
        const pair = await this.commands.execute(new PasswordGrantCommand(username, password, this.sessions.context(request, 'anonymous')));
        sessid = pair.refresh_token;
      } catch (error) {
        if (error instanceof DomainError && error.category === 'unauthenticated') throw new WarmshowersRefusal(401, 'Wrong username or password.');
        throw error;
      }
      const session = await this.sessions.session({ ...request, headers: { cookie: `${SESSION_NAME}=${sessid}` } } as FastifyRequest);
      if (!session) throw new Error('a session just started does not authenticate');
      void reply.header('set-cookie', this.sessions.cookie(request, sessid, this.config.refreshTokenTtlSeconds));
      const me = await this.member(session.user.id, session.user.id);
      return { sessid, session_name: SESSION_NAME, token: this.sessions.csrfToken(sessid), user: userObject(me, new Date()) };
    });
  }

  @Post('services/rest/user/logout')
  @ApiOperation({ summary: 'Ends the session: its Parley sign-in is revoked and the cookie refused from then on' })
  @WarmshowersAnswer('[true]', TRUE_SCHEMA, [401, 406])
  logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const session = await this.sessions.session(request);
      if (!session) throw new WarmshowersRefusal(406, 'User is not logged in.');
      if (!this.sessions.csrfMatches(session.sessid, request.headers['x-csrf-token'])) throw new WarmshowersRefusal(401, 'CSRF validation failed');
      await this.commands.execute(new RevokeTokenCommand(session.sessid, this.sessions.context(request, session.user.id)));
      void reply.header('set-cookie', this.sessions.clearedCookie(request));
      return [true];
    });
  }

  @Post('services/rest/hosts/by_location')
  @ApiOperation({ summary: 'Findable members in a map area, nearest the centre first, with the total' })
  @WarmshowersAnswer('The accounts and a status with delivered and totalresults', ACCOUNTS_SCHEMA, [400, 401], { form: true })
  byLocation(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const session = await this.sessions.requireWithCsrf(request);
      const form = this.form(request);
      const area = {
        minLat: this.number(form, 'minlat'),
        maxLat: this.number(form, 'maxlat'),
        minLon: this.number(form, 'minlon'),
        maxLon: this.number(form, 'maxlon'),
        centerLat: this.number(form, 'centerlat'),
        centerLon: this.number(form, 'centerlon'),
      };
      const offset = this.number(form, 'offset', { integer: true, min: 0, max: 1_000_000, fallback: 0 });
      const limit = this.number(form, 'limit', { integer: true, min: 1, max: 100, fallback: 50 });
      try {
        const page = await this.queries.execute(new SearchMembersQuery({ kind: 'area', area }, offset, limit, session.user.id));
        return { status: { delivered: page.items.length, totalresults: page.total }, accounts: page.items.map(account) };
      } catch (error) {
        // Parley names its fields in camel case; the client sent Drupal's.
        if (error instanceof DomainError && error.details) {
          throw new WarmshowersRefusal(400, error.details.map((d) => `${d.field.toLowerCase()}: ${d.reason}`).join('; '));
        }
        throw error;
      }
    });
  }

  @Post('services/rest/hosts/by_keyword')
  @ApiOperation({ summary: 'Findable members by keyword (username, names, city), with the total' })
  @WarmshowersAnswer('The accounts and a status with delivered and totalresults', ACCOUNTS_SCHEMA, [400, 401], { form: true })
  byKeyword(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const session = await this.sessions.requireWithCsrf(request);
      const form = this.form(request);
      const keyword = this.text(form, 'keyword', { required: true, max: 100 });
      const offset = this.number(form, 'offset', { integer: true, min: 0, max: 1_000_000, fallback: 0 });
      const limit = this.number(form, 'limit', { integer: true, min: 1, max: 100, fallback: 50 });
      const page = await this.queries.execute(new SearchMembersQuery({ kind: 'keyword', q: keyword }, offset, limit, session.user.id));
      return { status: { delivered: page.items.length, totalresults: page.total }, accounts: page.items.map(account) };
    });
  }

  @Get('services/rest/user/:uid')
  @ApiParam({ name: 'uid', schema: { type: 'string', pattern: '^\\d+$' } })
  @ApiOperation({ summary: 'A member’s user object' })
  @WarmshowersAnswer('The user object', USER_SCHEMA, [400, 401, 404])
  user(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const session = await this.sessions.require(request);
      const userId = await this.resolve('user', uid, 'uid');
      return userObject(await this.member(session.user.id, userId), null);
    });
  }

  @Get('user/:uid/json')
  @ApiParam({ name: 'uid', schema: { type: 'string', pattern: '^\\d+$' } })
  @ApiOperation({ summary: 'A member’s user object (the site’s own route for services/rest/user/<uid>)' })
  @WarmshowersAnswer('The user object', USER_SCHEMA, [400, 401, 404])
  userJson(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.user(uid, request, reply);
  }

  @Get('user/:uid/json_recommendations')
  @ApiParam({ name: 'uid', schema: { type: 'string', pattern: '^\\d+$' } })
  @ApiOperation({ summary: 'Feedback about a member, newest first' })
  @WarmshowersAnswer('The recommendations', RECOMMENDATIONS_SCHEMA, [400, 401, 404])
  recommendations(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      await this.sessions.require(request);
      const userId = await this.resolve('user', uid, 'uid');
      const feedback = await this.queries.execute(new ListFeedbackQuery(userId));
      return {
        recommendations: feedback.map((f) => ({
          recommendation: {
            nid: uidOf(f.id),
            recommender_uid: uidOf(f.authorId),
            recommender_name: f.authorUsername ?? '',
            recommendee_uid: uid,
            field_rating_value: RATING_NAMES[f.rating] ?? f.rating,
            field_guest_or_host_value: RELATION_NAMES[f.relation] ?? f.relation,
            field_hosting_date_value: f.stay,
            body: f.body ?? '',
            created: unix(f.leftAt),
          },
        })),
      };
    });
  }

  @Post('services/rest/node')
  @ApiOperation({ summary: 'Leaves feedback (node[type]=trust_referral) about a member named by username' })
  @WarmshowersAnswer('The new node', NODE_SCHEMA, [400, 401, 404, 409], { form: true })
  node(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const session = await this.sessions.requireWithCsrf(request);
      const form = this.form(request);
      if (this.text(form, 'node[type]', { required: true }) !== 'trust_referral') throw new WarmshowersRefusal(400, 'node[type]: must be trust_referral');
      const username = this.text(form, 'node[field_member_i_trust][0][uid][uid]', { required: true, max: 64 });
      const rating = RATINGS[this.text(form, 'node[field_rating][value]', { required: true }).toLowerCase()];
      if (!rating) throw new WarmshowersRefusal(400, 'node[field_rating][value]: must be Positive, Neutral or Negative');
      const relation = RELATIONS[this.text(form, 'node[field_guest_or_host][value]', { required: true }).toLowerCase()];
      if (!relation) throw new WarmshowersRefusal(400, 'node[field_guest_or_host][value]: must be Guest, Host, Met Traveling or Other');
      const year = this.number(form, 'node[field_hosting_date][0][value][year]', { integer: true, min: 1900, max: 9999 });
      const month = this.number(form, 'node[field_hosting_date][0][value][month]', { integer: true, min: 1, max: 12 });
      const body = this.text(form, 'node[body]', { required: true });
      const subject = await this.queries.execute(new GetMemberQuery(session.user.id, { username }));
      const stay = `${year}-${String(month).padStart(2, '0')}`;
      const left = await this.commands.execute(
        new LeaveFeedbackCommand(subject.userId, { rating, relation, body, stay }, this.sessions.context(request, session.user.id)),
      );
      const nid = uidOf(left.id);
      return { nid, uri: `/warmshowers/services/rest/node/${nid}` };
    });
  }

  @Post('services/rest/message/send')
  @ApiOperation({ summary: 'Opens a thread with a subject for one or more recipients (usernames, comma separated)' })
  @WarmshowersAnswer('[true]', TRUE_SCHEMA, [400, 401, 404], { form: true })
  sendMessage(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const session = await this.sessions.requireWithCsrf(request);
      const form = this.form(request);
      const recipients = this.text(form, 'recipients', { required: true, max: 10_000 })
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
      const subject = this.text(form, 'subject', { required: true });
      const body = this.text(form, 'body', { required: true });
      await this.commands.execute(new CreateThreadCommand(recipients, subject, body, undefined, this.sessions.context(request, session.user.id)));
      return [true];
    });
  }

  @Post('services/rest/message/reply')
  @ApiOperation({ summary: 'Replies in a thread' })
  @WarmshowersAnswer('[true]', TRUE_SCHEMA, [400, 401, 404], { form: true })
  reply(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const session = await this.sessions.requireWithCsrf(request);
      const form = this.form(request);
      const roomId = await this.thread(session, this.text(form, 'thread_id', { required: true }));
      const body = this.text(form, 'body', { required: true });
      await this.commands.execute(new PostCommentCommand(roomId, body, 'text', null, null, null, null, this.sessions.context(request, session.user.id)));
      return [true];
    });
  }

  @Post('services/rest/message/unreadCount')
  @ApiOperation({ summary: 'Unread messages in the session’s threads' })
  @WarmshowersAnswer('[count]', COUNT_SCHEMA, [401], { form: true })
  unreadCount(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const session = await this.sessions.requireWithCsrf(request);
      const threads = await this.threads(session);
      return [threads.reduce((sum, t) => sum + t.unreadCount, 0)];
    });
  }

  @Post('services/rest/message/get')
  @ApiOperation({ summary: 'The session’s threads, most recent first' })
  @WarmshowersAnswer('The threads', THREADS_SCHEMA, [401], { form: true })
  get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const session = await this.sessions.requireWithCsrf(request);
      const threads = await this.threads(session);
      return Promise.all(
        threads.map(async (t) => ({
          thread_id: threadIdOf(t.id),
          subject: t.subject ?? '',
          last_updated: t.lastActivityAt ? unix(t.lastActivityAt) : '',
          is_new: String(t.unreadCount),
          message_count: String(t.lastSeq),
          participants: await this.participants(session, t.id),
        })),
      );
    });
  }

  @Post('services/rest/message/getThread')
  @ApiOperation({ summary: 'A thread and its messages (the latest 100)' })
  @WarmshowersAnswer('The thread', THREAD_SCHEMA, [400, 401, 404], { form: true })
  getThread(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const session = await this.sessions.requireWithCsrf(request);
      const threadId = this.text(this.form(request), 'thread_id', { required: true });
      const roomId = await this.thread(session, threadId);
      const room = await this.queries.execute(new GetRoomQuery(session.user.id, roomId));
      const page = await this.queries.execute(new ListCommentsQuery(session.user.id, roomId, { limit: 100 }));
      return {
        thread_id: threadId,
        subject: room.subject ?? room.name,
        message_count: String(room.lastSeq),
        participants: await this.participants(session, roomId),
        messages: page.items
          .filter((item) => item.kind === 'comment')
          .map((item) => ({
            mid: uidOf(item.id),
            thread_id: threadId,
            subject: room.subject ?? room.name,
            body: item.text ?? '',
            timestamp: unix(item.createdAt),
            is_new: (item.seq ?? 0) > room.lastReadSeq ? '1' : '0',
            author: { uid: uidOf(item.sender.userId), name: item.sender.username ?? item.sender.displayName ?? '' },
          })),
      };
    });
  }

  @Post('services/rest/message/markThreadRead')
  @ApiOperation({ summary: 'Marks a thread read (status 0, the default) or unread (status 1)' })
  @WarmshowersAnswer('[true]', TRUE_SCHEMA, [400, 401, 404], { form: true })
  markThreadRead(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.answer(request, reply, async () => {
      const session = await this.sessions.requireWithCsrf(request);
      const form = this.form(request);
      const roomId = await this.thread(session, this.text(form, 'thread_id', { required: true }));
      const status = this.text(form, 'status') || '0';
      if (status !== '0' && status !== '1') throw new WarmshowersRefusal(400, 'status: must be 0 (read) or 1 (unread)');
      const context = this.sessions.context(request, session.user.id);
      if (status === '1') {
        await this.commands.execute(new MarkReadCommand(roomId, { unread: true }, context));
      } else {
        const room = await this.queries.execute(new GetRoomQuery(session.user.id, roomId));
        await this.commands.execute(new MarkReadCommand(roomId, { seq: room.lastSeq }, context));
      }
      return [true];
    });
  }

  /** A thread of the session's member by its number; another's is "not found". */
  private async thread(session: WarmshowersSession, threadId: string): Promise<string> {
    const roomId = await this.resolve('room', threadId, 'thread_id');
    const room = await this.queries.execute(new GetRoomQuery(session.user.id, roomId)).catch((error: unknown) => {
      if (error instanceof DomainError && error.category === 'not_found') throw new WarmshowersRefusal(404, 'Thread not found.');
      throw error;
    });
    if (room.kind !== 'thread') throw new WarmshowersRefusal(404, 'Thread not found.');
    return roomId;
  }

  private async threads(session: WarmshowersSession) {
    const page = await this.queries.execute(new ListMyRoomsQuery(session.user.id, undefined, 100));
    return page.items.filter((room) => room.kind === 'thread');
  }

  private async participants(session: WarmshowersSession, roomId: string): Promise<{ uid: string; name: string }[]> {
    const members = await this.queries.execute(new ListMembersQuery(session.user.id, roomId));
    return members.map((m) => ({ uid: uidOf(m.userId), name: m.username ?? m.displayName ?? '' }));
  }
}
