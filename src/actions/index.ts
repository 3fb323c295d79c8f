export { JobActions } from './jobs';
export { guard } from './notify';
export { ScheduleActions } from './schedules';
export { InstanceActions } from './instances';
