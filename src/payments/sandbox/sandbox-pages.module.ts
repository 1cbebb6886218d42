import { DynamicModule, Module, Type } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { SubscriptionsModule } from '../../subscriptions/subscriptions.module';
import { SandboxChangePagesController } from './sandbox-change-pages.controller';
import { SandboxControlsController } from './sandbox-controls.controller';
import { SandboxControls } from './sandbox-controls.service';
import { SandboxFlow } from './sandbox-flow.service';
import { SandboxPagesController } from './sandbox-pages.controller';

/**
 * The sandbox's hosted pages, and its test controls by API; AppModule loads this only when the
 * sandbox provider is active, and names the module that provides the PaymentEventSink the pages
 * report their outcomes to, and the one that provides HostedChanges, the change checkouts the
 * change page confirms. The controls API authenticates as every API route does (AuthModule) and
 * answers the subscription as `me` shows it (SubscriptionsModule).
 */
@Module({})
export class SandboxPagesModule {
  static forRoot(options: { events: Type | DynamicModule; changes: Type | DynamicModule }): DynamicModule {
    return {
      module: SandboxPagesModule,
      imports: [options.events, options.changes, AuthModule, SubscriptionsModule],
      controllers: [SandboxPagesController, SandboxChangePagesController, SandboxControlsController],
      providers: [SandboxFlow, SandboxControls],
    };
  }
}
