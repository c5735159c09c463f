import { ApiProperty } from '@nestjs/swagger';
import { DATE_TIME, POSITION, UUID } from '../common/openapi';
import type { MediaView, ThumbnailView } from './media-views';

export class ThumbnailResponse implements ThumbnailView {
  @ApiProperty({ enum: [64, 256, 1024], description: 'The bound of the long side, in pixels' }) size!: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) width!: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) height!: number;
  @ApiProperty({ example: '/v1/media/1b4e28ba-2fa1-11d2-883f-0016d3cca427/thumbnails/256' }) url!: string;
}

export class MediaResponse implements MediaView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty(UUID) ownerId!: string;
  @ApiProperty({ example: 'image/jpeg', description: 'Sniffed from the bytes' }) type!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Bytes' }) size!: number;
  @ApiProperty({ type: 'integer', minimum: 1, nullable: true, description: 'Images: as shown (EXIF orientation applied)' }) width!: number | null;
  @ApiProperty({ type: 'integer', minimum: 1, nullable: true }) height!: number | null;
  @ApiProperty({ type: String, nullable: true, pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the bytes (the ETag); null once the owner is erased' })
  sha256!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The file name given at upload' }) name!: string | null;
  @ApiProperty({ example: '/v1/media/1b4e28ba-2fa1-11d2-883f-0016d3cca427' }) url!: string;
  @ApiProperty({ type: [ThumbnailResponse], description: 'Images only: 64, 256 and 1024 px on the long side, never larger than the original' })
  thumbnails!: ThumbnailResponse[];
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty({ description: "The owner's account was erased: the bytes can no longer be read" }) removed!: boolean;
}

export class UploadedMediaResponse extends MediaResponse {
  @ApiProperty(POSITION) position!: string;
}

export class MediaListResponse {
  @ApiProperty({ type: [MediaResponse] }) items!: MediaResponse[];
}

export class DeletedMediaResponse {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: [true] }) deleted!: true;
  @ApiProperty(POSITION) position!: string;
}

export class UploadMediaBody {
  @ApiProperty({ description: 'The bytes, base64 (Trillian sends media this way)' }) data!: string;
  @ApiProperty({ required: false, description: 'The type the client believes it is; refused when the bytes say otherwise' }) type?: string;
  @ApiProperty({ required: false, description: 'A file name, kept with the upload' }) name?: string;
}

export class UploadMediaForm {
  @ApiProperty({ type: 'string', format: 'binary' }) file!: string;
}
