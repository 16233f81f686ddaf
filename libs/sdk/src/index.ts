// @inviaro/sdk: what a customer's Node server installs. It exports the user hash and nothing else.
export { inviaroUserHash } from './user-hash';
