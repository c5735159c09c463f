import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { ContactsModule } from '../contacts/contacts.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { UsersModule } from '../users/users.module';
import { AdminPresenceController } from './admin-presence.controller';
import { ContactPresenceController } from './contact-presence.controller';
import {
  AllContactsPresenceHandler,
  AllContactsPreviewPhotosHandler,
  AllContactsStatusesHandler,
  ContactHistoryHandler,
  ContactPhotoHandler,
  ContactPresenceHandler,
  ContactStatusMessageHandler,
} from './contact-presence.queries';
import { PresenceDocs } from './presence-docs';
import { PresenceStates } from './presence-states';
import { PresenceController } from './presence.controller';
import { ListPresenceHandler, MyPresenceHandler } from './presence.queries';
import { PrivacyPolicy } from './privacy-policy';
import { SetPresenceHandler } from './set-presence.command';

/**
 * Presence and privacy (issue #5): one's own presence, what a viewer may see
 * of others (PrivacyPolicy, which member lists use too) and contacts' presence.
 */
@Module({
  imports: [InfrastructureModule, UsersModule, ContactsModule, AdminModule],
  controllers: [PresenceController, AdminPresenceController, ContactPresenceController],
  providers: [
    PresenceStates,
    PresenceDocs,
    PrivacyPolicy,
    SetPresenceHandler,
    MyPresenceHandler,
    ListPresenceHandler,
    ContactPresenceHandler,
    AllContactsPresenceHandler,
    AllContactsPreviewPhotosHandler,
    ContactStatusMessageHandler,
    AllContactsStatusesHandler,
    ContactPhotoHandler,
    ContactHistoryHandler,
  ],
  exports: [PrivacyPolicy],
})
export class PresenceModule {}
