import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { JwtModule } from '@nestjs/jwt';
import type { ParleyConfig } from '../../libs/config/config';
import type { EventStore } from '../../libs/event-store/event-store.port';
import type { ProjectorHandle } from '../../libs/projection/projector-handle';
import type { ReadStore } from '../../libs/read-store/read-store.port';
import { accountsControllers, accountsProviders } from './accounts/accounts.providers';
import { ApiKeyGuard } from './admin/api-key.guard';
import { ApiKeyBootstrap } from './admin/api-key-bootstrap';
import { ExecuteApiKeyCommandHandler } from './admin/api-key-command.command';
import { ApiKeyStates } from './admin/api-key-states';
import { ApiKeysController } from './admin/api-keys.controller';
import { ListApiKeysHandler } from './admin/api-keys.queries';
import { AuditController } from './audit/audit.controller';
import { RoomHistory } from './audit/room-history';
import { AuthGuard } from './auth/auth.guard';
import { jwtModuleOptions } from './auth/jwt-keys';
import { JwksController, OauthController } from './auth/oauth.controller';
import { PasswordGrantHandler } from './auth/password-grant.command';
import { SignInLimiter } from './auth/sign-in-limiter';
import { PublicRateLimit } from './common/public-rate-limit';
import { RefreshGrantHandler } from './auth/refresh-grant.command';
import { RevokeTokenHandler } from './auth/revoke-token.command';
import { EndSessionHandler, ListSessionsHandler } from './auth/sessions.commands';
import { SessionsController } from './auth/sessions.controller';
import { UserSessions } from './auth/user-sessions';
import { TokenFamilyStates } from './auth/token-family-states';
import { TokenService } from './auth/token.service';
import { CommentsController } from './comments/comments.controller';
import { ContactDirectory } from './contacts/contact-directory';
import { AccountResolver } from './contacts/account-resolver';
import { BlockStates } from './contacts/block-states';
import { ContactBooks } from './contacts/contact-books';
import { ContactIds } from './contacts/contact-ids';
import {
  ExecuteBlocksCommandHandler,
  ExecuteContactsCommandHandler,
  SyncContactsCommandHandler,
} from './contacts/contacts.commands';
import { ContactsController } from './contacts/contacts.controller';
import { GetContactHandler, ListBlockedHandler, ListContactsHandler } from './contacts/contacts.queries';
import { ContactPresenceController } from './contacts/contact-presence.controller';
import {
  AllContactsPresenceHandler,
  AllContactsStatusesHandler,
  ContactHistoryHandler,
  ContactPhotoHandler,
  ContactPresenceHandler,
  ContactStatusMessageHandler,
} from './contacts/contact-presence.queries';
import { AdminPresenceController } from './presence/admin-presence.controller';
import { PresenceDocs } from './presence/presence-docs';
import { PresenceStates } from './presence/presence-states';
import { PresenceController } from './presence/presence.controller';
import { ListPresenceHandler, MyPresenceHandler } from './presence/presence.queries';
import { PrivacyPolicy } from './presence/privacy-policy';
import { SetPresenceHandler } from './presence/set-presence.command';
import { CommentLookup } from './comments/comment-lookup';
import { CommentSequencer } from './comments/comment-sequencer';
import { ListCommentsHandler } from './comments/comments.queries';
import { DeleteCommentHandler } from './comments/delete-comment.command';
import { PostCommentHandler } from './comments/post-comment.command';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { MinPositionInterceptor } from './common/min-position.interceptor';
import { FeedAudience } from './feed/feed-audience';
import { FeedHub } from './feed/feed-hub';
import { FeedWsGateway } from './feed/feed-ws.gateway';
import { FeedController } from './feed/feed.controller';
import { HealthController } from './health/health.controller';
import { EventWriter } from './infrastructure/event-writer';
import { ExportsController } from './jobs/exports.controller';
import { ImportsController } from './jobs/imports.controller';
import { ExecuteExportJobCommandHandler, ExecuteImportJobCommandHandler } from './jobs/job-command.command';
import { JobRunner } from './jobs/job-runner';
import { JobStates } from './jobs/job-states';
import { GetExportHandler, GetImportHandler, ListExportsHandler, ListImportsHandler } from './jobs/jobs.queries';
import { QiscusImporter } from './jobs/qiscus-import';
import { KeyedMutex } from './infrastructure/keyed-mutex';
import { LogFollower } from './infrastructure/log-follower';
import { ReadModelGate } from './infrastructure/read-model-gate';
import { projectorProvider } from './infrastructure/projector-provider';
import { createReadStore, openApiEventStore, withPersonalData } from './infrastructure/stores';
import { EVENT_STORE, PARLEY_CONFIG, PROJECTOR, RAW_EVENT_STORE, READ_STORE } from './infrastructure/tokens';
import { MarkReadHandler } from './read-state/mark-read.command';
import { ReadStateController } from './read-state/read-state.controller';
import { CreateRoomHandler } from './rooms/create-room.command';
import { ExecuteRoomCommandHandler } from './rooms/room-command.command';
import { RoomStates } from './rooms/room-states';
import { RoomsController } from './rooms/rooms.controller';
import { GetRoomHandler, ListMembersHandler, ListMyRoomsHandler, UnreadHandler } from './rooms/rooms.queries';
import { AdminUsersController } from './admin/admin-users.controller';
import { GetAdminUserHandler, ListAdminUsersHandler } from './admin/admin-users.queries';
import { ChangePasswordHandler, ExecuteProfileCommandHandler } from './users/profile.command';
import { ProfileController } from './users/profile.controller';
import { GetMeHandler, ProfileHistoryHandler } from './users/profile.queries';
import { RegisterUserHandler } from './users/register-user.command';
import { UserStates } from './users/user-states';
import { UsersController } from './users/users.controller';
import { AccountRemovalController } from './users/account-removal.controller';
import { RemoveUserHandler } from './users/remove-user.command';
import { ErasureCleanup } from './users/erasure-cleanup';
import { PersonalDataVault } from '../../libs/personal-data/vault';
import type { PersonalDataEventStore } from '../../libs/personal-data/personal-data-event-store';
import { ExecuteWebhookCommandHandler } from './webhooks/webhook-command.command';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';
import { WebhookPayloads } from './webhooks/webhook-payloads';
import { WebhookStates } from './webhooks/webhook-states';
import { WebhooksController } from './webhooks/webhooks.controller';
import { GetWebhookHandler, ListWebhooksHandler } from './webhooks/webhooks.queries';

