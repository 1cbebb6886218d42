// The data source for the TypeORM command line (npm run typeorm -- migration:generate …).
import { loadConfig } from './src/config/load-config';
import { createDataSource } from './src/database/data-source';

export default createDataSource(loadConfig(process.env).database);
