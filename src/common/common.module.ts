import { Global, Module } from '@nestjs/common';
import { RedirectUrlPolicy } from './redirect/redirect-url.policy';

@Global()
@Module({
  providers: [RedirectUrlPolicy],
  exports: [RedirectUrlPolicy],
})
export class CommonModule {}
