import { DynamicModule, Module, Type } from '@nestjs/common';
import { SandboxFlow } from './sandbox-flow.service';
import { SandboxPagesController } from './sandbox-pages.controller';

/**
 * The sandbox's hosted pages; AppModule loads this only when the sandbox provider is active, and
 * names the module that provides the PaymentEventSink the pages report their outcomes to.
 */
@Module({})
export class SandboxPagesModule {
  static forRoot(options: { events: Type | DynamicModule }): DynamicModule {
    return {
      module: SandboxPagesModule,
      imports: [options.events],
      controllers: [SandboxPagesController],
      providers: [SandboxFlow],
    };
  }
}
