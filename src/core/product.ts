/** The product's version, as `package.json` gives it (a test keeps the two the same). */
export const VERSION = '0.1.0';

/** How the product names itself to the platforms: ExoClick's firewall answers a bare client with an HTML page. */
export const USER_AGENT = `creative-flow/${VERSION} (ad-ops upload daemon; Node.js)`;
