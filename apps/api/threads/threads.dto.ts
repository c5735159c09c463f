import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Length, Matches } from 'class-validator';
import { COMMENT_MAX_BYTES } from '../../../libs/domain/comments/comment.decider';
import { MAX_ROOM_MEMBERS } from '../../../libs/domain/rooms/room.decider';
import { IsName, IsText } from '../common/safe-text';

export const MAX_SUBJECT = 255;

export class CreateThreadDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: MAX_ROOM_MEMBERS - 1,
    description: 'The other participants, by username',
    example: ['bob'],
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'recipients must name at least one member' })
  @ArrayMaxSize(MAX_ROOM_MEMBERS - 1)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9_.-]{3,32}$/, { each: true, message: 'recipients must be usernames (3-32 letters, digits, ".", "-" or "_")' })
  recipients!: string[];

  @ApiProperty({ minLength: 1, maxLength: MAX_SUBJECT, example: 'A bed for two nights?' })
  @IsString()
  @Length(1, MAX_SUBJECT, { message: `subject must be 1 to ${MAX_SUBJECT} characters` })
  @IsName()
  subject!: string;

  @ApiProperty({ minLength: 1, maxLength: COMMENT_MAX_BYTES, description: 'The first message' })
  @IsString()
  @Length(1, COMMENT_MAX_BYTES, { message: `body must be 1 to ${COMMENT_MAX_BYTES} characters` })
  @IsText()
  body!: string;
}
