import { createTestDatabase } from './database';
import { FakePrice, FakeStripe } from './fake-stripe';
import { createAccount, startStripeApp, TestAccount, TestApp } from './test-app';

type Env = Record<string, string | undefined>;

export interface StripeAppOptions {
  /** The prices the fake Stripe knows. */
  prices?: FakePrice[];
  /**
   * Settings on top of startStripeApp's. A function is called once the fake listens (to point
   * STRIPE_API_URL somewhere between the two, say).
   */
  env?: Env | ((fake: FakeStripe) => Env | Promise<Env>);
  /** Before each test: a fresh account with an API key (`account`) and the fake's record emptied. */
  perTest?: boolean;
  /** Before each test: the fake's record emptied (implied by `perTest`). */
  clearRequests?: boolean;
  /** A database other processes can open too (a SQLite file rather than memory). */
  sharedDatabase?: boolean;
}

export interface StripeApp {
  /** The fake Stripe: it listens from beforeAll until afterAll. */
  fake: FakeStripe;
  /** The app on its own database, pointed at the fake: started in beforeAll, closed in afterAll. */
  sut: TestApp;
  /** The account made for the running test (with `perTest`). */
  account: TestAccount;
}

/**
 * The service with the Stripe provider against a fake Stripe, for the enclosing describe block:
 * the hooks start both before its tests and stop both after them. `sut` and `account` stand for
 * what the hooks made, so they can be taken apart where the block begins.
 */
export function useStripeApp(options: StripeAppOptions = {}): StripeApp {
  const fake = new FakeStripe();
  let started: TestApp | undefined;
  let current: TestAccount | undefined;

  const app = (): TestApp => {
    if (!started) throw new Error('useStripeApp: the app starts in beforeAll');
    return started;
  };
  const testAccount = (): TestAccount => {
    if (!current) throw new Error('useStripeApp: `account` needs perTest: true');
    return current;
  };

  beforeAll(async () => {
    await fake.start();
    for (const price of options.prices ?? []) fake.addPrice(price);
    const env = typeof options.env === 'function' ? await options.env(fake) : options.env;
    const database = options.sharedDatabase ? await createTestDatabase({ shared: true }) : undefined;
    started = await startStripeApp(fake, env, { database });
    if (database) {
      const close = started.close.bind(started);
      started.close = async () => {
        await close();
        await database.drop();
      };
    }
  });

  afterAll(async () => {
    await started?.close();
    await fake.stop();
  });

  if (options.perTest || options.clearRequests) {
    beforeEach(async () => {
      if (options.perTest) current = await createAccount(app());
      fake.requests.length = 0;
    });
  }

  const sut: TestApp = {
    get app() {
      return app().app;
    },
    get config() {
      return app().config;
    },
    get database() {
      return app().database;
    },
    get admin() {
      return app().admin;
    },
    get db() {
      return app().db;
    },
    http: () => app().http(),
    close: () => app().close(),
  };
  const account: TestAccount = {
    get accountId() {
      return testAccount().accountId;
    },
    get apiKey() {
      return testAccount().apiKey;
    },
    get apiKeyId() {
      return testAccount().apiKeyId;
    },
  };
  return { fake, sut, account };
}
