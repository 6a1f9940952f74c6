/** Everything the worker bundles as workflow code. */
export { deliverMessage } from './deliver-message';
export { routeHealth } from './route-health';
export { optOutPropagation } from './opt-out-propagation';
export { deliverWebhook } from './webhook-delivery';
export { pumpingGuard } from './pumping-guard';
