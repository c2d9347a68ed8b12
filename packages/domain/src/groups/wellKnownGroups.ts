/** The seeded principal group every human created through createEntity or signup joins (authz.md §1.12). */
export const AUTHENTICATED_USERS_GROUP_ID = "00000000-0000-0000-0000-000000000005"
