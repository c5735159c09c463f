import { Inject, Injectable } from '@nestjs/common';
import type { ParleyConfig } from '../../../libs/config/config';
import type { CommentAttachment } from '../../../libs/domain/events';
import type { ReadStore } from '../../../libs/read-store/read-store.port';
import { asMediaDoc, MEDIA } from '../../../projections/media.projection';
import { PARLEY_CONFIG, READ_STORE } from '../infrastructure/tokens';

/** A comment's attachment as a file a client downloads (Qiscus' `file_attachment` payload). */
export interface AttachmentFile {
  /** Absolute under PUBLIC_URL, a path without it. */
  readonly url: string;
  /** The name given at upload; the media id once the uploader is erased. */
  readonly file_name: string;
  readonly size: number;
}

/**
 * Comments' attachments as files, for the surfaces that show a file by its
 * name (Qiscus comments in webhooks and in comment lists). Names are read
 * from the media read model when asked, so an erased uploader's file name is
 * gone everywhere at once. A page of comments costs one read.
 */
@Injectable()
export class AttachmentFiles {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  async of(attachments: readonly CommentAttachment[]): Promise<AttachmentFile[]> {
    const [files] = await this.ofEach([attachments]);
    return files ?? [];
  }

  /** The files of each comment of a page, in order. */
  async ofEach(lists: readonly (readonly CommentAttachment[])[]): Promise<AttachmentFile[][]> {
    const ids = [...new Set(lists.flatMap((list) => list.map((a) => a.mediaId)))];
    const docs = ids.length === 0 ? [] : await this.readStore.getMany(MEDIA, ids);
    const names = new Map(docs.map((doc) => [doc.id, asMediaDoc(doc)?.name ?? null]));
    return lists.map((list) =>
      list.map((a) => ({ url: `${this.config.publicUrl ?? ''}${a.url}`, file_name: names.get(a.mediaId) ?? a.mediaId, size: a.size })),
    );
  }
}
