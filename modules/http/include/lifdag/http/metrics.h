// Prometheus-style instruments: a lock-free histogram and the text exposition format helpers.
#pragma once

#include <QByteArray>
#include <QList>
#include <atomic>
#include <memory>
#include <vector>

namespace lifdag::http {

class Histogram
{
public:
    // `upperBounds` ascending (the +Inf bucket is implicit). Default: 0.5 ms … 10 s.
    explicit Histogram(std::vector<double> upperBounds = defaultLatencyBounds());
    Histogram(const Histogram &) = delete;
    Histogram &operator=(const Histogram &) = delete;

    void observe(double value); // thread-safe, lock-free

    struct Snapshot
    {
        std::vector<double> bounds;
        std::vector<quint64> cumulative; // per bound, then +Inf
        quint64 count = 0;
        double sum = 0;
        double quantile(double q) const; // estimated from the buckets (linear within one)
    };
    Snapshot snapshot() const;

    // name_bucket{labels,le="…"} … name_sum{labels} … name_count{labels}; `labels` without braces
    // (e.g. `method="GET"`), may be empty.
    void writePrometheus(QByteArray &out, const QByteArray &name, const QByteArray &labels = {}) const;

    static std::vector<double> defaultLatencyBounds();

private:
    std::vector<double> m_bounds;
    std::unique_ptr<std::atomic<quint64>[]> m_buckets; // non-cumulative, size bounds + 1
    std::atomic<quint64> m_count { 0 };
    std::atomic<double> m_sum { 0 };
};

// "# HELP name text\n# TYPE name type\n".
void writeMetricHeader(QByteArray &out, const QByteArray &name, const QByteArray &type,
                       const QByteArray &help);
// name{labels} value\n
void writeSample(QByteArray &out, const QByteArray &name, const QByteArray &labels, double value);
// Escapes a label value (backslash, quote, newline).
QByteArray escapeLabel(const QString &value);

} // namespace lifdag::http
