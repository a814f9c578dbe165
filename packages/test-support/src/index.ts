export { expectKdapError } from './expect-kdap-error';
