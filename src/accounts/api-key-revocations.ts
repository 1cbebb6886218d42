import { Injectable } from '@nestjs/common';

/** The PostgreSQL channel on which revocations are announced to every instance. */
export const API_KEY_REVOKED_CHANNEL = 'api_key_revoked';

type Listener = (apiKeyId: string) => void;

/** Announcements of revoked API keys within this process (from the admin service or NOTIFY). */
@Injectable()
export class ApiKeyRevocations {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announce(apiKeyId: string): void {
    for (const listener of this.listeners) listener(apiKeyId);
  }
}
