import { Module } from '@nestjs/common';
import { RedirectUrlPolicy } from './redirect/redirect-url.policy';

@Module({
  providers: [RedirectUrlPolicy],
  exports: [RedirectUrlPolicy],
})
export class CommonModule {}
