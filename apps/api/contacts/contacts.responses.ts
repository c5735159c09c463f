import { ApiProperty } from '@nestjs/swagger';
import { DATE_TIME, POSITION, UUID, WHOLE } from '../common/openapi';
import { SeenPresenceResponse } from '../presence/presence.responses';
import type { Page } from '../rooms/rooms.queries';
import type { ContactView } from './contact-directory';
import type {
  ContactPhotoView,
  ContactPresenceView,
  ContactStatusMessageView,
  HistoryPage,
  PhotoChange,
  StatusMessageChange,
} from '../presence/contact-presence.queries';
import type { SyncResult } from './contacts.commands';
import type { BlockedView } from './contacts.queries';

const KINDS = ['phone', 'username', 'user'];
const NEXT = { type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' } as const;
type Kind = ContactView['kind'];

export class ContactResponse implements ContactView {
  @ApiProperty({ description: 'As given, normalised (E.164 for phones, lower case for usernames)' }) contactId!: string;
  @ApiProperty({ enum: KINDS }) kind!: Kind;
  @ApiProperty() firstName!: string;
  @ApiProperty() lastName!: string;
  @ApiProperty({ ...UUID, nullable: true, description: 'The account the entry is matched to' }) userId!: string | null;
}

export class ContactPageResponse implements Page<ContactView> {
  @ApiProperty({ type: [ContactResponse] }) items!: ContactResponse[];
  @ApiProperty(NEXT) nextCursor!: string | null;
}

/** What a write to the address book or block list did. */
export class WrittenResponse {
  @ApiProperty({ ...WHOLE, description: 'Events written; 0 when it already was as asked' }) written!: number;
  @ApiProperty({ ...POSITION, nullable: true, description: 'Of the last event written; null when nothing was' }) position!: string | null;
}

export class AddedContactEntryResponse {
  @ApiProperty() contactId!: string;
  @ApiProperty({ enum: KINDS }) kind!: Kind;
  @ApiProperty() firstName!: string;
  @ApiProperty() lastName!: string;
}

export class AddedContactResponse extends WrittenResponse {
  @ApiProperty({ type: AddedContactEntryResponse }) contact!: AddedContactEntryResponse;
}

export class CountedResponse extends WrittenResponse {
  @ApiProperty(WHOLE) count!: number;
}

export class RemovedContactsResponse extends WrittenResponse {
  @ApiProperty({ type: [String] }) removed!: string[];
  @ApiProperty({ type: [String], description: 'Not in the book' }) missing!: string[];
}

export class ContactChangedResponse extends WrittenResponse {
  @ApiProperty() contactId!: string;
}

export class BlockChangedResponse extends WrittenResponse {
  @ApiProperty(UUID) userId!: string;
  @ApiProperty() blocked!: boolean;
}

export class SyncResultResponse implements SyncResult {
  @ApiProperty(POSITION) position!: string;
  @ApiProperty({ type: [ContactResponse], description: 'Every entry matched to an account after the sync' }) matched!: ContactResponse[];
  @ApiProperty(WHOLE) total!: number;
}

export class BlockedResponse implements BlockedView {
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty(DATE_TIME) blockedAt!: string;
}

export class BlockedListResponse {
  @ApiProperty({ type: [BlockedResponse] }) items!: BlockedResponse[];
}

export class ContactPresenceResponse extends SeenPresenceResponse implements ContactPresenceView {
  @ApiProperty() contactId!: string;
  @ApiProperty(UUID) userId!: string;
}

export class ContactPresenceListResponse {
  @ApiProperty({ type: [ContactPresenceResponse] }) items!: ContactPresenceResponse[];
}

export class ContactStatusMessageResponse implements ContactStatusMessageView {
  @ApiProperty() contactId!: string;
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null when unset or not for this viewer to see' }) message!: string | null;
}

export class ContactStatusMessageListResponse {
  @ApiProperty({ type: [ContactStatusMessageResponse] }) items!: ContactStatusMessageResponse[];
}

export class ContactPhotoResponse implements ContactPhotoView {
  @ApiProperty() contactId!: string;
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference', description: 'An absolute URL, or an uploaded photo\'s /v1/media/<id>' }) url!: string | null;
}

export class PreviewPhotoResponse {
  @ApiProperty({ format: 'uri-reference', description: "An uploaded photo's thumbnail at the size asked for, or a linked photo's URL" }) url!: string;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 1, description: 'Known for uploaded photos' }) width!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 1 }) height!: number | null;
}

export class ContactPreviewPhotoResponse extends ContactPhotoResponse {
  @ApiProperty({ type: PreviewPhotoResponse, nullable: true, description: 'null when there is no photo to show' }) preview!: PreviewPhotoResponse | null;
}

export class ContactPreviewPhotoListResponse {
  @ApiProperty({ enum: [64, 256, 1024], description: 'The preview size: the bound of the long side, in pixels' }) size!: number;
  @ApiProperty({ type: [ContactPreviewPhotoResponse] }) items!: ContactPreviewPhotoResponse[];
}

export class StatusMessageChangeResponse implements StatusMessageChange {
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
  @ApiProperty(DATE_TIME) changedAt!: string;
}

export class PhotoChangeResponse implements PhotoChange {
  @ApiProperty({ type: String, nullable: true, format: 'uri-reference' }) url!: string | null;
  @ApiProperty(DATE_TIME) changedAt!: string;
}

export class ContactStatusHistoryResponse implements HistoryPage<StatusMessageChange> {
  @ApiProperty({ type: [StatusMessageChangeResponse] }) items!: StatusMessageChangeResponse[];
  @ApiProperty(NEXT) nextCursor!: string | null;
}

export class ContactPhotoHistoryResponse implements HistoryPage<PhotoChange> {
  @ApiProperty({ type: [PhotoChangeResponse] }) items!: PhotoChangeResponse[];
  @ApiProperty(NEXT) nextCursor!: string | null;
}
