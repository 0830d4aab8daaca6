#include "lifdag/execution/retrypolicy.h"

#include <QMutexLocker>
#include <cmath>

using namespace Qt::StringLiterals;

namespace lifdag::execution {

QString backoffName(Backoff backoff)
{
    switch (backoff) {
    case Backoff::Linear:
        return u"LINEAR"_s;
    case Backoff::Exponential:
        return u"EXPONENTIAL"_s;
    case Backoff::None:
        break;
    }
    return {};
}

QString jitterName(Jitter jitter)
{
    switch (jitter) {
    case Jitter::Full:
        return u"FULL"_s;
    case Jitter::PlusMinus:
        return u"PLUS_MINUS"_s;
    case Jitter::None:
        break;
    }
    return {};
}

double RetryPolicy::calculateDelay(int attemptNum, double random) const
{
    if (!delaySeconds)
        return 0.0;
    const double base = *delaySeconds;
    double delay = base;
    switch (backoff) {
    case Backoff::Linear:
        delay = base * attemptNum;
        break;
    case Backoff::Exponential:
        delay = (std::pow(2.0, attemptNum) - 1.0) * base;
        break;
    case Backoff::None:
        break;
    }
    switch (jitter) {
    case Jitter::Full:
        delay = random * delay;
        break;
    case Jitter::PlusMinus:
        delay = delay + ((2.0 * (random * base)) - base);
        break;
    case Jitter::None:
        break;
    }
    return std::max(0.0, delay);
}

QJsonObject RetryPolicy::toJson() const
{
    QJsonObject o { { u"max_retries"_s, maxRetries } };
    o.insert(u"delay"_s, delaySeconds ? QJsonValue(*delaySeconds) : QJsonValue(QJsonValue::Null));
    o.insert(u"backoff"_s,
             backoff == Backoff::None ? QJsonValue(QJsonValue::Null) : QJsonValue(backoffName(backoff)));
    o.insert(u"jitter"_s,
             jitter == Jitter::None ? QJsonValue(QJsonValue::Null) : QJsonValue(jitterName(jitter)));
    return o;
}

namespace {
struct SeedWords
{
    quint32 words[2];
};
SeedWords seedWords(quint64 seed)
{
    return SeedWords { { quint32(seed & 0xffffffffu), quint32(seed >> 32) } };
}
} // namespace

RandomSource::RandomSource(quint64 seed)
    : m_seed(seed)
    , m_generator(seedWords(seed).words, 2)
{ }

double RandomSource::next()
{
    QMutexLocker locker(&m_mutex);
    return m_generator.generateDouble();
}

} // namespace lifdag::execution
