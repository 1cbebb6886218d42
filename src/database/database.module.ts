import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Database } from './database';
import { OpenDatabase, openDatabase } from './open-database';

const OPEN_DATABASE = Symbol('OPEN_DATABASE');

@Injectable()
class DatabaseShutdown implements OnApplicationShutdown {
  constructor(@Inject(OPEN_DATABASE) private readonly open: OpenDatabase) {}

  async onApplicationShutdown(): Promise<void> {
    await this.open.close();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: OPEN_DATABASE,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => openDatabase(config.database),
    },
    { provide: DataSource, inject: [OPEN_DATABASE], useFactory: (open: OpenDatabase) => open.dataSource },
    { provide: Database, inject: [OPEN_DATABASE], useFactory: (open: OpenDatabase) => open.database },
    DatabaseShutdown,
  ],
  exports: [DataSource, Database],
})
export class DatabaseModule {}
