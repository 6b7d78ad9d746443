/** How the product names itself to the platforms: ExoClick's firewall answers a bare client with an HTML page. */
export const USER_AGENT = 'creative-flow/0.1 (ad-ops upload daemon; Node.js)';
