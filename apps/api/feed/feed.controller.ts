import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UserApi } from '../common/openapi';
import { IsOptional, IsString } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { Caller, type ParleyRequest } from '../auth/auth.decorators';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import { FeedHub } from './feed-hub';
import { SseSink } from './sse-sink';

export class FeedQueryDto {
  @ApiPropertyOptional({ description: 'Resume strictly after this position (as Last-Event-ID does)', example: '1234', pattern: '^\\d+$' })
  @IsOptional()
  @IsString()
  from?: string;

  @ApiPropertyOptional({
    description:
      'Resume strictly after this position of the log Parley ran on before a move to another store (once, after the move: the events then carry positions of the new log)',
    example: '1234',
    pattern: '^\\d+$',
  })
  @IsOptional()
  @IsString()
  fromPreviousLog?: string;
}

@ApiTags('feed')
@UserApi()
@Controller('me')
export class FeedController {
  constructor(private readonly hub: FeedHub) {}

  /**
   * Server-Sent Events: every change the caller may see, `id` = log position.
   * Without a position it starts with the next event; with one it first
   * sends what was missed.
   */
  @Get('feed')
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume strictly after this position' })
  @ApiOkResponse({
    description: 'An endless text/event-stream: `retry`, then per change `id: <position>`, `event: <type>` and a `data:` line holding a JSON envelope',
    schema: { type: 'string', example: 'retry: 2000\n\nid: 42\nevent: CommentPosted\ndata: {"type":"CommentPosted"}\n\n' },
  })
  @ApiErrors(400, 429)
  async feed(
    @Query() query: FeedQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Caller() caller: CommandContext,
    @Req() request: ParleyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Browsers reconnect with the original URL plus Last-Event-ID, so the header wins.
    const from = await this.hub.startPosition({ lastEventId, from: query.from, fromPreviousLog: query.fromPreviousLog });
    const slot = this.hub.reserve(caller.actor);
    void reply.hijack();
    const response = reply.raw;
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    request.raw.socket.setNoDelay(true);
    request.raw.socket.setKeepAlive(true);
    const session = this.hub.open(caller.actor, from, new SseSink(response), request.user?.familyId ?? null, slot);
    response.write('retry: 2000\n\n');
    response.on('close', () =>
      session.close({ code: 'FEED.CLIENT_GONE', message: 'The client closed the connection' }),
    );
  }
}
