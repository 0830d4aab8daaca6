// `lifdag daemon run`: loops on their own threads, each with an interval, a heartbeat and error isolation.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/instance/instance.h>

#include <QLoggingCategory>
#include <chrono>
#include <functional>
#include <memory>

Q_DECLARE_LOGGING_CATEGORY(lcDaemon)

namespace lifdag::daemon {

struct Loop
{
    QString type; // heartbeat daemon_type, e.g. QUEUED_RUN_COORDINATOR
    std::chrono::milliseconds interval;
    std::function<Status()> body; // one pass; an Error (or exception) is logged and recorded
    QStringList wakeChannels = {}; // storage notifications that run a pass at once
    // When set, how long to sleep after each pass (e.g. until a schedule's next due time) instead
    // of `interval`.
    std::function<std::chrono::milliseconds()> nextInterval = {};
};

class Daemon
{
public:
    Daemon(std::shared_ptr<instance::Instance> instance, QString daemonId,
           std::chrono::milliseconds heartbeatInterval = std::chrono::seconds(30));
    ~Daemon();

    void addLoop(Loop loop);
    // The loops this instance's configuration asks for.
    void addConfiguredLoops();
    void start(); // one thread per loop
    void stop(); // wakes and joins every loop
    QStringList loopTypes() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lifdag::daemon
