import { builder } from '../builder.js';
import './common.js';
import './me.js';
import './catalog.js';
import './job.js';
import './service.js';
import './network.js';
import './system.js';

builder.queryType({ description: 'Read your services, networks and jobs, and the catalog.' });
builder.mutationType({
  description: 'Configure services and networks, and run their plans, applies and destroys as jobs.',
});
builder.subscriptionType({ description: 'Follow job logs, job states and service statuses live.' });

export const schema = builder.toSchema({ sortSchema: true });
