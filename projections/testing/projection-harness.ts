import { EVENT_VERSIONS, type ParleyEvent, type ParleyEventType } from '../../libs/domain/events';
import { newId } from '../../libs/domain/ids';
import { streams } from '../../libs/domain/streams';
import { exportJobStream } from '../../libs/domain/jobs/export-job.decider';
import { importJobStream } from '../../libs/domain/jobs/import-job.decider';
import { webhookStream } from '../../libs/domain/webhooks/webhook.decider';
import type { Position, StoredEvent } from '../../libs/event-store/event-store.port';
import { MemoryEventStore } from '../../libs/event-store/memory-event-store';
import { MemoryReadStore } from '../../libs/read-store/memory-read-store';
import {
  checkpointName,
  type ProjectedEvent,
  type Projection,
  type ProjectionContext,
  type ProjectionHandlers,
} from '../../libs/projection/projection';
import { Projector } from '../../libs/projection/projector';
import type { Doc } from '../../libs/read-store/read-store.port';

/**
 * Runs one projection over domain events through the real Projector, with the
 * memory stores: events are appended to the streams the command handlers write
 * them to, then the projector catches up. Test-only; no test-runner import so
 * it compiles with the product.
 */
export interface ProjectionScenario {
  readonly eventStore: MemoryEventStore;
  readonly readStore: MemoryReadStore;
  /** Appends the events in order and catches the projector up; answers their stored envelopes. */
  when(...events: readonly ParleyEvent[]): Promise<StoredEvent[]>;
  doc(collection: string, id: string): Promise<Doc | null>;
  docs(collection: string): Promise<Doc[]>;
  /** Every document of every collection the projection owns. */
  snapshot(): Promise<Record<string, Doc[]>>;
  /**
   * Delivers events to the handlers a second time, as after a crash between
   * the document writes and the checkpoint: the checkpoint is set back while
   * the documents stay, and a fresh Projector catches up. `last` re-delivers
   * the events of the last `when` (or `given`) call; `all` the whole log.
   * Answers the documents before and after, and the event types the handlers
   * received. (Re-delivering the whole log alone would not show a missing
   * guard: replaying everything from the first event recomputes every
   * document the same way.)
   */
  replay(scope?: 'last' | 'all'): Promise<Replay>;
}

export interface Replay {
  readonly before: Record<string, Doc[]>;
  readonly after: Record<string, Doc[]>;
  readonly delivered: readonly ParleyEventType[];
}

export async function given(projection: Projection, events: readonly ParleyEvent[] = []): Promise<ProjectionScenario> {
  const eventStore = new MemoryEventStore();
  const readStore = new MemoryReadStore();
  const delivered: ParleyEventType[] = [];
  const recorded = recording(projection, delivered);
  let projector = new Projector(eventStore, readStore, [recorded]);
  let lastAfter: Position = 0n;

  const docs = (collection: string) => readStore.find(collection);
  const snapshot = async () => {
    const all: Record<string, Doc[]> = {};
    for (const { name } of projection.collections) all[name] = await docs(name);
    return all;
  };

  const scenario: ProjectionScenario = {
    eventStore,
    readStore,
    when: async (...next) => {
      const stored: StoredEvent[] = [];
      for (const event of next) stored.push(...(await append(eventStore, event)));
      if (stored[0]) lastAfter = stored[0].position - 1n;
      await projector.catchUp();
      return stored;
    },
    doc: (collection, id) => readStore.get(collection, id),
    docs,
    snapshot,
    replay: async (scope = 'last') => {
      const before = await snapshot();
      // Positions start at 1, so '0' re-delivers everything; a missing
      // checkpoint would instead make the Projector empty the collections.
      const after = scope === 'all' ? 0n : lastAfter;
      await readStore.commit([], [{ name: checkpointName(projection), position: after.toString() }]);
      delivered.length = 0;
      projector = new Projector(eventStore, readStore, [recorded]);
      await projector.catchUp();
      return { before, after: await snapshot(), delivered: [...delivered] };
    },
  };
  await scenario.when(...events);
  return scenario;
}

