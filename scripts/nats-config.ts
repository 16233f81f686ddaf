import { environmentAuthorization } from '@inviaro/bus';

/** Prints docker/nats.conf (the NATS users and their permissions) from the permission table; a test keeps the file in step. */
process.stdout.write(environmentAuthorization());
