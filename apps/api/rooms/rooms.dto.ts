import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../common/page-query.dto';
import { MAX_ROOM_MEMBERS } from '../../../libs/domain/rooms/room.decider';
import { IsName } from '../common/safe-text';
import { DEFAULT_HISTORY_VISIBILITY, HISTORY_VISIBILITIES, type HistoryVisibility } from '../../../libs/domain/events';

export class RoomPermissionsDto {
  @ApiPropertyOptional({ description: 'Members may rename the room (and change its avatar)' })
  @IsOptional()
  @IsBoolean()
  rename?: boolean;

  @ApiPropertyOptional({ description: 'Members may change the topic' })
  @IsOptional()
  @IsBoolean()
  changeTopic?: boolean;

  @ApiPropertyOptional({ description: 'Members may add members' })
  @IsOptional()
  @IsBoolean()
  addMembers?: boolean;

  @ApiPropertyOptional({ description: 'Members may remove other members' })
  @IsOptional()
  @IsBoolean()
  removeMembers?: boolean;

  @ApiPropertyOptional({ description: 'Members may send comments' })
  @IsOptional()
  @IsBoolean()
  send?: boolean;
}

export class CreateRoomDto {
  @ApiProperty({ example: 'Weekend trip', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @IsName()
  name!: string;

  @ApiProperty({ type: 'array', items: { type: 'string', format: 'uuid' }, maxItems: MAX_ROOM_MEMBERS - 1, description: 'User ids of the other members' })
  @IsArray()
  @ArrayMaxSize(MAX_ROOM_MEMBERS - 1)
  @IsUUID('all', { each: true, message: 'each participant must be a user id' })
  participants!: string[];

  @ApiPropertyOptional({
    maxLength: 100,
    description: 'Rooms of an application only: the room’s handle in the application, unique there (defaults to the name)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  applicationName?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @IsName()
  topic?: string;

  @ApiPropertyOptional({ format: 'uri', maxLength: 2000, description: 'An absolute http(s) URL' })
  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2000)
  avatarUrl?: string;

  @ApiPropertyOptional({ type: RoomPermissionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RoomPermissionsDto)
  permissions?: RoomPermissionsDto;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The room’s custom_data (Vonage/Nexmo `properties.custom_data`), replaced whole on update: a JSON object of at most 8 KiB as JSON, 16 levels deep',
  })
  @IsOptional()
  @IsObject()
  properties?: Record<string, unknown>;

  @ApiPropertyOptional({
    enum: HISTORY_VISIBILITIES,
    default: DEFAULT_HISTORY_VISIBILITY,
    description:
      'Who sees history from before they joined: `shared`, every member sees it all; `joined`, a member sees only what happened from their joining on (feed, comment history). Owners and operators change it.',
  })
  @IsOptional()
  @IsIn(HISTORY_VISIBILITIES, { message: `historyVisibility must be one of ${HISTORY_VISIBILITIES.join(', ')}` })
  historyVisibility?: HistoryVisibility;
}

export class DirectRoomDto {
  @ApiProperty({ description: 'The other user', format: 'uuid' })
  @IsUUID('all', { message: 'userId must be a user id' })
  userId!: string;
}

/** The settings of CreateRoomDto, each optional; a null topic clears it. */
export class UpdateRoomDto extends PartialType(OmitType(CreateRoomDto, ['participants', 'topic', 'avatarUrl'] as const)) {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1000, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  topic?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri', maxLength: 2000, description: 'An absolute http(s) URL; null clears it' })
  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2000)
  avatarUrl?: string | null;

  @ApiPropertyOptional({ description: 'Not listed to non-members (operators and owners)' })
  @IsOptional()
  @IsBoolean()
  unlisted?: boolean;
}

export class AddMembersDto {
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'uuid' }, minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true, message: 'each entry of userIds must be a user id' })
  userIds!: string[];
}

export class ChangeMemberDto {
  @ApiPropertyOptional({ enum: ['owner', 'operator', 'member'] })
  @IsOptional()
  @IsIn(['owner', 'operator', 'member'], { message: 'role must be owner, operator or member' })
  role?: 'owner' | 'operator' | 'member';

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  muted?: boolean;

  @ApiPropertyOptional({ description: 'Posts in a moderated room (members may not send); operators and owners give it' })
  @IsOptional()
  @IsBoolean()
  voice?: boolean;
}

export class ListRoomsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

/** An administrator's group chat (`admin:rooms`): the caller is no member; `participants` are its members. */
export class AdminCreateRoomDto extends OmitType(CreateRoomDto, ['applicationName', 'participants'] as const) {
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'uuid' }, maxItems: MAX_ROOM_MEMBERS, description: 'User ids of its members' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ROOM_MEMBERS)
  @IsUUID('all', { each: true, message: 'each participant must be a user id' })
  participants?: string[];

  @ApiPropertyOptional({ description: 'Not listed to non-members (Trillian’s DISABLE_LIST)' })
  @IsOptional()
  @IsBoolean()
  unlisted?: boolean;
}

/** An administrator's change of a room: its settings, listing, and deleting it (`deleted: true`, once). */
export class AdminUpdateRoomDto extends UpdateRoomDto {
  @ApiPropertyOptional({ enum: [true], description: 'Deletes the room: read-only history, left out of listings (Trillian’s DELETED); it cannot be undone' })
  @IsOptional()
  @Equals(true, { message: 'deleted can only be set to true: a deleted room is not restored' })
  deleted?: true;
}

/** A member as an administrator puts them: added if need be, with this role, voice and mute. */
export class AdminPutMemberDto {
  @ApiPropertyOptional({ enum: ['owner', 'operator', 'member'] })
  @IsOptional()
  @IsIn(['owner', 'operator', 'member'], { message: 'role must be owner, operator or member' })
  role?: 'owner' | 'operator' | 'member';

  @ApiPropertyOptional({ description: 'Posts in a moderated room (one whose members may not send)' })
  @IsOptional()
  @IsBoolean()
  voice?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  muted?: boolean;
}

export class AdminListRoomsQueryDto extends ListRoomsQueryDto {
  @ApiPropertyOptional({ enum: ['0', '1'], description: '1: each room with its members' })
  @IsOptional()
  @IsIn(['0', '1'], { message: 'members must be 0 or 1' })
  members?: '0' | '1';

  @ApiPropertyOptional({ enum: ['0', '1'], description: '1: deleted rooms too' })
  @IsOptional()
  @IsIn(['0', '1'], { message: 'deleted must be 0 or 1' })
  deleted?: '0' | '1';
}
