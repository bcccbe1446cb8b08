/** The camunda units: they act on the engine the task came from. */
export { camundaCallActivity } from './call-activity.ts';
export { camundaCopyVariables } from './copy-variables.ts';
export { camundaSendMessage } from './send-message.ts';
export { camundaSetVariables } from './set-variables.ts';
export { camundaStartProcess } from './start-process.ts';
