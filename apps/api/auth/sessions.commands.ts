import { Command, CommandHandler, Query, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import type { Position } from '../../../libs/event-store/event-store.port';
import type { SessionListView } from './sessions.dto';
import { UserSessions, type EndedSession } from './user-sessions';

export class ListSessionsQuery extends Query<SessionListView> {
  constructor(
    readonly userId: string,
    /** The sign-in of the asking request, marked `current`. */
    readonly currentFamilyId: string | null,
  ) {
    super();
  }
}

@QueryHandler(ListSessionsQuery)
export class ListSessionsHandler implements IQueryHandler<ListSessionsQuery, SessionListView> {
  constructor(private readonly sessions: UserSessions) {}

  async execute({ userId, currentFamilyId }: ListSessionsQuery): Promise<SessionListView> {
    const docs = await this.sessions.list(userId);
    return {
      items: docs.map((doc) => ({
        id: doc.id,
        createdAt: doc.createdAt ?? '',
        lastUsedAt: doc.lastUsedAt ?? doc.createdAt ?? '',
        expiresAt: doc.expiresAt ?? '',
        grant: doc.grant ?? 'password',
        client: doc.client ?? null,
        current: doc.id === currentFamilyId,
      })),
    };
  }
}

export class EndSessionCommand extends Command<EndedSession> {
  constructor(
    readonly userId: string,
    readonly familyId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(EndSessionCommand)
export class EndSessionHandler implements ICommandHandler<EndSessionCommand, EndedSession> {
  constructor(private readonly sessions: UserSessions) {}

  execute({ userId, familyId, context }: EndSessionCommand): Promise<EndedSession> {
    return this.sessions.end(userId, familyId, 'session', context);
  }
}

/**
 * Ends every sign-in of a user but one (all of them when `keep` is null): a
 * password change sends it, so the profile feature needs no handle on sign-ins.
 */
export class EndOtherSessionsCommand extends Command<number> {
  constructor(
    readonly userId: string,
    readonly keep: string | null,
    readonly changedAt: Position,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(EndOtherSessionsCommand)
export class EndOtherSessionsHandler implements ICommandHandler<EndOtherSessionsCommand, number> {
  constructor(private readonly sessions: UserSessions) {}

  execute({ userId, keep, changedAt, context }: EndOtherSessionsCommand): Promise<number> {
    return this.sessions.endAllBut(userId, keep, changedAt, context);
  }
}
