import { Module, type OnModuleInit } from '@nestjs/common';
import { AccountsModule } from '../../accounts/accounts.module';
import { registerCompatSurface } from '../../common/compat-surfaces';
import { ContactsModule } from '../../contacts/contacts.module';
import { InfrastructureModule } from '../../infrastructure/infrastructure.module';
import { MediaModule } from '../../media/media.module';
import { WinduController } from './windu.controller';
import { WINDU_PREFIX, winduError } from './windu-shapes';

/** Windu's REST API under `/windu` (issue #17): a translator onto Parley's phone accounts, profiles, presence and contacts. */
@Module({
  imports: [InfrastructureModule, AccountsModule, ContactsModule, MediaModule],
  controllers: [WinduController],
})
export class WinduModule implements OnModuleInit {
  onModuleInit(): void {
    registerCompatSurface({ prefix: WINDU_PREFIX, renderError: winduError });
  }
}
