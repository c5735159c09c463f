import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi';
import { clientPosition } from '../common/client-position';
import { PreviousLogPositions } from '../common/previous-log-positions';
import { ExportEventLine, ExportHeaderLine, ExportTrailerLine, LogPageResponse, RoomAsOfResponse, RoomChangesResponse, StreamAuditResponse } from './audit.responses';
import { LogPages, type RoomChange } from './log-pages';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { isParleyEventType } from '../../../libs/domain/events';
import { notFound, validationError } from '../../../libs/domain/errors';
import { redactSecrets } from '../../../libs/domain/secret-fields';
import type { EventStore, StoredEvent } from '../../../libs/event-store/event-store.port';
import { exportLog } from '../../../libs/streaming/log-transfer';
import { RequireScopes } from '../admin/require-scopes';
import { Public } from '../auth/auth.decorators';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { RAW_EVENT_STORE } from '../infrastructure/tokens';
import { EventsQueryDto, LogPageQueryDto, RoomAuditQueryDto, StreamAuditQueryDto } from './audit.dto';
import { RoomHistory, type RoomAsOf } from './room-history';

/**
 * An audit view shows who did what; password hashes and webhook secrets stay
 * in the log (sign-in and replays need them), sealed, but never show here.
 */
const envelope = (event: StoredEvent) => ({ ...event, data: redactSecrets(event.type, event.data), position: event.position.toString() });

/** The log as a product: the event stream for backups, and history for auditors. API key only. */
@ApiTags('admin: events and audit')
@Public()
@Controller('admin')
export class AuditController {
  constructor(
    @Inject(RAW_EVENT_STORE) private readonly store: EventStore,
    private readonly history: RoomHistory,
    private readonly pages: LogPages,
    private readonly previousLog: PreviousLogPositions,
  ) {}

  /**
   * NDJSON in log order with the export format's hash chain and trailer
   * (docs/architecture.md); resume with `from` (and `prevHash`) of the last
   * line received. `follow=true` never ends: new events stream as written.
   */
  @Get('events')
  @RequireScopes('admin:export')
  @ApiProduces('application/x-ndjson')
  @ApiExtraModels(ExportHeaderLine, ExportEventLine, ExportTrailerLine)
  @ApiOkResponse({
    description: 'NDJSON: one header line, one line per event, and a trailer line (none while follow=true)',
    schema: {
      description: 'One line of the stream',
      oneOf: [{ $ref: getSchemaPath(ExportHeaderLine) }, { $ref: getSchemaPath(ExportEventLine) }, { $ref: getSchemaPath(ExportTrailerLine) }],
    },
  })
  @ApiErrors(400)
  async events(@Query() query: EventsQueryDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const types = query.types?.split(',');
    const unknown = types?.filter((type) => !isParleyEventType(type));
    if (unknown?.length) {
      throw validationError('EVENTS.UNKNOWN_TYPE', `Unknown event types: ${unknown.join(', ')}`, [
        { field: 'types', reason: `unknown event type ${unknown.join(', ')}` },
      ]);
    }
    // Checked before the first line goes out: past the head there is nothing to resume after, and a
    // position the store cannot read from would otherwise cut the stream after its header.
    const from = await this.startAfter(query);
    const since = query.since ? new Date(query.since).toISOString() : undefined;
    const until = query.until ? new Date(query.until).toISOString() : undefined;
    const wanted = types ? new Set(types) : null;
    const abort = new AbortController();
    request.raw.on('close', () => abort.abort());
    const lines = exportLog(this.store, {
      from,
      prevHash: query.prevHash,
      limit: query.limit,
      follow: query.follow === 'true',
      signal: abort.signal,
      filter: (event) =>
        (wanted === null || wanted.has(event.type)) &&
        (query.streamPrefix === undefined || event.streamId.startsWith(query.streamPrefix)) &&
        (since === undefined || event.recordedAt >= since) &&
        (until === undefined || event.recordedAt < until),
    });
    void reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(Readable.from(lines));
  }