/** Starts the in-process projector after the stores are up, and closes everything on shutdown. */
class StoresLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PROJECTOR) private readonly projector: ProjectorHandle | null,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.projector?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projector?.stop();
    await this.store.close();
    await this.readStore.close();
  }
}

@Module({})
export class AppModule {
  static forConfig(config: ParleyConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), JwtModule.register(
          // HS256 or RS256 as configured, keys as KeyObjects, the algorithm pinned for verification.
          jwtModuleOptions(config.jwtSigning),
        )],
      controllers: [
        UsersController,
        AccountRemovalController,
        ProfileController,
        AdminUsersController,
        OauthController,
        JwksController,
        SessionsController,
        RoomsController,
        CommentsController,
        ReadStateController,
        HealthController,
        FeedController,
        WebhooksController,
        AuditController,
        ExportsController,
        ImportsController,
        ContactsController,
        PresenceController,
        AdminPresenceController,
        ContactPresenceController,
        ApiKeysController,
        ...accountsControllers,
      ],
      providers: [
        { provide: PARLEY_CONFIG, useValue: config },
        { provide: RAW_EVENT_STORE, useFactory: () => openApiEventStore(config) },
        {
          provide: EVENT_STORE,
          inject: [RAW_EVENT_STORE],
          useFactory: (raw: EventStore) => withPersonalData(config, raw),
        },
        {
          provide: PersonalDataVault,
          inject: [EVENT_STORE],
          useFactory: (store: PersonalDataEventStore) => store.vault,
        },
        RemoveUserHandler,
        ErasureCleanup,
        { provide: READ_STORE, useFactory: () => createReadStore(config) },
        projectorProvider(config),
        StoresLifecycle,
        EventWriter,
        KeyedMutex,
        ReadModelGate,
        TokenService,
        TokenFamilyStates,
        PasswordGrantHandler,
        SignInLimiter,
        PublicRateLimit,
        RefreshGrantHandler,
        RevokeTokenHandler,
        UserSessions,
        ListSessionsHandler,
        EndSessionHandler,
        UserStates,
        RoomStates,
        RoomHistory,
        RegisterUserHandler,
        ExecuteProfileCommandHandler,
        ChangePasswordHandler,
        GetMeHandler,
        ProfileHistoryHandler,
        ListAdminUsersHandler,
        GetAdminUserHandler,
        CreateRoomHandler,
        ExecuteRoomCommandHandler,
        CommentSequencer,
        CommentLookup,
        PostCommentHandler,
        DeleteCommentHandler,
        MarkReadHandler,
        ListMyRoomsHandler,
        GetRoomHandler,
        ListMembersHandler,
        UnreadHandler,
        ListCommentsHandler,
        LogFollower,
        FeedAudience,
        FeedHub,
        FeedWsGateway,
        ApiKeyGuard,
        ApiKeyStates,
        ExecuteApiKeyCommandHandler,
        ListApiKeysHandler,
        ApiKeyBootstrap,
        ContactDirectory,
        ContactIds,
        ContactBooks,
        BlockStates,
        AccountResolver,
        ExecuteContactsCommandHandler,
        SyncContactsCommandHandler,
        ExecuteBlocksCommandHandler,
        ListContactsHandler,
        GetContactHandler,
        ListBlockedHandler,
        PresenceStates,
        PresenceDocs,
        PrivacyPolicy,
        SetPresenceHandler,
        MyPresenceHandler,
        ListPresenceHandler,
        ContactPresenceHandler,
        AllContactsPresenceHandler,
        ContactStatusMessageHandler,
        AllContactsStatusesHandler,
        ContactPhotoHandler,
        ContactHistoryHandler,
        WebhookStates,
        WebhookPayloads,
        ExecuteWebhookCommandHandler,
        WebhookDispatcher,
        ListWebhooksHandler,
        GetWebhookHandler,
        JobStates,
        ExecuteExportJobCommandHandler,
        ExecuteImportJobCommandHandler,
        QiscusImporter,
        JobRunner,
        ListExportsHandler,
        GetExportHandler,
        ListImportsHandler,
        GetImportHandler,
        ...accountsProviders,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        MinPositionInterceptor,
      ],
    };
  }
}
