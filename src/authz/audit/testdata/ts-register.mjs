// Lets a child `node` run this folder's TypeScript as it is (tests that kill a real process).
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
