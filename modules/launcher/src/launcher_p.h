// Internals shared by the launcher module's sources.
#pragma once

#include <lifdag/launcher/launcher.h>

#include <QLoggingCategory>
#include <chrono>
#include <thread>

namespace lifdag::launcher::detail {

// Appends one event; the error when storage refused it.
Status appendEvent(instance::Instance &instance, Event event);

// Calls `ask` (a code location gRPC call returning a Result) and, while it fails because the code
// location did not answer in time (e.g. its first storage connection waits on DNS), twice more
// after 0.5 s and 1 s - before a run is failed for it. `retried` is told each retry's result.
template<typename Ask, typename OnRetry>
auto askCodeLocation(const QString &runId, Ask ask, OnRetry retried) -> decltype(ask())
{
    auto answer = ask();
    for (int attempt = 1;
         attempt < 3 && !answer && answer.error().code == QLatin1StringView("codelocation.unavailable");
         ++attempt) {
        qCWarning(lcLauncher, "run %s: %s; asking again", qPrintable(runId),
                  qPrintable(answer.error().message));
        std::this_thread::sleep_for(std::chrono::milliseconds(500 * attempt));
        answer = ask();
        retried(answer);
    }
    return answer;
}

} // namespace lifdag::launcher::detail
