/** Builds small BPMN models for tests: start → one external task → end, optionally with an error boundary. */
export interface ExternalTaskProcess {
  key: string;
  topic: string;
  /** Adds an error boundary event for this code, leading to the end event `error-end`. */
  errorCode?: string;
  /**
   * Puts a user task `review` after the external task, assigned to this expression, e.g. `${reviewer}`: the
   * engine refuses the completion (500, its next step fails) while the expression does not resolve.
   */
  reviewerExpression?: string;
  /**
   * Adds an interrupting timer boundary event on the external task (an ISO 8601 duration, e.g. `PT5S`), leading
   * to the end event `timeout-end`: when it fires, the engine deletes the task while its worker may still run it.
   */
  timerBoundary?: string;
}

export function externalTaskProcess({
  key,
  topic,
  errorCode,
  reviewerExpression,
  timerBoundary,
}: ExternalTaskProcess): string {
  const timer = timerBoundary
    ? `
    <bpmn:boundaryEvent id="on-timeout" attachedToRef="task" cancelActivity="true">
      <bpmn:timerEventDefinition><bpmn:timeDuration>${timerBoundary}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="flow-timeout" sourceRef="on-timeout" targetRef="timeout-end" />
    <bpmn:endEvent id="timeout-end" />`
    : '';
  const boundary = errorCode
    ? `
    <bpmn:boundaryEvent id="on-error" attachedToRef="task">
      <bpmn:errorEventDefinition errorRef="error-${errorCode}" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="flow-error" sourceRef="on-error" targetRef="error-end" />
    <bpmn:endEvent id="error-end" />`
    : '';
  const errorDef = errorCode ? `<bpmn:error id="error-${errorCode}" errorCode="${errorCode}" />` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs-${key}" targetNamespace="https://bptl.example/test">
  ${errorDef}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="flow-1" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task" camunda:type="external" camunda:topic="${topic}" />
    ${
      reviewerExpression
        ? `<bpmn:sequenceFlow id="flow-2" sourceRef="task" targetRef="review" />
    <bpmn:userTask id="review" camunda:assignee="${reviewerExpression}" />
    <bpmn:sequenceFlow id="flow-3" sourceRef="review" targetRef="end" />`
        : '<bpmn:sequenceFlow id="flow-2" sourceRef="task" targetRef="end" />'
    }
    <bpmn:endEvent id="end" />${boundary}${timer}
  </bpmn:process>
</bpmn:definitions>`;
}

/** start → one external task per topic, in order → end (a process whose steps chain their variables). */
export function externalTaskChain(key: string, topics: readonly string[]): string {
  const tasks = topics
    .map(
      (topic, i) =>
        `    <bpmn:serviceTask id="task-${i}" camunda:type="external" camunda:topic="${topic}" />`,
    )
    .join('\n');
  const ids = ['start', ...topics.map((_, i) => `task-${i}`), 'end'];
  const flows = ids
    .slice(1)
    .map(
      (target, i) => `    <bpmn:sequenceFlow id="flow-${i}" sourceRef="${ids[i]}" targetRef="${target}" />`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs-${key}" targetNamespace="https://bptl.example/test">
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="start" />
${tasks}
${flows}
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
}
