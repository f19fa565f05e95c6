import type { Viewer } from '../auth/verify-token.js';
import { builder } from '../builder.js';

export const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The signed-in user, as their access token says.',
  fields: (t) => ({
    clientId: t.exposeID('clientId', {
      description: "The token's subject: the owner of the user's services, networks and jobs.",
    }),
    username: t.exposeString('username', {
      nullable: true,
      description: 'The name the user signs in with (`preferred_username`), when the token carries it.',
    }),
    roles: t.exposeStringList('roles', { description: "The roles in the token's roles claim." }),
    isAdmin: t.exposeBoolean('isAdmin', {
      description:
        "Whether the user holds the admin role, which lets list queries show every client's things.",
    }),
    tokenExpiresAt: t.field({
      type: 'DateTime',
      description: 'When the access token used for this request expires.',
      resolve: (viewer) => viewer.expiresAt.toISOString(),
    }),
  }),
});

builder.queryField('me', (t) =>
  t.field({
    type: ViewerRef,
    description: 'Who is calling.',
    resolve: (_root, _args, ctx) => ctx.viewer,
  }),
);
