#include "lifdag/core/runstatus.h"

#include <array>
#include <utility>

namespace lifdag {

namespace {
constexpr std::array<std::pair<RunStatus, QLatin1StringView>, 8> kNames { {
    { RunStatus::Queued, QLatin1StringView("QUEUED") },
    { RunStatus::NotStarted, QLatin1StringView("NOT_STARTED") },
    { RunStatus::Starting, QLatin1StringView("STARTING") },
    { RunStatus::Started, QLatin1StringView("STARTED") },
    { RunStatus::Success, QLatin1StringView("SUCCESS") },
    { RunStatus::Failure, QLatin1StringView("FAILURE") },
    { RunStatus::Canceling, QLatin1StringView("CANCELING") },
    { RunStatus::Canceled, QLatin1StringView("CANCELED") },
} };
} // namespace

QString runStatusName(RunStatus status)
{
    for (const auto &[s, name] : kNames) {
        if (s == status)
            return QString(name);
    }
    return {};
}

std::optional<RunStatus> runStatusFromName(QStringView name)
{
    for (const auto &[s, n] : kNames) {
        if (name.compare(n, Qt::CaseInsensitive) == 0)
            return s;
    }
    return std::nullopt;
}

bool isTerminal(RunStatus status)
{
    return status == RunStatus::Success || status == RunStatus::Failure || status == RunStatus::Canceled;
}

QList<RunStatus> allRunStatuses()
{
    QList<RunStatus> out;
    for (const auto &entry : kNames)
        out.append(entry.first);
    return out;
}

QList<RunStatus> liveRunStatuses()
{
    return { RunStatus::NotStarted, RunStatus::Starting, RunStatus::Started, RunStatus::Canceling };
}

bool isAllowedTransition(RunStatus from, RunStatus to)
{
    if (isTerminal(from))
        return false;
    if (from == to)
        return false;
    switch (to) {
    case RunStatus::Queued:
        return false; // only a new run starts queued
    case RunStatus::NotStarted:
        return from == RunStatus::Queued;
    case RunStatus::Starting:
        return from == RunStatus::Queued || from == RunStatus::NotStarted;
    case RunStatus::Started:
        return from == RunStatus::NotStarted || from == RunStatus::Starting;
    case RunStatus::Canceling:
        return from != RunStatus::Canceling;
    case RunStatus::Success:
    case RunStatus::Failure:
    case RunStatus::Canceled:
        return true;
    }
    return false;
}

} // namespace lifdag
