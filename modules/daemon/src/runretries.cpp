#include "lifdag/daemon/runretries.h"

#include "lifdag/daemon/daemon.h"

#include <lifdag/execution/executor.h>
#include <lifdag/launcher/launcher.h>

#include <QUuid>

namespace lifdag::daemon {

namespace {

const QString kMaxRetriesTag = QStringLiteral("dagster/max_retries");
const QString kRetryNumberTag = QStringLiteral("dagster/retry_number");
const QString kRetryStrategyTag = QStringLiteral("dagster/retry_strategy");
const QString kParentRunIdTag = QStringLiteral("dagster/parent_run_id");
const QString kRootRunIdTag = QStringLiteral("dagster/root_run_id");
constexpr int kScanLimit = 500; // the newest failed runs looked at per pass

// A UUID namespace of lifdag's own for retry run ids.
const QUuid kRetryNamespace(QStringLiteral("{6f1d3a52-8e44-4c1b-9a36-2f0b7d5c9e81}"));

bool failedInSteps(instance::Instance &instance, const QString &runId)
{
    const auto events = instance.storage().events().events(runId, 0, 100000);
    if (!events)
        return false;
    for (const Event &e : *events) {
        if (e.eventType == QLatin1StringView(EventType::StepFailure))
            return true;
    }
    return false;
}

} // namespace

QString retryRunId(const QString &failedRunId)
{
    return QUuid::createUuidV5(kRetryNamespace, failedRunId).toString(QUuid::WithoutBraces);
}

RunRetries::RunRetries(std::shared_ptr<instance::Instance> instance)
    : m_instance(std::move(instance))
{ }

Result<int> RunRetries::tick()
{
    const config::RunRetriesConfig &cfg = m_instance->config().runRetries;
    storage::RunStorage &runs = m_instance->storage().runs();
    storage::RunFilter filter;
    filter.statuses = { RunStatus::Failure };
    filter.createdAfter = QDateTime::currentDateTimeUtc().addDays(-1);
    const auto page = runs.runs(filter, kScanLimit);
    if (!page)
        return page.error();
    int submitted = 0;
    QStringList problems;
    for (const storage::RunRecord &run : page->runs) {
        bool ok = false;
        const int tagged = run.tags.value(kMaxRetriesTag).toInt(&ok);
        const int maxRetries = ok ? tagged : cfg.maxRetries;
        const int retryNumber = run.tags.value(kRetryNumberTag).toInt();
        if (retryNumber >= maxRetries)
            continue;
        const QString childId = retryRunId(run.runId);
        const auto existing = runs.run(childId);
        if (!existing) {
            problems << existing.error().message;
            continue;
        }
        if (existing->has_value())
            continue; // retried already (by this daemon or another)
        if (!cfg.retryOnAssetOrOpFailure && failedInSteps(*m_instance, run.runId))
            continue;

        const QString strategy = run.tags.value(kRetryStrategyTag, QStringLiteral("FROM_FAILURE")).toUpper();
        const QString root = run.rootRunId.isEmpty() ? run.runId : run.rootRunId;
        launcher::SubmitRequest request;
        request.runId = childId;
        request.jobName = run.jobName;
        request.locationName = run.locationName;
        request.runConfig = run.runConfig;
        request.tags = run.tags;
        request.tags.insert(kRetryNumberTag, QString::number(retryNumber + 1));
        request.tags.insert(kParentRunIdTag, run.runId);
        request.tags.insert(kRootRunIdTag, root);
        if (strategy == QLatin1StringView("ALL_STEPS"))
            request.tags.remove(QString(execution::kReexecuteFromFailureTag));
        else
            request.tags.insert(QString(execution::kReexecuteFromFailureTag), run.runId);
        request.parentRunId = run.runId;
        request.rootRunId = root;
        const auto outcome = launcher::submitRun(*m_instance, request);
        if (!outcome || !outcome->run) {
            const auto raced = runs.run(childId);
            if (raced && raced->has_value())
                continue; // another daemon submitted it a moment ago
            const QString why =
                outcome ? QStringLiteral("its run config is no longer valid") : outcome.error().message;
            problems << QStringLiteral("retry of run %1: %2").arg(run.runId, why);
            continue;
        }
        Event e =
            runEvent(run.runId, EventType::EngineEvent,
                     QStringLiteral("Retrying run as run %1 (retry %2 of %3, %4).")
                         .arg(childId)
                         .arg(retryNumber + 1)
                         .arg(maxRetries)
                         .arg(strategy == QLatin1StringView("ALL_STEPS") ? QStringLiteral("all steps")
                                                                         : QStringLiteral("from failure")));
        e.payload.insert(QStringLiteral("retry_run_id"), childId);
        if (const auto stored = m_instance->storage().events().append({ e }); !stored)
            problems << stored.error().message;
        qCInfo(lcDaemon, "run %s failed: retry %d of %d is run %s", qPrintable(run.runId), retryNumber + 1,
               maxRetries, qPrintable(childId));
        ++submitted;
    }
    if (!problems.isEmpty())
        return Error { QStringLiteral("daemon.run_retries"), problems.join(QStringLiteral("; ")) };
    return submitted;
}

} // namespace lifdag::daemon
