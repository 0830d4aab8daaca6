// State one step attempt shares with its OpContext (private to the module).
#pragma once

#include "lifdag/execution/eventsink.h"
#include "lifdag/execution/executor.h"
#include "lifdag/execution/opcontext.h"

#include <QSet>
#include <atomic>
#include <condition_variable>
#include <mutex>

namespace lifdag::execution::detail {

struct CancelState
{
    std::atomic<bool> requested { false };
    std::mutex mutex;
    std::condition_variable changed;
};

// What every step of one run shares; lives as long as the run.
struct RunShared
{
    const JobDefinition *job = nullptr;
    QString runId;
    QJsonObject runConfig; // resolved
    Resources resources;
    EventSink *sink = nullptr;
    mutable CancelState cancel; // ops wait on it through a const RunShared

    void emitEvent(const char *type, const QString &stepKey, const QString &message, QJsonObject payload = {},
                   const char *level = "INFO") const;
};

struct StepAttempt
{
    const RunShared *run = nullptr;
    const JobNode *node = nullptr;
    int stepId = -1;
    QString stepKey;
    QString mappingKey;
    int retryNumber = 0;
    QJsonValue opConfig;
    QHash<QString, QJsonValue> inputs;

    // Filled while the op runs.
    QHash<QString, QJsonValue> outputs;
    QHash<QString, QList<DynamicValue>> dynamicOutputs;
    QHash<QString, QSet<QString>> dynamicKeys;
    QStringList outputErrors;
    QString failureLocation; // from OpContext::failure()

    // Filled when the op has returned.
    bool succeeded = false;
    bool allowRetries = true;
    std::optional<ErrorInfo> error;
};

} // namespace lifdag::execution::detail
