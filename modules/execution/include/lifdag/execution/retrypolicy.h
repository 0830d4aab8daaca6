// Dagster's RetryPolicy: how often a failed step is retried and how long to wait in between.
#pragma once

#include <QJsonObject>
#include <QMutex>
#include <QRandomGenerator>
#include <QString>
#include <optional>

namespace lifdag::execution {

enum class Backoff { None, Linear, Exponential };
enum class Jitter { None, Full, PlusMinus };

QString backoffName(Backoff backoff); // "LINEAR", "EXPONENTIAL", "" for None
QString jitterName(Jitter jitter); // "FULL", "PLUS_MINUS", "" for None

struct RetryPolicy
{
    int maxRetries = 1;
    std::optional<double> delaySeconds; // unset: retry at once (backoff and jitter then do nothing)
    Backoff backoff = Backoff::None;
    Jitter jitter = Jitter::None;

    // Seconds to wait before attempt `attemptNum` + 1, where attemptNum is 1 for the first retry,
    // exactly as Dagster computes it:
    //   LINEAR: attemptNum * delay;  EXPONENTIAL: (2^attemptNum - 1) * delay;  none: delay
    //   FULL: random * backoffDelay;  PLUS_MINUS: backoffDelay + (2 * random * delay - delay)
    // `random` is a draw from [0, 1). Negative results (PLUS_MINUS on a short delay) are clamped to 0.
    double calculateDelay(int attemptNum, double random) const;

    QJsonObject toJson() const; // {max_retries, delay, backoff, jitter}
};

// The random draws jitter uses; seeded, so a run (and a test) can be replayed exactly. Thread-safe.
class RandomSource
{
public:
    explicit RandomSource(quint64 seed);
    double next(); // uniform in [0, 1)
    quint64 seed() const { return m_seed; }

private:
    QMutex m_mutex;
    quint64 m_seed;
    QRandomGenerator64 m_generator;
};

} // namespace lifdag::execution
