/**
 * The length limit of a task failure's `errorMessage`: Camunda keeps the first 666 characters (the incident's
 * message), and cuts the rest without a mark. Everything that reports a failure to the engine (the workflow's
 * activities, the poller) shortens the message here, so that a cut message ends with "…".
 */

/** Camunda truncates errorMessage to 666 characters; we shorten it ourselves so the end is marked. */
export const MAX_ERROR_MESSAGE_LENGTH = 666;

/** The message as it fits in Camunda's errorMessage: unchanged when short enough, else cut and ended with "…". */
export function truncateErrorMessage(message: string): string {
  return message.length <= MAX_ERROR_MESSAGE_LENGTH
    ? message
    : `${message.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…`;
}
