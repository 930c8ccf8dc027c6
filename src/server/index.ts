export { type RunningServer, type ServerOptions, startServer } from './app.js';
export { HTTP_STATUS } from './errors.js';
export { permissionMatrix } from './permission-matrix.js';
export { type RouteSpec, routeTable } from './routes.js';
export { readSidecar, type Sidecar, sidecarPath } from './workspaces.js';
