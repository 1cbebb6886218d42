import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppConfigModule } from '../config/app-config.module';
import { DatabaseModule } from '../database/database.module';
import { PaymentsModule } from '../payments/payments.module';
import { ReconciliationModule } from './reconciliation.module';

/**
 * What `npm run -s cli -- sync` runs in: the database, the payment provider and reconciliation,
 * without HTTP, the outbox dispatcher or the periodic job (the service delivers the events a
 * round writes).
 */
@Module({})
export class ReconciliationCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ReconciliationCliModule,
      imports: [
        AppConfigModule.forRoot(config),
        DatabaseModule,
        PaymentsModule.forProvider(config.provider),
        ReconciliationModule,
      ],
    };
  }
}
