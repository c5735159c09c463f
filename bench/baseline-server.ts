/**
 * The raw baseline for the sending benchmark: Nest 11 on Fastify with ONE
 * no-op POST route at Parley's path, the same global ValidationPipe and the
 * same DTO (PostCommentDto). No auth, no store: what the framework alone costs.
 * Listens on 127.0.0.1:$PORT and prints one line with "listening".
 */
import 'reflect-metadata';
import { Body, Controller, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { PostCommentDto } from '../apps/api/comments/comments.dto';
import { createValidationPipe } from '../apps/api/common/validation';

@Controller('rooms/:roomId/comments')
class NoopCommentsController {
  @Post()
  post(@Param('roomId') roomId: string, @Body() body: PostCommentDto): { roomId: string; length: number } {
    return { roomId, length: body.text?.length ?? 0 };
  }
}

@Module({ controllers: [NoopCommentsController] })
class BaselineModule {}

async function main(): Promise<void> {
  const port = Number(process.env['PORT'] ?? '0');
  const host = process.env['HOST'] ?? '127.0.0.1';
  const app = await NestFactory.create<NestFastifyApplication>(BaselineModule, new FastifyAdapter({ bodyLimit: 1024 * 1024 }), {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  app.setGlobalPrefix('v1');
  app.useGlobalPipes(createValidationPipe());
  await app.listen({ port, host });
  process.stdout.write(`baseline listening on http://${host}:${port}\n`);
}

void main();
