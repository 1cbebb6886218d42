/**
 * What an id the service or a provider hands out can look like (prices, subscriptions, checkout
 * sessions, change checkouts): anything else is refused or unknown without asking the database,
 * which is also where a NUL or a stray byte would otherwise fail.
 */
export const PROVIDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
