/** The permission table lives in the shared protocol package, so server and web client use one definition. */
export { ABILITIES, type Ability, can, PERMISSIONS, ROLE_RANK } from '@salon/protocol';
