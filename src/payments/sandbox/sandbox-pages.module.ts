import { DynamicModule, Module, Type } from '@nestjs/common';
import { SandboxChangePagesController } from './sandbox-change-pages.controller';
import { SandboxFlow } from './sandbox-flow.service';
import { SandboxPagesController } from './sandbox-pages.controller';

/**
 * The sandbox's hosted pages; AppModule loads this only when the sandbox provider is active, and
 * names the module that provides the PaymentEventSink the pages report their outcomes to, and the
 * one that provides HostedChanges, the change checkouts the change page confirms.
 */
@Module({})
export class SandboxPagesModule {
  static forRoot(options: { events: Type | DynamicModule; changes: Type | DynamicModule }): DynamicModule {
    return {
      module: SandboxPagesModule,
      imports: [options.events, options.changes],
      controllers: [SandboxPagesController, SandboxChangePagesController],
      providers: [SandboxFlow],
    };
  }
}
