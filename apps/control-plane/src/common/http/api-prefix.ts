/** Every REST handler lives under this prefix; `/metrics` and `/swagger` stay outside it. */
export const API_PREFIX = 'api/v1/gateway';
