declare module 'proxy-from-env' {
  /** The proxy `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` name for the URL, unless `NO_PROXY` excludes it; '' for none. */
  export function getProxyForUrl(url: string | URL): string;
}
