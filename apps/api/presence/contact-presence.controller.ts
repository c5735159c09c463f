import { Controller, Get, Injectable, Param, Query, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UserApi } from '../common/openapi';
import {
  ContactPhotoHistoryResponse,
  ContactPhotoResponse,
  ContactPreviewPhotoListResponse,
  ContactPresenceListResponse,
  ContactPresenceResponse,
  ContactStatusHistoryResponse,
  ContactStatusMessageListResponse,
  ContactStatusMessageResponse,
} from '../contacts/contacts.responses';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { Type } from 'class-transformer';
import { THUMBNAIL_SIZES } from '../../../libs/domain/media/media-type';
import { mediaProjection } from '../../../projections';
import { validationError } from '../../../libs/domain/errors';
import { Caller } from '../auth/auth.decorators';
import { ReadModelQuery } from '../common/min-position.interceptor';
import { PageQueryDto } from '../common/page-query.dto';
import type { CommandContext } from '../../../libs/command-pipeline/command-context';
import {
  AllContactsPresenceQuery,
  AllContactsPreviewPhotosQuery,
  type ContactPreviewPhotoView,
  AllContactsStatusesQuery,
  ContactHistoryQuery,
  ContactPhotoQuery,
  ContactPresenceQuery,
  ContactStatusMessageQuery,
  type ContactPhotoView,
  type ContactPresenceView,
  type ContactStatusMessageView,
  type HistoryPage,
  type PhotoChange,
  type StatusMessageChange,
} from './contact-presence.queries';
import { contactsProjection, presenceProjection, profileHistoryProjection, usersProjection } from '../../../projections';

/** Fastify answers 414 for longer path parameters before this pipe runs (maxParamLength). */
const CONTACT_ID_MAX = 100;

/** A contact id as typed (phone number, username or user id): present and of sane length. */
@Injectable()
export class ContactIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    const field = metadata.data ?? 'contactId';
    const trimmed = typeof value === 'string' ? value.trim() : '';
    if (trimmed === '' || trimmed.length > CONTACT_ID_MAX) {
      throw validationError('REQUEST.INVALID_ID', `${field} must be a phone number, username or user id`, [
        { field, reason: `must be 1 to ${CONTACT_ID_MAX} characters` },
      ]);
    }
    return trimmed;
  }
}

export class HistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class PreviewPhotosQueryDto {
  @ApiPropertyOptional({ enum: [...THUMBNAIL_SIZES], default: 256, description: 'The preview size: the bound of the long side, in pixels' })
  @IsOptional()
  @Type(() => Number)
  @IsIn([...THUMBNAIL_SIZES], { message: `size must be one of ${THUMBNAIL_SIZES.join(', ')}` })
  size?: number;
}

/**
 * Contacts' presence, status messages and photos (Windu), as the caller may
 * see them: only for entries of the caller's address book matched to an
 * account, and filtered by each owner's privacy settings and blocks
 * (PrivacyPolicy). The static routes (`presence`, `statuses`) win over
 * `:contactId` in Fastify's router.
 */
@ApiTags('contacts')
@UserApi()
@Controller('contacts')
export class ContactPresenceController {
  constructor(private readonly queries: QueryBus) {}

  @Get('presence')
  @ReadModelQuery(contactsProjection, presenceProjection, usersProjection)

  @ApiOkResponse({ type: ContactPresenceListResponse })
  allPresence(@Caller() caller: CommandContext): Promise<{ readonly items: readonly ContactPresenceView[] }> {
    return this.queries.execute(new AllContactsPresenceQuery(caller.actor));
  }

  @Get('statuses')
  @ReadModelQuery(contactsProjection, presenceProjection, usersProjection)

  @ApiOkResponse({ type: ContactStatusMessageListResponse })
  allStatuses(@Caller() caller: CommandContext): Promise<{ readonly items: readonly ContactStatusMessageView[] }> {
    return this.queries.execute(new AllContactsStatusesQuery(caller.actor));
  }

  @Get('photos')
  @ReadModelQuery(contactsProjection, presenceProjection, usersProjection, mediaProjection)
  @ApiOkResponse({ type: ContactPreviewPhotoListResponse, description: "Every matched contact's photo at one preview size, privacy and blocks applied" })
  @ApiErrors(400)
  allPreviewPhotos(
    @Query() query: PreviewPhotosQueryDto,
    @Caller() caller: CommandContext,
  ): Promise<{ readonly size: number; readonly items: readonly ContactPreviewPhotoView[] }> {
    return this.queries.execute(new AllContactsPreviewPhotosQuery(caller.actor, query.size ?? 256));
  }

  @Get(':contactId/presence')
  @ReadModelQuery(contactsProjection, presenceProjection, usersProjection)

  @ApiOkResponse({ type: ContactPresenceResponse })
  @ApiErrors(404)
  presence(@Param('contactId', ContactIdPipe) contactId: string, @Caller() caller: CommandContext): Promise<ContactPresenceView> {
    return this.queries.execute(new ContactPresenceQuery(caller.actor, contactId));
  }

  @Get(':contactId/status-message')
  @ReadModelQuery(contactsProjection, presenceProjection, usersProjection)

  @ApiOkResponse({ type: ContactStatusMessageResponse })
  @ApiErrors(404)
  statusMessage(
    @Param('contactId', ContactIdPipe) contactId: string,
    @Caller() caller: CommandContext,
  ): Promise<ContactStatusMessageView> {
    return this.queries.execute(new ContactStatusMessageQuery(caller.actor, contactId));
  }

  @Get(':contactId/status-message/history')
  @ReadModelQuery(contactsProjection, presenceProjection, usersProjection, profileHistoryProjection)

  @ApiOkResponse({ type: ContactStatusHistoryResponse })
  @ApiErrors(404)
  statusMessageHistory(
    @Param('contactId', ContactIdPipe) contactId: string,
    @Query() query: HistoryQueryDto,
    @Caller() caller: CommandContext,
  ): Promise<HistoryPage<StatusMessageChange>> {
    return this.queries.execute(
      new ContactHistoryQuery(caller.actor, contactId, 'statusMessage', query.cursor, query.limit ?? 20),
    ) as Promise<HistoryPage<StatusMessageChange>>;
  }

  @Get(':contactId/photo')
  @ReadModelQuery(contactsProjection, presenceProjection, usersProjection)

  @ApiOkResponse({ type: ContactPhotoResponse })
  @ApiErrors(404)
  photo(@Param('contactId', ContactIdPipe) contactId: string, @Caller() caller: CommandContext): Promise<ContactPhotoView> {
    return this.queries.execute(new ContactPhotoQuery(caller.actor, contactId));
  }

  @Get(':contactId/photo/history')
  @ReadModelQuery(contactsProjection, presenceProjection, usersProjection, profileHistoryProjection)

  @ApiOkResponse({ type: ContactPhotoHistoryResponse })
  @ApiErrors(404)
  photoHistory(
    @Param('contactId', ContactIdPipe) contactId: string,
    @Query() query: HistoryQueryDto,
    @Caller() caller: CommandContext,
  ): Promise<HistoryPage<PhotoChange>> {
    return this.queries.execute(
      new ContactHistoryQuery(caller.actor, contactId, 'photo', query.cursor, query.limit ?? 20),
    ) as Promise<HistoryPage<PhotoChange>>;
  }
}
