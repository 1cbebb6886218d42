import { Module } from '@nestjs/common';
import { WebhooksModule } from '../../webhooks/webhooks.module';
import { SandboxFlow } from './sandbox-flow.service';
import { SandboxPagesController } from './sandbox-pages.controller';

/** The sandbox's hosted pages; AppModule loads this only when the sandbox provider is active. */
@Module({
  imports: [WebhooksModule],
  controllers: [SandboxPagesController],
  providers: [SandboxFlow],
})
export class SandboxPagesModule {}
