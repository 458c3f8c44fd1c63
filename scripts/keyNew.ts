import { newApiKey } from '../config/apiKeys';

/**
 * `npm run key:new`: a new API key for one person. The key goes to them (once, privately); the
 * partnership file keeps only its digest, so a copy of the file signs nobody in. Send the API
 * `kill -HUP <pid>` after editing the file, and the key works without a restart.
 */
const { key, entry } = newApiKey();
console.log(`API key, for the person only (it is not kept anywhere):\n  ${key}\n`);
console.log(`For their entry in the partnership file (JCO_CONFIG):\n  apiKey: ${entry}`);
