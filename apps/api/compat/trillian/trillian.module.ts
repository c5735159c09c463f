import { Module } from '@nestjs/common';
import { AdminModule } from '../../admin/admin.module';
import { InfrastructureModule } from '../../infrastructure/infrastructure.module';
import { MediaModule } from '../../media/media.module';
import { OrgModule } from '../../org/org.module';
import { TrillianAddressbookController } from './trillian-addressbook.controller';
import { TrillianUserMessagesController } from './trillian-user-messages.controller';
import { TrillianReadsFollowWrites, TrillianTokenGuard } from './trillian-auth.guard';
import { TrillianGroupchatsController } from './trillian-groupchats.controller';
import { TrillianMediaController } from './trillian-media.controller';
import { TrillianOrgController } from './trillian-org.controller';
import { TrillianPresenceController } from './trillian-presence.controller';
import { TrillianUsersController } from './trillian-users.controller';

/** Trillian Server's wire surface (`/trillian/v1/…`): a translator onto Parley's own commands and queries. */
@Module({
  imports: [InfrastructureModule, AdminModule, OrgModule, MediaModule],
  controllers: [
    TrillianOrgController,
    TrillianGroupchatsController,
    TrillianPresenceController,
    TrillianUsersController,
    TrillianUserMessagesController,
    TrillianAddressbookController,
    TrillianMediaController,
  ],
  providers: [TrillianTokenGuard, TrillianReadsFollowWrites],
})
export class TrillianModule {}