/** The stream a command handler writes the event to (libs/domain/streams.ts). */
export function streamOf(event: ParleyEvent): string {
  switch (event.type) {
    case 'UsernameClaimed':
      return streams.username(event.data.username);
    case 'PhoneClaimed':
      return streams.phone(event.data.phoneKey);
    case 'EmailClaimed':
      return streams.email(event.data.emailKey);
    case 'UserRegistered':
    case 'EmailChanged':
    case 'PhoneAccountCreated':
    case 'VerificationCodeIssued':
    case 'VerificationCodeFailed':
    case 'PhoneVerified':
    case 'PasswordChanged':
    case 'ProfileUpdated':
    case 'StatusMessageChanged':
    case 'ProfilePhotoChanged':
    case 'PrivacySettingsChanged':
    case 'UserPropertiesChanged':
    case 'UserRemoved':
      return streams.user(event.data.userId);
    case 'TokenFamilyStarted':
    case 'RefreshTokenRotated':
    case 'TokenFamilyRevoked':
      return streams.tokenFamily(event.data.familyId);
    case 'ApiKeyCreated':
    case 'ApiKeyRevoked':
      return streams.apiKey(event.data.keyId);
    case 'ApplicationRegistered':
    case 'ApplicationRemoved':
      return streams.application(event.data.applicationId);
    case 'ApplicationUserCreated':
      return streams.user(event.data.userId);
    case 'ContactAdded':
    case 'ContactsImported':
    case 'ContactRenamed':
    case 'ContactsRemoved':
    case 'ContactsSyncRequested':
      return streams.contacts(event.data.ownerId);
    case 'ContactBlocked':
    case 'ContactUnblocked':
    case 'BlockListReplaced':
      return streams.blocks(event.data.userId);
    case 'PresenceChanged':
      return streams.presence(event.data.userId);
    case 'CommentPosted':
      return streams.comments(event.data.roomId);
    case 'CommentDeleted':
      return streams.comment(event.data.commentId);
    case 'RoomRead':
    case 'RoomMarkedUnread':
      return streams.readMarker(event.data.roomId, event.data.userId);
    case 'HistoryCleared':
      return streams.historyCleared(event.data.roomId, event.data.userId);
    case 'WebhookRegistered':
    case 'WebhookUpdated':
    case 'WebhookRemoved':
    case 'WebhookPaused':
    case 'WebhookResumed':
      return webhookStream(event.data.webhookId);
    case 'ExportJobRequested':
    case 'ExportJobCompleted':
    case 'ExportJobFailed':
    case 'ExportJobDeleted':
    case 'ExportJobPurged':
      return exportJobStream(event.data.jobId);
    case 'ImportJobRequested':
    case 'ImportJobCompleted':
    case 'ImportJobFailed':
      return importJobStream(event.data.jobId);
    case 'MediaUploaded':
    case 'MediaAttached':
    case 'MediaDeleted':
      return streams.media(event.data.mediaId);
    case 'MemberProfileChanged':
      return streams.memberProfile(event.data.userId);
    case 'FeedbackLeft':
      return streams.feedback(event.data.authorId, event.data.subjectId);
    case 'OrgGroupCreated':
    case 'OrgGroupChanged':
    case 'OrgGroupDeleted':
    case 'OrgGroupsPeered':
    case 'OrgGroupsUnpeered':
    case 'OrgMemberAssigned':
    case 'OrgMemberUnassigned':
    case 'OrgPolicyDefined':
    case 'OrgPolicyChanged':
    case 'OrgPolicyDeleted':
      return streams.org();
    default:
      return streams.room(event.data.roomId);
  }
}

function append(eventStore: MemoryEventStore, event: ParleyEvent): Promise<StoredEvent[]> {
  // As in the post handler, a comment's event id is the comment id.
  const id = event.type === 'CommentPosted' ? event.data.commentId : newId();
  const streamId = streamOf(event);
  return eventStore
    .append(streamId, [{ id, type: event.type, version: EVENT_VERSIONS[event.type], data: event.data, metadata: {} }], 'any')
    .then((result) => eventStore.readStream(streamId, { fromRevision: result.nextRevision, maxCount: 1 }));
}

/** The projection with each handler noting the event type it received. */
function recording(projection: Projection, delivered: ParleyEventType[]): Projection {
  const handlers: Record<string, (event: ProjectedEvent, ctx: ProjectionContext) => Promise<void>> = {};
  for (const [type, handler] of Object.entries(projection.handlers)) {
    const run = handler as (event: ProjectedEvent, ctx: ProjectionContext) => Promise<void>;
    handlers[type] = async (event, ctx) => {
      delivered.push(event.type);
      await run(event, ctx);
    };
  }
  return { ...projection, handlers: handlers as ProjectionHandlers };
}

/** Re-delivers the last events, then the whole log, to the handlers: the documents must not move. */
export async function thenReplayChangesNothing(scenario: ProjectionScenario, type: ParleyEventType): Promise<void> {
  for (const scope of ['last', 'all'] as const) {
    const { before, after, delivered } = await scenario.replay(scope);
    expect(delivered).toContain(type);
    expect(after).toEqual(before);
  }
}
