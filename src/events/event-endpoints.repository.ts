import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EventEndpointConfig } from '../config/app-config';
import { Database, toBoolean, toDate } from '../database/database';
import { EventEndpoint } from './event-endpoint.entity';

export type EndpointRecord = Omit<EventEndpoint, 'secret'>;

/** An endpoint this instance can sign for: its secret from the configuration or the database. */
export interface SigningEndpoint {
  id: string;
  url: string;
  secret: string;
}

const COLUMNS = sql.raw('id, url, source, description, enabled, created_at');

/** The id of a configured endpoint: the same on every instance, from its URL. */
export function configEndpointId(url: string): string {
  return `ep_cfg_${createHash('sha256').update(url).digest('hex').slice(0, 24)}`;
}

/** A new Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

@Injectable()
export class EventEndpointsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records the configured endpoints (EVENT_ENDPOINTS) as enabled, and disables configured ones
   * no longer in the configuration: events written from now on go to exactly those (and to the
   * endpoints added through the API).
   */
  async syncConfigured(endpoints: EventEndpointConfig[]): Promise<void> {
    const now = new Date();
    await this.db.transaction(async (tx) => {
      const ids = endpoints.map((endpoint) => configEndpointId(endpoint.url));
      for (const endpoint of endpoints) {
        await this.db.changes(
          sql`INSERT INTO event_endpoints (id, url, source, description, secret, enabled, created_at)
              VALUES (${configEndpointId(endpoint.url)}, ${endpoint.url}, 'config', NULL, NULL, ${true}, ${now})
              ON CONFLICT (id) DO UPDATE SET enabled = ${true}`,
          tx,
        );
      }
      await this.db.changes(
        sql`UPDATE event_endpoints SET enabled = ${false}
             WHERE source = 'config' AND enabled = ${true}
               ${ids.length > 0 ? sql`AND id NOT IN (${sql.join(ids)})` : sql``}`,
        tx,
      );
    });
  }

  /** Adds an endpoint; its secret is the caller's or a new one, and is answered this once. */
  async create(input: {
    url: string;
    description: string | null;
    secret?: string;
  }): Promise<EndpointRecord & { secret: string }> {
    const endpoint = {
      id: `ep_${randomUUID().replaceAll('-', '')}`,
      url: input.url,
      source: 'api' as const,
      description: input.description,
      secret: input.secret ?? newSigningSecret(),
      enabled: true,
      createdAt: new Date(),
    };
    await this.db.changes(
      sql`INSERT INTO event_endpoints (id, url, source, description, secret, enabled, created_at)
          VALUES (${endpoint.id}, ${endpoint.url}, 'api', ${endpoint.description}, ${endpoint.secret},
            ${true}, ${endpoint.createdAt})`,
    );
    return endpoint;
  }

  async list(): Promise<EndpointRecord[]> {
    const rows = await this.db.rows(
      sql<EndpointRecord>`SELECT ${COLUMNS} FROM event_endpoints ORDER BY created_at, id`,
    );
    return rows.map(normalise);
  }

  async find(id: string): Promise<EndpointRecord | undefined> {
    const row = await this.db.first(
      sql<EndpointRecord>`SELECT ${COLUMNS} FROM event_endpoints WHERE id = ${id}`,
    );
    return row && normalise(row);
  }

  /** Removes an endpoint added through the API, with its deliveries. False when there is none. */
  async remove(id: string): Promise<boolean> {
    return (
      (await this.db.changes(sql`DELETE FROM event_endpoints WHERE id = ${id} AND source = 'api'`)) === 1
    );
  }

  /** The enabled endpoints added through the API, with the secrets to sign for them. */
  async signingApiEndpoints(): Promise<SigningEndpoint[]> {
    return this.db.rows(
      sql<SigningEndpoint>`SELECT id, url, secret FROM event_endpoints
        WHERE source = 'api' AND enabled = ${true} AND secret IS NOT NULL`,
    );
  }
}

function normalise(row: EndpointRecord): EndpointRecord {
  return { ...row, enabled: toBoolean(row.enabled), createdAt: toDate(row.createdAt)! };
}
