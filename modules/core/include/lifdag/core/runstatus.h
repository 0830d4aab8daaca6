// Dagster's run statuses and event type names, which clients (LIF's orchestrator) depend on.
#pragma once

#include <QString>
#include <QStringList>
#include <optional>

namespace lifdag {

enum class RunStatus {
    Queued,
    NotStarted,
    Starting,
    Started,
    Success,
    Failure,
    Canceling,
    Canceled,
};

QString runStatusName(RunStatus status); // "QUEUED", "NOT_STARTED", …
std::optional<RunStatus> runStatusFromName(QStringView name);
bool isTerminal(RunStatus status); // SUCCESS, FAILURE, CANCELED
QList<RunStatus> allRunStatuses();
QList<RunStatus> liveRunStatuses(); // NOT_STARTED, STARTING, STARTED, CANCELING: counted against limits

// The statuses a run may move to from `from`; terminal states never move again.
bool isAllowedTransition(RunStatus from, RunStatus to);

namespace EventType {
// Dagster's DagsterEventType names, stored as text in the event log.
inline constexpr auto RunEnqueued = "RUN_ENQUEUED";
inline constexpr auto RunDequeued = "RUN_DEQUEUED";
inline constexpr auto RunStarting = "RUN_STARTING";
inline constexpr auto RunStart = "RUN_START";
inline constexpr auto RunSuccess = "RUN_SUCCESS";
inline constexpr auto RunFailure = "RUN_FAILURE";
inline constexpr auto RunCanceling = "RUN_CANCELING";
inline constexpr auto RunCanceled = "RUN_CANCELED";
inline constexpr auto StepStart = "STEP_START";
inline constexpr auto StepOutput = "STEP_OUTPUT";
inline constexpr auto StepSuccess = "STEP_SUCCESS";
inline constexpr auto StepFailure = "STEP_FAILURE";
inline constexpr auto StepSkipped = "STEP_SKIPPED";
inline constexpr auto StepUpForRetry = "STEP_UP_FOR_RETRY";
inline constexpr auto StepRestarted = "STEP_RESTARTED";
inline constexpr auto EngineEvent = "ENGINE_EVENT";
inline constexpr auto LogsCaptured = "LOGS_CAPTURED";
inline constexpr auto LogMessage = "LOG_MESSAGE"; // user log lines (context.log.*); level in the event
} // namespace EventType

} // namespace lifdag