  /** Where the export starts: after `from`, or after `fromPreviousLog` translated once after a move of the log; else at the beginning. */
  private async startAfter(query: EventsQueryDto): Promise<bigint> {
    if (query.fromPreviousLog === undefined) {
      return query.from ? clientPosition(this.store, query.from, 'from', { invalid: 'EVENTS.FROM_INVALID', ahead: 'EVENTS.FROM_AHEAD' }) : 0n;
    }
    return this.previousLog.after(query.fromPreviousLog, 'fromPreviousLog', { text: query.from, conflict: 'EVENTS.FROM_CONFLICT' });
  }

  /** The room as it was at `at` (ISO time or position), computed from the log. */
  @Get('audit/rooms/:roomId')
  @RequireScopes('admin:audit')
  @ApiOkResponse({ type: RoomAsOfResponse })
  @ApiErrors(400, 404)
  room(@Param('roomId', UuidParamPipe) roomId: string, @Query() query: RoomAuditQueryDto): Promise<RoomAsOf> {
    const at = query.at;
    if (at === undefined) return this.history.asOf(roomId, {}, query.comments ?? 100);
    if (/^\d+$/.test(at)) return this.history.asOf(roomId, { position: BigInt(at) }, query.comments ?? 100);
    const time = Date.parse(at);
    if (Number.isNaN(time)) {
      throw validationError('AUDIT.AT_INVALID', 'at is not a valid time', [{ field: 'at', reason: 'is not a valid time' }]);
    }
    return this.history.asOf(roomId, { time: new Date(time).toISOString() }, query.comments ?? 100);
  }

  /**
   * The log a page at a time, in log order, for the console's log view:
   * filtered by type, stream prefix, actor, correlation id, time and position
   * range. Personal fields show sealed, secrets redacted.
   */
  @Get('audit/events')
  @RequireScopes('admin:audit')
  @ApiOkResponse({ type: LogPageResponse })
  @ApiErrors(400)
  async log(@Query() query: LogPageQueryDto): Promise<{ items: ReturnType<typeof envelope>[]; next: string | null; scanned: number; head: string | null }> {
    const types = query.types?.split(',');
    const unknown = types?.filter((type) => !isParleyEventType(type));
    if (unknown?.length) {
      throw validationError('EVENTS.UNKNOWN_TYPE', `Unknown event types: ${unknown.join(', ')}`, [
        { field: 'types', reason: `unknown event type ${unknown.join(', ')}` },
      ]);
    }
    const page = await this.pages.page(query.after ? BigInt(query.after) : 0n, query.limit ?? 50, {
      types: types ? new Set(types) : undefined,
      streamPrefix: query.streamPrefix,
      actor: query.actor,
      correlationId: query.correlationId,
      since: query.since ? new Date(query.since).toISOString() : undefined,
      until: query.until ? new Date(query.until).toISOString() : undefined,
      to: query.to ? BigInt(query.to) : undefined,
    });
    return {
      items: page.items.map(envelope),
      next: page.next?.toString() ?? null,
      scanned: page.scanned,
      head: page.head?.toString() ?? null,
    };
  }

  /** The positions at which the room changed, for a slider over its history. */
  @Get('audit/rooms/:roomId/changes')
  @RequireScopes('admin:audit')
  @ApiOkResponse({ type: RoomChangesResponse })
  @ApiErrors(400, 404)
  async roomChanges(@Param('roomId', UuidParamPipe) roomId: string): Promise<{ roomId: string; changes: RoomChange[] }> {
    const changes = await this.pages.roomChanges(roomId);
    if (changes === null) throw notFound('ROOM.NOT_FOUND', 'No such room in the log');
    return { roomId, changes };
  }

  /** Raw events of a stream: what happened, who did it, when, and which request (correlation id). */
  @Get('audit/streams/:streamId')
  @RequireScopes('admin:audit')
  @ApiOkResponse({ type: StreamAuditResponse })
  @ApiErrors(400)
  async stream(
    @Param('streamId') streamId: string,
    @Query() query: StreamAuditQueryDto,
  ): Promise<{ streamId: string; events: ReturnType<typeof envelope>[] }> {
    if (!/^[\w.:@-]{1,300}$/.test(streamId)) {
      throw validationError('AUDIT.STREAM_INVALID', 'streamId is not a stream name', [
        { field: 'streamId', reason: 'letters, digits and -_.:@ only' },
      ]);
    }
    const events = await this.history.stream(streamId, query.fromRevision ?? 0, query.limit ?? 100);
    return { streamId, events: events.map(envelope) };
  }
}
