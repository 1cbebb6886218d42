/**
 * One entry of ALLOWED_REDIRECT_ORIGINS: `scheme://host[:port]`, where the port may be `*`
 * (any port) and the host may start with `*.` (any subdomain, not the bare domain).
 */
export class OriginRule {
  private constructor(
    readonly text: string,
    private readonly protocol: 'http:' | 'https:',
    private readonly host: string,
    private readonly wildcardSubdomain: boolean,
    /** '' for the scheme's default port, '*' for any port. */
    private readonly port: string,
  ) {}

  /** Returns null when the text is not a valid rule. */
  static parse(text: string): OriginRule | null {
    const match = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:]+\])(?::(\d{1,5}|\*))?\/?$/i.exec(
      text.trim(),
    );
    if (!match) return null;
    const [, scheme, wildcard, host, port] = match;
    const protocol = `${scheme.toLowerCase()}:` as 'http:' | 'https:';
    const defaultPort = protocol === 'https:' ? '443' : '80';
    if (port !== undefined && port !== '*' && (Number(port) < 1 || Number(port) > 65535)) return null;
    const normalizedPort = port === undefined || port === defaultPort ? '' : port;
    return new OriginRule(text.trim(), protocol, host.toLowerCase(), Boolean(wildcard), normalizedPort);
  }

  matches(url: URL): boolean {
    if (url.protocol !== this.protocol) return false;
    const host = url.hostname.toLowerCase();
    const hostMatches = this.wildcardSubdomain ? host.endsWith(`.${this.host}`) : host === this.host;
    if (!hostMatches) return false;
    return this.port === '*' || url.port === this.port;
  }
}
