import { ApiProperty } from '@nestjs/swagger';
import { POSITION } from '../common/openapi';
import { CommentResponse } from '../comments/comments.responses';
import { CreatedRoomResponse } from '../rooms/rooms.responses';
import type { CreatedThread } from './create-thread.command';

export class CreatedThreadResponse implements CreatedThread {
  @ApiProperty({ type: CreatedRoomResponse, description: 'The thread: a room of kind thread, named by its subject' }) room!: CreatedRoomResponse;
  @ApiProperty({ type: CommentResponse, description: 'The first message' }) comment!: CommentResponse;
  @ApiProperty(POSITION) position!: string;
}
