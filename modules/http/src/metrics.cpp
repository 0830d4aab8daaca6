#include "lifdag/http/metrics.h"

#include <QString>
#include <algorithm>
#include <cmath>

namespace lifdag::http {

Histogram::Histogram(std::vector<double> upperBounds)
    : m_bounds(std::move(upperBounds))
    , m_buckets(new std::atomic<quint64>[m_bounds.size() + 1])
{
    std::sort(m_bounds.begin(), m_bounds.end());
    for (size_t i = 0; i <= m_bounds.size(); ++i)
        m_buckets[i].store(0, std::memory_order_relaxed);
}

std::vector<double> Histogram::defaultLatencyBounds()
{
    return { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
}

void Histogram::observe(double value)
{
    const auto it = std::lower_bound(m_bounds.begin(), m_bounds.end(), value);
    m_buckets[size_t(it - m_bounds.begin())].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sum.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const
{
    Snapshot s;
    s.bounds = m_bounds;
    quint64 running = 0;
    for (size_t i = 0; i <= m_bounds.size(); ++i) {
        running += m_buckets[i].load(std::memory_order_relaxed);
        s.cumulative.push_back(running);
    }
    s.count = running;
    s.sum = m_sum.load(std::memory_order_relaxed);
    return s;
}

double Histogram::Snapshot::quantile(double q) const
{
    if (count == 0)
        return 0;
    const double rank = q * double(count);
    double lower = 0;
    quint64 below = 0;
    for (size_t i = 0; i < cumulative.size(); ++i) {
        if (double(cumulative[i]) >= rank) {
            if (i == bounds.size()) // +Inf: the largest finite bound is all we know
                return bounds.empty() ? 0 : bounds.back();
            const double upper = bounds[i];
            const quint64 inBucket = cumulative[i] - below;
            if (inBucket == 0)
                return upper;
            return lower + (upper - lower) * ((rank - double(below)) / double(inBucket));
        }
        below = cumulative[i];
        lower = i < bounds.size() ? bounds[i] : lower;
    }
    return bounds.empty() ? 0 : bounds.back();
}

namespace {
QByteArray number(double v)
{
    if (std::isinf(v))
        return v > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        return QByteArray::number(qint64(v));
    return QByteArray::number(v, 'g', 10);
}

QByteArray withLabels(const QByteArray &labels, const QByteArray &extra)
{
    if (labels.isEmpty() && extra.isEmpty())
        return {};
    if (labels.isEmpty())
        return '{' + extra + '}';
    if (extra.isEmpty())
        return '{' + labels + '}';
    return '{' + labels + ',' + extra + '}';
}
} // namespace

void Histogram::writePrometheus(QByteArray &out, const QByteArray &name, const QByteArray &labels) const
{
    const Snapshot s = snapshot();
    for (size_t i = 0; i <= s.bounds.size(); ++i) {
        const QByteArray le = i < s.bounds.size() ? number(s.bounds[i]) : QByteArrayLiteral("+Inf");
        out += name + "_bucket" + withLabels(labels, "le=\"" + le + '"') + ' '
            + QByteArray::number(s.cumulative[i]) + '\n';
    }
    out += name + "_sum" + withLabels(labels, {}) + ' ' + number(s.sum) + '\n';
    out += name + "_count" + withLabels(labels, {}) + ' ' + QByteArray::number(s.count) + '\n';
}

void writeMetricHeader(QByteArray &out, const QByteArray &name, const QByteArray &type,
                       const QByteArray &help)
{
    out += "# HELP " + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}

void writeSample(QByteArray &out, const QByteArray &name, const QByteArray &labels, double value)
{
    out += name + withLabels(labels, {}) + ' ' + number(value) + '\n';
}

QByteArray escapeLabel(const QString &value)
{
    QByteArray out;
    const QByteArray utf8 = value.toUtf8();
    out.reserve(utf8.size());
    for (char c : utf8) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

} // namespace lifdag::http
